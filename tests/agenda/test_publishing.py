"""Publishing a kallelse: snapshots, checks before publishing, deadline override, corrections."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from agenda import operations as ops
from agenda.models import MeetingStatus, Publication
from agenda.operations import PublicationRefused
from app.audit import AuditEntry
from app.extensions import db
from app.validation import ConflictError, ValidationError
from tests.factories import committee, person

# Dates and deadlines: also run at the year's end, the leap day, the DST days and midsommarafton.
pytestmark = pytest.mark.moments


def complete(meeting) -> None:
    ops.update_meeting(
        meeting,
        user=person("sekreterare"),
        values={
            "notice_place": "Huddinge",
            "notice_date": date.today().isoformat(),
            "chair_name": "Gunnel Hedberg",
            "secretary_name": "Sara Lindqvist",
        },
    )


@pytest.fixture
def built(meeting, secretary, new_case):
    """The meeting with an information item, a public case and a confidential case; closing facts filled."""
    public = new_case("Riktlinjer för ekonomiskt bistånd 2027")
    secret = new_case("Vårdnad om Alva Exempelsson enligt 6 kap. 8 § föräldrabalken", confidential=True)
    ops.add_item(
        meeting,
        user=secretary,
        kind="information",
        parts=[{"title": "Ekonomisk rapport", "presenter": "Omar Berg, ekonomichef"}],
    )
    ops.add_item(
        meeting,
        user=secretary,
        kind="case",
        case=public,
        note="Remisshandlingar: https://example.se (hämtad 2026-11-01)",
    )
    ops.add_item(meeting, user=secretary, kind="case", case=secret)
    complete(meeting)
    db.session.commit()
    return meeting, public, secret


def test_publishing_makes_the_members_and_the_public_snapshot(built, secretary):
    meeting, public, secret = built
    publication = ops.publish(meeting, user=secretary)
    db.session.commit()
    assert publication.version == 1 and meeting.status is MeetingStatus.notice_published
    members = publication.members_snapshot
    assert [(i["number"], i["title"], i["case_number"]) for i in members["items"]][3:6] == [
        (4, "Riktlinjer för ekonomiskt bistånd 2027", public.number),
        (5, "Övriga frågor", None),
        (6, "Vårdnad om Alva Exempelsson enligt 6 kap. 8 § föräldrabalken", secret.number),
    ]
    assert members["items"][3]["report"]["signed_hash"] and members["items"][3]["report"]["revision"] == 2
    shown = publication.public_snapshot["items"][5]
    assert (shown["number"], shown["title"], shown["case_number"], shown["report"], shown["section"]) == (
        6,
        "Ansökan enligt föräldrabalken",
        None,
        None,
        "Sekretessärenden",
    )
    text = json.dumps(publication.public_snapshot, ensure_ascii=False)
    assert "Exempelsson" not in text and secret.number not in text
    assert publication.public_snapshot["meeting"]["title"] == "Kallelse till Socialnämnden"


def test_an_empty_agenda_is_not_published(meeting, secretary):
    for item in list(meeting.items):
        ops.remove_item(item, user=secretary)
    complete(meeting)
    with pytest.raises(ConflictError) as caught:
        ops.publish(meeting, user=secretary)
    assert caught.value.message.startswith("Föredragningslistan är tom")


def test_the_closing_facts_are_required(meeting, secretary):
    with pytest.raises(PublicationRefused) as caught:
        ops.publish(meeting, user=secretary)
    assert caught.value.problems == ["Kallelsen saknar ort, datum, ordförande i avslutningen."]


@pytest.mark.parametrize(
    "note, kind, masked",
    [
        ("Sökande 811218-9876 har yttrat sig", "personnummer", "811218-****"),
        ("Se 19701063-2391", "samordningsnummer", "19701063-****"),
    ],
)
def test_a_personal_identity_number_in_a_public_text_stops_publishing(built, secretary, note, kind, masked):
    meeting, *_ = built
    ops.update_item(meeting.items[3], user=secretary, note=note)
    db.session.commit()
    with pytest.raises(PublicationRefused) as caught:
        ops.publish(meeting, user=secretary)
    assert caught.value.problems == [f"Punkt 4, anteckning: innehåller ett {kind} ({masked})."]
    db.session.rollback()
    assert (
        db.session.scalar(select(sa.func.count()).select_from(Publication).where(Publication.meeting_id == meeting.id))
        == 0
    )


def test_a_confidential_title_in_a_public_text_stops_publishing(built, secretary):
    meeting, _public, secret = built
    ops.update_item(meeting.items[2], user=secretary, parts=[{"title": secret.title, "presenter": None}])
    db.session.commit()
    with pytest.raises(PublicationRefused) as caught:
        ops.publish(meeting, user=secretary)
    assert caught.value.problems == ["Punkt 3, del 1: innehåller rubriken på ett sekretessärende."]


def test_the_title_of_any_confidential_case_of_the_committee_stops_publishing(built, secretary, new_case):
    """Not only the agenda's own confidential cases: one that is not on any agenda counts too."""
    meeting, public, _secret = built
    elsewhere = new_case("Placering av Kalle Exempelsson enligt LVU", state=None, confidential=True)
    other_committee = new_case("Serveringstillstånd för Krogen Exempel AB", state=None, prefix="KS", confidential=True)
    item = next(i for i in meeting.items if i.case_id == public.id)
    ops.update_item(item, user=secretary, note=f"Jämför {elsewhere.title.upper()}; se även {other_committee.title}.")
    db.session.commit()
    with pytest.raises(PublicationRefused) as caught:
        ops.publish(meeting, user=secretary)
    # Matched without regard to case; another committee's case is that committee's matter.
    assert caught.value.problems == [f"Punkt {item.position}, anteckning: innehåller rubriken på ett sekretessärende."]


