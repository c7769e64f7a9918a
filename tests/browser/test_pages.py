"""Every page that exists today, as the user who uses it: accessible, in Swedish, one h1, photographed.

The journeys check the pages they pass through; this sweep covers the rest (log-in, start pages per
role, the diarium and its forms, the demo's signed reports, outbox, profile, administration).
"""

from __future__ import annotations

import re

import pytest

from tests.browser import steps
from tests.browser.ui import check_page, follow, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_log_in_page_and_a_wrong_password(page):
    page.goto("/")
    check_page(page, "start-anonym", screenshot=True)
    page.goto("/logga-in")
    check_page(page, "logga-in", screenshot=True)
    page.get_by_label("E-post").fill("handlaggare@huddinge.example")
    page.get_by_label("Lösenord").fill("fel-lösenord")
    follow(page.get_by_role("button", name="Logga in"))
    # the error is said in Swedish, and the page stays accessible with the error on it
    assert page.get_by_role("alert").or_(page.locator(".field__error, .flash--error")).first.is_visible()
    check_page(page)
    log_in(page, "handlaggare")
    assert page.get_by_role("heading", level=1).inner_text() == "Välkommen, Johan Ek"


@pytest.mark.parametrize(
    "user", ["handlaggare", "enhetschef", "direktor", "sekreterare", "registrator", "ledamot", "admin"]
)
def test_start_page_per_role(new_page, user):
    page = new_page(user)
    page.goto("/")
    check_page(page, f"start-{user}", screenshot=user in ("handlaggare", "ledamot"))
    assert page.get_by_role("navigation", name="Huvudmeny").is_visible()


def test_registrar_pages(new_page):
    page = new_page("registrator")
    follow(page.get_by_role("link", name="Diarium", exact=True))
    check_page(page, "diarium", screenshot=True)
    page.get_by_label("Fritext").fill("bårhus")
    follow(page.get_by_role("button", name="Sök", exact=True))
    check_page(page, "diarium-sok", screenshot=True)
    follow(page.get_by_role("link", name=re.compile(r"SN-\d{4}\/")).first)
    check_page(page, "arende", screenshot=True)
    page.goto("/diarium/registrera")
    check_page(page, "registrera-arende", screenshot=True)
    follow(page.get_by_role("button", name="Registrera"))  # empty: the errors are tied to their fields
    check_page(page)
    assert page.get_by_role("alert").is_visible()
    page.goto("/diarium")
    follow(page.get_by_role("link", name="Diarieutdrag"))
    check_page(page, "diarieutdrag")
    follow(page.get_by_role("button", name="Skapa utdrag"))  # no worker here: the job page shows it waiting
    check_page(page, "jobb")
    follow(page.get_by_role("link", name="Min profil"))
    check_page(page, "min-profil")
    follow(page.get_by_role("link", name="Utkorg"))
    check_page(page, "utkorg")


def test_signed_demo_report_pages(new_page):
    page = new_page("enhetschef")
    follow(page.get_by_role("link", name="Diarium", exact=True))
    page.get_by_label("Fritext").fill("3342")
    follow(page.get_by_role("button", name="Sök", exact=True))
    follow(page.get_by_role("link", name=re.compile(r"SN-2016\/3342")).first)
    follow(page.get_by_role("link", name="Öppna tjänsteutlåtandet"))
    check_page(page, "utlatande-undertecknat", screenshot=True)
    follow(page.get_by_role("navigation", name="Tjänsteutlåtandet").get_by_role("link", name="Versioner"))
    check_page(page, "versioner")
    follow(page.get_by_role("navigation", name="Tjänsteutlåtandet").get_by_role("link", name="Tidslinje"))
    check_page(page, "tidslinje", screenshot=True)
    follow(page.get_by_role("link", name="Granskning"))
    check_page(page, "granskning")


def test_admin_pages(new_page):
    page = new_page("admin")
    follow(page.get_by_role("link", name="Administration"))
    check_page(page, "admin-klassificering")
    nav = page.get_by_role("navigation", name="Administration")
    follow(nav.get_by_role("link", name="Användare"))
    check_page(page, "admin-anvandare", screenshot=True)
    follow(nav.get_by_role("link", name="Avsnitt i tjänsteutlåtanden"))
    check_page(page, "admin-avsnitt")


def test_report_errors_are_tied_to_their_fields(new_page):
    page = new_page("handlaggare")
    steps.register_case(page, steps.unique_title("Rapport om ej verkställda beslut"))
    steps.start_report(page)
    # the editor refuses an empty heading: the summary links to the field, which says what is wrong
    page.get_by_label("Rubrik").fill("")
    follow(page.get_by_role("button", name="Spara"))
    check_page(page, "redigera-fel")
    summary = page.get_by_role("alert")
    assert "Rubrik" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.id") == "title"
    assert page.get_by_label("Rubrik").get_attribute("aria-invalid") == "true"
    # nothing was stored; saved with its heading but nothing else, it is version 1
    assert page.get_by_role("heading", level=1).inner_text() == "Skriv tjänsteutlåtande"
    page.get_by_label("Rubrik").fill("Rapport om ej verkställda beslut")
    follow(page.get_by_role("button", name="Spara"))
    assert "version 1" in steps.flash_text(page)
    # submitting it for review is refused and says what is missing
    group = page.get_by_role("group", name="Skicka på granskning", exact=True)
    follow(group.get_by_role("button", name="Skicka på granskning"))
    check_page(page)
    assert "Förslag till beslut" in page.get_by_role("alert").first.inner_text()
    assert steps.state(page) == "Utkast"


def test_error_pages(new_page):
    page = new_page("ledamot")
    response = page.goto("/arenden/999999")
    assert response.status == 404
    check_page(page, "fel-404")
    response = page.goto("/granskning")  # members have no review queue
    assert response.status == 403
    check_page(page)
