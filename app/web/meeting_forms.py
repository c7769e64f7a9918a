"""Forms of the meeting pages: plan a meeting, the kallelse facts, agenda items, moves, publishing,
outcomes and delegated decisions.

As in registry_forms, the forms only turn text into types; the operations in agenda.operations
decide what is acceptable, and their Swedish messages are the ones the user reads.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from flask import request
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import HiddenInput

from agenda.conventions import conventions_for, markers_for, sections_for
from agenda.models import ItemKind, ItemOutcome
from app.validation import ValidationError
from app.web.registry_forms import INVALID_CHOICE, INVALID_DATE, Required, date_field, id_select, options, text_field

INVALID_TIME = "Ange klockslaget som TT:MM, till exempel 18:00."
INVALID_NUMBER = "Ange ett heltal."
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
#: empty part rows offered after the existing ones (without JavaScript there is no "add" button)
EMPTY_PART_ROWS = 2
MAX_PART_ROWS = 20
_PART = re.compile(r"^part_title_(\d{1,2})$")

#: the kinds the "procedural or other" form offers
SIMPLE_KINDS = [
    (ItemKind.procedural.value, "Formalia (till exempel Val av justerare)"),
    (ItemKind.other.value, "Övrigt"),
]


def parse_time(value: str | None) -> time | None:
    """Turn "18:00" (or "18.00") into a time; None when it is no clock time."""
    match = _TIME.match((value or "").strip())
    if not match:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def combine_start(day: date | None, clock: str | None, *, day_field: str = "day", time_field: str = "time"):
    """Return the naive Swedish-time start of a meeting from its date and time fields, or refuse."""
    errors = {}
    if day is None:
        errors[day_field] = "Ange datum som ÅÅÅÅ-MM-DD, till exempel 2027-02-23."
    parsed = parse_time(clock)
    if parsed is None:
        errors[time_field] = INVALID_TIME
    if errors:
        raise ValidationError(errors)
    return datetime.combine(day, parsed)


def clock_field(label: str = "Klockan", **kwargs) -> StringField:
    """A required clock time (TT:MM); forms.js checks its format as the user leaves the field."""
    return StringField(
        label,
        validators=[Required()],
        description="TT:MM, till exempel 18:00.",
        render_kw={"maxlength": 5, "inputmode": "numeric", "autocomplete": "off", "data-format": "time"},
        **kwargs,
    )


def required_date(label: str, **kwargs) -> DateField:
    """A date field marked required (the operation or the view refuses an empty one)."""
    return DateField(label, validators=[Optional(), Required()], invalid_value_message=INVALID_DATE, **kwargs)


def version_field() -> IntegerField:
    return IntegerField(
        "Version",
        validators=[InputRequired("Formuläret saknar föredragningslistans version. Ladda om sidan.")],
        widget=HiddenInput(),
        invalid_value_message="Formulärets version är felaktig. Ladda om sidan.",
    )


class PlanMeetingForm(FlaskForm):
    committee = id_select("Nämnd", validators=[InputRequired("Välj nämnd.")])
    day = required_date("Datum", description="Till exempel 2027-02-23.")
    time = clock_field()
    place = text_field("Plats", 200, validators=[Required()], description="Till exempel Plenum, Gymnasietorget 1.")
    is_public = BooleanField("Öppet för allmänheten")


class PlanSeriesForm(FlaskForm):
    """Several meetings at once; the ids differ from PlanMeetingForm's, which shares the page."""

    committee = id_select("Nämnd", validators=[InputRequired("Välj nämnd.")], id="serie-committee")
    days = TextAreaField(
        "Datum",
        validators=[Required()],
        render_kw={"rows": 6},
        id="serie-days",
        description="Ett datum per rad, till exempel 2027-02-23.",
    )
    time = clock_field(id="serie-time")
    place = text_field(
        "Plats", 200, validators=[Required()], description="Till exempel Plenum, Gymnasietorget 1.", id="serie-place"
    )
    is_public = BooleanField("Öppna för allmänheten", id="serie-is_public")


def combine_starts(text: str | None, clock: str | None) -> list[datetime]:
    """The naive Swedish-time starts of a series: one date per line at the same clock time, or refuse."""
    parsed = parse_time(clock)
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    errors = {}
    if parsed is None:
        errors["time"] = INVALID_TIME
    bad = []
    days = []
    for line in lines[:200]:
        try:
            days.append(date.fromisoformat(line))
        except ValueError:
            bad.append(line[:20])
    if bad:
        errors["days"] = f"Ange datumen som ÅÅÅÅ-MM-DD, ett per rad. Kan inte läsas: {', '.join(bad)}."
    elif not lines:
        errors["days"] = "Ange minst ett datum."
    if errors:
        raise ValidationError(errors)
    return [datetime.combine(day, parsed) for day in days]


