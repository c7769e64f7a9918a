"""The meeting's rules as pure functions: who replaces whom, who serves at a paragraph, quorum, votes, and what is
wrong with a paragraph or the header."""

from __future__ import annotations

import pytest

from agenda.minutes.content import ParagraphJSON, PresenceJSON, clean_header, clean_paragraph, empty_header
from agenda.minutes.models import SeatKind, SeatOffice
from agenda.minutes.rules import (
    Seat,
    VoteOutcome,
    has_quorum,
    header_errors,
    paragraph_errors,
    presiding,
    quorum_needed,
    replacements,
    serving_at,
    vote_result,
)
from app.validation import ValidationError

M, D = SeatKind.member, SeatKind.deputy


def member(seat_id: int, party: str, position: int | None = None, office: SeatOffice | None = None) -> Seat:
    return Seat(seat_id, M, position or seat_id, party, f"Ledamot {seat_id}", office)


def deputy(seat_id: int, party: str, position: int) -> Seat:
    return Seat(seat_id, D, position, party, f"Ersättare {seat_id}")


#: five ledamöter (3 S, 2 M) and four ersättare in the ersättarordning M, S, S, V
SEATS = [
    member(1, "S", office=SeatOffice.chair),
    member(2, "M", office=SeatOffice.first_vice_chair),
    member(3, "S"),
    member(4, "S"),
    member(5, "M"),
    deputy(11, "M", 1),
    deputy(12, "S", 2),
    deputy(13, "S", 3),
    deputy(14, "V", 4),
]
BY_ID = {s.id: s for s in SEATS}
DEPUTIES = [s for s in SEATS if s.kind is D]


def here(*seat_ids: int, **special: tuple[int | None, int | None, int | None]) -> list[PresenceJSON]:
    """Presence rows for whole-meeting attendance; ``special["s3"] = (from, until, serves_for)``."""
    out: list[PresenceJSON] = []
    for seat_id in seat_ids:
        start, until, serves_for = special.get(f"s{seat_id}", (None, None, None))
        out.append({"seat_id": seat_id, "from_paragraph": start, "until_paragraph": until, "serves_for": serves_for})
    return out


def test_an_absent_member_is_replaced_by_the_first_deputy_of_the_same_party():
    assert replacements([BY_ID[3]], DEPUTIES) == {3: 12}
    assert replacements([BY_ID[5]], DEPUTIES) == {5: 11}


def test_without_a_deputy_of_the_party_the_next_in_order_is_called_whatever_the_party():
    assert replacements([BY_ID[5]], [BY_ID[12], BY_ID[14]]) == {5: 12}


def test_same_party_places_are_filled_before_any_place_crosses_party_lines():
    # The M ledamot comes first in order, but the only M deputy is gone: had it taken the next deputy in
    # order (12, S) at once, the S ledamot would lose their own party's deputy.
    deputies = [BY_ID[12], BY_ID[14]]
    assert replacements([BY_ID[2], BY_ID[3]], deputies) == {3: 12, 2: 14}


def test_a_place_with_no_deputy_left_stays_empty_and_a_named_deputy_is_kept():
    assert replacements([BY_ID[3], BY_ID[4]], [BY_ID[12]]) == {3: 12, 4: None}
    assert replacements([BY_ID[3], BY_ID[4]], [BY_ID[12], BY_ID[13]], named={3: 13}) == {3: 13, 4: 12}


def test_serving_follows_arrivals_departures_and_jav():
    attendance = here(1, 2, 3, 5, 12, 13, s3=(5, None, None), s5=(None, 7, None))
    at_2 = serving_at(SEATS, attendance, 2)
    assert at_2.places == {1: 1, 2: 2, 3: 12, 4: 13, 5: 5}  # 3 arrives at § 5: 12 serves, 4 absent: 13
    at_8 = serving_at(SEATS, attendance, 8)
    assert at_8.places == {1: 1, 2: 2, 3: 3, 4: 12, 5: 13}  # 3 is back, 5 left after § 7: no M deputy is there
    at_8_alone = serving_at(SEATS, here(1, 2, 3, 5, s5=(None, 7, None)), 8)
    assert at_8_alone.places[5] is None and at_8_alone.count == 3
    with_jav = serving_at(SEATS, attendance, 6, conflicts={1})
    assert with_jav.presiding == 2  # the vice chair presides while the chair is jävig
    assert with_jav.replaced_by() == {12: 1, 13: 4}


def test_quorum_is_more_than_half_of_the_members():
    assert [quorum_needed(n) for n in (1, 2, 5, 11, 12)] == [1, 2, 3, 6, 7]
    assert has_quorum(3, 5) and not has_quorum(2, 5)
    assert has_quorum(7, 13) and not has_quorum(6, 13) and not has_quorum(0, 0)


@pytest.mark.parametrize(
    "ballots, chair, outcome, casting",
    [
        ({1: "yes", 2: "yes", 3: "no"}, 1, VoteOutcome.yes, False),
        ({1: "yes", 2: "no", 3: "no", 4: "abstain"}, 1, VoteOutcome.no, False),
        ({1: "yes", 2: "no", 3: "abstain"}, 1, VoteOutcome.yes, True),
        ({1: "no", 2: "yes"}, 1, VoteOutcome.no, True),
        ({1: "abstain", 2: "yes", 3: "no"}, 1, VoteOutcome.undecided, False),
        ({2: "yes", 3: "no"}, None, VoteOutcome.undecided, False),
    ],
)
def test_the_vote_result_and_the_chairs_casting_vote(ballots, chair, outcome, casting):
    result = vote_result(ballots, chair)
    assert result.outcome is outcome and result.by_casting_vote is casting
    assert result.yes + result.no + result.abstain == len(ballots)


