"""Ordförandeberedning in the pages: the secretary gives the draft to the chair, the chair comments per item and on
the whole (refusals in Swedish, nothing stored), the comments show beside the items in the builder and are marked
handled there; nobody else reads or comments. SQLite and PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from agenda import operations as ops
from agenda.chair_review import ChairComment
from app.extensions import db
from app.notifications import OutboxMessage
from tests.factories import body_of, fresh, page, person, post


def test_the_chair_comments_and_the_secretary_sees_and_handles_it(login_as, meeting, secretary, new_case):
    ops.add_item(meeting, user=secretary, kind="case", case=new_case("Riktlinjer för ekonomiskt bistånd 2027"))
    db.session.commit()
    item = next(i for i in meeting.items if i.case_id)
    office = login_as("sekreterare")
    builder = page(office, f"/sammantraden/{meeting.id}")
    assert "Ordförande: Gunnel Hedberg." in builder and "Ge utkastet till ordföranden" in builder

    chair = login_as("ordforande")
    assert chair.get(f"/sammantraden/{meeting.id}/beredning").status_code == 404  # not given yet
    given = post(office, f"/sammantraden/{meeting.id}/beredning/ge", note="Titta på punkten om riktlinjerna.")
    assert given.status_code == 303
    assert "Utkastet är skickat till ordföranden Gunnel Hedberg." in page(office, given.headers["Location"])
    told = fresh().scalar(select(OutboxMessage).where(OutboxMessage.recipient_id == person("ordforande").id))
    assert told.link == f"/sammantraden/{meeting.id}/beredning"
    assert told.link in page(chair, "/utkorg")

    review = page(chair, f"/sammantraden/{meeting.id}/beredning")
    assert "Titta på punkten om riktlinjerna." in review and "Riktlinjer för ekonomiskt bistånd 2027" in review
    assert (
        f'<label class="field__label" for="body-punkt-{item.id}">Kommentar till punkt {item.number}</label>' in review
    )

    # an empty comment: refused in Swedish beside its item, nothing stored
    refused = post(chair, f"/sammantraden/{meeting.id}/beredning/kommentarer", item_id=str(item.id), body="  ")
    text = body_of(refused, 422)
    assert re.search(rf'id="body-punkt-{item.id}-error">Kommentaren måste fyllas i.', text)
    assert fresh().scalar(select(func.count()).select_from(ChairComment)) == 0

    saved = post(
        chair, f"/sammantraden/{meeting.id}/beredning/kommentarer", item_id=str(item.id), body="Lägg till bakgrunden."
    )
    assert saved.status_code in (302, 303) and saved.headers["Location"].endswith(f"#punkt-{item.id}")
    post(chair, f"/sammantraden/{meeting.id}/beredning/kommentarer", item_id="", body="Bra lista i övrigt.")
    review = page(chair, f"/sammantraden/{meeting.id}/beredning")
    assert "Lägg till bakgrunden." in review and "Bra lista i övrigt." in review

    # a member neither reads nor comments; the chair does not mark handled
    member = login_as("ledamot")
    assert member.get(f"/sammantraden/{meeting.id}/beredning").status_code == 404
    assert post(member, f"/sammantraden/{meeting.id}/beredning/kommentarer", body="Hej").status_code == 404
    comment = fresh().scalar(select(ChairComment).where(ChairComment.item_id == item.id))
    handled_url = f"/sammantraden/{meeting.id}/beredning/kommentarer/{comment.id}/hanterad"
    assert post(chair, handled_url).status_code == 403

    builder = page(office, f"/sammantraden/{meeting.id}")
    row = builder.split(f'id="punkt-{item.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Lägg till bakgrunden." in row and "Markera som hanterad" in row
    assert 'id="ordforandens-kommentarer"' in builder and "Bra lista i övrigt." in builder
    done = post(office, handled_url)
    assert done.status_code == 303
    row = page(office, f"/sammantraden/{meeting.id}").split(f'id="punkt-{item.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Hanterad" in row and "Markera som hanterad" not in row
    assert post(office, handled_url).status_code == 409


def test_a_newer_draft_tells_the_chair_and_each_comment_names_its_draft(login_as, meeting, secretary, new_case):
    """Given again after the chair commented: the chair is told it is a newer draft than the one commented on (by
    e-mail and in Utkorg), and every comment, on the chair's page and in the builder, names the draft it was
    written on, an older one marked as such."""
    ops.add_item(meeting, user=secretary, kind="case", case=new_case("Riktlinjer för ekonomiskt bistånd 2027"))
    db.session.commit()
    item = next(i for i in meeting.items if i.case_id)
    office, chair = login_as("sekreterare"), login_as("ordforande")
    chair_id = person("ordforande").id

    def messages() -> list[OutboxMessage]:
        return list(
            fresh().scalars(
                select(OutboxMessage).where(OutboxMessage.recipient_id == chair_id).order_by(OutboxMessage.id)
            )
        )

    post(office, f"/sammantraden/{meeting.id}/beredning/ge")
    post(office, f"/sammantraden/{meeting.id}/beredning/ge")  # given twice before any comment: nothing to say
    assert [m.subject.split(",")[0] for m in messages()] == ["Ordförandeberedning: utkast till kallelse"] * 2
    assert "Utkast 2 gavs till ordföranden" in page(office, f"/sammantraden/{meeting.id}")
    post(chair, f"/sammantraden/{meeting.id}/beredning/kommentarer", item_id=str(item.id), body="Korta titeln.")
    review = page(chair, f"/sammantraden/{meeting.id}/beredning")
    assert "utkast 2</span>" in review and "ett äldre utkast" not in review and 'id="nytt-utkast"' not in review

    ops.add_item(meeting, user=secretary, kind="other", title="Övrig fråga om lokalerna")
    db.session.commit()
    assert post(office, f"/sammantraden/{meeting.id}/beredning/ge").status_code == 303
    newest = messages()[-1]
    assert newest.subject.startswith("Ordförandeberedning: nytt utkast (3) till kallelse")
    assert "utkast 3" in newest.body and "Dina kommentarer gällde utkast 2" in newest.body
    assert newest.link == f"/sammantraden/{meeting.id}/beredning"
    assert newest.link in page(chair, "/utkorg")

    review = page(chair, f"/sammantraden/{meeting.id}/beredning")
    assert "<dd>Utkast 3</dd>" in review
    assert "Det här är utkast 3, nyare än utkast 2 som kommentarerna gäller." in review
    assert "utkast 2 (ett äldre utkast)</span>" in review
    row = page(office, f"/sammantraden/{meeting.id}").split(f'id="punkt-{item.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Korta titeln." in row and "utkast 2 (ett äldre utkast)" in row

    post(chair, f"/sammantraden/{meeting.id}/beredning/kommentarer", item_id="", body="Nu är det bra.")
    review = page(chair, f"/sammantraden/{meeting.id}/beredning")
    assert 'id="nytt-utkast"' not in review  # the chair has commented on the newest
    assert "utkast 3</span>" in review and "utkast 2 (ett äldre utkast)</span>" in review
