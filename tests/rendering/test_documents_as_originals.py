"""The kallelse and the tjänsteutlåtande laid out as the originals (the seed kallelse of 2017-02-23), read back
from their PDFs with pdftotext (the text of each page, and each word's box): the address block at the foot of
the first page only and no part of it cut or run into the next column, the template revision on the first
page only, dates and diarienummer never broken across lines, a gap between the items' titles and their
diarienummer, the closing on the page of the last item when it fits there. Runs on the session's LibreOffice."""

from __future__ import annotations

import copy
import html
import re
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from app.demo import data
from tasks.rendering.kallelse_docx import build_kallelse_docx
from tasks.rendering.report_docx import build_report_docx
from tests.rendering.meeting_sample import demo_snapshots
from tests.rendering.pdf_checks import reader
from tests.rendering.sample import ADDRESS, demo_report

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")

#: the demo's address block (app/demo/data.py): the one the issue saw cut
DEMO_ADDRESS = replace(
    ADDRESS,
    postal_address=data.ADMINISTRATIONS["SÄF"]["postal_address"],
    visiting_address=data.MUNICIPALITY["visiting_address"],
    email=data.MUNICIPALITY["email"],
    web=data.MUNICIPALITY["web"],
)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def _pdftotext(pdf: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pages(pdf: bytes) -> list[str]:
    return _pdftotext(pdf).split("\f")[:-1]


def words(pdf: bytes, page: int) -> list[tuple[str, float, float, float]]:
    """The words of page ``page`` (from 1): text, left, top, right (points)."""
    found = _WORD.findall(_pdftotext(pdf, "-bbox", "-f", str(page), "-l", str(page)))
    return [(html.unescape(t), float(x0), float(y0), float(x1)) for x0, y0, x1, _y1, t in found]


@pytest.fixture(scope="module")
def documents(converter):
    members, _public = demo_snapshots()
    return {
        "kallelse": converter.convert(build_kallelse_docx(members)),
        "report": converter.convert(build_report_docx(demo_report(address=DEMO_ADDRESS))),
    }


def test_the_reports_address_block_is_on_its_first_page_only_and_nothing_in_it_is_cut(documents):
    texts = pages(documents["report"])
    assert len(texts) >= 2
    assert "POSTADRESS" in texts[0] and "Mall rev." in texts[0]
    for text in texts[1:]:
        assert "POSTADRESS" not in text and "huddinge@huddinge.se" not in text and "Mall rev." not in text
        assert "TJÄNSTEUTLÅTANDE" in text  # the header stays on every page
    page = words(documents["report"], 1)
    labels = {t: x0 for t, x0, _y, _x1 in page if t in ("POSTADRESS", "BESÖKSADRESS", "TELEFON", "E-POST")}
    assert len(labels) == 4
    label_top = next(y for t, _x0, y, _x1 in page if t == "POSTADRESS")
    starts = sorted(labels.values())
    footer = [(t, x0, x1) for t, x0, y, x1 in page if y > label_top]
    shown = [t for t, _x0, _x1 in footer]
    for whole in ("huddinge@huddinge.se", "www.huddinge.se", "äldreomsorgsförvaltningen", "Gymnasietorget"):
        assert whole in shown, (whole, shown)
    for text, x0, x1 in footer:
        column = max(i for i, start in enumerate(starts) if start <= x0 + 0.5)
        if column + 1 < len(starts):
            assert x1 < starts[column + 1] - 3, f"{text!r} runs into the next column"


def test_the_kallelse_prints_the_revision_on_its_first_page_only_and_dates_whole(documents):
    texts = pages(documents["kallelse"])
    assert "Mall rev." in texts[0]
    assert all("Mall rev." not in text and "Huddinge kommun ·" not in text for text in texts[1:])
    text = "\n".join(page.extract_text() for page in reader(documents["kallelse"]).pages)  # pypdf: a line a line
    assert not re.search(r"\d{4}-\n|\n\d{2}-\d{2}\)", text), "a date is broken across lines"
    for line in ("2017-01-12)", "(hämtad 2017-01-24)", "(hämtad 2017-01-18)"):
        assert line in text


def test_the_items_titles_keep_a_gap_to_their_diarienummer(documents):
    for page in range(1, len(pages(documents["kallelse"])) + 1):
        found = words(documents["kallelse"], page)
        numbers = [x0 for t, x0, _y, _x1 in found if re.fullmatch(r"SN-\d{4}/\d+\.\d+", t)]
        if not numbers:
            continue
        column = min(numbers)
        left_of = [(t, x1) for t, x0, _y, x1 in found if x0 < column - 1]
        assert left_of and max(x1 for _t, x1 in left_of) <= column - 8, "a title touches its diarienummer"


def test_the_confidential_matters_are_listed_by_their_public_titles_in_the_members_kallelse(documents):
    text = " ".join(" ".join(pages(documents["kallelse"])).split())
    for number, title, public_title, _registered in data.CONFIDENTIAL_CASES:
        assert public_title in text and title not in text and number not in text


def test_the_closing_goes_with_the_last_item_when_it_fits_on_its_page(converter):
    members, _public = demo_snapshots()
    # two more items: the table ends low on the second page, with room for the closing below it
    extra = [dict(copy.deepcopy(members["items"][1]), number=100 + n, title=f"Tilläggsärende {n}") for n in range(2)]
    members["items"][17:17] = extra
    texts = pages(converter.convert(build_kallelse_docx(members)))
    closing = [n for n, text in enumerate(texts) if "Huddinge den 2 februari 2017" in text]
    last_item = [n for n, text in enumerate(texts) if "Delgivningar och anmälda delegationsbeslut" in text]
    assert closing == last_item == [len(texts) - 1]
    last = texts[-1]
    assert last.index("Huddinge den 2 februari 2017") < last.index("Gunnel Hedberg") < last.index("Ordförande")
