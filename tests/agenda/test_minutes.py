"""The protokoll's foundation on the real database: seats, förhinder and call-ins with their messages, yrkanden
filed in advance, and the protokoll's paragraphs, numbers, saves and refusals."""

from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import func, select

from agenda import operations as agenda_ops
from agenda import outcomes
from agenda.minutes import operations as minutes_ops
from agenda.minutes import seats as seat_ops
from agenda.minutes.models import (
    Absence,
    CommitteeSeat,
    FiledMotion,
    MinutesConflict,
    MinutesRevision,
    SeatKind,
    SeatOffice,
)
from agenda.models import ItemKind
from app.audit import AuditEntry
from app.auth.models import Role
from app.clock import to_local, utcnow
from app.extensions import db
from app.notifications import OutboxMessage
from app.validation import ConflictError, ForbiddenError, ValidationError
from tasks.protocol_data import protocol_data
from tasks.rendering.protocol_docx import build_protocol_docx
from tests.factories import add_case_item, committee, create_user, person, plan_meeting

#: Socialnämnden's seats for the tests: five ledamöter, four ersättare in the ersättarordning
MEMBERS = [
    ("Gunnel Hedberg", "S", SeatOffice.chair, "ordforande"),
    ("Ali Karimi", "M", SeatOffice.first_vice_chair, "ledamot"),
    ("Lena Ås", "S", None, None),
    ("Omar Said", "S", None, None),
    ("Britt Lund", "M", None, None),
]
DEPUTIES = [("Kerstin Öberg", "M", "ersattare-m"), ("Tove Ek", "S", "ersattare-s"), ("Sven Ros", "S", None)]


@pytest.fixture
def seats(demo, secretary) -> dict[str, CommitteeSeat]:
    """Socialnämnden's ledamöter and ersättare by name; the first two and two ersättare have accounts. (The demo's
    own seats are made inactive first: the numbers here are the tests' own.)"""
    sn = committee("SN")
    for seat in seat_ops.seats_of(sn.id):
        seat_ops.update_seat(seat, user=secretary, values={"is_active": False})
    out: dict[str, CommitteeSeat] = {}
    for name, party, office, key in MEMBERS:
        holder = person(key) if key else None
        out[name] = seat_ops.add_seat(
            sn, user=secretary, kind=SeatKind.member, name=name, party=party, office=office, holder=holder
        )
    for name, party, key in DEPUTIES:
        holder = create_user(key, {sn: [Role.member]}, name=name) if key else None
        out[name] = seat_ops.add_seat(sn, user=secretary, kind="deputy", name=name, party=party, holder=holder)
    db.session.commit()
    return out


def messages_to(name: str) -> list[OutboxMessage]:
    """The outbox's messages to the user called ``name``, oldest first."""
    return [m for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)) if m.recipient.name == name]


# --- seats -------------------------------------------------------------------------------------------------


def test_seats_keep_their_order_party_and_office(seats, secretary):
    sn = committee("SN")
    listed = seat_ops.seats_of(sn.id)
    assert [s.name for s in listed] == [n for n, *_ in MEMBERS] + [n for n, *_ in DEPUTIES]
    deputy_positions = [s.position for s in listed if s.kind is SeatKind.deputy]
    assert deputy_positions == sorted(deputy_positions)
    with pytest.raises(ValidationError) as exc:
        seat_ops.add_seat(sn, user=secretary, kind="member", name="Ny", party="V", office="chair")
    assert exc.value.errors == {"office": "Gunnel Hedberg är redan ordförande."}
    with pytest.raises(ValidationError) as exc:
        seat_ops.add_seat(sn, user=secretary, kind="deputy", name="", party="V", office="chair")
    assert exc.value.errors == {"name": "Namn måste fyllas i."}
    with pytest.raises(ValidationError) as exc:
        seat_ops.add_seat(
            sn, user=secretary, kind="deputy", name="Registratorn", party="V", holder=person("registrator")
        )
    assert "har inte rollen Ledamot" in exc.value.message
    seat_ops.move_seat(seats["Sven Ros"], user=secretary, to_position=1)
    db.session.commit()
    assert [s.name for s in seat_ops.seats_of(sn.id) if s.kind is SeatKind.deputy] == [
        "Sven Ros",
        "Kerstin Öberg",
        "Tove Ek",
    ]


