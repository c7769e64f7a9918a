"""An agenda written in a committee's own conventions, published and rendered: the kallelse as Word and PDF and
the package's bookmarks and contents read back (tests.factories.publish_with_conventions)."""

from __future__ import annotations

import io

import docx
import pytest

from tasks.rendering.kallelse_docx import build_kallelse_docx
from tasks.rendering.package import assemble_package
from tasks.rendering.package_contents import PackageDocument, PackageItem, item_title
from tests.factories import fresh, publish_with_conventions
from tests.rendering.pdf_checks import blank_pdf, outline, reader, text


@pytest.fixture
def snapshots(meeting):
    publication = publish_with_conventions(meeting).latest_publication
    fresh()
    return publication.members_snapshot, publication.public_snapshot


def table_rows(document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in document.tables[0].rows]


def test_the_kallelse_docx_is_written_in_the_committees_conventions(snapshots):
    members, public = snapshots
    document = docx.Document(io.BytesIO(build_kallelse_docx(members)))
    header = " ".join(c.text for t in document.sections[0].header.tables for r in t.rows for c in r.cells)
    assert header.split()[:2] == ["SOCIALNÄMNDEN", "FÖREDRAGNINGSLISTA"]
    assert document.paragraphs[0].text == "Föredragningslista till Socialnämnden"
    rows = table_rows(document)
    numbers = [row[0] for row in rows[1:] if row[0] == row[1] == row[2] or row[0].isdigit()]
    assert [n for n in numbers if n.isdigit()] == ["0", "1", "2", "3", "4", "5", "6"]
    assert [row[0] for row in rows if row[0] == row[1] == row[2]] == ["Beslutsärenden", "Slutet sammanträde"]
    adjusted = next(row for row in rows if row[0] == "2")
    assert adjusted[1].startswith("Taxor för färdtjänst 2027 (KF)") and "Omedelbar justering" in adjusted[1]
    later = next(row for row in rows if row[0] == "3")
    assert "Handling delas ut på sammanträdet" in later[1] and "Omedelbar justering" not in later[1]
    # The confidential item is listed by its public title, also in the members' kallelse, without its markers.
    secret = next(row for row in rows if row[0] == "5")
    assert secret[1] == "Ansökan enligt föräldrabalken"
    public_rows = table_rows(docx.Document(io.BytesIO(build_kallelse_docx(public, public=True))))
    assert [row[1] for row in public_rows if row[0] == "5"] == ["Ansökan enligt föräldrabalken"]
    assert "Alva" not in " ".join(" ".join(row) for row in public_rows)


def test_the_pdf_and_the_package_read_back_in_the_conventions(snapshots, converter):
    members, _public = snapshots
    kallelse = converter.convert(build_kallelse_docx(members))
    words = " ".join(text(reader(kallelse)).split())
    for expected in (
        "FÖREDRAGNINGSLISTA",
        "Föredragningslista till Socialnämnden",
        "Beslutsärenden",
        "Slutet sammanträde",
        "Taxor för färdtjänst 2027 (KF)",
        "Omedelbar justering",
        "Handling delas ut på sammanträdet",
    ):
        assert expected in words, expected
    assert "Sekretessärenden" not in words and "Kallelse till" not in words

    adjusted = members["items"][2]
    item = PackageItem(adjusted["number"], item_title(adjusted), [PackageDocument("Tjänsteutlåtande", blank_pdf())])
    assert item.title == f"2 Taxor för färdtjänst 2027 (KF) – {adjusted['case_number']}"
    package = reader(assemble_package(members["meeting"], kallelse, [item], public=False))
    assert [entry[0] for entry in outline(package)] == ["Kallelse", "Innehåll", item.title]
    assert package.metadata.title.startswith("Möteshandlingar – Föredragningslista till Socialnämnden")
    assert item.title in " ".join(text(package).split())