def test_the_presiding_chair_is_the_chair_else_the_vice_chairs_in_order():
    assert presiding(SEATS, {1, 2, 3}) == 1
    assert presiding(SEATS, {2, 3}) == 2
    assert presiding(SEATS, {3, 4}) is None


def paragraph(**values) -> ParagraphJSON:
    base: ParagraphJSON = {
        "number": 4,
        "agenda_item_id": 1,
        "title": "Verksamhetsberättelse",
        "outcome": "decided",
        "proposal": ["Nämnden godkänner."],
        "motions": [],
        "order_of_questions": [],
        "vote": None,
        "decision": ["Nämnden godkänner."],
        "reservations": [],
        "notes": [],
        "conflicts": [],
        "immediately_adjusted": False,
        "recipients": [],
    }
    return clean_paragraph(values, base)


ALL = here(1, 2, 3, 4, 5, 11)


def test_a_vote_must_count_exactly_the_serving_members():
    ballots = [{"seat_id": s, "ballot": "yes"} for s in (1, 2, 3, 4)]
    errors = paragraph_errors(
        SEATS, ALL, paragraph(vote={"yes_means": "bifall", "no_means": "avslag", "ballots": ballots})
    )
    assert "4 röster men 5 tjänstgör" in errors["vote"] and "Ledamot 5 (M)" in errors["vote"]
    ballots.append({"seat_id": 11, "ballot": "no"})  # present, but no place free for the deputy
    errors = paragraph_errors(
        SEATS, ALL, paragraph(vote={"yes_means": "bifall", "no_means": "avslag", "ballots": ballots})
    )
    assert "Ersättare 11 (M) tjänstgör inte" in errors["vote"]
    ballots[-1] = {"seat_id": 5, "ballot": "no"}
    assert (
        paragraph_errors(SEATS, ALL, paragraph(vote={"yes_means": "bifall", "no_means": "avslag", "ballots": ballots}))
        == {}
    )


def test_a_member_with_jav_cannot_vote_and_is_replaced():
    ballots = [{"seat_id": s, "ballot": "yes"} for s in (1, 2, 3, 4, 5)]
    errors = paragraph_errors(
        SEATS, ALL, paragraph(conflicts=[3], vote={"yes_means": "bifall", "no_means": "avslag", "ballots": ballots})
    )
    assert "jävig" in errors["vote"]
    ballots[2] = {"seat_id": 11, "ballot": "no"}  # the present M deputy takes the jävig S ledamot's place
    assert (
        paragraph_errors(
            SEATS, ALL, paragraph(conflicts=[3], vote={"yes_means": "bifall", "no_means": "avslag", "ballots": ballots})
        )
        == {}
    )


def test_a_tie_without_the_chairs_vote_decides_nothing():
    attendance = here(1, 2, 3, 4)
    ballots = [{"seat_id": 1, "ballot": "abstain"}, {"seat_id": 2, "ballot": "yes"}]
    ballots += [{"seat_id": 3, "ballot": "no"}, {"seat_id": 4, "ballot": "abstain"}]
    errors = paragraph_errors(
        SEATS, attendance, paragraph(vote={"yes_means": "bifall", "no_means": "avslag", "ballots": ballots})
    )
    assert "ingen utslagsröst" in errors["vote"]


def test_a_reservation_needs_someone_who_took_part_and_a_decision_needs_quorum():
    errors = paragraph_errors(SEATS, here(1, 2, 3), paragraph(reservations=[{"seat_id": 5, "text": None}]))
    assert "deltog inte i beslutet" in errors["reservations.1"]
    assert "3 av 5" not in errors.get("outcome", "")  # 3 of 5 is a quorum
    errors = paragraph_errors(SEATS, here(1, 2), paragraph())
    assert errors["outcome"] == "Nämnden är inte beslutför vid § 4: 2 av 5 ledamöter tjänstgör, minst 3 krävs."
    assert "outcome" not in paragraph_errors(SEATS, here(1, 2), paragraph(outcome=None))


def test_the_header_refuses_a_justerare_who_was_not_there_or_presides():
    assert header_errors(SEATS, here(1, 2), [2]) == {}
    assert "inte närvarande" in header_errors(SEATS, here(1, 2), [3])["adjusters"]
    assert "Ordföranden" in header_errors(SEATS, here(1, 2), [1])["adjusters"]
    assert "egen plats" in header_errors(SEATS, here(1, 2, s2=(None, None, 1)), [])["attendance.2"]


def test_cleaning_refuses_bad_input_with_swedish_messages():
    with pytest.raises(ValidationError) as exc:
        clean_header({"attendance": [{"seat_id": 1, "from_paragraph": 5, "until_paragraph": 3}]}, empty_header())
    assert "avgång (§ 3) före ankomst (§ 5)" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        paragraph(motions=[{"seat_id": 2, "kind": "amendment", "text": ""}], number=9)
    assert exc.value.errors == {"motions.1": "Yrkande 1: texten måste fyllas i.", "number": "Okänt fält."}
    with pytest.raises(ValidationError) as exc:
        paragraph(vote={"yes_means": "bifall", "no_means": "avslag", "ballots": [{"seat_id": 1, "ballot": "kanske"}]})
    assert exc.value.errors == {"vote": "Röst 1: ange ja, nej eller avstår."}
    kept = paragraph(decision=["  Bifall.  ", ""], recipients=["Kommunstyrelsen"])
    assert kept["decision"] == ["Bifall."] and kept["title"] == "Verksamhetsberättelse"