def test_after_the_deadline_only_with_a_reason_which_is_audited(built, secretary):
    meeting, *_ = built
    meeting.start_dt = meeting.start_dt - timedelta(days=11)  # three days ahead: past the 7-day deadline
    db.session.commit()
    with pytest.raises(ValidationError) as caught:
        ops.publish(meeting, user=secretary)
    assert "Sista dag för kallelsen var" in caught.value.errors["late_reason"]
    db.session.rollback()
    publication = ops.publish(meeting, user=secretary, late_reason="Extra ärende om bostäder för nyanlända.")
    db.session.commit()
    assert publication.late_reason == "Extra ärende om bostäder för nyanlända."
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "meeting.published", AuditEntry.object_id == meeting.id)
    )
    assert "Publicerad efter sista dag" in entry.summary and "nyanlända" in entry.summary


def test_a_correction_is_a_new_version_that_says_what_changed(built, secretary, new_case):
    meeting, *_ = built
    first = ops.publish(meeting, user=secretary)
    db.session.commit()
    with pytest.raises(ConflictError):
        ops.publish(meeting, user=secretary)  # nothing changed
    db.session.rollback()
    extra = new_case("Tillägg: bostäder för nyanlända")
    ops.add_item(meeting, user=secretary, kind="case", case=extra)
    ops.update_meeting(meeting, user=secretary, values={"place": "Sessionssalen, Kommunalvägen 28"})
    db.session.commit()
    second = ops.publish(meeting, user=secretary)
    db.session.commit()
    assert [p.version for p in meeting.publications] == [1, 2]
    assert second.changes == [
        "Plats ändrad: Plenum, Gymnasietorget 1 → Sessionssalen, Kommunalvägen 28.",
        "Ny punkt 5: ”Tillägg: bostäder för nyanlända”.",
        "”Övriga frågor” är nu punkt 6 (var 5).",
        "”Ansökan enligt föräldrabalken” är nu punkt 7 (var 6).",
        "”Delgivningar och anmälda delegationsbeslut” är nu punkt 8 (var 7).",
    ]
    # The first version is kept as it was.
    assert [i["title"] for i in first.members_snapshot["items"]].count("Tillägg: bostäder för nyanlända") == 0