class MeetingFactsForm(FlaskForm):
    day = required_date("Datum")
    time = clock_field()
    place = text_field("Plats", 200, validators=[Required()])
    is_public = BooleanField("Öppet för allmänheten")
    notice_place = text_field("Ort för kallelsen", 100, description="Till exempel Huddinge.")
    notice_date = date_field("Kallelsens datum", description="Det datum kallelsen undertecknas.")
    chair_name = text_field("Ordförande", 200)
    secretary_name = text_field("Sekreterare", 200)


class PlacementFields(FlaskForm):
    """The section an item stands under and its markers, chosen among the committee's (``offer_placement``);
    the operation refuses another committee's."""

    section = SelectField(
        "Avsnitt", choices=[], validate_choice=False, description="Rubriken som punkten står under på listan."
    )
    markers = SelectMultipleField("Markeringar", choices=[], validate_choice=False)

    def placement(self) -> dict:
        return {"section": self.section.data or None, "markers": list(self.markers.data or [])}


def offer_placement(form, committee):
    """Offer the committee's sections and markers on an item's form (and call a later handling as it does)."""
    if hasattr(form, "is_handling_later"):
        form.is_handling_later.label.text = conventions_for(committee).handling_later_text
    form.section.choices = [("", "Inget avsnitt")] + [(str(s.id), s.name) for s in sections_for(committee)]
    form.markers.choices = [(str(m.id), m.label) for m in markers_for(committee)]
    return form


class SimpleItemForm(PlacementFields):
    """A procedural item or another item: a title and a note."""

    kind = SelectField("Typ av punkt", choices=options(SIMPLE_KINDS), invalid_choice_message=INVALID_CHOICE)
    title = text_field("Rubrik", 1000, validators=[Required()])
    note = TextAreaField(
        "Anteckning",
        render_kw={"maxlength": 2000, "rows": 2},
        description="Visas under rubriken, till exempel en länk till remisshandlingar.",
    )


class CaseItemForm(PlacementFields):
    case = id_select(
        "Ärende",
        validators=[InputRequired("Välj ärendet som punkten gäller.")],
        description="Undertecknade tjänsteutlåtanden och ärenden som bordlagts eller återremitterats. "
        "Övriga öppna ärenden kan tas upp med ”Handling kommer senare”.",
    )
    is_handling_later = BooleanField("Handling kommer senare")
    note = TextAreaField(
        "Anteckning",
        render_kw={"maxlength": 2000, "rows": 2},
        description="Till exempel ”Remisshandlingar: https://… (hämtad 2017-01-18)”.",
    )
    external_reference = text_field("Extern referens", 100, description="Till exempel KSL/12/0177-37.")


class DelegationItemForm(PlacementFields):
    title = text_field("Rubrik", 1000, description="Tomt: ”Delgivningar och anmälda delegationsbeslut”.")


def parts_form_class(rows: int, base=FlaskForm, *, with_title: bool = True) -> type:
    """A form class with ``rows`` part rows (part_title_N, part_presenter_N) for an information item."""
    fields: dict = {}
    if with_title:
        fields["title"] = text_field("Rubrik", 1000, description="Tomt: ”Information”.")
    for i in range(1, rows + 1):
        fields[f"part_title_{i}"] = text_field(f"Del {i}", 300)
        fields[f"part_presenter_{i}"] = text_field(
            f"Föredragande i del {i}", 300, description="Namn och titel, till exempel Omar Berg, ekonomichef."
        )
    return type("PartsForm", (base,), fields)


def posted_part_rows() -> int:
    numbers = [int(m.group(1)) for key in request.form if (m := _PART.match(key))]
    return min(max(numbers, default=0), MAX_PART_ROWS)


def information_form(*, from_request: bool, rows: int = 3):
    rows = max(posted_part_rows(), 1) if from_request else rows
    form_class = parts_form_class(rows, InformationBase)
    form = form_class() if from_request else form_class(formdata=None)
    form.part_rows = rows
    return form


class InformationBase(PlacementFields):
    note = TextAreaField("Anteckning", render_kw={"maxlength": 2000, "rows": 2})


class EditItemBase(PlacementFields):
    note = TextAreaField("Anteckning", render_kw={"maxlength": 2000, "rows": 2})
    external_reference = text_field("Extern referens", 100)
    is_handling_later = BooleanField("Handling kommer senare")
    version = version_field()


def edit_item_form(item, *, from_request: bool):
    """The form to change an item: title, note, reference, parts (information items), handling later."""
    parts = list(item.parts or [])
    rows = max(posted_part_rows(), 1) if from_request else len(parts) + EMPTY_PART_ROWS
    form_class = parts_form_class(rows, EditItemBase)
    if from_request:
        form = form_class()
    else:
        data = {
            "title": item.title,
            "note": item.note,
            "external_reference": item.external_reference,
            "is_handling_later": item.is_handling_later,
            "version": item.meeting.agenda_version,
            "section": str(item.section_id or ""),
            "markers": [str(m.id) for m in item.markers],
        }
        for i, part in enumerate(parts, start=1):
            data[f"part_title_{i}"] = part.get("title")
            data[f"part_presenter_{i}"] = part.get("presenter")
        form = form_class(formdata=None, data=data)
    form.title.validators = [Required()]
    form.title.flags.required = True
    form.title.description = ""
    form.part_rows = rows
    return offer_placement(form, item.meeting.committee)