# --- förhinder ---------------------------------------------------------------------------------------------


def test_a_members_absence_calls_in_the_deputy_of_the_same_party_who_is_told(meeting, seats):
    karimi = person("ledamot")
    absence = seat_ops.report_absence(meeting, seats["Ali Karimi"], user=karimi, reason="Sjuk")
    db.session.commit()
    assert absence.substitute is seats["Kerstin Öberg"]  # M for M, first in order
    (message,) = messages_to("Kerstin Öberg")
    assert message.subject.startswith("Du är inkallad att tjänstgöra: Socialnämnden ")
    assert "Ali Karimi (M) har anmält förhinder" in message.body and message.link == f"/sammantraden/{meeting.id}"
    # The M deputy cannot come either: the next in order (an S deputy) takes the place, and Kerstin is released.
    seat_ops.report_absence(meeting, seats["Kerstin Öberg"], user=seats["Kerstin Öberg"].user)
    db.session.commit()
    assert db.session.get(Absence, absence.id).substitute is seats["Tove Ek"]
    assert [m.subject.split(":")[0] for m in messages_to("Kerstin Öberg")] == [
        "Du är inkallad att tjänstgöra",
        "Du behöver inte tjänstgöra",
    ]
    assert len(messages_to("Tove Ek")) == 1
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("meeting.%"))).all()
    assert actions.count("meeting.absence_reported") == 2 and actions.count("meeting.called_in") == 2


def test_an_absence_is_reported_for_ones_own_seat_or_by_the_secretary_and_only_before_the_meeting(
    meeting, seats, secretary
):
    with pytest.raises(ForbiddenError):
        seat_ops.report_absence(meeting, seats["Gunnel Hedberg"], user=person("ledamot"))
    absence = seat_ops.report_absence(meeting, seats["Lena Ås"], user=secretary)
    assert absence.substitute is seats["Tove Ek"]
    with pytest.raises(ConflictError):
        seat_ops.report_absence(meeting, seats["Lena Ås"], user=secretary)
    seat_ops.withdraw_absence(absence, user=secretary)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Absence)) == 0
    assert [m.subject.split(":")[0] for m in messages_to("Tove Ek")] == [
        "Du är inkallad att tjänstgöra",
        "Du behöver inte tjänstgöra",
    ]
    meeting.start_dt = utcnow()
    with pytest.raises(ConflictError) as exc:
        seat_ops.report_absence(meeting, seats["Lena Ås"], user=secretary)
    assert exc.value.message == "Sammanträdet har börjat; närvaron förs i protokollet."


def test_a_change_of_the_seats_after_forhinder_calls_in_again_and_tells_only_those_whose_call_changed(
    meeting, seats, secretary
):
    sn = committee("SN")
    absence = seat_ops.report_absence(meeting, seats["Ali Karimi"], user=secretary)
    db.session.commit()
    assert absence.substitute is seats["Kerstin Öberg"]

    def calls() -> dict[str, list[str]]:
        return {name: [m.subject.split(":")[0] for m in messages_to(name)] for name in ("Kerstin Öberg", "Tove Ek")}

    called, released = "Du är inkallad att tjänstgöra", "Du behöver inte tjänstgöra"
    # Tove Ek changes party to M: still second among the M ersättare, nothing changes and nobody is told.
    seat_ops.update_seat(seats["Tove Ek"], user=secretary, values={"party": "M"})
    db.session.commit()
    assert db.session.get(Absence, absence.id).substitute is seats["Kerstin Öberg"]
    assert calls() == {"Kerstin Öberg": [called], "Tove Ek": []}
    # She is moved first in the ersättarordning: she is called in, Kerstin Öberg released.
    seat_ops.move_seat(seats["Tove Ek"], user=secretary, to_position=1)
    db.session.commit()
    assert db.session.get(Absence, absence.id).substitute is seats["Tove Ek"]
    assert calls() == {"Kerstin Öberg": [called, released], "Tove Ek": [called]}
    # Her seat is made inactive (she left the committee): Kerstin Öberg is called in again, Tove Ek released.
    seat_ops.update_seat(seats["Tove Ek"], user=secretary, values={"is_active": False})
    db.session.commit()
    assert db.session.get(Absence, absence.id).substitute is seats["Kerstin Öberg"]
    assert calls() == {"Kerstin Öberg": [called, released, called], "Tove Ek": [called, released]}
    # Two S ledamöter absent and one S ersättare left: the second is called when a new ersättare is added.
    lena = seat_ops.report_absence(meeting, seats["Lena Ås"], user=secretary)
    omar = seat_ops.report_absence(meeting, seats["Omar Said"], user=secretary)
    db.session.commit()
    assert (lena.substitute, omar.substitute) == (seats["Sven Ros"], None)
    holder = create_user("ersattare-v", {sn: [Role.member]}, name="Vera Ny")
    new = seat_ops.add_seat(sn, user=secretary, kind="deputy", name="Vera Ny", party="V", holder=holder)
    db.session.commit()
    assert db.session.get(Absence, omar.id).substitute is new
    assert [m.subject.split(":")[0] for m in messages_to("Vera Ny")] == [called]
    assert calls() == {"Kerstin Öberg": [called, released, called], "Tove Ek": [called, released]}
    called_in = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "meeting.called_in")).all()
    assert called_in[-1].summary.endswith("Vera Ny (V) för Omar Said (S).")


