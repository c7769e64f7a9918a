"""Personal notes on handlingar (agenda.notes, app/web/handling_notes.py): the writer reads, changes and
deletes their own note next to each handling of a published kallelse; no other user, no public page,
API or audit row ever shows its text; bad input and forged requests are refused; a note stays with its
handling when the kallelse is republished with the items renumbered (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from agenda import operations as agenda_ops
from agenda.models import AgendaItem, Meeting
from agenda.notes import MAX_NOTE_LENGTH, HandlingNote
from app.audit import AuditEntry
from app.clock import local_today
from app.extensions import db
from app.registry.models import Case
from tests.factories import (
    SECRET_TITLE,
    body_of,
    committee,
    csrf_token,
    demo_meeting,
    fresh,
    page,
    person,
    signed_report_with_bilagor,
    textarea,
)
from tests.page_structure import structure_problems

# The demo's published kallelse of 2017-02-23 (demo_meeting): item 4 is the Verksamhetsberättelse with a
# public bilaga and a confidential one (in the snapshot: report 1, bilagor 1 and 2).

#: a note with markup, quotes and two lines; SECRET is a word no page has of its own
SECRET = "Kvällsfrågan"
NOTE = f'{SECRET} om <b>kostnaderna</b> & "prognosen"\nAndra raden: jämför med 2015.'
ESCAPED_FIRST_LINE = f"{SECRET} om &lt;b&gt;kostnaderna&lt;/b&gt; &amp; &#34;prognosen&#34;"


def handlings(meeting_id: int, number: int) -> tuple[int, list[dict]]:
    """The report id and the bilagor of item ``number`` in the meeting's latest members' snapshot."""
    snapshot = fresh().get(Meeting, meeting_id).latest_publication.members_snapshot
    item = next(i for i in snapshot["items"] if i["number"] == number)
    return item["report"]["id"], item["attachments"]


def handled_case_id(meeting_id: int, number: int) -> int:
    """The case of item ``number`` in the meeting's latest members' snapshot."""
    snapshot = fresh().get(Meeting, meeting_id).latest_publication.members_snapshot
    return next(i for i in snapshot["items"] if i["number"] == number)["case_id"]


def save(
    client, meeting_id: int, kind: str, document_id: int, text: str, *, version: int | None = None, token: bool = True
):
    query = f"?version={version}" if version else ""
    data = {"text": text}
    if token:
        data["csrf_token"] = csrf_token(client, "/")
    return client.post(f"/sammantraden/{meeting_id}/kallelse/anteckning/{kind}/{document_id}{query}", data=data)


def notes() -> list[HandlingNote]:
    return list(fresh().scalars(select(HandlingNote).order_by(HandlingNote.id)))


def count() -> int:
    return fresh().scalar(select(func.count()).select_from(HandlingNote))


# --- the writer, and everyone else ---------------------------------------------------------------


def test_the_writer_sees_the_note_and_no_one_else_does(app, login_as, client, demo):
    meeting = demo_meeting()
    report_id, bilagor = handlings(meeting.id, 4)
    base = f"/sammantraden/{meeting.id}"
    member = login_as("ledamot")

    # The item page offers a note next to the tjänsteutlåtande and each bilaga: the member reads the
    # confidential bilaga too (the members' version has all handlingar).
    assert [b["is_confidential"] for b in bilagor] == [False, True]
    html = page(member, f"{base}/kallelse/punkt/4")
    assert "Mina anteckningar" in html and "bara du ser dem" in html
    assert 'id="anteckning-utlatande-1"' in html and f'id="anteckning-bilaga-{bilagor[0]["id"]}"' in html
    assert f'id="anteckning-bilaga-{bilagor[1]["id"]}"' in html
    assert '<label class="field__label" for="text-utlatande-1">Min anteckning om tjänsteutlåtandet</label>' in html
    assert structure_problems(html) == []
    # A case officer who is not the officer of this case may not read its confidential bilaga: no note on it.
    assert fresh().get(Case, handled_case_id(meeting.id, 4)).case_officer.email != "handlaggare@huddinge.example"
    staff_html = page(login_as("handlaggare"), f"{base}/kallelse/punkt/4")
    assert 'id="anteckning-utlatande-1"' in staff_html and f'id="anteckning-bilaga-{bilagor[0]["id"]}"' in staff_html
    assert f'id="anteckning-bilaga-{bilagor[1]["id"]}"' not in staff_html
    assert bilagor[1]["title"] not in staff_html

    saved = save(member, meeting.id, "utlatande", report_id, NOTE)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert saved.headers["Location"] == f"{base}/kallelse/punkt/4?version=1#anteckning-utlatande-1"
    html = page(member, saved.headers["Location"])
    assert "Anteckningen är sparad. Den syns bara för dig." in html
    # Shown back escaped, in the field to change it; the page is still well formed.
    assert textarea(html, "text-utlatande-1") == ESCAPED_FIRST_LINE + "\nAndra raden: jämför med 2015."
    assert "<b>kostnaderna</b>" not in html
    assert "Senast sparad" in html and "Ta bort anteckningen" in html
    assert structure_problems(html) == []
    [note] = notes()
    assert (note.body, note.report_id, note.attachment_id, note.handling) == (NOTE, report_id, None, "report:1")
    assert note.user_id == person("ledamot").id and note.meeting_id == meeting.id

    # The kallelse page lists it under "Mina anteckningar", with a link to the handling.
    kallelse = page(member, f"{base}/kallelse")
    listed = kallelse[kallelse.index('id="mina-anteckningar"') :]
    assert ESCAPED_FIRST_LINE + "<br>Andra raden: jämför med 2015." in listed
    assert f'href="{base}/kallelse/punkt/4?version=1#anteckning-utlatande-1"' in listed
    assert "Punkt 4: Tjänsteutlåtande" in listed
    assert structure_problems(kallelse) == []

    # Another member, the secretary and the chair read the same pages without it.
    for key in ("ordforande", "sekreterare", "admin"):
        other = login_as(key)
        for path in (f"{base}/kallelse/punkt/4", f"{base}/kallelse", f"{base}/kallelse/punkt/4?version=1"):
            html = page(other, path)
            assert SECRET not in html and "jämför med 2015" not in html, (key, path)
        assert textarea(page(other, f"{base}/kallelse/punkt/4"), "text-utlatande-1") == ""
        assert "Du har inga anteckningar till det här sammanträdet." in page(other, f"{base}/kallelse")

    # Nor the public: the public pages, the feeds and the API.
    prefix = committee().registry_prefix
    for path in (
        "/offentligt",
        f"/offentligt/sammantraden/{meeting.id}",
        f"/offentligt/sammantraden/{meeting.id}/punkt/4",
        f"/offentligt/{prefix}/kallelser.atom",
        f"/offentligt/{prefix}/kalender.ics",
        "/api/v1/public/meetings",
        f"/api/v1/public/meetings/{meeting.id}/kallelse",
    ):
        body = body_of(client.get(path))
        assert SECRET not in body and "Mina anteckningar" not in body, path
    # The API for the committee's own people shows no notes either.
    api, headers = app.test_client(), {"Authorization": f"Bearer {demo['ledamot']['token']}"}
    for path in (f"/api/v1/meetings/{meeting.id}", f"/api/v1/meetings/{meeting.id}/publications/1"):
        response = api.get(path, headers=headers)
        assert response.status_code == 200, (path, response.get_json())
        assert SECRET not in response.get_data(as_text=True)

    # The audit log says that a note was written, never what it says.
    entries = list(fresh().scalars(select(AuditEntry).where(AuditEntry.object_type == "HandlingNote")))
    assert [e.action for e in entries] == ["note.created"]
    assert entries[0].summary == "Ali Karimi skrev en personlig anteckning." and entries[0].case_id is None
    assert all(SECRET not in f"{e.summary} {e.data}" for e in fresh().scalars(select(AuditEntry)))


def test_change_and_delete_the_note(login_as, demo):
    meeting = demo_meeting()
    report_id, bilagor = handlings(meeting.id, 4)
    bilaga = bilagor[0]["id"]
    base = f"/sammantraden/{meeting.id}"
    member = login_as("ledamot")
    assert save(member, meeting.id, "bilaga", bilaga, "Läs sidan 12.").status_code == 302
    assert save(member, meeting.id, "utlatande", report_id, "Tjänsteutlåtandet: bra.").status_code == 302
    changed = save(member, meeting.id, "bilaga", bilaga, "  Läs sidan 12 och 14.  ")
    assert changed.headers["Location"].endswith(f"#anteckning-bilaga-{bilaga}")
    assert [(n.handling, n.body) for n in notes()] == [
        (f"attachment:{bilaga}", "Läs sidan 12 och 14."),
        ("report:1", "Tjänsteutlåtandet: bra."),
    ]
    assert notes()[0].updated_dt >= notes()[0].created_dt
    html = page(member, f"{base}/kallelse/punkt/4")
    assert textarea(html, f"text-bilaga-{bilaga}") == "Läs sidan 12 och 14."

    # Saving it empty deletes it.
    emptied = save(member, meeting.id, "bilaga", bilaga, "   \r\n  ")
    assert emptied.status_code == 302
    assert "Anteckningen är borttagen." in page(member, emptied.headers["Location"])
    assert [n.handling for n in notes()] == ["report:1"]

    # The delete button: another user's note does not exist for them; its writer deletes it.
    note_id = notes()[0].id
    other = login_as("ordforande")
    refused = other.post(
        f"/anteckningar/{note_id}/ta-bort?version=1&number=4", data={"csrf_token": csrf_token(other, "/")}
    )
    assert refused.status_code == 404 and count() == 1
    deleted = member.post(
        f"/anteckningar/{note_id}/ta-bort?version=1&number=4", data={"csrf_token": csrf_token(member, "/")}
    )
    assert deleted.status_code == 302
    assert deleted.headers["Location"] == f"{base}/kallelse/punkt/4?version=1#anteckning-utlatande-1"
    assert count() == 0
    assert (
        member.post(f"/anteckningar/{note_id}/ta-bort", data={"csrf_token": csrf_token(member, "/")}).status_code == 404
    )
    actions = list(
        fresh().scalars(
            select(AuditEntry.action).where(AuditEntry.object_type == "HandlingNote").order_by(AuditEntry.id)
        )
    )
    assert actions == ["note.created", "note.created", "note.changed", "note.deleted", "note.deleted"]


# --- refused ---------------------------------------------------------------------------------


def test_bad_input_is_refused_in_swedish_with_the_form_again(login_as, demo):
    meeting = demo_meeting()
    report_id, _bilagor = handlings(meeting.id, 4)
    member = login_as("ledamot")

    too_long = "å" * (MAX_NOTE_LENGTH + 1)
    response = save(member, meeting.id, "utlatande", report_id, too_long)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Anteckningen får vara högst 5 000 tecken (nu 5 001). Korta den och spara igen." in html
    assert "Anteckningen sparades inte" in html
    assert textarea(html, "text-utlatande-1") == too_long  # the text is kept for the writer to shorten
    assert 'aria-invalid="true"' in html and 'aria-describedby="text-utlatande-1-hint text-utlatande-1-error"' in html
    assert re.search(r"<h1>Verksamhetsberättelse 2016 för [Ss]ocialnämnden</h1>", html)  # the item page again
    assert structure_problems(html) == []

    empty = save(member, meeting.id, "utlatande", report_id, "  \n ")
    assert empty.status_code == 422
    assert "Anteckningen är tom. Skriv en text för att spara den." in empty.get_data(as_text=True)
    control = save(member, meeting.id, "utlatande", report_id, "Ring\x07 mig")
    assert control.status_code == 422 and "otillåtna tecken" in control.get_data(as_text=True)
    nul = save(member, meeting.id, "utlatande", report_id, "a\x00b")
    assert nul.status_code == 400
    assert save(member, meeting.id, "utlatande", report_id, "x" * MAX_NOTE_LENGTH).status_code == 302
    assert count() == 1

    # Handlingar that are not in the kallelse, or not a kind of handling: 404.
    assert save(member, meeting.id, "rapport", report_id, "x").status_code == 404
    assert save(member, meeting.id, "utlatande", 999_999, "x").status_code == 404
    assert save(member, meeting.id, "bilaga", report_id + 10_000, "x").status_code == 404
    assert save(member, meeting.id, "utlatande", report_id, "x", version=7).status_code == 404
    assert (
        member.post(
            f"/sammantraden/{meeting.id}/kallelse/anteckning/utlatande/{report_id}?version=ett",
            data={"text": "x", "csrf_token": csrf_token(member, "/")},
        ).status_code
        == 400
    )
    assert count() == 1


def test_forged_requests_without_csrf_are_refused(login_as, demo):
    meeting = demo_meeting()
    report_id, _bilagor = handlings(meeting.id, 4)
    member = login_as("ledamot")
    forged = save(member, meeting.id, "utlatande", report_id, "Ingen token", token=False)
    assert forged.status_code == 400 and "CSRF" in forged.get_data(as_text=True)
    assert count() == 0
    assert save(member, meeting.id, "utlatande", report_id, "Min anteckning").status_code == 302
    note_id = notes()[0].id
    assert member.post(f"/anteckningar/{note_id}/ta-bort", data={}).status_code == 400
    assert member.post(f"/anteckningar/{note_id}/ta-bort", data={"csrf_token": "fel"}).status_code == 400
    assert count() == 1


def test_confidential_handlingar_and_other_committees(login_as, client, meeting, new_case, secretary):
    """A member notes on the confidential handlingar they decide on; a case officer who may not read them
    (not the case's officer) cannot note on what is withheld from them; outsiders get 404."""
    demo = demo_meeting()
    report_id, bilagor = handlings(demo.id, 4)
    confidential_bilaga = bilagor[1]["id"]
    assert bilagor[1]["is_confidential"]
    # handlaggare is a case officer of the committee, not the officer of item 4's case: the bilaga is withheld
    assert fresh().get(Case, handled_case_id(demo.id, 4)).case_officer.email != "handlaggare@huddinge.example"
    no_right = login_as("handlaggare")
    assert save(no_right, demo.id, "bilaga", confidential_bilaga, "Hemligt?").status_code == 404
    member = login_as("ledamot")  # reads the members' version in full
    assert save(member, demo.id, "bilaga", confidential_bilaga, "Fråga om utredningen.").status_code == 302
    staff = login_as("sekreterare")  # may read confidential matters
    assert save(staff, demo.id, "bilaga", confidential_bilaga, "Kontrollera sekretessen.").status_code == 302
    assert (
        textarea(page(member, f"/sammantraden/{demo.id}/kallelse/punkt/4"), f"text-bilaga-{confidential_bilaga}")
        == "Fråga om utredningen."
    )
    assert (
        textarea(page(staff, f"/sammantraden/{demo.id}/kallelse/punkt/4"), f"text-bilaga-{confidential_bilaga}")
        == "Kontrollera sekretessen."
    )
    for html in (
        page(member, f"/sammantraden/{demo.id}/kallelse/punkt/4"),
        page(no_right, f"/sammantraden/{demo.id}/kallelse/punkt/4"),
    ):
        assert "Kontrollera sekretessen." not in html
    assert "Fråga om utredningen." not in page(no_right, f"/sammantraden/{demo.id}/kallelse/punkt/4")

    # A confidential case with a signed report on a new meeting: the member reads it and notes on it;
    # withheld from a case officer who is not its officer (controller; handlaggare is its officer).
    secret = new_case(SECRET_TITLE, confidential=True)
    assert secret.case_officer.email == "handlaggare@huddinge.example"
    agenda_ops.add_item(meeting, user=secretary, kind="case", case=secret)
    agenda_ops.update_meeting(
        meeting,
        user=secretary,
        values={
            "notice_place": "Huddinge",
            "notice_date": local_today(),
            "chair_name": "Gunnel Hedberg",
            "secretary_name": "Sara Lindqvist",
        },
    )
    agenda_ops.publish(meeting, user=secretary)
    db.session.commit()
    item = next(
        i
        for i in fresh().get(Meeting, meeting.id).latest_publication.members_snapshot["items"]
        if i["case_id"] == secret.id
    )
    path = f"/sammantraden/{meeting.id}/kallelse/punkt/{item['number']}"
    controller = login_as("controller")
    html = page(controller, path)
    assert (
        "Sekretessärende: handlingarna visas för nämndens ledamöter och för den som får läsa ärendet." in html
        and "Mina anteckningar" not in html
    )
    assert SECRET_TITLE not in html
    assert save(controller, meeting.id, "utlatande", item["report"]["id"], "Försök").status_code == 404
    html = page(member, path)
    assert (
        SECRET_TITLE in html
        and "Sekretessärende: handlingarna visas för nämndens ledamöter och för den som får läsa ärendet." not in html
    )
    assert "Mina anteckningar" in html and f'id="anteckning-utlatande-{item["report"]["id"]}"' in html
    assert save(member, meeting.id, "utlatande", item["report"]["id"], "Inför beslutet").status_code == 302
    assert save(staff, meeting.id, "utlatande", item["report"]["id"], "Sekreterarens anteckning").status_code == 302
    assert "Inför beslutet" not in page(staff, path) and "Sekreterarens anteckning" not in page(member, path)

    # Users of another committee, and anonymous visitors.
    outsider = login_as("ks-handlaggare")
    assert save(outsider, demo.id, "utlatande", report_id, "Utifrån").status_code == 404
    note_id = notes()[0].id
    assert (
        outsider.post(f"/anteckningar/{note_id}/ta-bort", data={"csrf_token": csrf_token(outsider, "/")}).status_code
        == 404
    )
    anonymous = client.post(
        f"/sammantraden/{demo.id}/kallelse/anteckning/utlatande/{report_id}", data={"text": "Anonym"}
    )
    assert anonymous.status_code in (302, 400)  # to the log-in page, or refused for its missing token
    assert [n.body for n in notes()] == [
        "Fråga om utredningen.",
        "Kontrollera sekretessen.",
        "Inför beslutet",
        "Sekreterarens anteckning",
    ]


# --- the note stays with its handling ----------------------------------------------------------


def test_the_note_follows_its_handling_through_renumbering_and_removal(login_as, meeting, new_case, secretary):
    case, (public_bilaga, _secret_bilaga) = signed_report_with_bilagor(new_case, "Verksamhetsberättelse 2016")
    agenda_ops.add_item(meeting, user=secretary, kind="case", case=case)
    agenda_ops.update_meeting(
        meeting,
        user=secretary,
        values={
            "notice_place": "Huddinge",
            "notice_date": local_today(),
            "chair_name": "Gunnel Hedberg",
            "secretary_name": "Sara Lindqvist",
        },
    )
    agenda_ops.publish(meeting, user=secretary)
    db.session.commit()
    item = next(i for i in fresh().get(Meeting, meeting.id).items if i.case_id == case.id)
    first_number = item.position
    report_id, _ = handlings(meeting.id, first_number)
    base = f"/sammantraden/{meeting.id}"

    member = login_as("ledamot")
    assert save(member, meeting.id, "utlatande", report_id, "Om utlåtandet").status_code == 302
    assert save(member, meeting.id, "bilaga", public_bilaga, "Om bilagan").status_code == 302

    # The secretary moves the item first and republishes: version 2 has it under another number.
    item = fresh().get(AgendaItem, item.id)
    agenda_ops.move_item(item, user=secretary, to_position=1, expected_version=item.meeting.agenda_version)
    agenda_ops.publish(meeting, user=secretary)
    db.session.commit()
    assert first_number != 1
    html = page(member, f"{base}/kallelse/punkt/1")
    assert textarea(html, f"text-utlatande-{report_id}") == "Om utlåtandet"
    assert textarea(html, f"text-bilaga-{public_bilaga}") == "Om bilagan"
    listed = page(member, f"{base}/kallelse")
    assert f'href="{base}/kallelse/punkt/1?version=2#anteckning-utlatande-{report_id}"' in listed
    # Version 1 shows the same notes under the item's old number.
    old = page(member, f"{base}/kallelse/punkt/{first_number}?version=1")
    assert textarea(old, f"text-utlatande-{report_id}") == "Om utlåtandet"

    # Taking the item off the agenda keeps the notes (and does not trip over them); version 3 lists
    # them as on handlingar it no longer has, with their text for their writer to keep or delete.
    item = fresh().get(AgendaItem, item.id)
    agenda_ops.remove_item(item, user=secretary)
    agenda_ops.publish(meeting, user=secretary)
    db.session.commit()
    assert count() == 2
    latest = page(member, f"{base}/kallelse")
    elsewhere = latest[latest.index("Om handlingar som inte finns i den här versionen") :]
    assert "Om utlåtandet" in elsewhere and "Om bilagan" in elsewhere
    assert textarea(page(member, f"{base}/kallelse/punkt/1?version=2"), f"text-bilaga-{public_bilaga}") == "Om bilagan"
    note_id = notes()[0].id
    deleted = member.post(f"/anteckningar/{note_id}/ta-bort?version=3", data={"csrf_token": csrf_token(member, "/")})
    assert deleted.headers["Location"] == f"{base}/kallelse?version=3#mina-anteckningar"
    assert count() == 1
