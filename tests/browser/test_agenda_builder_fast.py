"""Building an agenda fast: the fixture's 21-item kallelse (Socialnämnden 2017-02-23) built from ready cases in at
most 25 actions, counted; and an item removed (asked first) and put back with "Ångra", with and without JavaScript.

The first test gives a committee of its own (and its secretary, case officer, reviewer, approver and registrar)
the fixture's sixteen cases with signed tjänsteutlåtanden, made through the operations in setup, so its ready
cases are exactly those whatever other tests of the session sign meanwhile. The secretary then works only
through the pages: the year plan, the meeting's standing items, the information item with its two parts and
presenters, the ready cases ticked at once (with the three notes of the fixture), and no full reload on the
meeting page.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from app.clock import local_today
from tests.browser import steps
from tests.browser.conftest import CHROMIUM  # noqa: F401 - the browser tests' fixtures come with it
from tests.browser.ui import DESKTOP, PHONE, check_page, focused, follow, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIXTURE = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "socialnamnden-2017-02-23.json").read_text(encoding="utf-8")
)
PASSWORD = "test-password-1"
#: at most this many clicks, fills and key presses build the fixture's agenda (issue 17)
MAX_ACTIONS = 25


class Actions:
    """What the secretary does, counted: every click, fill, tick and key press (navigation included)."""

    def __init__(self):
        self.done: list[str] = []

    def click(self, locator, what: str) -> None:
        self.done.append(f"click {what}")
        locator.click()

    def follow(self, locator, what: str) -> None:
        self.done.append(f"click {what}")
        follow(locator)

    def fill(self, locator, value: str, what: str) -> None:
        self.done.append(f"fill {what}")
        locator.fill(value)


def ready_committee(app) -> dict:
    """A committee of its own with the fixture's case items as ready cases (signed reports), registered in the
    fixture's order; returns the secretary's log-in and the committee's name."""
    from app.auth.models import Role
    from app.extensions import db
    from app.registry import operations as registry_ops
    from tests.factories import REPORT, create_committee, create_user
    from workflows import operations as report_ops

    suffix = uuid.uuid4().hex[:4].upper()
    with app.app_context():
        committee = create_committee(f"T{suffix}", name=f"Testnämnden {suffix}")
        people = {
            role: create_user(f"{role.value}-{suffix.lower()}", {committee: [role]}, name=f"{role.label} {suffix}")
            for role in (Role.secretary, Role.case_officer, Role.reviewer, Role.approver, Role.registrar)
        }
        officer = people[Role.case_officer]
        for entry in FIXTURE["agenda"]:
            if entry["kind"] != "case":
                continue
            case = registry_ops.register_case(
                committee=committee,
                user=people[Role.registrar],
                title=entry["title"],
                classification_code="181",
                case_officer=officer,
                is_confidential=bool(entry.get("confidential")),
                secrecy_provision="26 kap. 1 § OSL" if entry.get("confidential") else None,
                public_title="Yttrande enligt föräldrabalken" if entry.get("confidential") else None,
                external_reference=entry.get("external_reference"),
            )
            report = report_ops.create_report(case, user=officer)
            report_ops.save_revision(report, user=officer, raw={**REPORT, "title": case.title}, based_on=1)
            for name, who in (("submit", officer), ("approve", people[Role.reviewer]), ("sign", people[Role.approver])):
                report_ops.transition(report, user=who, name=name, notify=False)
        db.session.commit()
        return {"email": people[Role.secretary].email, "committee": committee.name}


def log_in(page, email: str) -> None:
    page.goto("/logga-in")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    follow(page.get_by_role("button", name="Logga in"))
    assert page.get_by_role("button", name="Logga ut").is_visible()


