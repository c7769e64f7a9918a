"""Forms of the protokoll's pages: the committee's seats, förhinder, yrkanden filed in advance, and the
protokoll's header and paragraphs.

As elsewhere the forms only turn text into types; the operations in agenda.minutes decide what is acceptable and
their Swedish messages are the ones the user reads. The protokoll's parts have rows that vary with the committee
and the paragraph (a row per seat, per yrkande, per decision point), so they are read from the posted fields
into the plain data ``agenda.minutes.content`` cleans, by ``header_raw`` and ``paragraph_raw``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import HiddenInput

from agenda.minutes.content import HeaderJSON, ParagraphJSON
from agenda.minutes.models import MOTION_LABELS, CommitteeSeat, SeatKind, SeatOffice
from app.web.registry_forms import INVALID_CHOICE, id_select, options, text_field

INVALID_NUMBER = "Ange ett heltal."
#: empty rows offered after the filled ones (without JavaScript there is no "add a row" button)
EMPTY_ROWS = 2
#: the most rows of one kind a posted form is read for
MAX_ROWS = 100

MOTION_CHOICES = [(kind.value, label) for kind, label in MOTION_LABELS.items()]


class SeatForm(FlaskForm):
    """Add a ledamot or ersättare, or change one (``is_active`` only when changing)."""

    kind = SelectField(
        "Ledamot eller ersättare",
        choices=[(k.value, k.label) for k in SeatKind],
        validators=[InputRequired("Välj ledamot eller ersättare.")],
        invalid_choice_message=INVALID_CHOICE,
    )
    name = text_field("Namn", 200, description="Som protokollet skriver det, till exempel ”Gunnel Hedberg”.")
    party = text_field("Parti", 20, description="Partiets förkortning, till exempel S, M eller MP.")
    office = SelectField(
        "Uppdrag",
        choices=options(((o.value, o.label) for o in SeatOffice), "Inget"),
        default="",
        invalid_choice_message=INVALID_CHOICE,
    )
    user = id_select("Användarkonto", description="Kontot den som har platsen loggar in med, om hen har något.")
    is_active = BooleanField("Platsen är aktiv", description="En avgången ledamot behåller sin rad i protokollen.")


def offer_holders(form: SeatForm, holders: Sequence[tuple[int, str]]) -> SeatForm:
    form.user.choices = [("", "Inget konto"), *holders]
    return form


class MoveSeatForm(FlaskForm):
    """A place in the order, or one step up or down."""

    position = IntegerField("Flytta till plats", validators=[Optional()], invalid_value_message=INVALID_NUMBER)
    #: "up" or "down" from the buttons; empty: the place number
    direction = StringField("Riktning")


class AbsenceForm(FlaskForm):
    """Report förhinder: for one's own seat, or (the secretary) for the seat chosen."""

    seat = id_select("Vem har förhinder")
    reason = TextAreaField(
        "Meddelande till sekreteraren",
        render_kw={"maxlength": 1000, "rows": 2},
        description="Frivilligt, till exempel ”Bortrest”.",
    )


class MotionForm(FlaskForm):
    kind = SelectField(
        "Slag av yrkande",
        choices=options(MOTION_CHOICES, "Välj slag"),
        default="",
        invalid_choice_message=INVALID_CHOICE,
    )
    text = TextAreaField("Yrkandet", render_kw={"maxlength": 4000, "rows": 4})


class OpenParagraphForm(FlaskForm):
    """Give an agenda item (or every item still without one: empty) its paragraph."""

    item = id_select("Punkt")


class MinutesPartForm(FlaskForm):
    """The protokoll's header or a paragraph: the revision the change starts from; the rest is read by
    ``header_raw`` and ``paragraph_raw``."""

    based_on = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired("Ange vilken version av protokollet ändringen utgår från.")],
        invalid_value_message="Ange vilken version av protokollet ändringen utgår från.",
    )


# --- reading the protokoll's parts from the posted fields --------------------------------------------------


def _get(form: Mapping[str, str], key: str) -> str:
    return (form.get(key) or "").strip()