# --- yrkanden in advance -----------------------------------------------------------------------------------


def test_a_member_files_a_yrkande_in_advance_that_the_members_read(meeting, seats):
    item = meeting.items[0]
    karimi = person("ledamot")
    motion = seat_ops.file_motion(item, user=karimi, kind="amendment", text="Punkt 2 ska lyda: ”… senast 1 juni”.")
    db.session.commit()
    assert motion.seat is seats["Ali Karimi"] and seat_ops.filed_motions_for(item) == [motion]
    with pytest.raises(ForbiddenError):
        seat_ops.file_motion(item, user=person("handlaggare"), kind="rejection", text="Avslag.")
    with pytest.raises(ValidationError) as exc:
        seat_ops.file_motion(item, user=karimi, kind="veto", text="")
    assert set(exc.value.errors) == {"kind", "text"}
    with pytest.raises(ForbiddenError):
        seat_ops.withdraw_motion(motion, user=person("ordforande"))
    seat_ops.withdraw_motion(motion, user=karimi)
    db.session.commit()
    assert seat_ops.filed_motions_for(item) == []
    assert db.session.scalar(select(func.count()).select_from(FiledMotion)) == 1


# --- the protokoll -----------------------------------------------------------------------------------------


def test_the_protokoll_starts_with_the_attendance_the_absences_give(meeting, seats, secretary):
    seat_ops.report_absence(meeting, seats["Britt Lund"], user=secretary)
    minutes = minutes_ops.start_minutes(meeting, user=secretary)
    db.session.commit()
    header = minutes_ops.current_content(minutes)["header"]
    present = [(p["seat_id"], p["serves_for"]) for p in header["attendance"]]
    ids = {name: seat.id for name, seat in seats.items()}
    assert present == [
        (ids["Gunnel Hedberg"], None),
        (ids["Ali Karimi"], None),
        (ids["Lena Ås"], None),
        (ids["Omar Said"], None),
        (ids["Kerstin Öberg"], ids["Britt Lund"]),
    ]
    with pytest.raises(ConflictError):
        minutes_ops.start_minutes(meeting, user=secretary)


def test_paragraphs_are_numbered_through_the_year_across_meetings(meeting, seats, secretary):
    later = plan_meeting("SN", days=20, secretary=secretary)
    first = minutes_ops.start_minutes(meeting, user=secretary)
    opened = minutes_ops.open_paragraphs(first, user=secretary)
    db.session.commit()
    assert [p.number for p in opened] == [1, 2, 3, 4]
    second = minutes_ops.start_minutes(later, user=secretary)
    assert [p.number for p in minutes_ops.open_paragraphs(second, user=secretary)] == [5, 6, 7, 8]
    db.session.commit()
    content = minutes_ops.current_content(second)
    assert [(p["number"], p["title"]) for p in content["paragraphs"]][0] == (5, "Val av justerare")
    assert second.current_revision == 5  # the first revision, then one per paragraph opened


