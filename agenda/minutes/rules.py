"""The rules of a meeting, as pure functions: who replaces whom, who serves at a paragraph, quorum, the result of
a vote, and what is wrong with a paragraph. No database: seats and content come in as plain data.

**Who replaces whom** (``replacements``), the customary rule of the reglementen:

1. The places to fill are those of the ledamöter who do not serve (absent, or jäviga in the matter), taken in the
   ledamöter's order; the ersättare who can serve (not absent, not jäviga, not serving already) in the committee's
   ersättarordning (their position).
2. A place the secretary has filled by name (an ersättare "serves for" a ledamot) keeps that ersättare.
3. Each remaining place takes the first available ersättare **of the same party** as its ledamot.
4. Each place still empty takes the first available ersättare **in the order**, whatever the party.
5. A place with no ersättare left stays empty.

Same-party places are filled for every absent ledamot before any crosses party lines (step 3 before step 4), so
one party's absence does not take the ersättare another party's absence needs.

**Quorum** (beslutförhet, 6 kap. 27 § KL): more than half of the committee's ledamöter serve.

**A vote**: each serving person votes ja, nej or avstår; the side with more votes wins; at a tie the presiding
chair's vote decides (utslagsröst), and a tie where the chair voted neither ja nor nej decides nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from agenda.minutes.content import BALLOT_LABELS, ParagraphJSON, PresenceJSON
from agenda.minutes.models import PRESIDING_ORDER, SeatKind, SeatOffice


@dataclass(frozen=True)
class Seat:
    """What the rules need to know of a seat (agenda.minutes.models.CommitteeSeat)."""

    id: int
    kind: SeatKind
    position: int
    party: str
    name: str = ""
    office: SeatOffice | None = None

    @property
    def is_member(self) -> bool:
        return self.kind is SeatKind.member


def _ordered(seats: Iterable[Seat]) -> list[Seat]:
    return sorted(seats, key=lambda s: (s.position, s.id))


def replacements(
    vacancies: Sequence[Seat], deputies: Sequence[Seat], *, named: Mapping[int, int] | None = None
) -> dict[int, int | None]:
    """Fill each vacant ledamot's place (seat id → the ersättare's seat id, or None) from the available
    ``deputies`` by the module's rule; ``named`` holds places the secretary filled by name (ledamot → ersättare)."""
    available = _ordered(deputies)
    taken: set[int] = set()
    out: dict[int, int | None] = {}
    ordered_vacancies = _ordered(vacancies)
    deputy_ids = {d.id for d in available}
    for vacancy in ordered_vacancies:
        chosen = (named or {}).get(vacancy.id)
        if chosen is not None and chosen in deputy_ids and chosen not in taken:
            out[vacancy.id] = chosen
            taken.add(chosen)
    for same_party in (True, False):
        for vacancy in ordered_vacancies:
            if out.get(vacancy.id) is not None:
                continue
            for deputy in available:
                if deputy.id not in taken and (not same_party or deputy.party == vacancy.party):
                    out[vacancy.id] = deputy.id
                    taken.add(deputy.id)
                    break
            else:
                out[vacancy.id] = None
    return out


def present_at(presence: PresenceJSON, number: int | None) -> bool:
    """Whether someone present took part at § ``number`` (None: at the meeting at all)."""
    if number is None:
        return True
    start, until = presence["from_paragraph"], presence["until_paragraph"]
    return (start is None or start <= number) and (until is None or number <= until)


@dataclass(frozen=True)
class Serving:
    """Who serves at one paragraph: each ledamot's place (seat id) → who fills it (the ledamot, an ersättare, or
    None when empty), and who presides."""

    places: dict[int, int | None]
    presiding: int | None

    @property
    def serving(self) -> set[int]:
        """The seat ids of everyone serving (ledamöter and tjänstgörande ersättare)."""
        return {s for s in self.places.values() if s is not None}

    @property
    def count(self) -> int:
        return len(self.serving)

    def replaced_by(self) -> dict[int, int]:
        """The tjänstgörande ersättare: ersättare seat id → the ledamot whose place they fill."""
        return {filler: place for place, filler in self.places.items() if filler is not None and filler != place}