def test_the_fixture_agenda_is_built_from_ready_cases_in_at_most_25_actions(browser, served_app, new_page):
    setup = ready_committee(served_app.app)
    page = new_page()
    log_in(page, setup["email"])
    act = Actions()
    day = local_today() + timedelta(days=random.randint(30, 300))

    # the year plan → plan the meeting: the standing items come with it
    act.follow(page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Sammanträden"), "menu")
    if day.year != local_today().year:
        act.follow(page.get_by_role("navigation", name="Välj år").get_by_role("link", name=str(day.year)), "year")
    form = page.get_by_role("region", name="Planera sammanträde")
    act.fill(form.get_by_label("Datum"), day.isoformat(), "date")
    act.fill(form.get_by_label("Klockan"), "18:00", "time")
    act.fill(form.get_by_label("Plats"), FIXTURE["meeting"]["place"], "place")
    act.follow(form.get_by_role("button", name="Planera sammanträdet"), "plan")
    check_page(page)
    page.evaluate("() => { window.builtWithoutReload = true; }")  # gone if the page is loaded again

    # the information item with its two parts and presenters (its title: "Information" when left empty)
    information = FIXTURE["agenda"][2]
    add = page.get_by_role("region", name="Lägg till punkt")
    act.click(add.locator("summary", has_text="Information"), "open Information")
    form = steps.add_form(page, "Information")
    for i, part in enumerate(information["parts"], start=1):
        act.fill(form.get_by_label(f"Del {i}", exact=True), part["title"], f"part {i}")
        act.fill(form.get_by_label(f"Föredragande i del {i}"), part["presenter"], f"presenter {i}")
    act.click(form.get_by_role("button", name="Lägg till informationen"), "add information")
    expect_status(page, "Punkt 3 ”Information” har lagts till")

    # the ready cases: all sixteen ticked at once, the three notes written beside their cases, added in one step
    ready = page.get_by_role("form", name="Klara ärenden")
    cases = [entry for entry in FIXTURE["agenda"] if entry["kind"] == "case"]
    assert ready.locator("input[name=case]").count() == len(cases)
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert overlapping_cells(page) == [], size
    page.set_viewport_size(DESKTOP)
    check_page(page, "dagordning-klara-arenden", screenshot=True)
    act.click(ready.get_by_label(f"Markera alla {len(cases)} klara ärenden"), "tick all")
    for row in ready.locator("tbody tr").all():
        title = row.locator(".checkbox label").inner_text().strip()
        note = next(entry.get("note") for entry in cases if entry["title"] == title)
        if note:
            act.fill(row.get_by_label("Anteckning för", exact=False), note, "note")
    act.click(ready.get_by_role("button", name="Lägg till valda ärenden"), "add the ready cases")
    expect_status(page, f"{len(cases)} ärenden har lagts till på föredragningslistan")
    assert focused(page)["id"] == "dagordning"  # the button used is gone with the last ready case: on at the list

    # the fixture's agenda, in its order and numbers, without a full reload of the meeting page
    expected = [entry["title"] for entry in FIXTURE["agenda"]]
    assert steps.agenda(page) == [(str(i), title) for i, title in enumerate(expected, start=1)]
    assert page.evaluate("() => window.builtWithoutReload === true"), "the meeting page was loaded again"
    assert len(act.done) <= MAX_ACTIONS, act.done
    print(f"the fixture's agenda built in {len(act.done)} actions: {act.done}")
    assert "Inga ärenden är klara" in ready.inner_text()

    # saved: after a reload the same, the notes, the reference and the closed part as in the fixture
    page.reload()
    check_page(page, "dagordning-fixturen", screenshot=True)
    assert steps.agenda(page) == [(str(i), title) for i, title in enumerate(expected, start=1)]
    for number, entry in enumerate(FIXTURE["agenda"], start=1):
        row = page.locator("#agenda-table tbody tr[data-item-id]").nth(number - 1)
        for text in (
            entry.get("note"),
            entry.get("external_reference"),
            *[p["presenter"] for p in entry.get("parts", [])],
        ):
            if text:
                assert text in row.inner_text(), (number, text)
    for size in (PHONE, DESKTOP):  # each row's cells (number, title, diarienummer, menu) side by side or stacked
        page.set_viewport_size(size)
        assert overlapping_cells(page) == [], size
    page.set_viewport_size(DESKTOP)
    sections = page.locator("#agenda-table tr.agenda-section")
    assert sections.all_inner_texts() == ["Sekretessärenden"]
    assert steps.agenda_titles(page)[17:20] == [entry["title"] for entry in FIXTURE["agenda"][17:20]]


_OVERLAPS = r"""() => {
  const found = [];
  for (const row of document.querySelectorAll('#agenda-table tr[data-item-id], #ready-table tbody tr')) {
    const boxes = [...row.children].map(cell => [cell.dataset.label, cell.getBoundingClientRect()])
      .filter(([, box]) => box.width > 0 && box.height > 0);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, p] = boxes[i], [b, q] = boxes[j];
      const x = Math.min(p.right, q.right) - Math.max(p.left, q.left), y = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (x > 1 && y > 1) found.push(`${row.id || row.rowIndex}: ${a} / ${b}`);
    }
  }
  return found;
}"""


def overlapping_cells(page) -> list[str]:
    """The builder's rows whose cells overlap one another (none should, at any width)."""
    return page.evaluate(_OVERLAPS)


def expect_status(page, text: str) -> None:
    """Wait for the agenda's live region to say ``text`` (not an error), and see that it is in view."""
    status = page.locator("#agenda-status")
    status.filter(has_text=text).wait_for(timeout=10_000)
    assert "agenda-status--error" not in (status.get_attribute("class") or ""), status.inner_text()


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    viewport = page.viewport_size or DESKTOP
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def test_removing_an_item_asks_first_and_can_be_undone(new_page):
    page = new_page("sekreterare")
    day = local_today() + timedelta(days=random.randint(40, 300))
    page.goto(f"/sammantraden?ar={day.year}")
    steps.plan_meeting(page, day.isoformat(), "Sammanträdesrum Frej")
    meeting_url = page.url
    standing = steps.agenda_titles(page)
    row = steps.item_row(page, standing[1])

    # the row's menu: a button with the actions; "Ta bort" asks in a dialog, and "Avbryt" keeps the item
    menu = row.locator("summary", has_text="Åtgärder")
    assert " ".join(menu.inner_text().split()) == "Åtgärder för punkt 2"
    menu.click()
    panel = row.locator(".row-menu__panel")
    assert [" ".join(b.split()) for b in panel.locator("button:visible, a:visible").all_inner_texts()] == [
        "Flytta punkt 2",
        "Ändra punkt 2",
        "Ta bort punkt 2",
    ]
    panel.get_by_role("link", name="Ta bort punkt 2").click()
    dialog = page.get_by_role("dialog", name="Ta bort punkt 2?")
    assert dialog.is_visible() and standing[1] in dialog.inner_text()
    check_page(page)
    dialog.get_by_role("button", name="Avbryt").click()
    assert not dialog.is_visible()
    assert steps.agenda_titles(page) == standing

    # confirmed: the item goes, the message with "Ångra" stands above the list, in view
    panel.get_by_role("link", name="Ta bort punkt 2").click()
    dialog.get_by_role("button", name="Ta bort punkten").click()
    expect_status(page, f"Punkt 2 ”{standing[1]}” är borttagen")
    assert steps.agenda_titles(page) == [standing[0], *standing[2:]]
    assert [n for n, _ in steps.agenda(page)] == ["1", "2", "3"]
    undo = page.locator("#agenda-status").get_by_role("button", name="Ångra")
    assert in_view(page, page.locator("#agenda-status")) and in_view(page, undo)
    check_page(page, "dagordning-borttagen", screenshot=True)

    # "Ångra": back at its place, saved
    undo.click()
    expect_status(page, f"Punkt 2 ”{standing[1]}” är återställd")
    assert steps.agenda_titles(page) == standing
    page.reload()
    assert steps.agenda_titles(page) == standing
    assert page.url == meeting_url

    # the confirm step a browser without the script gets
    page.goto(steps.item_row(page, standing[1]).locator("a[data-remove-item]").get_attribute("href"))
    check_page(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Ta bort punkt 2?"


def test_removing_and_undoing_by_keyboard_only(new_page):
    page = new_page("sekreterare")
    day = local_today() + timedelta(days=random.randint(40, 300))
    page.goto(f"/sammantraden?ar={day.year}")
    steps.plan_meeting(page, day.isoformat(), "Sammanträdesrum Balder")
    standing = steps.agenda_titles(page)
    page.mouse.move(0, 0)

    tab_to(page, lambda info: info["name"] == "Åtgärder för punkt 2", max_steps=250)
    page.keyboard.press("Enter")
    tab_to(page, lambda info: info["name"] == "Ta bort punkt 2", max_steps=4)
    page.keyboard.press("Enter")
    assert focused(page)["name"] == "Avbryt"  # the dialog opens on the harmless choice
    page.keyboard.press("Escape")  # closes it: the item stays, the focus is back on the menu's button
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('summary')")
    assert focused(page)["name"] == "Åtgärder för punkt 2" and steps.agenda_titles(page) == standing
    assert steps.item_row(page, standing[1]).locator("details.row-menu[open]").count() == 1  # its menu still open
    tab_to(page, lambda info: info["name"] == "Ta bort punkt 2", max_steps=4)
    page.keyboard.press("Enter")
    tab_to(page, lambda info: info["name"] == "Ta bort punkten", max_steps=2, backwards=True)
    page.keyboard.press("Enter")
    expect_status(page, f"Punkt 2 ”{standing[1]}” är borttagen")
    page.wait_for_function("() => document.activeElement && document.activeElement.textContent === 'Ångra'")
    page.keyboard.press("Enter")
    expect_status(page, f"Punkt 2 ”{standing[1]}” är återställd")
    assert steps.agenda_titles(page) == standing
    assert focused(page)["name"] == "Åtgärder för punkt 2"  # back on the restored item


def test_removing_and_undoing_without_javascript(browser, live_server, new_page, signed_in):
    new_page("sekreterare")  # logged in once in the session
    context = browser.new_context(
        base_url=live_server,
        viewport=DESKTOP,
        locale="sv-SE",
        java_script_enabled=False,
        storage_state=signed_in["sekreterare"],
    )
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        day = local_today() + timedelta(days=random.randint(40, 300))
        page.goto(f"/sammantraden?ar={day.year}")
        steps.plan_meeting(page, day.isoformat(), "Sammanträdesrum Freja")
        standing = steps.agenda_titles(page)
        row = steps.item_row(page, standing[0])
        row.locator("summary", has_text="Åtgärder").click()
        # without the script the menu holds the move form too
        assert row.get_by_label("Flytta till plats").is_visible()
        follow(row.get_by_role("link", name="Ta bort punkt 1"))
        assert page.get_by_role("heading", level=1).inner_text() == "Ta bort punkt 1?"
        follow(page.get_by_role("button", name="Ta bort punkten"))
        status = page.locator("#agenda-status")
        assert f"Punkt 1 ”{standing[0]}” borttagen" in status.inner_text()
        assert steps.agenda_titles(page) == standing[1:]
        follow(status.get_by_role("button", name="Ångra"))
        assert "är återställd" in steps.flash_text(page)
        assert steps.agenda_titles(page) == standing
    finally:
        context.close()
