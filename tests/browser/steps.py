"""Steps the journeys share, each done the way a person does it: through links, labels and buttons.

Every step checks the page it lands on (``check_page``). Steps take and return plain values (a case
number, a page), so later journeys (the secretary's agenda, the member's kallelse, the document
preview) can start from a report these steps produced.
"""

from __future__ import annotations

import re
import uuid

from tests.browser.ui import check_page, follow, progressbars

FLASH = ".flashes"
#: how long a document job may take (ms): the worker starts LibreOffice for its first PDF, and the
#: machine runs other tests at the same time
JOB_TIMEOUT = 240_000


def unique_title(text: str) -> str:
    """Return an ärendemening no other test uses (the tests share one database)."""
    return f"{text} ({uuid.uuid4().hex[:6]})"


def flash_text(page) -> str:
    return page.locator(FLASH).inner_text()


def register_case(
    page, title: str, *, classification: str = "181", officer: str | None = None, public_title: str | None = None
) -> str:
    """Register a case from the start page and return its diarienummer (the page is left on the case).

    With ``public_title`` the case is registered as confidential (sekretessmarkerat), with that
    public ärendemening and the demo's secrecy provision.
    """
    page.goto("/")
    follow(page.get_by_role("link", name="Registrera ärende").first)
    check_page(page)
    page.get_by_label("Ärendemening", exact=True).fill(title)
    page.get_by_label("Klassificering").select_option(classification)
    if officer:
        page.get_by_label("Ansvarig handläggare").select_option(label=re.compile(officer))
    if public_title:
        page.get_by_label("Sekretessmarkera ärendet").check()
        page.get_by_label("Sekretessbestämmelse").fill("26 kap. 1 § OSL")
        page.get_by_label("Offentlig ärendemening").fill(public_title)
    follow(page.get_by_role("button", name="Registrera", exact=True))
    match = re.search(r"diarienummer (\S+?)\.?$", flash_text(page))
    assert match, flash_text(page)
    number = match.group(1)
    assert page.get_by_role("heading", level=1).inner_text().strip() != ""
    assert number in page.locator("main").inner_text()
    return number