def test_a_publication_cannot_be_changed_even_in_the_database(built, secretary):
    meeting, *_ = built
    publication = ops.publish(meeting, user=secretary)
    db.session.commit()
    publication_id = publication.id
    publication.late_reason = "ändrat i efterhand"
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()
    db.session.close()  # holds no lock: the refusal below must be the database's rule, not a busy database
    for statement in (
        f"UPDATE publications SET late_reason = 'x' WHERE id = {publication_id}",
        f"DELETE FROM publications WHERE id = {publication_id}",
    ):
        with (
            pytest.raises(sa.exc.DatabaseError, match="a publication is an immutable snapshot"),
            db.engine.begin() as connection,
        ):
            connection.execute(sa.text(statement))


def test_delegated_decisions_since_the_last_meeting_are_listed_confidential_ones_masked(built, secretary, new_case):
    meeting, _public, secret = built
    ops.register_delegation_decision(
        committee(),
        user=secretary,
        decided_on=date.today(),
        decision_maker="Eva Strand, socialdirektör",
        delegation_point="3.1.2",
        summary="Beslut om bistånd till Alva Exempelsson",
        case=secret,
    )
    ops.register_delegation_decision(
        committee(),
        user=secretary,
        decided_on=date.today(),
        decision_maker="Per Sundberg, enhetschef",
        delegation_point="1.4",
        summary="Yttrande över detaljplan",
    )
    db.session.commit()
    publication = ops.publish(meeting, user=secretary)
    db.session.commit()
    members = publication.members_snapshot["items"][-1]["delegation_decisions"]
    public = publication.public_snapshot["items"][-1]["delegation_decisions"]
    assert [d["delegation_point"] for d in members] == ["3.1.2", "1.4"]
    assert members[0]["case_number"] == secret.number
    assert public[0]["summary"] == "Ansökan enligt föräldrabalken" and public[0]["case_number"] is None
    assert public[1]["summary"] == "Yttrande över detaljplan"
    with pytest.raises(ValidationError) as caught:
        ops.register_delegation_decision(
            committee(), user=secretary, decided_on="2999-01-01", decision_maker="", delegation_point="1", summary="x"
        )
    assert set(caught.value.errors) == {"decided_on", "decision_maker"}


def test_a_decision_registered_after_the_kallelse_is_reported_at_the_next_meeting(built, secretary):
    """A published kallelse reports the decisions no kallelse has reported; one registered after it was published
    is not lost: the committee's next meeting reports it, and only it."""
    meeting, _public, _secret = built

    def register(summary: str) -> None:
        ops.register_delegation_decision(
            committee(),
            user=secretary,
            decided_on=date.today(),
            decision_maker="Eva Strand, socialdirektör",
            delegation_point="3.1.2",
            summary=summary,
        )
        db.session.commit()

    def reported(publication) -> list[str]:
        return [d["summary"] for d in publication.members_snapshot["items"][-1]["delegation_decisions"]]

    register("Beslut före kallelsen")
    first = ops.publish(meeting, user=secretary)
    db.session.commit()
    register("Beslut efter kallelsen")
    following = next(m for m in ops.upcoming_meetings([committee().id]) if m.start_dt > meeting.start_dt)
    assert [d.summary for d in ops.delegation_decisions_for(following)] == ["Beslut efter kallelsen"]
    complete(following)
    second = ops.publish(following, user=secretary)
    db.session.commit()
    assert reported(first) == ["Beslut före kallelsen"]
    assert reported(second) == ["Beslut efter kallelsen"]
    # Once the next kallelse has reported it, the first meeting no longer counts it as its own.
    assert [d.summary for d in ops.delegation_decisions_for(meeting)] == ["Beslut före kallelsen"]


