"""The municipality's logo (Administration → Kommunen) in the first page's letterhead of the tjänsteutlåtande and
the kallelse, above what the template's first page has, with the municipality named in its alt text; on the
first page only; in the input hashes; a template whose own letterhead has a picture keeps it. The PDFs are read
back in test_second_municipality.py."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm
from sqlalchemy import select

from agenda.models import Publication
from app.extensions import db
from app.organisation import operations as org_ops
from tasks.rendering.document_templates import template_for
from tasks.rendering.kallelse_docx import build_kallelse_docx, kallelse_input_hash
from tasks.rendering.letterhead import uploaded_template, with_logo
from tasks.rendering.report_data import report_document
from tasks.rendering.report_docx import build_report_docx
from tasks.rendering.word import default_template, using_template
from tests import factories
from tests.rendering.pdf_checks import png
from tests.sample_files import TEMPLATE_HEADER_TEXT, word_template
from workflows.models import CaseReport, ReportState

LOGO = png(240, 80)


def pictures(story) -> list[tuple[str, int]]:
    """The pictures a header shows: (alt text, width in EMU)."""
    return [
        (inline.find(qn("wp:docPr")).get("descr"), int(inline.find(qn("wp:extent")).get("cx")))
        for inline in story._element.iter(qn("wp:inline"))
    ]


@pytest.fixture
def documents(demo, new_case):
    """Build the demo's signed report and published kallelse on the committee's template as it is now."""
    case = new_case("Riktlinjer för färdtjänst 2027", state=ReportState.signed)
    publication = db.session.scalar(select(Publication).order_by(Publication.id))

    def _build() -> dict[str, tuple[docx.document.Document, str]]:
        committee = case.committee
        with using_template(template_for(committee)):
            report = report_document(db.session.scalar(select(CaseReport).where(CaseReport.case_id == case.id)))
            return {
                "tjänsteutlåtande": (docx.Document(io.BytesIO(build_report_docx(report))), report.input_hash()),
                "kallelse": (
                    docx.Document(io.BytesIO(build_kallelse_docx(publication.members_snapshot))),
                    kallelse_input_hash(publication.members_snapshot, public=False),
                ),
            }

    return _build


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_logo_stands_on_the_first_page_of_the_report_and_the_kallelse(documents):
    before = documents()
    for name, (document, _key) in before.items():
        assert not document.inline_shapes and not pictures(document.sections[0].first_page_header), name
    municipality = factories.committee().municipality
    org_ops.set_logo(municipality, LOGO, user=factories.person("admin"))
    db.session.commit()

    after = documents()
    for name, (document, key) in after.items():
        section = document.sections[0]
        assert pictures(section.first_page_header) == [("Huddinge kommuns logotyp", Cm(1.6) * 240 // 80)], name
        assert [part.blob for part in document.part.package.image_parts] == [LOGO], name
        assert pictures(section.header) == [] and pictures(section.first_page_footer) == [], name
        # the builder's own first-page header is still there, under the logo
        header_text = "\n".join(c.text for t in section.first_page_header.tables for r in t.rows for c in r.cells)
        assert ("TJÄNSTEUTLÅTANDE" if name == "tjänsteutlåtande" else "KALLELSE") in header_text.upper(), name
        assert key != before[name][1], name  # made again, never served from a part without the logo

    org_ops.remove_logo(municipality, user=factories.person("admin"))
    db.session.commit()
    assert {name: key for name, (_d, key) in documents().items()} == {name: key for name, (_d, key) in before.items()}


def test_a_wide_logo_is_made_lower_and_a_templates_own_picture_is_kept():
    wide = with_logo(default_template(), png(1200, 60), "b" * 64, "Borås stad")
    document = docx.Document(io.BytesIO(wide.data))
    assert pictures(document.sections[0].first_page_header) == [("Borås stads logotyp", Cm(6))]

    uploaded = uploaded_template(word_template(), "c" * 64, "Mall rev. 2027-01-15 (version 1)")
    with_text = with_logo(uploaded, LOGO, "a" * 64, "Lerums kommun")
    header = docx.Document(io.BytesIO(with_text.data)).sections[0].first_page_header
    assert pictures(header) == [("Lerums kommuns logotyp", Cm(1.6) * 3)]
    assert [p.text for p in header.paragraphs] == ["", TEMPLATE_HEADER_TEXT]  # the logo above the template's text
    assert with_text.revision == uploaded.revision and with_text.sha256 != uploaded.sha256

    own = docx.Document(io.BytesIO(with_text.data))
    out = io.BytesIO()
    own.save(out)
    has_picture = uploaded_template(out.getvalue(), "d" * 64, "Mall rev. 2027-02-01 (version 2)")
    assert with_logo(has_picture, png(50, 50), "e" * 64, "Lerums kommun") is has_picture