def test_two_paragraphs_cannot_have_the_same_number(meeting, seats, secretary):
    later = plan_meeting("SN", days=20, secretary=secretary)
    first = minutes_ops.start_minutes(meeting, user=secretary)
    minutes_ops.open_paragraph(first, meeting.items[0], user=secretary, number=12)
    db.session.commit()
    second = minutes_ops.start_minutes(later, user=secretary)
    db.session.commit()
    with pytest.raises(ValidationError) as exc:
        minutes_ops.open_paragraph(second, later.items[0], user=secretary, number=12)
    assert "§ 12 finns redan i Socialnämndens protokoll" in exc.value.message
    assert "två paragrafer kan inte ha samma nummer" in exc.value.message
    db.session.rollback()
    # The counter moved past the number given by hand: the next one follows it.
    assert minutes_ops.open_paragraph(second, later.items[0], user=secretary).number == 13
    with pytest.raises(ConflictError):
        minutes_ops.open_paragraph(second, later.items[0], user=secretary)


def test_a_paragraph_takes_its_proposal_recipients_and_immediate_justering_from_the_signed_report(
    meeting, seats, secretary, new_case
):
    case = new_case("Riktlinjer för färdtjänst 2027")
    item = add_case_item(meeting, case)
    minutes = minutes_ops.start_minutes(meeting, user=secretary)
    minutes_ops.open_paragraph(minutes, item, user=secretary)
    db.session.commit()
    (paragraph,) = minutes_ops.current_content(minutes)["paragraphs"]
    assert paragraph["proposal"] == ["Socialnämnden antar riktlinjerna."]
    assert paragraph["decision"] == paragraph["proposal"]
    assert paragraph["recipients"] == ["Kommunstyrelsen"]
    assert paragraph["immediately_adjusted"] is False


def test_a_postponed_item_gets_a_paragraph_that_says_so(meeting, seats, secretary):
    item = agenda_ops.add_item(meeting, user=secretary, kind=ItemKind.other, title="Lokalfrågan")
    meeting.start_dt = utcnow()
    outcomes.record_outcome(item, user=secretary, outcome="postponed")
    minutes = minutes_ops.start_minutes(meeting, user=secretary)
    minutes_ops.open_paragraph(minutes, item, user=secretary)
    db.session.commit()
    (paragraph,) = minutes_ops.current_content(minutes)["paragraphs"]
    assert paragraph["outcome"] == "postponed" and paragraph["decision"] == ["Ärendet bordläggs."]


@pytest.fixture
def recorded(meeting, seats, secretary):
    """A protokoll with the fixture's ledamöter present (Britt Lund absent, Kerstin Öberg serving for her) and
    its first paragraph opened; returns (minutes, paragraph, seat ids by name)."""
    seat_ops.report_absence(meeting, seats["Britt Lund"], user=secretary)
    minutes = minutes_ops.start_minutes(meeting, user=secretary)
    paragraph = minutes_ops.open_paragraph(minutes, meeting.items[1], user=secretary)
    db.session.commit()
    return minutes, paragraph, {name: seat.id for name, seat in seats.items()}


def _revisions() -> int:
    return db.session.scalar(select(func.count()).select_from(MinutesRevision))


def test_a_vote_a_reservation_and_a_decision_are_recorded(recorded, secretary):
    minutes, paragraph, ids = recorded
    ballots = [{"seat_id": ids[n], "ballot": "yes"} for n in ("Gunnel Hedberg", "Lena Ås", "Omar Said")]
    ballots += [{"seat_id": ids[n], "ballot": "no"} for n in ("Ali Karimi", "Kerstin Öberg")]
    revision = minutes_ops.save_paragraph(
        paragraph,
        user=secretary,
        based_on=minutes.current_revision,
        raw={
            "outcome": "decided",
            "motions": [
                {"seat_id": ids["Gunnel Hedberg"], "kind": "approval", "text": ""},
                {"seat_id": ids["Ali Karimi"], "kind": "rejection", "text": ""},
            ],
            "order_of_questions": ["Ordföranden ställer bifall mot avslag och finner bifall."],
            "vote": {"yes_means": "bifall till förslaget", "no_means": "avslag", "ballots": ballots},
            "decision": ["Socialnämnden godkänner föredragningslistan."],
            "reservations": [{"seat_id": ids["Ali Karimi"], "text": "Vi ville annat."}],
            "notes": [{"seat_id": None, "text": "Vänsterpartiets grupp antecknar sitt stöd för förslaget."}],
        },
    )
    db.session.commit()
    saved = minutes_ops.current_content(minutes)["paragraphs"][0]
    assert revision.changed_parts == [f"§ {paragraph.number}"]
    assert saved["vote"]["ballots"] == ballots and saved["reservations"][0]["text"] == "Vi ville annat."
    saved = AuditEntry.action == "minutes.saved"
    assert db.session.scalar(select(func.count()).where(saved, AuditEntry.object_id == minutes.id)) == 1