def parts_of(form) -> list[dict]:
    """The parts the form holds, empty rows left out."""
    out = []
    for i in range(1, form.part_rows + 1):
        title = (form[f"part_title_{i}"].data or "").strip()
        presenter = (form[f"part_presenter_{i}"].data or "").strip()
        if title or presenter:
            out.append({"title": title, "presenter": presenter or None})
    return out


def part_errors(exc: ValidationError, form) -> ValidationError:
    """Name the part rows in the operation's errors ("parts.2" → the second used row's title)."""
    used = [
        i
        for i in range(1, form.part_rows + 1)
        if (form[f"part_title_{i}"].data or "").strip() or (form[f"part_presenter_{i}"].data or "").strip()
    ]
    errors = {}
    for name, message in exc.errors.items():
        m = re.fullmatch(r"parts\.(\d+)", name)
        if m and int(m.group(1)) <= len(used):
            name = f"part_title_{used[int(m.group(1)) - 1]}"
        elif name == "parts":
            name = "part_title_1"
        errors[name] = message
    return ValidationError(errors)


class MoveItemForm(FlaskForm):
    """The keyboard alternative to drag and drop: a place number, or one step up or down."""

    position = IntegerField("Flytta till plats", validators=[Optional()], invalid_value_message=INVALID_NUMBER)
    #: "up" or "down" from the buttons; empty: the place number
    direction = StringField("Riktning")
    version = version_field()


class ReadyCasesForm(FlaskForm):
    """The ready cases ticked to be added at once; each row's case, section and note are read by the view
    (``case`` repeated, ``section_<case id>``, ``note_<case id>``)."""

    version = version_field()


class UndoRemovalForm(FlaskForm):
    """ "Ångra": put back the item a removal took off (the removal's audit row)."""

    removal = IntegerField(
        "Borttagning",
        validators=[InputRequired("Det finns ingen borttagen punkt att återställa.")],
        widget=HiddenInput(),
        invalid_value_message="Det finns ingen borttagen punkt att återställa.",
    )


class ReorderForm(FlaskForm):
    version = version_field()
    order = StringField(
        "Ordning", validators=[InputRequired("Ange ordningen som punkternas id, åtskilda med kommatecken.")]
    )

    def order_ids(self) -> list[int]:
        parts = [p.strip() for p in (self.order.data or "").split(",")]
        if not parts or not all(p.isdigit() and len(p) <= 10 for p in parts):
            raise ValidationError({"order": "Ordningen anges som punkternas id, åtskilda med kommatecken."})
        return [int(p) for p in parts]


class OutcomeForm(FlaskForm):
    outcome = SelectField(
        "Utfall",
        choices=options(((o.value, o.label) for o in ItemOutcome), "Välj utfall"),
        validators=[InputRequired("Välj beslutat, bordlagt eller återremitterat.")],
        invalid_choice_message=INVALID_CHOICE,
    )


class PublishForm(FlaskForm):
    late_reason = TextAreaField(
        "Skäl till sen publicering",
        render_kw={"maxlength": 1000, "rows": 3},
        description="Sista dag för kallelsen har passerat. Skälet sparas i loggen.",
    )


class CancelMeetingForm(FlaskForm):
    """Ställ in sammanträdet: the reason (required; agenda.cancellation checks it)."""

    reason = TextAreaField(
        "Skäl till att sammanträdet ställs in",
        render_kw={"maxlength": 1000, "rows": 3, "required": True},
        description="Skälet skickas till ledamöter och ersättare och sparas i loggen. "
        "Det visas inte på de offentliga sidorna.",
    )


class DelegationDecisionForm(FlaskForm):
    committee = id_select("Nämnd", validators=[InputRequired("Välj nämnd.")])
    decided_on = required_date("Beslutsdatum")
    decision_maker = text_field(
        "Beslutsfattare",
        200,
        validators=[Required()],
        description="Namn och titel, till exempel Eva Strand, socialdirektör.",
    )
    delegation_point = text_field(
        "Punkt i delegationsordningen", 50, validators=[Required()], description="Till exempel 3.1.2."
    )
    case = id_select("Ärende", validate_choice=False, description="Frivilligt.")
    summary = TextAreaField(
        "Beslutet i korthet",
        validators=[Required()],
        render_kw={"maxlength": 1000, "rows": 3},
        description="Utan uppgifter som omfattas av sekretess.",
    )


class GiveToChairForm(FlaskForm):
    """Ordförandeberedning: the draft agenda given to the committee's chair, with a message if the secretary likes."""

    note = TextAreaField(
        "Meddelande till ordföranden (frivilligt)",
        render_kw={"maxlength": 2000, "rows": 3},
    )


class ChairCommentForm(FlaskForm):
    """The chair's comment on an item of the draft (``item_id``) or on the whole (empty)."""

    item_id = StringField(widget=HiddenInput())
    body = TextAreaField("Kommentar", render_kw={"maxlength": 4000, "rows": 3})