def serving_at(
    seats: Sequence[Seat],
    attendance: Sequence[PresenceJSON],
    number: int | None,
    conflicts: Collection[int] = (),
) -> Serving:
    """Who serves at § ``number`` (None: at the start of the meeting): the ledamöter present and without jäv,
    and for the others the ersättare present by the rule of ``replacements``."""
    present = {p["seat_id"]: p for p in attendance if present_at(p, number)}
    members = _ordered(s for s in seats if s.is_member)
    places: dict[int, int | None] = {}
    vacancies: list[Seat] = []
    for member in members:
        if member.id in present and member.id not in conflicts:
            places[member.id] = member.id
        else:
            vacancies.append(member)
    deputies = [s for s in seats if not s.is_member and s.id in present and s.id not in conflicts]
    named = {p["serves_for"]: p["seat_id"] for p in present.values() if p["serves_for"] is not None}
    places.update(replacements(vacancies, deputies, named=named))
    return Serving(places=places, presiding=presiding(seats, {s for s in places.values() if s is not None}))


def presiding(seats: Sequence[Seat], serving: Collection[int]) -> int | None:
    """Who presides: the chair if serving, else the first and then the second vice chair; None if none serves."""
    by_office = {s.office: s.id for s in seats if s.office is not None}
    for office in PRESIDING_ORDER:
        seat_id = by_office.get(office)
        if seat_id is not None and seat_id in serving:
            return seat_id
    return None


def quorum_needed(members: int) -> int:
    """How many must serve for the committee to decide: more than half of its ledamöter."""
    return members // 2 + 1


def has_quorum(serving: int, members: int) -> bool:
    return members > 0 and serving >= quorum_needed(members)


class VoteOutcome(str, enum.Enum):
    yes = "yes"
    no = "no"
    #: a tie the chair could not break (they voted neither ja nor nej)
    undecided = "undecided"


@dataclass(frozen=True)
class VoteResult:
    yes: int
    no: int
    abstain: int
    outcome: VoteOutcome
    #: the tie was broken by the presiding chair's vote
    by_casting_vote: bool

    @property
    def summary(self) -> str:
        """The result as the protokoll writes it."""
        counts = f"{self.yes} ja-röster, {self.no} nej-röster och {self.abstain} som avstår"
        if self.outcome is VoteOutcome.undecided:
            return f"Omröstningen ger {counts}: lika röstetal utan utslagsröst."
        side = "ja" if self.outcome is VoteOutcome.yes else "nej"
        casting = " Ordförandens utslagsröst avgör." if self.by_casting_vote else ""
        return f"Med {counts} har nämnden beslutat enligt {side}.{casting}"


def vote_result(ballots: Mapping[int, str], presiding_seat: int | None) -> VoteResult:
    """Count the ballots (seat id → "yes", "no" or "abstain"); at a tie the presiding chair's ja or nej decides."""
    yes = sum(1 for b in ballots.values() if b == "yes")
    no = sum(1 for b in ballots.values() if b == "no")
    abstain = sum(1 for b in ballots.values() if b == "abstain")
    if yes != no:
        return VoteResult(yes, no, abstain, VoteOutcome.yes if yes > no else VoteOutcome.no, False)
    casting = ballots.get(presiding_seat) if presiding_seat is not None else None
    if casting in ("yes", "no"):
        return VoteResult(yes, no, abstain, VoteOutcome(casting), True)
    return VoteResult(yes, no, abstain, VoteOutcome.undecided, False)


# --- judging a paragraph ---------------------------------------------------------------------------------


def _name(seats_by_id: Mapping[int, Seat], seat_id: int) -> str:
    seat = seats_by_id.get(seat_id)
    return f"{seat.name} ({seat.party})" if seat is not None else f"plats {seat_id}"


