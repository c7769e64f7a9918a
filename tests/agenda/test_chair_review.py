"""The draft snapshot (exactly what publishing would publish, nothing kept) and ordförandeberedning's operations:
the draft given to the chair (told by e-mail and in the product), comments per item and on the whole, marked
handled, audited; refusals in Swedish with nothing stored. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from agenda import chair_review_operations as review_ops
from agenda import operations as ops
from agenda.chair_review import ChairComment, ChairReview, chair_of, comments_of, is_reviewing_chair
from agenda.drafts import draft_snapshot
from agenda.minutes.models import CommitteeSeat, SeatOffice
from agenda.models import Publication
from app.audit import AuditEntry
from app.extensions import db
from app.notifications import MessageState, OutboxMessage
from app.registry import operations as registry_ops
from app.validation import ConflictError, ForbiddenError, ValidationError
from tests.factories import person, sign_notice


@pytest.fixture
def built(meeting, secretary, new_case):
    """The meeting with two cases, its closing filled; the second case becomes confidential while it stands among
    the open items (publishing moves it under Sekretessärenden)."""
    first = new_case("Riktlinjer för ekonomiskt bistånd 2027")
    second = new_case("Placering av barn enligt LVU, Kalle Hemligsson")
    ops.add_item(meeting, user=secretary, kind="case", case=first)
    ops.add_item(meeting, user=secretary, kind="case", case=second, position=1)
    registry_ops.set_confidentiality(
        second,
        user=person("registrator"),
        is_confidential=True,
        secrecy_provision="26 kap. 1 § OSL",
        public_title="Ansökan enligt LVU",
    )
    sign_notice(meeting)
    db.session.commit()
    return meeting


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_the_draft_is_what_publishing_would_publish_and_nothing_is_kept(built, secretary):
    order = [item.id for item in built.items]
    version, audits = built.agenda_version, audit_count()
    assert ops.misplaced_confidential(built)  # publishing will move it
    draft = draft_snapshot(built, user=secretary)
    db.session.commit()
    db.session.expire_all()
    assert [item.id for item in built.items] == order and built.agenda_version == version
    assert audit_count() == audits
    assert db.session.scalar(select(func.count()).where(Publication.meeting_id == built.id)) == 0

    publication = ops.publish(built, user=secretary)
    db.session.commit()
    assert publication.members_snapshot == draft
    titles = [item["title"] for item in draft["items"]]
    secret = next(item for item in draft["items"] if item["public_title"] == "Ansökan enligt LVU")
    assert secret["section"] == "Sekretessärenden"  # moved under the closed part, as publishing moves it
    assert titles.index(secret["title"]) > titles.index("Riktlinjer för ekonomiskt bistånd 2027")


def test_the_chair_is_the_active_chair_seat_with_an_account(built):
    chair = chair_of(built.committee)
    assert chair is not None and chair.id == person("ordforande").id


def test_given_to_the_chair_who_comments_and_the_secretary_marks_handled(built, secretary):
    chair = person("ordforande")
    assert not is_reviewing_chair(chair, built)
    review = review_ops.give_to_chair(built, user=secretary, note="Titta särskilt på punkt 2.")
    db.session.commit()
    assert is_reviewing_chair(chair, built) and not is_reviewing_chair(person("ledamot"), built)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_id == chair.id))
    assert message.state is not MessageState.in_app  # by e-mail too
    assert message.link == f"/sammantraden/{built.id}/beredning"
    assert "Titta särskilt på punkt 2." in message.body and "ordförandeberedning" in message.body
    assert review.chair_id == chair.id

    item = built.items[0]
    on_item = review_ops.add_comment(built, user=chair, body="Lägg till bakgrunden om avtalet.", item_id=item.id)
    whole = review_ops.add_comment(built, user=chair, body="Bra lista.\nKorta informationen.")
    db.session.commit()
    assert [c.id for c in comments_of(built)] == [on_item.id, whole.id]
    assert on_item.item_label == f"Punkt {item.number}" and whole.item_id is None
    told = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == secretary.id).order_by(OutboxMessage.id.desc())
    )
    assert told.state is MessageState.in_app and told.link == f"/sammantraden/{built.id}#ordforandens-kommentarer"

    review_ops.mark_handled(on_item, user=secretary)
    db.session.commit()
    assert on_item.is_handled and on_item.handled_by_id == secretary.id
    with pytest.raises(ConflictError, match="redan markerad som hanterad"):
        review_ops.mark_handled(on_item, user=secretary)
    db.session.rollback()

    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("meeting.%chair%")).order_by(AuditEntry.id)
    ).all()
    assert actions == [
        "meeting.given_to_chair",
        "meeting.chair_commented",
        "meeting.chair_commented",
        "meeting.chair_comment_handled",
    ]
    logged = " ".join(db.session.scalars(select(AuditEntry.summary).where(AuditEntry.action.like("meeting.%chair%"))))
    assert "Kalle Hemligsson" not in logged and "Lägg till bakgrunden" not in logged


def test_refusals_store_nothing(built, secretary):
    chair = person("ordforande")
    with pytest.raises(ForbiddenError, match="Bara ordföranden som har fått utkastet"):
        review_ops.add_comment(built, user=chair, body="För tidigt")
    db.session.rollback()
    review_ops.give_to_chair(built, user=secretary)
    db.session.commit()
    with pytest.raises(ForbiddenError):
        review_ops.add_comment(built, user=person("ledamot"), body="Jag är inte ordförande")
    db.session.rollback()
    with pytest.raises(ValidationError) as empty:
        review_ops.add_comment(built, user=chair, body="   ")
    assert empty.value.errors == {"body": "Kommentaren måste fyllas i."}
    db.session.rollback()
    with pytest.raises(ValidationError) as elsewhere:
        review_ops.add_comment(built, user=chair, body="Fel punkt", item_id=999999)
    assert "finns inte" in elsewhere.value.errors["item_id"]
    db.session.rollback()
    with pytest.raises(ValidationError):
        review_ops.add_comment(built, user=chair, body="x" * (review_ops.MAX_COMMENT + 1))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ChairComment)) == 0

    # no chair with an account: the secretary is told what to do
    seat = db.session.scalar(select(CommitteeSeat).where(CommitteeSeat.office == SeatOffice.chair))
    seat.user_id = None
    db.session.commit()
    with pytest.raises(ConflictError, match="ingen ordförande med konto"):
        review_ops.give_to_chair(built, user=secretary)
    db.session.rollback()
    assert not is_reviewing_chair(chair, built)  # no longer the chair
    assert db.session.scalar(select(func.count()).select_from(ChairReview)) == 1
