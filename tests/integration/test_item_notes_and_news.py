"""A member's note on an item as a whole (agenda.notes: on its case, or on the agenda item without one), private
like the notes on handlingar; and "Nytt sedan ditt senaste besök" (agenda.visits): which items of a corrected
kallelse are new or changed since the version the reader last opened (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from flask import request
from sqlalchemy import select

from agenda import operations as agenda_ops
from agenda.models import AgendaItem, Meeting
from agenda.notes import HandlingNote
from agenda.visits import CHANGED, NEW, NoticeVisit, news_since, removed_since
from app.audit import AuditEntry
from app.demo import data
from app.extensions import db
from tests.factories import body_of, csrf_token, demo_meeting, fresh, page, person, sign_notice, textarea

SECRET = "Punktfrågan"


def save_item_note(client, meeting_id: int, number: int, text: str, version: int | None = None):
    query = f"?version={version}" if version else ""
    return client.post(
        f"/sammantraden/{meeting_id}/kallelse/anteckning/punkt/{number}{query}",
        data={"text": text, "csrf_token": csrf_token(client, "/")},
    )


def news_section(html: str) -> str:
    match = re.search(r'<section class="kallelse__news".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_a_note_on_the_item_as_a_whole_only_its_writer_sees(app, login_as, client, demo):
    meeting = demo_meeting()
    base = f"/sammantraden/{meeting.id}/kallelse"
    member = login_as("ledamot")
    # the information item (no case) and a case item each offer a note on the item, first among the notes
    information = page(member, f"{base}/punkt/3")
    assert information.index('id="anteckning-punkt-3"') < information.index("</main>")
    assert '<label class="field__label" for="text-punkt-3">Min anteckning om punkten</label>' in information
    case_item = page(member, f"{base}/punkt/4")
    assert case_item.index('id="anteckning-punkt-4"') < case_item.index('id="anteckning-utlatande-1"')

    for number in (3, 4):
        saved = save_item_note(member, meeting.id, number, f"{SECRET} {number}: fråga om <b>budgeten</b>")
        assert saved.status_code == 302 and saved.headers["Location"].endswith(f"#anteckning-punkt-{number}")
    html = page(member, f"{base}/punkt/4")
    assert "Anteckningen är sparad. Den syns bara för dig." in html
    assert textarea(html, "text-punkt-4") == f"{SECRET} 4: fråga om &lt;b&gt;budgeten&lt;/b&gt;"
    information_note, case_note = fresh().scalars(select(HandlingNote).order_by(HandlingNote.id)).all()
    snapshot = fresh().get(Meeting, meeting.id).latest_publication.members_snapshot
    item3, item4 = snapshot["items"][2], snapshot["items"][3]
    assert (information_note.handling, information_note.item_id, information_note.case_id) == (
        f"item:{item3['id']}",
        item3["id"],
        None,
    )
    assert (case_note.handling, case_note.case_id, case_note.item_id, case_note.report_id) == (
        f"case:{item4['case_id']}",
        item4["case_id"],
        None,
        None,
    )
    # listed on the kallelse with the others, linked to the item
    listed = page(member, base)
    listed = listed[listed.index('id="mina-anteckningar"') :]
    assert "Punkt 3: Punkten som helhet" in listed and "Punkt 4: Punkten som helhet" in listed
    assert f'href="{base}/punkt/4?version=1#anteckning-punkt-4"' in listed

    # nobody else reads it: another member, the public, the API
    other = login_as("ordforande")
    assert textarea(page(other, f"{base}/punkt/4"), "text-punkt-4") == ""
    assert SECRET not in page(other, base)
    for path in (
        f"/offentligt/sammantraden/{meeting.id}",
        f"/offentligt/sammantraden/{meeting.id}/punkt/3",
        f"/offentligt/sammantraden/{meeting.id}/punkt/4",
        f"/api/v1/public/meetings/{meeting.id}/kallelse",
    ):
        body = body_of(client.get(path))
        assert SECRET not in body and "Min anteckning" not in body, path
    assert all(SECRET not in f"{e.summary} {e.data}" for e in fresh().scalars(select(AuditEntry)))

    # emptied and saved, it is gone
    assert save_item_note(member, meeting.id, 3, "").status_code == 302
    assert [n.handling for n in fresh().scalars(select(HandlingNote))] == [f"case:{item4['case_id']}"]


def test_no_item_note_on_what_is_withheld_or_not_there(login_as, demo):
    meeting = demo_meeting()
    staff = login_as("controller")  # may not read the confidential cases 18–20
    assert 'id="anteckning-punkt-' not in page(staff, f"/sammantraden/{meeting.id}/kallelse/punkt/18")
    assert save_item_note(staff, meeting.id, 18, "Hemligt?").status_code == 404
    assert save_item_note(staff, meeting.id, 99, "Ingen punkt").status_code == 404
    member = login_as("ledamot")
    assert save_item_note(member, meeting.id, 18, "Fråga om placeringen.").status_code == 302
    too_long = save_item_note(member, meeting.id, 1, "x" * 5001)
    assert too_long.status_code == 422 and "högst 5 000 tecken" in too_long.get_data(as_text=True)
    assert fresh().scalar(select(HandlingNote.handling).where(HandlingNote.user_id == person("ledamot").id)) == (
        f"case:{fresh().get(Meeting, meeting.id).latest_publication.members_snapshot['items'][17]['case_id']}"
    )


def test_new_and_changed_items_since_the_readers_last_visit(login_as, meeting, new_case, secretary):
    first = new_case("Riktlinjer för färdtjänst 2027")
    agenda_ops.add_item(meeting, user=secretary, kind="case", case=first)
    sign_notice(meeting, user=secretary)
    agenda_ops.publish(meeting, user=secretary)
    db.session.commit()
    base = f"/sammantraden/{meeting.id}/kallelse"
    member, chair = login_as("ledamot"), login_as("ordforande")

    # the first visit: nothing is news; the reader's visit is kept, the chair has not been
    html = page(member, base)
    assert news_section(html) == "" and "badge--news" not in html
    number = next(i.position for i in fresh().get(Meeting, meeting.id).items if i.case_id == first.id)
    assert save_item_note(member, meeting.id, number, "Läs inför mötet.").status_code == 302
    visits = fresh().scalars(select(NoticeVisit)).all()
    assert [(v.user_id, v.version, v.previous_version) for v in visits] == [(person("ledamot").id, 1, None)]

    # version 2: a new case at the top, a note on the first case's item
    second = new_case("Taxor för hemtjänst 2027")
    added = agenda_ops.add_item(meeting, user=secretary, kind="case", case=second, position=1)
    item = next(i for i in fresh().get(Meeting, meeting.id).items if i.case_id == first.id)
    agenda_ops.update_item(
        db.session.get(AgendaItem, item.id), user=secretary, note="Remisshandlingar finns på kommunens webbplats."
    )
    agenda_ops.publish(meeting, user=secretary)
    db.session.commit()
    items = {i.id: i.position for i in fresh().get(Meeting, meeting.id).items}
    new_number, changed_number = items[added.id], items[item.id]

    for _reload in range(2):  # and it stays while they read version 2
        html = page(member, base)
        news = news_section(html)
        assert "Nytt sedan ditt senaste besök" in news and "Du läste senast version 1." in news
        assert f'<a href="#punkt-{new_number}">Punkt {new_number}</a> – ny: Taxor för hemtjänst 2027' in news
        assert f'<a href="#punkt-{changed_number}">Punkt {changed_number}</a> – ändrad: Riktlinjer' in news
        assert news.count("<li>") == 2  # the standing items moved down one place: not news
        assert f'<tr id="punkt-{new_number}" data-kind="case" class="is-new">' in html
        assert f'<tr id="punkt-{changed_number}" data-kind="case" class="is-changed">' in html
    item_page = page(member, f"{base}/punkt/{changed_number}")
    assert "Punkten är ändrad sedan ditt senaste besök (version 1)." in item_page
    assert textarea(item_page, f"text-punkt-{changed_number}") == "Läs inför mötet."  # the note kept its case
    # version 1 itself shows no news; the chair, who never opened it, gets none either
    assert news_section(page(member, f"{base}?version=1")) == ""
    assert news_section(page(chair, base)) == ""

    # version 3 takes the new case off again: compared with version 2, which the member read last
    agenda_ops.remove_item(db.session.get(AgendaItem, added.id), user=secretary)
    agenda_ops.publish(meeting, user=secretary)
    db.session.commit()
    news = news_section(page(member, base))
    assert "Du läste senast version 2." in news and "1 punkt har tagits bort." in news
    assert "<li>" not in news
    visit = fresh().scalar(select(NoticeVisit).where(NoticeVisit.user_id == person("ledamot").id))
    assert (visit.version, visit.previous_version) == (3, 2)


def test_news_compares_what_the_reader_sees_item_by_item():
    def item(number: int, title: str, **extra) -> dict:
        return {"number": number, "title": title, "kind": "case", "note": None, **extra}

    old = [item(1, "Val av justerare"), item(2, "Budget"), item(3, "Taxor")]
    new = [item(1, "Val av justerare"), item(2, "Nytt ärende"), item(3, "Budget", note="Ny"), item(4, "Taxor")]
    assert news_since(old, [10, 11, 12], new, [10, 13, 11, 12]) == {2: NEW, 3: CHANGED}
    assert removed_since([10, 11, 12], [10, 12]) == 1
    # a withheld item compares by what the reader sees of it: its public title
    withheld = {"number": 1, "title": "Sekretessärende", "kind": "confidential_case", "withheld": True}
    assert news_since([withheld], [5], [withheld], [5]) == {}


def test_the_demo_kallelse_shows_no_news_to_its_readers(login_as, demo):
    meeting = demo_meeting()
    member = login_as("ledamot")
    for _visit in range(2):
        html = page(member, f"/sammantraden/{meeting.id}/kallelse")
        assert news_section(html) == ""
    assert len(data.AGENDA) == html.count('<tr id="punkt-')


def test_a_visit_is_recorded_though_another_connection_wrote_after_the_page_began_reading(app, login_as, demo):
    """The page's request only reads (on SQLite it begins without the write lock); another connection writing
    after it began (a log-in elsewhere) must not make recording the visit fail (a reading SQLite transaction
    cannot take the write lock once the database changed under it)."""
    from sqlalchemy import update

    from app.auth.models import User
    from app.db_types import utcnow
    from app.extensions import separate_transaction

    meeting_id = demo_meeting().id
    member = login_as("ledamot")
    secretary_id = person("sekreterare").id
    db.session.remove()

    def write_elsewhere_once_reading():
        if "/kallelse" not in request.path:
            return
        db.session.execute(select(Meeting.id).limit(1))  # the request's transaction has begun, reading
        with separate_transaction() as other:
            other.execute(update(User).where(User.id == secretary_id).values(last_login_dt=utcnow()))

    app.before_request_funcs.setdefault(None, []).append(write_elsewhere_once_reading)
    response = member.get(f"/sammantraden/{meeting_id}/kallelse")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    visit = fresh().scalar(select(NoticeVisit).where(NoticeVisit.meeting_id == meeting_id))
    assert visit is not None and visit.user_id == person("ledamot").id