@pytest.mark.parametrize(
    "change, field, message",
    [
        (
            lambda ids: {
                "vote": {
                    "yes_means": "bifall",
                    "no_means": "avslag",
                    "ballots": [{"seat_id": ids["Gunnel Hedberg"], "ballot": "yes"}],
                }
            },
            "vote",
            "har 1 röster men 5 tjänstgör",
        ),
        (
            lambda ids: {"reservations": [{"seat_id": ids["Britt Lund"], "text": None}]},
            "reservations.1",
            "Britt Lund (M) deltog inte i beslutet",
        ),
        (
            lambda ids: {
                "conflicts": [ids["Gunnel Hedberg"]],
                "vote": {
                    "yes_means": "bifall",
                    "no_means": "avslag",
                    "ballots": [
                        {"seat_id": ids[n], "ballot": "yes"}
                        for n in ("Gunnel Hedberg", "Ali Karimi", "Lena Ås", "Omar Said", "Kerstin Öberg")
                    ],
                },
            },
            "vote",
            "Gunnel Hedberg (S) är jävig i ärendet och kan inte rösta",
        ),
    ],
)
def test_a_bad_paragraph_is_refused_in_swedish_and_nothing_is_stored(recorded, secretary, change, field, message):
    minutes, paragraph, ids = recorded
    before = _revisions()
    with pytest.raises(ValidationError) as exc:
        minutes_ops.save_paragraph(
            paragraph, user=secretary, based_on=minutes.current_revision, raw={"outcome": "decided", **change(ids)}
        )
    assert message in exc.value.errors[field]
    db.session.rollback()
    assert _revisions() == before


def test_a_decision_without_quorum_is_refused(recorded, secretary):
    minutes, paragraph, ids = recorded
    alone = {"seat_id": ids["Omar Said"], "from_paragraph": None, "until_paragraph": None, "serves_for": None}
    minutes_ops.save_header(minutes, user=secretary, based_on=minutes.current_revision, raw={"attendance": [alone]})
    db.session.commit()
    with pytest.raises(ValidationError) as exc:
        minutes_ops.save_paragraph(
            paragraph, user=secretary, based_on=minutes.current_revision, raw={"outcome": "decided"}
        )
    assert exc.value.errors == {
        "outcome": f"Nämnden är inte beslutför vid § {paragraph.number}: 1 av 5 ledamöter tjänstgör, minst 3 krävs."
    }


def test_a_stale_save_of_a_changed_part_is_refused_and_both_texts_kept(recorded, secretary, meeting):
    minutes, paragraph, ids = recorded
    other = minutes_ops.open_paragraph(minutes, meeting.items[2], user=secretary)
    db.session.commit()
    seen = minutes.current_revision
    minutes_ops.save_paragraph(paragraph, user=secretary, based_on=seen, raw={"decision": ["Första texten."]})
    # Another paragraph saved from the same revision is not in the way: its part was not changed.
    minutes_ops.save_paragraph(other, user=secretary, based_on=seen, raw={"decision": ["Annan paragraf."]})
    db.session.commit()
    with pytest.raises(minutes_ops.MinutesRevisionConflict) as exc:
        minutes_ops.save_paragraph(paragraph, user=secretary, based_on=seen, raw={"decision": ["Andra texten."]})
    db.session.commit()  # the refused text is kept, as a report's is
    assert "Din text är sparad vid sidan av" in exc.value.message
    conflict = db.session.scalar(select(MinutesConflict))
    assert conflict.part == f"§ {paragraph.number}" and conflict.content["decision"] == ["Andra texten."]
    assert exc.value.current_part["decision"] == ["Första texten."]
    content = minutes_ops.current_content(minutes)
    assert [p["decision"] for p in content["paragraphs"]] == [["Första texten."], ["Annan paragraf."]]


