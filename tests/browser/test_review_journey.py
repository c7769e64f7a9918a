"""The reviewer's and approver's journey: the review queue → the report → compare its versions → approve →
the approver's queue → compare → sign → the report says "Undertecknad" with the signature's checksum."""

from __future__ import annotations

import re

import pytest

from tests.browser import steps
from tests.browser.ui import check_page, follow

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def compare_versions(page, a: int, b: int) -> None:
    """On the versions page, choose two versions, compare, and see what changed between them."""
    steps.report_nav(page, "Versioner")
    form = page.get_by_role("form", name="Jämför två versioner")
    form.get_by_label("Jämför version").select_option(str(a))
    form.get_by_label("med version").select_option(str(b))
    follow(form.get_by_role("button", name="Jämför"))
    check_page(page)
    diff = page.get_by_role("table", name=f"Fält som skiljer sig mellan version {a} och version {b}")
    assert "Förslag till beslut" in diff.inner_text()
    assert "kommunstyrelsen" in diff.locator("ins").all_inner_texts().__str__().lower()


def test_reviewer_compares_and_approves_and_the_approver_signs(new_page):
    officer = new_page("handlaggare")
    number = steps.draft_for_review(officer, steps.unique_title("Avtal om samverkan kring missbruksvård"), versions=2)

    # the reviewer: the queue shows the report with its officer; open it, compare versions 1 and 2, approve
    reviewer = new_page("enhetschef")
    follow(reviewer.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Granskning"))
    check_page(reviewer, "granskning", screenshot=True)
    row = reviewer.locator(f'tr[data-case="{number}"]')
    assert "Granskning" in row.inner_text() and "Johan Ek" in row.inner_text()
    steps.open_from_queue(reviewer, number)
    assert steps.state(reviewer) == "Under granskning"
    check_page(reviewer, "utlatande-granskning", screenshot=True)
    assert not reviewer.get_by_role("button", name="Underteckna").count()  # not the reviewer's step
    compare_versions(reviewer, 1, 2)
    check_page(reviewer, "versioner-jamforelse", screenshot=True)
    steps.report_nav(reviewer, "Utlåtandet")
    assert "godkänt" in steps.act(reviewer, "Godkänn")
    assert steps.state(reviewer) == "Godkänd, väntar på underskrift"
    follow(reviewer.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Granskning"))
    assert not reviewer.locator(f'tr[data-case="{number}"]').count()

    # the approver: the signing queue, the versions, then sign
    approver = new_page("direktor")
    follow(approver.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Granskning"))
    assert "Underskrift" in approver.locator(f'tr[data-case="{number}"]').inner_text()
    steps.open_from_queue(approver, number)
    compare_versions(approver, 1, 2)
    steps.report_nav(approver, "Utlåtandet")
    assert "undertecknat" in steps.act(approver, "Underteckna")
    assert steps.state(approver) == "Undertecknad"
    signature = approver.get_by_role("region", name="Översikt").inner_text()
    assert "Undertecknat av Eva Strand" in signature
    checksum = approver.get_by_role("region", name="Översikt").locator("code").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", checksum)
    check_page(approver, "utlatande-undertecknat-nytt", screenshot=True)

    # the timeline tells the story with the same checksum; the officer sees the signed report too
    steps.report_nav(approver, "Tidslinje")
    sign_row = approver.locator('tr[data-transition="sign"]')
    assert checksum in sign_row.inner_text() and "Eva Strand" in sign_row.inner_text()
    assert [t.get_attribute("data-transition") for t in approver.locator("tr[data-transition]").all()] == [
        "create",
        "submit",
        "approve",
        "sign",
    ]
    officer.reload()
    assert steps.state(officer) == "Undertecknad"
    assert checksum in officer.get_by_role("region", name="Översikt").inner_text()


def test_approver_returns_with_a_comment(new_page):
    officer = new_page("handlaggare")
    number = steps.draft_for_review(officer, steps.unique_title("Remiss om hemtjänstens ersättning"))
    reviewer = new_page("enhetschef")
    steps.open_from_queue(reviewer, number)
    steps.act(reviewer, "Godkänn")

    approver = new_page("direktor")
    steps.open_from_queue(approver, number)
    # a return without a comment is refused, with the error tied to the field
    group = approver.get_by_role("group", name="Returnera till handläggaren", exact=True)
    follow(group.get_by_role("button", name="Returnera till handläggaren"))
    check_page(approver)
    field = approver.get_by_role("group", name="Returnera till handläggaren", exact=True).get_by_label("Kommentar")
    assert field.get_attribute("aria-invalid") == "true"
    assert (
        "Skriv en kommentar" in approver.get_by_role("alert").first.inner_text()
        or "Skriv en kommentar" in approver.locator(".field__error").first.inner_text()
    )
    assert "returnerats" in steps.act(approver, "Returnera till handläggaren", "Ekonomiska konsekvenser saknas.")
    assert steps.state(approver) == "Returnerad"
    officer.reload()
    assert (
        "Ekonomiska konsekvenser saknas." in officer.get_by_role("region", name="Returnerat med kommentar").inner_text()
    )
