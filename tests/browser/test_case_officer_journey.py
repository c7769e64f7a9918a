"""The case officer's journey: register a case → write the tjänsteutlåtande → attach a bilaga → preview it
as Word and PDF (made by the worker while the page shows the progress; both read back) → submit →
follow its status on "Mina ärenden" → read the reviewer's comment → act on it and submit again.
"""

from __future__ import annotations

import pytest

from tests.browser import steps
from tests.browser.ui import check_page, docx_text, download, follow, make_pdf, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def my_cases_state(page, number: str) -> str:
    follow(page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Mina ärenden"))
    check_page(page)
    return page.locator(f'tr[data-case="{number}"]').locator(".badge--state").inner_text()


def test_case_officer_writes_submits_and_acts_on_the_returned_comment(new_page, render_worker):
    officer = new_page("handlaggare")
    check_page(officer, "start-handlaggare")

    # register the case: the committee and the officer (the user) are chosen already
    title = steps.unique_title("Verksamhetsberättelse 2016 för socialnämnden")
    number = steps.register_case(officer, title)
    check_page(officer, "arende-nytt", screenshot=True)

    # write the tjänsteutlåtande: decision points, sections, recipients, signatory (formatting: test_keyboard)
    steps.start_report(officer)
    check_page(officer, "redigera-utlatande", screenshot=True)
    assert steps.rich_text(officer, "Beskrivning av ärendet").get_attribute("aria-required") == "true"
    assert officer.locator("#section_description").is_hidden()  # the plain field gives way to the rich one
    version = steps.write_report(
        officer,
        proposals=[
            "Socialnämnden godkänner verksamhetsberättelsen för 2016.",
            "Socialnämnden överlämnar verksamhetsberättelsen till kommunstyrelsen.",
        ],
        adjusted=2,
        summary="Verksamhetsberättelsen sammanfattar året.",
        description="Förvaltningen har sammanställt verksamhetsberättelsen.",
        recipients="Kommunstyrelsen\nRevisionen",
        signatory="Eva Strand",
    )
    assert version == 1  # the first save: Skriv tjänsteutlåtande stored nothing before it
    doc = officer.get_by_role("article")
    assert (
        doc.locator("ol.proposals li").first.inner_text() == "Socialnämnden godkänner verksamhetsberättelsen för 2016."
    )
    assert "Paragrafen förklaras omedelbart justerad." in doc.locator("ol.proposals li").nth(1).inner_text()
    assert "Förvaltningen har sammanställt verksamhetsberättelsen." in doc.inner_text()
    assert "Revisionen" in doc.get_by_role("region", name="Beslutet delges").inner_text()
    assert steps.state(officer) == "Utkast"

    # attach a bilaga: a real PDF made here
    pdf = make_pdf("Verksamhetsberattelse 2016")
    follow(officer.get_by_role("link", name="Hantera bilagor"))
    check_page(officer)
    upload = officer.get_by_role("form", name="Ladda upp en bilaga")
    upload.get_by_label("Fil", exact=True).set_input_files(
        {"name": "verksamhetsberattelse-2016.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    upload.get_by_label("Rubrik").fill("Verksamhetsberättelse 2016")
    follow(upload.get_by_role("button", name="Ladda upp"))
    check_page(officer, "bilagor", screenshot=True)
    row = officer.get_by_role("table").locator("tbody tr").first
    assert "Bilaga 1 Verksamhetsberättelse 2016" in row.inner_text()
    assert "PDF, " in row.inner_text()  # the type in words and the size, e.g. "PDF, 650 byte"

    # the bilaga is in the report, and what comes back is the very file uploaded
    follow(officer.get_by_role("link", name="Tillbaka till utlåtandet"))
    bilagor = officer.get_by_role("article").get_by_role("region", name="Bilagor")
    assert download(officer, bilagor.get_by_role("link", name="Bilaga 1 Verksamhetsberättelse 2016")) == pdf

    # Förhandsgranska: the worker makes the Word and the PDF file while the job page shows the progress
    follow(officer.get_by_role("button", name="Förhandsgranska"))
    check_page(officer)
    assert officer.get_by_role("heading", level=1).inner_text().startswith("Förhandsgranskning")
    steps.wait_for_job(officer)
    check_page(officer, "forhandsgranskning", screenshot=True)
    word = docx_text(download(officer, officer.get_by_role("link", name="Hämta Word (DOCX)")))
    assert title in word and number in word
    assert "Socialnämnden godkänner verksamhetsberättelsen för 2016." in word
    assert "Bilaga 1 Verksamhetsberättelse 2016" in word
    text = pdf_text(download(officer, officer.get_by_role("link", name="Hämta PDF")))
    assert title in text and number in text
    assert "Förvaltningen har sammanställt verksamhetsberättelsen." in text
    follow(officer.get_by_role("link", name=number, exact=True))
    assert steps.state(officer) == "Utkast"

    # submit, then follow the status on "Mina ärenden"
    assert "skickats på granskning" in steps.act(officer, "Skicka på granskning")
    assert steps.state(officer) == "Under granskning"
    assert my_cases_state(officer, number) == "Under granskning"
    check_page(officer, "mina-arenden", screenshot=True)

    # the reviewer sends it back with a comment
    reviewer = new_page("enhetschef")
    steps.open_from_queue(reviewer, number)
    comment = "Beskriv också hur verksamhetsberättelsen har tagits fram."
    assert "returnerats" in steps.act(reviewer, "Returnera till handläggaren", comment)

    # the officer sees the state and the comment, edits after it and submits again;
    # on Mina ärenden the returned report comes first, before the demo's cases and the ones with due dates
    assert my_cases_state(officer, number) == "Returnerad"
    rows = officer.locator("table tbody tr").evaluate_all("rows => rows.map(r => [r.dataset.case, r.className])")
    returned = [case for case, marked in rows if marked == "is-returned"]
    assert number in returned and [case for case, _ in rows[: len(returned)]] == returned  # the other tests' too
    check_page(officer, "mina-arenden-returnerad", screenshot=True)
    follow(officer.get_by_role("link", name=f"Öppna utlåtandet i {number}"))
    check_page(officer, "utlatande-returnerat", screenshot=True)
    returned = officer.get_by_role("region", name="Returnerat med kommentar")
    assert comment in returned.inner_text() and "Per Sundberg" in returned.inner_text()
    follow(officer.get_by_role("link", name="Redigera utlåtandet"))
    assert comment in officer.get_by_role("region", name="Returnerat med kommentar").inner_text()
    steps.write_report(
        officer,
        proposals=[
            "Socialnämnden godkänner verksamhetsberättelsen för 2016.",
            "Socialnämnden överlämnar verksamhetsberättelsen till kommunstyrelsen.",
        ],
        description="Förvaltningen har sammanställt verksamhetsberättelsen. Den har tagits fram tillsammans "
        "med enheterna under januari.",
    )
    assert steps.state(officer) == "Utkast"
    assert "skickats på granskning" in steps.act(officer, "Skicka på granskning")
    assert not officer.get_by_role("region", name="Returnerat med kommentar").count()
    assert my_cases_state(officer, number) == "Under granskning"