def test_nothing_is_changed_after_justering(recorded, secretary):
    minutes, paragraph, _ids = recorded
    paragraph.adjusted_dt = utcnow()  # omedelbart justerad: the hook justering will use
    with pytest.raises(minutes_ops.MinutesAdjusted) as exc:
        minutes_ops.save_paragraph(paragraph, user=secretary, based_on=minutes.current_revision, raw={"decision": []})
    assert "omedelbart justerad och kan inte ändras" in exc.value.message
    minutes.adjusted_dt = utcnow()
    db.session.commit()
    with pytest.raises(minutes_ops.MinutesAdjusted) as exc:
        minutes_ops.save_header(minutes, user=secretary, based_on=minutes.current_revision, raw={"adjusters": []})
    assert exc.value.message == "Protokollet är justerat och kan inte ändras; en ändring görs som rättelse."
    with pytest.raises(minutes_ops.MinutesAdjusted):
        minutes_ops.open_paragraph(minutes, minutes.meeting.items[0], user=secretary)


def test_the_header_takes_justerare_present_and_the_time_of_justering(recorded, secretary):
    minutes, _paragraph, ids = recorded
    minutes_ops.save_header(
        minutes,
        user=secretary,
        based_on=minutes.current_revision,
        raw={"adjusters": [ids["Ali Karimi"]], "adjustment_place": "Kommunhuset", "adjustment_at": "2027-03-02T15:00"},
    )
    db.session.commit()
    header = minutes_ops.current_content(minutes)["header"]
    assert (header["adjusters"], header["adjustment_at"]) == ([ids["Ali Karimi"]], "2027-03-02T15:00")
    with pytest.raises(ValidationError) as exc:
        minutes_ops.save_header(
            minutes, user=secretary, based_on=minutes.current_revision, raw={"adjusters": [ids["Britt Lund"]]}
        )
    assert exc.value.errors == {"adjusters": "Justerare Britt Lund (M) är inte närvarande vid sammanträdet."}


def test_a_paragraph_is_numbered_in_the_meetings_year(recorded, meeting):
    _minutes, paragraph, _ids = recorded
    assert (paragraph.year, paragraph.number, paragraph.label) == (to_local(meeting.start_dt).year, 1, "§ 1")


# --- the protokoll's data for its documents ----------------------------------------------------------------


