"""Forms of the report pages: the editor laid out like the document, workflow actions, bilagor; the flow helper."""

# As in registry_forms, the forms only turn text into types; the operations in workflows.*
# decide what is acceptable, and their Swedish messages are the ones the user reads.

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flask import flash, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from app.extensions import db
from app.validation import ForbiddenError, ValidationError
from app.web.registry_forms import INVALID_CHOICE, Required, date_field, id_select, options, submit, text_field
from workflows.content import MAX_PROPOSALS, ReportContent

RICH_TEXT_HINT = (
    "Utan JavaScript skriver du texten som enkel HTML: <p>stycke</p>, <h3>underrubrik</h3>, <strong>fet</strong>, "
    '<em>kursiv</em>, <ul> eller <ol> med <li>punkter</li> och <a href="https://…">länkar</a>. '
    "All annan kod tas bort när du sparar."
)
PROPOSALS_HINT = (
    "Varje punkt blir en numrerad beslutspunkt. Tomma rader hoppas över. Kryssa i ”Omedelbart "
    "justerad” om paragrafen ska förklaras omedelbart justerad."
)
#: empty proposal rows offered after the existing ones (without JavaScript there is no "add" button)
EMPTY_ROWS = 3
_ROW = re.compile(r"^proposal_(\d{1,3})$")


class TransitionForm(FlaskForm):
    """A workflow button with its comment (with_ids() gives each button on the page its own ids)."""

    comment = TextAreaField("Kommentar", render_kw={"maxlength": 4000, "rows": 3})


class WithdrawForm(TransitionForm):
    """Återkalla utlåtandet: its comment, and the box that confirms it (the page's confirmation without JavaScript)."""

    confirm = BooleanField("Ja, återkalla utlåtandet")

    def confirmed(self) -> None:
        """Refuse, on the box, a withdrawal that was not confirmed."""
        if not self.confirm.data:
            raise ValidationError({"confirm": "Kryssa i rutan för att bekräfta att utlåtandet ska återkallas."})


class ProposalRows:
    """Which proposal rows a form has and which of them hold text (to name errors "proposals.N")."""

    def __init__(self, count: int):
        self.count = count
        self.used: list[int] = []


def posted_rows() -> int:
    """Return the number of proposal rows in the posted form (the highest row number, capped)."""
    numbers = [int(m.group(1)) for key in request.form if (m := _ROW.match(key))]
    return min(max(numbers, default=0), MAX_PROPOSALS + 20)


def editor_form(
    sections: dict[str, str],
    people: dict[str, dict],
    content: ReportContent,
    based_on: int,
    *,
    from_request: bool,
    required: dict[str, str],
) -> FlaskForm:
    """Return the editor for ``sections`` (key → heading; ``required`` marked): posted values, or ``content``."""
    rows = max(posted_rows(), 1) if from_request else len(content.proposals) + EMPTY_ROWS
    fields: dict = {
        "title": TextAreaField(
            "Rubrik",
            validators=[Required()],
            render_kw={"maxlength": 500, "rows": 2},
            description="Utlåtandets rubrik, oftast ärendemeningen.",
        ),
        "report_date": date_field("Datum", description="Utlåtandets datum, ÅÅÅÅ-MM-DD."),
    }
    for i in range(1, rows + 1):
        fields[f"proposal_{i}"] = TextAreaField(f"Beslutspunkt {i}", render_kw={"maxlength": 2000, "rows": 2})
        fields[f"adjusted_{i}"] = BooleanField("Omedelbart justerad")
    for key, heading in sections.items():
        fields[f"section_{key}"] = TextAreaField(
            heading,
            description=RICH_TEXT_HINT,
            validators=[Required()] if key in required else [],
            render_kw={"rows": 8, "data-rich-text": "true"},
        )
    fields["recipients"] = TextAreaField(
        "Beslutet delges", render_kw={"rows": 4}, description="En mottagare per rad, till exempel Kommunstyrelsen."
    )
    fields["signatories"] = SelectMultipleField(
        "Undertecknare",
        choices=options((value, _person(p)) for value, p in people.items()),
        invalid_choice_message=INVALID_CHOICE,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="Namn och titel hämtas från användaren. Undertecknarna står i den här ordningen.",
    )
    fields["based_on"] = IntegerField(
        "Version",
        validators=[InputRequired("Formuläret saknar version. Ladda om sidan.")],
        widget=HiddenInput(),
        invalid_value_message="Formulärets version är felaktig. Ladda om sidan.",
    )
    form_class = type("ReportEditorForm", (FlaskForm,), fields)
    if from_request:
        form = form_class()
    else:
        form = form_class(formdata=None, data=_initial(content, people, based_on))
    form.rows = ProposalRows(rows)
    form.sections = sections
    return form


