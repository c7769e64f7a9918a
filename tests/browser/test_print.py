"""Printing the kallelse (members' and public), an item's handlingar and a tjänsteutlåtande: on paper they read as
documents. In print media no navigation, button, form or menu shows and the content does; Chromium's PDF of the
page (its print) is read back with pypdf: A4 pages with the content's text and none of the menus' words, and no
page ending on a heading whose text is on the next.
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from tests.browser.ui import ARTIFACTS, check_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIGNED = "SN-2016/3342.181"  # the demo's signed report, item 4 of the kallelse of 2017-02-23
#: words of the screen's menus, buttons and forms that must not be on paper
SCREEN_ONLY = [
    "Hoppa till innehållet",
    "Huvudmeny",
    "Utkorg",
    "Min profil",
    "Logga ut",
    "Logga in",
    "Tillbaka till kallelsen",
    "Förhandsgranska",
    "Spara anteckningen",
    "Tillgänglighetsredogörelse",
]

#: the elements of the page a person sees in print media: screen-only kinds first, then the content's
_SEEN = r"""() => {
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const name = el => el.tagName.toLowerCase() + ' "' + (el.innerText || el.value || '').trim().slice(0, 40) + '"';
  const screenOnly = [...document.querySelectorAll(
    'nav, form, button, .button, summary, select, textarea, input:not([type=hidden]), [role=menu], header.site-header, footer')]
    .filter(shown).map(name);
  const headings = [...document.querySelectorAll('main h1, main h2, main h3')].filter(shown).map(h => h.innerText.trim());
  return {screenOnly, headings, h1: document.querySelector('h1').innerText.trim()};
}"""


@pytest.fixture(scope="module")
def demo_ids(served_app) -> dict:
    from agenda.models import Meeting
    from app.extensions import db
    from app.registry.models import Case

    with served_app.app.app_context():
        found = {
            "held": db.session.scalar(select(Meeting.id).join(Meeting.publications).order_by(Meeting.start_dt)),
            "case": db.session.scalar(select(Case.id).where(Case.number == SIGNED)),
        }
        db.session.remove()
    return found


def printed(page, label: str, must_read: list[str]) -> str:
    """Check the page in print media and its PDF (kept as tests/artifacts/print/<label>.pdf); return the PDF's text."""
    from pypdf import PdfReader

    check_page(page)
    page.emulate_media(media="print")
    try:
        seen = page.evaluate(_SEEN)
        assert not seen["screenOnly"], f"{label} shows in print: {seen['screenOnly']}"
        assert seen["headings"] and seen["h1"] in seen["headings"], f"{label}: the content is hidden in print"
        data = page.pdf(prefer_css_page_size=True, print_background=False)
    finally:
        page.emulate_media(media="screen")
    (ARTIFACTS / "print").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "print" / (re.sub(r"[^\w]+", "-", label).strip("-") + ".pdf")).write_bytes(data)
    pages = PdfReader(io.BytesIO(data)).pages
    assert pages, label
    for sheet in pages:  # A4 portrait, 595 × 842 points
        width, height = float(sheet.mediabox.width), float(sheet.mediabox.height)
        assert (round(width), round(height)) == (595, 842), f"{label}: a page of {width} × {height} pt"
    texts = [" ".join((sheet.extract_text() or "").split()) for sheet in pages]
    text = " ".join(texts)
    for words in [seen["h1"], *must_read]:
        assert " ".join(words.split()) in text, f"{label}: {words!r} is not in the printed text"
    for words in SCREEN_ONLY:
        assert words not in text, f"{label}: {words!r} is printed"
    # a heading is kept with what follows it: no page ends on a heading whose text goes on on the next page
    for number, sheet_text in enumerate(texts[:-1], start=1):
        for heading in seen["headings"]:
            if heading != seen["h1"]:
                assert not sheet_text.endswith(" ".join(heading.split())), f"{label}: page {number} ends on {heading!r}"
    return text


def test_the_members_kallelse_and_item_print_as_documents(new_page, demo_ids):
    member = new_page("ledamot")
    member.goto(f"/sammantraden/{demo_ids['held']}/kallelse")
    text = printed(member, "the members' kallelse", ["Föredragningslista", SIGNED, "Gunnel Hedberg"])
    assert "adoption av Noah Provsson" in text  # a sekretessärende, by its real title
    member.goto(f"/sammantraden/{demo_ids['held']}/kallelse/punkt/4")
    printed(member, "the members' item 4", ["Tjänsteutlåtande", "Förslag till beslut", "Bilagor", SIGNED])


def test_the_public_kallelse_and_item_print_as_documents(page, demo_ids):
    page.goto(f"/offentligt/sammantraden/{demo_ids['held']}")
    text = printed(page, "the public kallelse", ["Föredragningslista", SIGNED])
    assert "Noah Provsson" not in text
    page.goto(f"/offentligt/sammantraden/{demo_ids['held']}/punkt/4")
    printed(page, "the public item 4", ["Tjänsteutlåtande", "Förslag till beslut", SIGNED])


def test_the_report_prints_as_a_document_with_the_addresses_of_its_links(new_page, demo_ids):
    officer = new_page("enhetschef")
    officer.goto(f"/arenden/{demo_ids['case']}/utlatande")
    # a link out of the page in a section's text prints with its address; a link within the product does not
    officer.locator(".report-doc .rich-text").first.evaluate(
        """el => el.insertAdjacentHTML('beforeend',
             '<p>Se <a href="https://www.huddinge.se/riktlinjer">riktlinjerna</a> och <a href="/diarium">diariet</a>.</p>')"""
    )
    text = printed(officer, "the signed report", ["Översikt", "Förslag till beslut", "Undertecknat av", SIGNED])
    assert "riktlinjerna (https://www.huddinge.se/riktlinjer)" in text
    assert "diariet (" not in text
    for words in ("Åtgärder", "Redigera utlåtandet", "Återkalla utlåtandet", "Versioner", "Tidslinje"):
        assert words not in text, f"{words!r} is printed"