def test_the_protokoll_reads_out_as_the_builders_input_and_builds(recorded, secretary, meeting, new_case):
    minutes, first, ids = recorded
    case = new_case("Riktlinjer för färdtjänst 2027")
    item = add_case_item(meeting, case)
    paragraph = minutes_ops.open_paragraph(minutes, item, user=secretary)
    minutes_ops.save_header(
        minutes,
        user=secretary,
        based_on=minutes.current_revision,
        raw={
            "attendance": [
                *minutes_ops.current_content(minutes)["header"]["attendance"],
                {"seat_id": ids["Tove Ek"], "from_paragraph": None, "until_paragraph": None, "serves_for": None},
            ],
            "others_present": [{"name": "Eva Strand", "title": "socialdirektör"}],
            "adjusters": [ids["Ali Karimi"]],
            "adjustment_place": "Kommunhuset",
            "adjustment_at": "2027-03-02T15:00",
        },
    )
    ballots = [{"seat_id": ids[n], "ballot": "yes"} for n in ("Gunnel Hedberg", "Lena Ås")]
    ballots += [{"seat_id": ids[n], "ballot": "no"} for n in ("Ali Karimi", "Kerstin Öberg")]
    ballots += [{"seat_id": ids["Tove Ek"], "ballot": "abstain"}]  # in Omar Said's place: he is jävig
    minutes_ops.save_paragraph(
        paragraph,
        user=secretary,
        based_on=minutes.current_revision,
        raw={
            "outcome": "decided",
            "conflicts": [ids["Omar Said"]],
            "motions": [{"seat_id": ids["Ali Karimi"], "kind": "rejection", "text": ""}],
            "order_of_questions": ["Ordföranden ställer förvaltningens förslag mot avslag och finner bifall."],
            "vote": {"yes_means": "bifall till förvaltningens förslag", "no_means": "avslag", "ballots": ballots},
            "reservations": [{"seat_id": ids["Ali Karimi"], "text": "Vi yrkade avslag."}],
        },
    )
    db.session.commit()

    data = protocol_data(minutes)
    roles = [(d["person"]["name"], d["role"], d.get("replacing")) for d in data["deciders"]]
    assert roles[:2] == [("Gunnel Hedberg", "Ordförande", None), ("Ali Karimi", "1:e vice ordförande", None)]
    assert ("Kerstin Öberg", "Tjänstgörande ersättare", {"name": "Britt Lund", "party": "M"}) in roles
    tove = next(d for d in data["deciders"] if d["person"]["name"] == "Tove Ek")
    assert tove["paragraphs"] == {"first": paragraph.number, "last": paragraph.number}  # only where Omar was jävig
    assert [o["person"]["name"] for o in data["others_present"]] == ["Eva Strand"]
    assert [s["role"] for s in data["signatures"]] == ["secretary", "chair", "adjuster"]
    assert data["adjustment"]["date"].startswith("2027-03-02T15:00:00+01:00")
    decided = data["paragraphs"][-1]
    assert (decided["number"], decided["case_number"]) == (paragraph.number, case.number)
    assert decided["decision"] == ["Socialnämnden antar riktlinjerna."] and decided["recipients"] == ["Kommunstyrelsen"]
    assert decided["decision_basis"][0].startswith("Tjänsteutlåtande daterat ")
    (vote,) = decided["votes"]
    assert (vote["result"], vote["casting_vote"]) == ("yes", True)  # 2–2, the chair voted ja
    assert decided["conflicts"] == [
        {"person": {"name": "Omar Said", "party": "S"}, "replaced_by": {"name": "Tove Ek", "party": "S"}}
    ]
    assert decided["motions"][0]["kind"] == "avslag" and decided["reservations"][0]["text"] == "Vi yrkade avslag."

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(build_protocol_docx(data))).paragraphs)
    assert f"§ {paragraph.number}" in text and "Vi yrkade avslag." in text and "Riktlinjer för färdtjänst 2027" in text


def test_the_demo_committee_has_its_ledamoter_and_ersattare(demo):
    listed = seat_ops.seats_of(committee("SN").id)
    members = [s for s in listed if s.kind is SeatKind.member]
    deputies = [s for s in listed if s.kind is SeatKind.deputy]
    assert (len(members), len(deputies)) == (11, 7)
    assert (members[0].label, members[0].office, members[0].user) == (
        "Gunnel Hedberg (S)",
        SeatOffice.chair,
        person("ordforande"),
    )
    assert seat_ops.seat_of_user(committee("SN").id, person("ledamot")).label == "Ali Karimi (S)"
    assert deputies[0].label == "Mona Nilsson (S)"


def test_a_later_change_of_attendance_shows_as_a_problem_of_the_paragraph(recorded, secretary):
    minutes, paragraph, ids = recorded
    ballots = [{"seat_id": ids[n], "ballot": "yes"} for n in ("Gunnel Hedberg", "Ali Karimi", "Lena Ås", "Omar Said")]
    ballots.append({"seat_id": ids["Kerstin Öberg"], "ballot": "no"})
    minutes_ops.save_paragraph(
        paragraph,
        user=secretary,
        based_on=minutes.current_revision,
        raw={"outcome": "decided", "vote": {"yes_means": "bifall", "no_means": "avslag", "ballots": ballots}},
    )
    assert minutes_ops.problems(minutes) == {}
    attendance = minutes_ops.current_content(minutes)["header"]["attendance"]
    left_early = [p for p in attendance if p["seat_id"] != ids["Lena Ås"]]  # she was not there after all
    minutes_ops.save_header(minutes, user=secretary, based_on=minutes.current_revision, raw={"attendance": left_early})
    db.session.commit()
    found = minutes_ops.problems(minutes)
    assert list(found) == [f"§ {paragraph.number}"]
    assert "tjänstgör inte" in found[f"§ {paragraph.number}"]["vote"]