def _number(form: Mapping[str, str], key: str) -> str | None:
    """A § number or a seat id as posted ("" → None); the content's cleaner judges it."""
    return _get(form, key) or None


def _lines(form: Mapping[str, str], key: str) -> list[str]:
    return [line.strip() for line in (form.get(key) or "").splitlines() if line.strip()]


def _indexed(form: Mapping[str, str], prefix: str) -> list[int]:
    """The row numbers posted under ``prefix`` ("motion_kind_3" → 3), in order."""
    found: set[int] = set()
    for key in form:
        if key.startswith(prefix):
            rest = key[len(prefix) :]
            if rest.isdigit() and 1 <= int(rest) <= MAX_ROWS:
                found.add(int(rest))
    return sorted(found)


Where = dict[str, str]


def header_raw(form: Mapping[str, str], seats: Sequence[CommitteeSeat]) -> tuple[dict[str, object], Where]:
    """The header as posted: a row per seat (present, from §, until §, serving for whom), others present (a
    line each, "Namn, titel"), the justerare, and the place and time of justering; with where each row's error
    ("attendance.2") is shown (the field's id)."""
    attendance: list[dict[str, object]] = []
    where: Where = {"others_present": "others_present", "adjusters": "adjusters"}
    for seat in seats:
        if not form.get(f"present_{seat.id}"):
            continue
        where[f"attendance.{len(attendance) + 1}"] = f"present_{seat.id}"
        attendance.append(
            {
                "seat_id": seat.id,
                "from_paragraph": _number(form, f"from_{seat.id}"),
                "until_paragraph": _number(form, f"until_{seat.id}"),
                "serves_for": _number(form, f"serves_for_{seat.id}") if seat.kind is SeatKind.deputy else None,
            }
        )
    others = []
    for line in _lines(form, "others_present"):
        name, _, title = line.partition(",")
        others.append({"name": name.strip(), "title": title.strip()})
        where[f"others_present.{len(others)}"] = "others_present"
    adjusters = [seat.id for seat in seats if form.get(f"adjuster_{seat.id}")]
    raw: dict[str, object] = {
        "attendance": attendance,
        "others_present": others,
        "adjusters": adjusters,
        "adjustment_place": _get(form, "adjustment_place"),
        "adjustment_at": _get(form, "adjustment_at").replace(" ", "T", 1) or None,
    }
    return raw, where


def paragraph_raw(form: Mapping[str, str], seats: Sequence[CommitteeSeat]) -> tuple[dict[str, object], Where]:
    """The paragraph as posted, with where each row's error is shown; a row left empty is dropped, a half-filled
    one goes to the cleaner."""
    where: Where = {"vote": "has_vote", "outcome": "outcome", "title": "title", "conflicts": "conflicts"}
    where.update({"order_of_questions": "order_of_questions", "recipients": "recipients"})
    motions = []
    for i in _indexed(form, "motion_kind_"):
        seat, kind, text = (
            _get(form, f"motion_seat_{i}"),
            _get(form, f"motion_kind_{i}"),
            _get(form, f"motion_text_{i}"),
        )
        if seat or kind or text:
            motions.append({"seat_id": seat or None, "kind": kind, "text": text})
            where[f"motions.{len(motions)}"] = f"motion_seat_{i}"
    vote: dict[str, object] | None = None
    if form.get("has_vote"):
        ballots = []
        for seat in seats:
            ballot = _get(form, f"ballot_{seat.id}")
            if ballot:
                ballots.append({"seat_id": seat.id, "ballot": ballot})
        vote = {"yes_means": _get(form, "yes_means"), "no_means": _get(form, "no_means"), "ballots": ballots}
    reservations = []
    for i in _indexed(form, "reservation_seat_"):
        who, text = _get(form, f"reservation_seat_{i}"), _get(form, f"reservation_text_{i}")
        if who or text:
            reservations.append({"seat_id": who or None, "text": text or None})
            where[f"reservations.{len(reservations)}"] = f"reservation_seat_{i}"
    notes = []
    for i in _indexed(form, "note_text_"):
        who, text = _get(form, f"note_seat_{i}"), _get(form, f"note_text_{i}")
        if who or text:
            notes.append({"seat_id": who or None, "text": text})
            where[f"notes.{len(notes)}"] = f"note_text_{i}"
    decision = []
    for i in _indexed(form, "decision_"):
        decision.append(_get(form, f"decision_{i}"))
        where[f"decision.{len(decision)}"] = f"decision_{i}"
    where["decision"] = "decision_1"
    raw: dict[str, object] = {
        "title": _get(form, "title"),
        "outcome": _get(form, "outcome") or None,
        "motions": motions,
        "order_of_questions": _lines(form, "order_of_questions"),
        "vote": vote,
        "decision": decision,
        "reservations": reservations,
        "notes": notes,
        "conflicts": [seat.id for seat in seats if form.get(f"conflict_{seat.id}")],
        "immediately_adjusted": bool(form.get("immediately_adjusted")),
        "recipients": _lines(form, "recipients"),
    }
    return raw, where


