"""What a protokoll says, as plain data, and how a saved part is cleaned. Pure: no database.

A revision's content has two kinds of part, saved and versioned each on its own: the **header** (attendance,
others present, justerare, the place and time of justering) and one **paragraph** per handled agenda item
("§ 12"). Seats are named by their ids (``agenda.minutes.models.CommitteeSeat``); the rules that judge the
content against the committee's seats (who serves, quorum, votes) are in ``agenda.minutes.rules``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, TypedDict, cast

from agenda.minutes.models import MotionKind
from agenda.models import ItemOutcome
from app.validation import ValidationError, clean_text

TEXT_MAX = 4_000
POINT_MAX = 2_000
MAX_POINTS = 30
MAX_ENTRIES = 100
HEADER = "header"

BallotValue = Literal["yes", "no", "abstain"]
BALLOTS: tuple[BallotValue, ...] = ("yes", "no", "abstain")
BALLOT_LABELS = {"yes": "Ja", "no": "Nej", "abstain": "Avstår"}


class PresenceJSON(TypedDict):
    """A seat holder present at the meeting: from which § to which (None: the whole meeting), and for a
    tjänstgörande ersättare the ledamot they serve for when the secretary names one (else the rule decides)."""

    seat_id: int
    from_paragraph: int | None
    until_paragraph: int | None
    serves_for: int | None


class OtherPresentJSON(TypedDict):
    """Someone present who does not decide: an official, the secretary, a presenter ("övriga närvarande")."""

    name: str
    title: str


class HeaderJSON(TypedDict):
    attendance: list[PresenceJSON]
    others_present: list[OtherPresentJSON]
    #: the justerare (seats); the presiding chair signs too
    adjusters: list[int]
    adjustment_place: str
    #: when the justering takes place, local time "YYYY-MM-DDTHH:MM" (None: not set yet)
    adjustment_at: str | None


class MotionJSON(TypedDict):
    """A yrkande made at the meeting: by whom, what kind, and its text (the wording of an ändring or tillägg)."""

    seat_id: int
    kind: str
    text: str


class BallotJSON(TypedDict):
    seat_id: int
    ballot: BallotValue


class VoteJSON(TypedDict):
    #: what a ja-röst stands for, the text after "Ja för": "bifall till förvaltningens förslag"
    yes_means: str
    #: what a nej-röst stands for: "bifall till Ali Karimis (M) avslagsyrkande"
    no_means: str
    ballots: list[BallotJSON]


class ReservationJSON(TypedDict):
    seat_id: int
    #: the written reservation, if any (it may be handed in until justering)
    text: str | None


class NoteJSON(TypedDict):
    """A protokollsanteckning: by a seat holder (or None: e.g. a party group given as text)."""

    seat_id: int | None
    text: str


class ParagraphJSON(TypedDict):
    number: int
    agenda_item_id: int
    title: str
    #: what the meeting did: "decided", "postponed" (bordlagt), "sent_back" (återremitterat); None: not yet
    outcome: str | None
    #: the decision proposal (förslag till beslut) of the signed tjänsteutlåtande, numbered points
    proposal: list[str]
    motions: list[MotionJSON]
    #: propositionsordning: the questions the chair put, in order
    order_of_questions: list[str]
    vote: VoteJSON | None
    #: the decision, numbered points (defaults to the proposal)
    decision: list[str]
    reservations: list[ReservationJSON]
    notes: list[NoteJSON]
    #: the seats with jäv in this matter: they take no part in it
    conflicts: list[int]
    immediately_adjusted: bool
    #: "Beslutet skickas till"
    recipients: list[str]


class MinutesContentJSON(TypedDict):
    header: HeaderJSON
    paragraphs: list[ParagraphJSON]


def empty_header() -> HeaderJSON:
    return {"attendance": [], "others_present": [], "adjusters": [], "adjustment_place": "", "adjustment_at": None}


def part_name(number: int) -> str:
    """The name a paragraph's part goes by in revisions and conflicts: "§ 12"."""
    return f"§ {number}"


def paragraph_numbered(content: MinutesContentJSON, number: int) -> ParagraphJSON | None:
    return next((p for p in content["paragraphs"] if p["number"] == number), None)


def part_of(content: MinutesContentJSON, part: str) -> HeaderJSON | ParagraphJSON | None:
    """The header or a paragraph ("§ 12") of the content."""
    if part == HEADER:
        return content["header"]
    return next((p for p in content["paragraphs"] if part_name(p["number"]) == part), None)