def open_case(page, number: str) -> None:
    """Find the case in the diarium by its number and open it."""
    follow(page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Diarium", exact=True))
    page.get_by_label("Diarienummer").fill(number)
    follow(page.get_by_role("button", name="Sök", exact=True))
    follow(page.get_by_role("link", name=number, exact=True))
    check_page(page)


#: the editor's save button: "Spara" the first time (version 1), then "Spara ny version"
SAVE = re.compile(r"^Spara( ny version)?$")
#: the editor's heading: of a report not yet saved, and of one being changed
EDITOR_HEADINGS = ("Skriv tjänsteutlåtande", "Redigera tjänsteutlåtandet")


def start_report(page) -> None:
    """On the case page: Skriv tjänsteutlåtande opens the editor of a new report (stored at its first save)."""
    follow(page.get_by_role("region", name="Tjänsteutlåtande").get_by_role("link", name="Skriv tjänsteutlåtande"))
    assert page.get_by_role("heading", level=1).inner_text() == "Skriv tjänsteutlåtande"


def rich_text(page, label: str):
    """The enhanced rich-text area of the editor section ``label`` (a contenteditable textbox)."""
    return page.get_by_role("textbox", name=label, exact=True)


def write_report(
    page,
    *,
    proposals: list[str],
    description: str,
    summary: str = "",
    recipients: str = "",
    adjusted: int | None = None,
    signatory: str | None = None,
) -> int:
    """Fill the editor (decision points, sections, recipients, signatories), save; return the version number."""
    assert page.get_by_role("heading", level=1).inner_text() in EDITOR_HEADINGS
    rows = page.locator("#proposal-list > li")
    for i, text in enumerate(proposals, start=1):
        if rows.count() < i:
            page.get_by_role("button", name="Lägg till beslutspunkt").click()
        page.get_by_label(f"Beslutspunkt {i}", exact=True).fill(text)
    if adjusted:
        page.get_by_label(f"Omedelbart justerad (beslutspunkt {adjusted})").check()
    if summary:
        rich_text(page, "Sammanfattning").fill(summary)
    rich_text(page, "Beskrivning av ärendet").fill(description)
    if recipients:
        page.get_by_label("Beslutet delges").fill(recipients)
    if signatory:
        page.get_by_role("group", name="Undertecknare").get_by_label(signatory).check()
    follow(page.get_by_role("button", name=SAVE))
    match = re.search(r"version (\d+)", flash_text(page))
    assert match, flash_text(page)
    check_page(page)
    return int(match.group(1))


def state(page) -> str:
    """The report's state as its page shows it."""
    return page.get_by_role("region", name="Översikt").locator(".badge--state").inner_text()


def act(page, transition: str, comment: str = "") -> str:
    """Press a workflow button on the report page (with its comment); return the flash message."""
    group = page.get_by_role("group", name=transition, exact=True)
    if comment:
        group.get_by_label("Kommentar").fill(comment)
    follow(group.get_by_role("button", name=transition, exact=True))
    text = flash_text(page)
    check_page(page)
    return text


def open_from_queue(page, number: str) -> None:
    """Open the report of case ``number`` from the review queue."""
    follow(page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Granskning"))
    check_page(page)
    follow(
        page.get_by_role("table", name=re.compile("att granska eller underteckna")).get_by_role(
            "link", name=number, exact=True
        )
    )
    check_page(page)


def report_nav(page, name: str) -> None:
    """Follow one of the report's own links (Utlåtandet, Versioner, Tidslinje)."""
    follow(page.get_by_role("navigation", name="Tjänsteutlåtandet").get_by_role("link", name=name, exact=True))
    check_page(page)


def draft_for_review(page, title: str, *, versions: int = 1) -> str:
    """As the case officer: register a case, write its report in ``versions`` saves, submit; return the number."""
    number = register_case(page, title)
    start_report(page)
    write_report(
        page,
        proposals=["Socialnämnden godkänner rapporten."],
        description="Förvaltningen har sammanställt rapporten.",
        signatory="Eva Strand",
    )
    for n in range(2, versions + 1):
        follow(page.get_by_role("link", name="Redigera utlåtandet"))
        write_report(
            page,
            proposals=[
                "Socialnämnden godkänner rapporten.",
                f"Socialnämnden överlämnar rapporten till kommunstyrelsen ({n}).",
            ],
            description=f"Förvaltningen har sammanställt rapporten och kompletterat den ({n}).",
        )
    assert "skickats på granskning" in act(page, "Skicka på granskning")
    assert state(page) == "Under granskning"
    return number


def signed_case(new_page, title: str) -> str:
    """Produce a case with a signed tjänsteutlåtande, as its people do it; return its diarienummer.

    The handläggare writes and submits, the enhetschef approves, the direktör signs.
    """
    number = draft_for_review(new_page("handlaggare"), title)
    reviewer = new_page("enhetschef")
    open_from_queue(reviewer, number)
    assert "godkänt" in act(reviewer, "Godkänn")
    approver = new_page("direktor")
    open_from_queue(approver, number)
    assert "undertecknat" in act(approver, "Underteckna")
    assert state(approver) == "Undertecknad"
    return number


# --- meetings and the kallelse -----------------------------------------------------------------


def main_menu(page, name: str) -> None:
    """Follow a link of the main menu."""
    follow(page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=name, exact=True))


def plan_meeting(page, day: str, place: str, *, time: str = "18:00") -> None:
    """On the year plan: plan a meeting of the (only) committee; the page is left on the new meeting."""
    form = page.get_by_role("region", name="Planera sammanträde")
    form.get_by_label("Datum").fill(day)
    form.get_by_label("Klockan").fill(time)
    form.get_by_label("Plats").fill(place)
    follow(form.get_by_role("button", name="Planera sammanträdet"))
    assert "är planerat" in flash_text(page), flash_text(page)


def agenda(page) -> list[tuple[str, str]]:
    """The agenda builder's rows as shown now: (number, title), in order."""
    rows = page.locator("#agenda-table tbody tr[data-item-id]")
    enhanced = page.locator("#agenda-table .agenda-number__value").count() > 0  # agenda.js has run
    number = ".agenda-number__value" if enhanced else "td.agenda-number"
    return [
        (row.locator(number).inner_text().strip(), row.locator("td").nth(1).locator("strong").inner_text().strip())
        for row in rows.all()
    ]


def agenda_titles(page) -> list[str]:
    return [title for _number, title in agenda(page)]


def item_row(page, title: str):
    """The agenda builder's row of the item titled ``title``."""
    return page.locator("#agenda-table tbody tr[data-item-id]").filter(
        has=page.locator("strong", has_text=re.compile("^" + re.escape(title) + "$"))
    )


def add_form(page, heading: str):
    """One of the builder's "Lägg till punkt" forms, by its heading (Ärende, Information …), opened if it is folded."""
    region = page.get_by_role("region", name="Lägg till punkt")
    folded = region.locator("details.add-details").filter(has=page.locator(f"h3:text-is('{heading}')"))
    if folded.count() and not folded.evaluate("details => details.open"):
        folded.locator("summary").click()
    return region.get_by_role("form", name=heading, exact=True)


def row_menu(page, title: str):
    """Open the actions menu of the item titled ``title`` (its "Åtgärder" button) and return the row."""
    row = item_row(page, title)
    menu = row.locator("details.row-menu")
    if not menu.evaluate("details => details.open"):
        menu.locator("summary").click()
    return row


def agenda_status(page, text: str) -> str:
    """Wait for the agenda's live region to say ``text`` (not an error); return what it says."""
    status = page.locator("#agenda-status")
    status.filter(has_text=text).wait_for(timeout=10_000)
    assert "agenda-status--error" not in (status.get_attribute("class") or ""), status.inner_text()
    return status.inner_text()


def publication_check(page) -> str:
    """The text of the publish section's check (its warnings, or that nothing stops publishing)."""
    return page.get_by_role("region", name="Publicera kallelsen").inner_text()


def published_versions(page) -> str:
    return page.get_by_role("region", name="Publicerade versioner").inner_text()


# --- background jobs (Förhandsgranska, Skapa handlingar) --------------------------------------------


def wait_for_job(page) -> None:
    """On a job page: wait until the job is done, as its progress bar and status say (the page polls)."""
    state = page.locator("#job-state")
    state.filter(has_text=re.compile(r"^\s*(Klart|Misslyckades)\s*$")).wait_for(timeout=JOB_TIMEOUT)
    error = page.locator("#job-error")
    assert state.inner_text().strip() == "Klart", f"the job failed: {error.inner_text() if error.count() else ''}"
    page.wait_for_function("() => { const b = document.getElementById('job-progress'); return b.value === b.max; }")
    assert progressbars(page) == [{"name": "Förlopp", "valuemin": 0, "valuemax": 100, "valuenow": 100}]
    assert page.locator("#job-download").is_visible()