def header_values(header: HeaderJSON) -> dict[str, str]:
    """The header as the form's fields show it (the inverse of ``header_raw``)."""
    values: dict[str, str] = {}
    for presence in header["attendance"]:
        seat_id = presence["seat_id"]
        values[f"present_{seat_id}"] = "y"
        values[f"from_{seat_id}"] = str(presence["from_paragraph"] or "")
        values[f"until_{seat_id}"] = str(presence["until_paragraph"] or "")
        values[f"serves_for_{seat_id}"] = str(presence["serves_for"] or "")
    for seat_id in header["adjusters"]:
        values[f"adjuster_{seat_id}"] = "y"
    values["others_present"] = "\n".join(
        f"{o['name']}, {o['title']}" if o["title"] else o["name"] for o in header["others_present"]
    )
    values["adjustment_place"] = header["adjustment_place"]
    values["adjustment_at"] = (header["adjustment_at"] or "").replace("T", " ")
    return values


def paragraph_values(paragraph: ParagraphJSON) -> dict[str, str]:
    """The paragraph as the form's fields show it (the inverse of ``paragraph_raw``)."""
    values: dict[str, str] = {
        "title": paragraph["title"],
        "outcome": paragraph["outcome"] or "",
        "order_of_questions": "\n".join(paragraph["order_of_questions"]),
        "recipients": "\n".join(paragraph["recipients"]),
    }
    for i, motion in enumerate(paragraph["motions"], start=1):
        values.update(
            {
                f"motion_seat_{i}": str(motion["seat_id"]),
                f"motion_kind_{i}": motion["kind"],
                f"motion_text_{i}": motion["text"],
            }
        )
    vote = paragraph["vote"]
    if vote is not None:
        values.update({"has_vote": "y", "yes_means": vote["yes_means"], "no_means": vote["no_means"]})
        for ballot in vote["ballots"]:
            values[f"ballot_{ballot['seat_id']}"] = ballot["ballot"]
    for i, point in enumerate(paragraph["decision"], start=1):
        values[f"decision_{i}"] = point
    for i, reservation in enumerate(paragraph["reservations"], start=1):
        values[f"reservation_seat_{i}"] = str(reservation["seat_id"])
        values[f"reservation_text_{i}"] = reservation["text"] or ""
    for i, note in enumerate(paragraph["notes"], start=1):
        values[f"note_seat_{i}"] = str(note["seat_id"] or "")
        values[f"note_text_{i}"] = note["text"]
    for seat_id in paragraph["conflicts"]:
        values[f"conflict_{seat_id}"] = "y"
    if paragraph["immediately_adjusted"]:
        values["immediately_adjusted"] = "y"
    return values


def rows(values: Mapping[str, str], prefix: str, *, empty: int = EMPTY_ROWS) -> list[int]:
    """The row numbers a list shows: the filled ones, then ``empty`` more."""
    filled = _indexed(values, prefix)
    last = max(filled, default=0)
    return list(range(1, last + empty + 1))