def canonical_bytes(content: MinutesContentJSON) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(content: MinutesContentJSON) -> str:
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


# --- cleaning what the secretary sends -------------------------------------------------------------------


class _Errors:
    """Collects each field's Swedish message, to refuse with all of them at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def attempt(self, key: str, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        """Return ``fn(*args, **kwargs)``, or None with its messages kept (under ``key`` if it gave none)."""
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            self.errors.update(exc.errors or {key: str(exc)})
            return None

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _id(value: object, field: str, label: str, *, required: bool = True) -> int | None:
    if value is None or value == "":
        if required:
            raise ValidationError({field: f"{label} måste anges."})
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError({field: f"{label} anges med sitt nummer."})
    try:
        number = int(value)
    except ValueError:
        raise ValidationError({field: f"{label} anges med sitt nummer."}) from None
    if number < 1:
        raise ValidationError({field: f"{label} anges med sitt nummer."})
    return number


def _list(value: object, field: str, label: str, max_items: int = MAX_ENTRIES) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError({field: f"{label} anges som en lista."})
    if len(value) > max_items:
        raise ValidationError({field: f"{label}: högst {max_items} rader."})
    return value


def _dict(value: object, field: str, label: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError({field: f"{label} har fel form."})
    return value


def _points(value: object, field: str, label: str) -> list[str]:
    """Numbered points (a decision, a proposal): each a text, empty ones dropped."""
    out: list[str] = []
    for i, point in enumerate(_list(value, field, label, MAX_POINTS), start=1):
        text = clean_text(
            point, field=f"{field}.{i}", label=f"{label}, punkt {i}", max_length=POINT_MAX, required=False
        )
        if text:
            out.append(text)
    return out


def _texts(value: object, field: str, label: str, max_length: int = 300) -> list[str]:
    out: list[str] = []
    for i, item in enumerate(_list(value, field, label), start=1):
        text = clean_text(item, field=f"{field}.{i}", label=f"{label}, rad {i}", max_length=max_length, required=False)
        if text:
            out.append(text)
    return out


def _boolean(value: object, field: str, label: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationError({field: f"{label} anges som sant eller falskt."})


def _local_minute(value: object, field: str, label: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValidationError({field: f"{label}: ange datum och klockslag som ÅÅÅÅ-MM-DD TT:MM."})
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError({field: f"{label}: ange datum och klockslag som ÅÅÅÅ-MM-DD TT:MM."}) from None
    if parsed.tzinfo is not None:
        raise ValidationError({field: f"{label} anges i svensk tid, utan tidszon."})
    return parsed.strftime("%Y-%m-%dT%H:%M")


def _only(raw: Mapping[str, Any], allowed: set[str], errors: _Errors) -> None:
    for key in sorted(set(raw) - allowed):
        errors.add(str(key)[:40], "Okänt fält.")


def clean_header(raw: Mapping[str, object], current: HeaderJSON) -> HeaderJSON:
    """The header as sent, over ``current`` (a field not sent keeps its value); ValidationError in Swedish."""
    errors = _Errors()
    raw = _dict(raw, HEADER, "Protokollets uppgifter")
    _only(raw, set(current), errors)
    out = cast(HeaderJSON, dict(current))
    if "attendance" in raw:
        attendance: list[PresenceJSON] = []
        seen: set[int] = set()
        for i, entry in enumerate(
            errors.attempt("attendance", _list, raw["attendance"], "attendance", "Närvaron") or []
        ):
            field = f"attendance.{i + 1}"
            entry = errors.attempt(field, _dict, entry, field, f"Närvarorad {i + 1}")
            if entry is None:
                continue
            seat_id = errors.attempt(field, _id, entry.get("seat_id"), field, f"Närvarorad {i + 1}: ledamoten")
            start = errors.attempt(field, _id, entry.get("from_paragraph"), field, "Från §", required=False)
            until = errors.attempt(field, _id, entry.get("until_paragraph"), field, "Till och med §", required=False)
            serves_for = errors.attempt(field, _id, entry.get("serves_for"), field, "Tjänstgör för", required=False)
            if seat_id is None:
                continue
            if seat_id in seen:
                errors.add(field, f"Närvarorad {i + 1}: samma person står två gånger.")
            seen.add(seat_id)
            if start is not None and until is not None and until < start:
                errors.add(field, f"Närvarorad {i + 1}: avgång (§ {until}) före ankomst (§ {start}).")
            attendance.append(
                {"seat_id": seat_id, "from_paragraph": start, "until_paragraph": until, "serves_for": serves_for}
            )
        out["attendance"] = attendance
    if "others_present" in raw:
        others: list[OtherPresentJSON] = []
        for i, entry in enumerate(
            errors.attempt("others_present", _list, raw["others_present"], "others_present", "Övriga närvarande") or []
        ):
            field = f"others_present.{i + 1}"
            entry = errors.attempt(field, _dict, entry, field, f"Övriga närvarande, rad {i + 1}")
            if entry is None:
                continue
            name = errors.attempt(field, clean_text, entry.get("name"), field=field, label="Namn", max_length=200)
            title = errors.attempt(
                field, clean_text, entry.get("title"), field=field, label="Titel", max_length=200, required=False
            )
            if name:
                others.append({"name": name, "title": title or ""})
        out["others_present"] = others
    if "adjusters" in raw:
        adjusters: list[int] = []
        for i, value in enumerate(errors.attempt("adjusters", _list, raw["adjusters"], "adjusters", "Justerare") or []):
            seat_id = errors.attempt("adjusters", _id, value, "adjusters", f"Justerare {i + 1}")
            if seat_id is not None and seat_id not in adjusters:
                adjusters.append(seat_id)
        out["adjusters"] = adjusters
    if "adjustment_place" in raw:
        place = errors.attempt(
            "adjustment_place",
            clean_text,
            raw["adjustment_place"],
            field="adjustment_place",
            label="Justeringens plats",
            max_length=200,
            required=False,
        )
        out["adjustment_place"] = place or ""
    if "adjustment_at" in raw:
        out["adjustment_at"] = errors.attempt(
            "adjustment_at", _local_minute, raw["adjustment_at"], "adjustment_at", "Justeringens tid"
        )
    errors.raise_any()
    return out


def clean_paragraph(raw: Mapping[str, object], current: ParagraphJSON) -> ParagraphJSON:
    """The paragraph as sent, over ``current`` (a field not sent keeps its value; its number, item and proposal
    are not the writer's to change); ValidationError in Swedish."""
    errors = _Errors()
    raw = _dict(raw, "paragraph", "Paragrafen")
    fixed = {"number", "agenda_item_id", "proposal"}
    _only(raw, set(current) - fixed, errors)
    out = cast(ParagraphJSON, dict(current))
    if "title" in raw:
        title = errors.attempt("title", clean_text, raw["title"], field="title", label="Rubrik", max_length=1000)
        if title:
            out["title"] = title
    if "outcome" in raw:
        value = raw["outcome"]
        if value in (None, ""):
            out["outcome"] = None
        elif value in {o.value for o in ItemOutcome}:
            out["outcome"] = str(value)
        else:
            errors.add("outcome", "Välj beslutat, bordlagt eller återremitterat.")
    if "motions" in raw:
        motions: list[MotionJSON] = []
        for i, entry in enumerate(errors.attempt("motions", _list, raw["motions"], "motions", "Yrkanden") or []):
            field = f"motions.{i + 1}"
            entry = errors.attempt(field, _dict, entry, field, f"Yrkande {i + 1}")
            if entry is None:
                continue
            seat_id = errors.attempt(field, _id, entry.get("seat_id"), field, f"Yrkande {i + 1}: vem som yrkar")
            kind = entry.get("kind")
            if kind not in {k.value for k in MotionKind}:
                errors.add(
                    field, f"Yrkande {i + 1}: välj bifall, avslag, ändring, tillägg, återremiss eller bordläggning."
                )
                continue
            needs_text = kind in (MotionKind.amendment.value, MotionKind.addition.value)
            text = errors.attempt(
                field,
                clean_text,
                entry.get("text"),
                field=field,
                label=f"Yrkande {i + 1}: texten",
                max_length=TEXT_MAX,
                required=needs_text,
            )
            if seat_id is not None and text is not None:
                motions.append({"seat_id": seat_id, "kind": str(kind), "text": text})
        out["motions"] = motions
    if "order_of_questions" in raw:
        out["order_of_questions"] = (
            errors.attempt(
                "order_of_questions",
                _texts,
                raw["order_of_questions"],
                "order_of_questions",
                "Propositionsordning",
                TEXT_MAX,
            )
            or []
        )
    if "vote" in raw:
        out["vote"] = errors.attempt("vote", _clean_vote, raw["vote"])
    if "decision" in raw:
        out["decision"] = errors.attempt("decision", _points, raw["decision"], "decision", "Beslut") or []
    if "reservations" in raw:
        reservations: list[ReservationJSON] = []
        seen: set[int] = set()
        for i, entry in enumerate(
            errors.attempt("reservations", _list, raw["reservations"], "reservations", "Reservationer") or []
        ):
            field = f"reservations.{i + 1}"
            entry = errors.attempt(field, _dict, entry, field, f"Reservation {i + 1}")
            if entry is None:
                continue
            seat_id = errors.attempt(
                field, _id, entry.get("seat_id"), field, f"Reservation {i + 1}: vem som reserverar sig"
            )
            text = errors.attempt(
                field,
                clean_text,
                entry.get("text"),
                field=field,
                label=f"Reservation {i + 1}: texten",
                max_length=TEXT_MAX,
                required=False,
            )
            if seat_id is None:
                continue
            if seat_id in seen:
                errors.add(field, f"Reservation {i + 1}: samma person har redan reserverat sig.")
            seen.add(seat_id)
            reservations.append({"seat_id": seat_id, "text": text or None})
        out["reservations"] = reservations
    if "notes" in raw:
        notes: list[NoteJSON] = []
        for i, entry in enumerate(
            errors.attempt("notes", _list, raw["notes"], "notes", "Protokollsanteckningar") or []
        ):
            field = f"notes.{i + 1}"
            entry = errors.attempt(field, _dict, entry, field, f"Protokollsanteckning {i + 1}")
            if entry is None:
                continue
            seat_id = errors.attempt(field, _id, entry.get("seat_id"), field, "Vem", required=False)
            text = errors.attempt(
                field,
                clean_text,
                entry.get("text"),
                field=field,
                label=f"Protokollsanteckning {i + 1}",
                max_length=TEXT_MAX,
            )
            if text:
                notes.append({"seat_id": seat_id, "text": text})
        out["notes"] = notes
    if "conflicts" in raw:
        conflicts: list[int] = []
        for value in errors.attempt("conflicts", _list, raw["conflicts"], "conflicts", "Jäv") or []:
            seat_id = errors.attempt("conflicts", _id, value, "conflicts", "Jävig ledamot")
            if seat_id is not None and seat_id not in conflicts:
                conflicts.append(seat_id)
        out["conflicts"] = conflicts
    if "immediately_adjusted" in raw:
        flag = errors.attempt(
            "immediately_adjusted", _boolean, raw["immediately_adjusted"], "immediately_adjusted", "Omedelbart justerad"
        )
        if flag is not None:
            out["immediately_adjusted"] = flag
    if "recipients" in raw:
        out["recipients"] = (
            errors.attempt("recipients", _texts, raw["recipients"], "recipients", "Beslutet skickas till") or []
        )
    errors.raise_any()
    return out


def _clean_vote(value: object) -> VoteJSON | None:
    if value is None:
        return None
    vote = _dict(value, "vote", "Omröstningen")
    unknown = set(vote) - {"yes_means", "no_means", "ballots"}
    if unknown:
        raise ValidationError({"vote": "Omröstningen har okända fält: " + ", ".join(sorted(map(str, unknown)))[:200]})
    yes_means = clean_text(vote.get("yes_means"), field="vote", label="Vad ja står för", max_length=TEXT_MAX)
    no_means = clean_text(vote.get("no_means"), field="vote", label="Vad nej står för", max_length=TEXT_MAX)
    ballots: list[BallotJSON] = []
    seen: set[int] = set()
    for i, entry in enumerate(_list(vote.get("ballots"), "vote", "Rösterna"), start=1):
        entry = _dict(entry, "vote", f"Röst {i}")
        seat_id = _id(entry.get("seat_id"), "vote", f"Röst {i}: vem som röstar")
        ballot = entry.get("ballot")
        if ballot not in BALLOTS:
            raise ValidationError({"vote": f"Röst {i}: ange ja, nej eller avstår."})
        if seat_id is None:
            continue
        if seat_id in seen:
            raise ValidationError({"vote": f"Röst {i}: samma person har redan röstat."})
        seen.add(seat_id)
        ballots.append({"seat_id": seat_id, "ballot": cast(BallotValue, ballot)})
    return {"yes_means": yes_means, "no_means": no_means, "ballots": ballots}