def paragraph_errors(
    seats: Sequence[Seat], attendance: Sequence[PresenceJSON], paragraph: ParagraphJSON
) -> dict[str, str]:
    """What is wrong with a paragraph against the committee's seats and the attendance (field → Swedish message):
    unknown people, a yrkande or reservation by someone who took no part, a vote whose ballots are not exactly
    those of the serving members (those with jäv cannot vote), a tie without a casting vote, and a decision
    without quorum."""
    number = paragraph["number"]
    by_id = {s.id: s for s in seats}
    errors: dict[str, str] = {}
    present = {p["seat_id"] for p in attendance if present_at(p, number)}
    for seat_id in paragraph["conflicts"]:
        if seat_id not in by_id:
            errors["conflicts"] = "Jäv: personen sitter inte i nämnden."
    serving = serving_at(seats, attendance, number, paragraph["conflicts"])
    took_part = serving.serving
    for i, motion in enumerate(paragraph["motions"], start=1):
        if motion["seat_id"] not in took_part:
            errors[f"motions.{i}"] = (
                f"Yrkande {i}: {_name(by_id, motion['seat_id'])} tjänstgör inte vid § {number} och kan inte yrka."
            )
    vote = paragraph["vote"]
    if vote is not None:
        voters = {b["seat_id"] for b in vote["ballots"]}
        javiga = sorted(voters & set(paragraph["conflicts"]))
        if javiga:
            errors["vote"] = (
                ", ".join(_name(by_id, s) for s in javiga) + f" är jävig i ärendet och kan inte rösta vid § {number}."
            )
        elif voters != took_part:
            missing = sorted(took_part - voters)
            extra = sorted(voters - took_part)
            detail = []
            if missing:
                detail.append("röst saknas för " + ", ".join(_name(by_id, s) for s in missing))
            if extra:
                detail.append(", ".join(_name(by_id, s) for s in extra) + " tjänstgör inte")
            errors["vote"] = (
                f"Omröstningen vid § {number} har {len(voters)} röster men {len(took_part)} tjänstgör: "
                + "; ".join(detail)
                + "."
            )
        else:
            result = vote_result({b["seat_id"]: b["ballot"] for b in vote["ballots"]}, serving.presiding)
            if result.outcome is VoteOutcome.undecided:
                errors["vote"] = (
                    f"Omröstningen vid § {number} slutar lika ({result.yes}–{result.no}) och ordföranden har inte "
                    f"röstat {BALLOT_LABELS['yes'].lower()} eller {BALLOT_LABELS['no'].lower()}: ingen utslagsröst."
                )
    for i, reservation in enumerate(paragraph["reservations"], start=1):
        if reservation["seat_id"] not in took_part:
            errors[f"reservations.{i}"] = (
                f"Reservation {i}: {_name(by_id, reservation['seat_id'])} deltog inte i beslutet vid § {number} "
                "och kan inte reservera sig."
            )
    for i, note in enumerate(paragraph["notes"], start=1):
        if note["seat_id"] is not None and note["seat_id"] not in present:
            errors[f"notes.{i}"] = (
                f"Protokollsanteckning {i}: {_name(by_id, note['seat_id'])} är inte närvarande vid § {number}."
            )
    if paragraph["outcome"] is not None:
        members = sum(1 for s in seats if s.is_member)
        if not has_quorum(serving.count, members):
            errors["outcome"] = (
                f"Nämnden är inte beslutför vid § {number}: {serving.count} av {members} ledamöter tjänstgör, "
                f"minst {quorum_needed(members)} krävs."
            )
    return errors


def header_errors(
    seats: Sequence[Seat], attendance: Sequence[PresenceJSON], adjusters: Sequence[int]
) -> dict[str, str]:
    """What is wrong with the header: unknown people, an ersättare named for someone who is not a ledamot, a
    ledamot serving for someone, and a justerare who was not there or who presides."""
    by_id = {s.id: s for s in seats}
    errors: dict[str, str] = {}
    present = {p["seat_id"] for p in attendance}
    for i, presence in enumerate(attendance, start=1):
        seat = by_id.get(presence["seat_id"])
        if seat is None:
            errors[f"attendance.{i}"] = f"Närvarorad {i}: personen sitter inte i nämnden."
            continue
        target = presence["serves_for"]
        if target is None:
            continue
        if seat.is_member:
            errors[f"attendance.{i}"] = (
                f"Närvarorad {i}: {_name(by_id, seat.id)} är ledamot och tjänstgör på sin egen plats."
            )
        elif target not in by_id or not by_id[target].is_member:
            errors[f"attendance.{i}"] = f"Närvarorad {i}: en ersättare tjänstgör för en ledamot i nämnden."
    chair = presiding(seats, serving_at(seats, attendance, None).serving)
    for seat_id in adjusters:
        if seat_id not in present:
            errors["adjusters"] = f"Justerare {_name(by_id, seat_id)} är inte närvarande vid sammanträdet."
        elif seat_id == chair:
            errors["adjusters"] = "Ordföranden justerar protokollet ändå; välj en annan justerare."
    return errors