def _person(signatory: dict) -> str:
    """Return "Name, title" for a signatory option."""
    return ", ".join(part for part in (signatory["name"], signatory.get("title")) if part)


def _initial(content: ReportContent, people: dict[str, dict], based_on: int) -> dict:
    """Return the editor's field values for ``content``."""
    data = {
        "title": content.title,
        "report_date": content.report_date,
        "based_on": based_on,
        "recipients": "\n".join(content.recipients),
        "signatories": [value for value, p in people.items() if _signs(p, content)],
    }
    for i, proposal in enumerate(content.proposals, start=1):
        data[f"proposal_{i}"] = proposal.text
        data[f"adjusted_{i}"] = proposal.immediately_adjusted
    for key, html in content.sections.items():
        data[f"section_{key}"] = html
    if data["report_date"]:
        data["report_date"] = date.fromisoformat(data["report_date"])
    return data


def _signs(person: dict, content: ReportContent) -> bool:
    """Answer whether ``person`` is among the content's signatories."""
    if person["user_id"] is not None:
        return any(s.user_id == person["user_id"] for s in content.signatories)
    return any(s.user_id is None and s.name == person["name"] for s in content.signatories)


def editor_raw(form: FlaskForm, people: dict[str, dict]) -> dict:
    """Return the posted editor as the raw content save_revision() takes (empty proposal rows left out)."""
    proposals = []
    form.rows.used = []
    for i in range(1, form.rows.count + 1):
        text = form[f"proposal_{i}"].data or ""
        if text.strip():
            form.rows.used.append(i)
            proposals.append({"text": text, "immediately_adjusted": bool(form[f"adjusted_{i}"].data)})
    chosen = set(form.signatories.data or [])
    return {
        "title": form.title.data or "",
        "report_date": form.report_date.data,
        "sections": {key: form[f"section_{key}"].data or "" for key in form.sections},
        "proposals": proposals,
        "recipients": form.recipients.data or "",
        "signatories": [person for value, person in people.items() if value in chosen],
    }


def editor_errors(form: FlaskForm, exc: ValidationError) -> ValidationError:
    """Name the editor's fields in the content's errors ("sections.summary" → section_summary)."""
    errors = {}
    for name, message in exc.errors.items():
        if name.startswith("sections.") and f"section_{name[9:]}" in form:
            name = f"section_{name[9:]}"
        elif (m := re.fullmatch(r"proposals\.(\d+)", name)) and int(m.group(1)) <= len(form.rows.used):
            name = f"proposal_{form.rows.used[int(m.group(1)) - 1]}"
        errors[name] = message
    return ValidationError(errors)


def with_ids(form: FlaskForm, suffix) -> FlaskForm:
    """Give the form's fields ids of their own, for several forms of one kind on a page."""
    for f in form:
        if f.name != "csrf_token":
            f.id = f.label.field_id = f"{f.name}-{suffix}"
    return form


class CoEditorForm(FlaskForm):
    user = id_select("Lägg till medförfattare", validators=[InputRequired("Välj en handläggare.")])


class CompareForm(FlaskForm):
    """Which two versions to compare; a GET form, so without CSRF token."""

    class Meta:
        csrf = False

    a = SelectField(
        "Jämför version", coerce=int, invalid_value_message=INVALID_CHOICE, invalid_choice_message=INVALID_CHOICE
    )
    b = SelectField(
        "med version", coerce=int, invalid_value_message=INVALID_CHOICE, invalid_choice_message=INVALID_CHOICE
    )


class UploadForm(FlaskForm):
    file = FileField(
        "Fil",
        validators=[Required()],
        description="PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG eller TXT. Typen kontrolleras mot innehållet.",
    )
    title = text_field("Rubrik", 300, description="Till exempel ”Verksamhetsberättelse 2016”. Tomt: filens namn.")
    is_confidential = BooleanField("Sekretessmarkera bilagan (publiceras aldrig)")


class LinkForm(FlaskForm):
    document = id_select("Registrerad handling", validators=[InputRequired("Välj en handling.")])
    title = text_field("Rubrik", 300, description="Tomt: handlingens beskrivning i diariet.")


class ReplaceForm(FlaskForm):
    """Replace one bilaga's file (with_ids() gives each bilaga on the page its own ids)."""

    file = FileField("Ny fil", validators=[Required()])


class MoveForm(FlaskForm):
    position = IntegerField(
        "Plats", validators=[InputRequired("Ange en plats.")], invalid_value_message="Ange platsen som ett heltal."
    )


class ConfidentialForm(FlaskForm):
    is_confidential = BooleanField("Sekretessmarkerad")


def run(form: FlaskForm, operation: Callable[[], tuple[str, str]], render: Callable[[int], object]):
    """Run submit(); a ForbiddenError gives 403 (its rollback drops the messages the operation queued)."""
    try:
        return submit(form, operation, render)
    except ForbiddenError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return render(403)