def test_a_reader_without_the_right_sees_no_secret_of_the_members_version(demo):
    """for_reader itself: a reader who may read no case's secrets gets every confidential item, bilaga and
    delegated decision withheld; one who may read them all gets the members' version as it is."""
    from agenda.models import Meeting
    from agenda.snapshot import for_reader

    snapshot = db.session.scalar(select(Meeting).order_by(Meeting.start_dt)).publications[0].members_snapshot
    full = json.dumps(snapshot, ensure_ascii=False)
    secrets = ["Hemligsson", "Testsson", "Provsson", "Exempelsson", "Beslut om tillfällig placering", "SN-2017/45.754"]
    assert all(secret in full for secret in secrets)

    without_the_right = json.dumps(for_reader(snapshot, lambda case_id: False), ensure_ascii=False)
    for secret in secrets:
        assert secret not in without_the_right, secret
    items = for_reader(snapshot, lambda case_id: False)
    assert [a["title"] for a in items[3]["attachments"]] == [
        "Verksamhetsberättelse 2016 för socialnämnden",
        "Sekretessbelagd bilaga",
    ]
    assert [i["withheld"] for i in items[17:20]] == [True, True, True]
    assert json.dumps(for_reader(snapshot, lambda case_id: True), ensure_ascii=False).count("Hemligsson") == 1


def test_who_reads_the_secrets_of_the_members_version(demo):
    """items_for with the permission table: the committee's members (who decide on the confidential cases)
    and the staff who may see its secrets read the members' version in full; a case officer reads the
    secrets of their own cases only, and one who is the officer of none of them reads none."""
    from agenda.models import Meeting
    from agenda.snapshot import items_for
    from app.auth.models import Role
    from app.demo import data
    from tests.factories import create_user

    snapshot = db.session.scalar(select(Meeting).order_by(Meeting.start_dt)).publications[0].members_snapshot
    bilaga = ["Hemligsson"]  # the confidential bilaga of item 4 (SN-2016/3342.181, controller's case)
    cases = [
        "Testsson",
        "Provsson",
        "Exempelsson",
        "SN-2017/12.754",
        "SN-2017/13.754",
        "SN-2017/45.754",
        "Beslut om tillfällig placering",
    ]  # the confidential cases (handlaggare's) and the decision in one
    assert {number: officer for number, _title, officer, _registered in data.CASES}["SN-2016/3342.181"] == "controller"

    def read(user) -> tuple[str, list[dict]]:
        items = items_for(snapshot, user)
        return json.dumps(items, ensure_ascii=False), items

    for key in ("ledamot", "ordforande", "sekreterare", "registrator", "enhetschef", "direktor", "admin"):
        text, items = read(person(key))
        assert all(secret in text for secret in bilaga + cases), key
        assert not any(i["withheld"] for i in items), key
        assert [i["title"] for i in items[17:20]] == [title for _n, title, _p, _r in data.CONFIDENTIAL_CASES], key

    nobody = create_user("utredare2", {committee(): [Role.case_officer]}, name="Ulla Utredare")
    db.session.flush()
    text, items = read(nobody)
    assert not any(secret in text for secret in bilaga + cases)
    assert [i["withheld"] for i in items[17:20]] == [True, True, True]
    assert items[3]["attachments"][1]["withheld"] is True

    text, items = read(person("controller"))  # the officer of item 4's case, not of the confidential ones
    assert "Hemligsson" in text and not any(secret in text for secret in cases)
    assert [i["withheld"] for i in items[17:20]] == [True, True, True]
    text, items = read(person("handlaggare"))  # the officer of the confidential cases, not of item 4's
    assert "Hemligsson" not in text and all(secret in text for secret in cases)
    assert [i["withheld"] for i in items[17:20]] == [False, False, False]

    # a member of another committee: nothing of Socialnämnden's secrets
    outsider = create_user("ks-ledamot", {committee("KS"): [Role.member]}, name="Kim Ledamot")
    db.session.flush()
    text, _items = read(outsider)
    assert not any(secret in text for secret in bilaga + cases)
