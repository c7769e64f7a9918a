"""Forms of the diarium and classification pages, their select options and the shared submit flow."""

# The forms only turn text into types (ids, dates, choices); the operations in app.registry.operations
# decide what is acceptable, so their Swedish messages are the ones the user reads.

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import flash, redirect
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from app.auth.models import Role, User
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Committee, Municipality
from app.registry.diaria import registering_diarium
from app.registry.models import CaseStatus, ClassificationCode, Direction
from app.registry.numbering import number_format
from app.registry.operations import TITLE_MAX
from app.registry.public_register import PublicDiariumQuery
from app.registry.queries import CaseFilter, Officer, case_officers
from app.validation import ConflictError, ValidationError
from app.web.forms import apply_errors

INVALID_CHOICE = "Välj ett av alternativen i listan."
INVALID_DATE = "Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2017-02-23."
REFERENCE_HINT = (
    "Ett nummer från en annan organisation som ärendet gäller, till exempel KSL/12/0177-37. "
    "Det blir aldrig ärendets eget diarienummer."
)
PROVISION_HINT = "Till exempel 26 kap. 1 § OSL."
PUBLIC_TITLE_HINT = (
    "Visas för den som inte får se sekretessen, i stället för ärendemeningen. "
    "Skriv den utan namn och andra uppgifter som omfattas av sekretess."
)


def optional_int(value) -> int | None:
    """Turn a submitted id into an int; empty means none."""
    if value is None or value == "":
        return None
    return int(value)


def optional_text(value) -> str | None:
    """Turn empty text into None."""
    return value or None


def optional_status(value) -> CaseStatus | None:
    """Turn a submitted status into a CaseStatus; empty means any."""
    if value is None or value == "":
        return None
    return CaseStatus(value)


class Required:
    """Mark a field required (asterisk, ``required`` attribute); the operation does the checking."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


def id_select(label: str, *, validate_choice: bool = True, **kwargs) -> SelectField:
    """Make a select of database ids with Swedish error messages."""
    return SelectField(
        label,
        coerce=optional_int,
        validate_choice=validate_choice,
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
        **kwargs,
    )


def date_field(label: str, **kwargs) -> DateField:
    """Make an optional date field (ÅÅÅÅ-MM-DD) with a Swedish error message."""
    return DateField(label, validators=[Optional()], invalid_value_message=INVALID_DATE, **kwargs)


def text_field(label: str, max_length: int, **kwargs) -> StringField:
    """Make a one-line text field; the operation checks the length, the browser gets it as a limit."""
    return StringField(label, render_kw={"maxlength": max_length}, **kwargs)


def title_field(label: str = "Ärendemening", **kwargs) -> TextAreaField:
    """Make an ärendemening field; the operation checks that it is given and at most 500 characters."""
    return TextAreaField(label, render_kw={"maxlength": TITLE_MAX, "rows": 3}, **kwargs)


def reference_field() -> StringField:
    return text_field("Extern referens", 100, description=REFERENCE_HINT)


def confidential_field(what: str) -> BooleanField:
    return BooleanField(f"Sekretessmarkera {what}")


def provision_field() -> StringField:
    return text_field("Sekretessbestämmelse", 200, description=PROVISION_HINT)


def public_title_field() -> TextAreaField:
    return title_field("Offentlig ärendemening", description=PUBLIC_TITLE_HINT)


def options(items: Iterable[tuple], placeholder: str | None = None) -> list[SelectChoice]:
    """Return select options from (value, label) pairs, with an empty first option if given."""
    head = [SelectChoice("", placeholder)] if placeholder else []
    return head + [SelectChoice(str(value), label) for value, label in items]


def committee_options(committees: list[Committee]) -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in committees]


def classification_options(municipality: Municipality | None, *, active_only: bool) -> list[tuple[str, str]]:
    """Return the municipality's classification codes as (code, "181 – Name")."""
    if municipality is None:
        return []
    stmt = select(ClassificationCode).where(ClassificationCode.municipality_id == municipality.id)
    if active_only:
        stmt = stmt.where(ClassificationCode.is_active.is_(True))
    out = []
    for item in db.session.scalars(stmt.order_by(ClassificationCode.code)):
        retired = "" if item.is_active else " (används inte längre)"
        out.append((item.code, f"{item.code} – {item.name}{retired}"))
    return out


def case_officer_options(committees: list[Committee], *, with_committee: bool) -> list[tuple[int, str]]:
    """Return the active case officers of ``committees`` as (user id, name), labelled with their committees."""
    names: dict[Officer, list[str]] = {}
    for user, committee_name in case_officers(committees):
        names.setdefault(user, []).append(committee_name)
    if not with_committee:
        return [(user.id, user.name) for user in names]
    return [(user.id, f"{user.name} ({', '.join(c)})") for user, c in names.items()]


class SearchForm(FlaskForm):
    """The diarium search; a GET form, so without CSRF token."""

    class Meta:
        csrf = False

    committee = id_select("Nämnd")
    number = text_field(
        "Diarienummer", 200, description="Hela numret, till exempel SN-2016/3342.181, eller en del av det."
    )
    q = text_field("Fritext", 200, description="Ord i ärendemeningen, diarienumret eller den externa referensen.")
    case_officer = id_select("Handläggare")
    registered_from = date_field("Registrerat från och med")
    registered_to = date_field("Registrerat till och med")
    status = SelectField(
        "Status",
        coerce=optional_status,
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
        choices=options(((s.value, s.label) for s in CaseStatus), "Alla"),
    )
    classification = SelectField("Klassificering", coerce=optional_text, invalid_choice_message=INVALID_CHOICE)

    def offer(self, committees: list[Committee], municipality: Municipality | None) -> None:
        """Fill the selects with what the user may search among."""
        self.committee.choices = options(committee_options(committees), "Alla mina nämnder")
        self.case_officer.choices = options(case_officer_options(committees, with_committee=False), "Alla")
        self.classification.choices = options(classification_options(municipality, active_only=False), "Alla")

    def case_filter(self) -> CaseFilter:
        """Return the search as the query's filter (call after ``validate()``)."""
        return CaseFilter(
            committee_id=self.committee.data,
            number=(self.number.data or "").strip() or None,
            q=(self.q.data or "").strip() or None,
            case_officer_id=self.case_officer.data,
            registered_from=self.registered_from.data,
            registered_to=self.registered_to.data,
            status=self.status.data,
            classification=self.classification.data,
        )


class RegisterCaseForm(FlaskForm):
    committee = id_select("Nämnd", validators=[InputRequired("Välj nämnd.")])
    title = title_field(validators=[Required()])
    # Required by the operation when the committee's diarium writes the code in its numbers.
    classification_code = SelectField("Klassificering", validate_choice=False)
    # The operation refuses an officer of another committee with a message naming both.
    case_officer_id = id_select("Ansvarig handläggare", validators=[Required()], validate_choice=False)
    external_reference = reference_field()
    is_confidential = confidential_field("ärendet")
    secrecy_provision = provision_field()
    public_title = public_title_field()

    def offer(self, committees: list[Committee], municipality: Municipality) -> None:
        """Fill the selects: the committees the user may register in, their codes and officers."""
        several = len(committees) > 1
        self.committee.choices = options(committee_options(committees), "Välj nämnd" if several else None)
        self.classification_code.choices = options(
            classification_options(municipality, active_only=True), "Välj klassificering"
        )
        self.case_officer_id.choices = options(
            case_officer_options(committees, with_committee=True), "Välj handläggare"
        )
        # Whether a code is needed follows the diaria the committees register in: required where the
        # numbers write it ({class}), optional where they do not.
        writes_code = {
            number_format(d.number_format if d else c.municipality.registration_number_format).uses_class
            for c, d in ((c, registering_diarium(c)) for c in committees)
        } or {True}
        if writes_code == {True}:
            self.classification_code.flags.required = True
        elif writes_code == {False}:
            self.classification_code.description = "Frivillig: diariets nummer skriver ingen klassificeringskod."
        else:
            self.classification_code.description = "Krävs för nämnder vars diarium skriver koden i numret."

    def preselect(self, committees: list[Committee], user: User) -> None:
        """Choose the only committee, and the user as officer if they are one."""
        if len(committees) == 1:
            self.committee.data = committees[0].id
        if any(Role.case_officer in user.roles_in(c.id) for c in committees):
            self.case_officer_id.data = user.id


class EditCaseForm(FlaskForm):
    title = title_field(validators=[Required()])
    case_officer_id = id_select("Ansvarig handläggare", validators=[Required()], validate_choice=False)
    external_reference = reference_field()

    def offer(self, committee: Committee) -> None:
        """Fill the officer select with the case officers of the case's committee."""
        self.case_officer_id.choices = options(
            case_officer_options([committee], with_committee=False), "Välj handläggare"
        )


class CaseConfidentialityForm(FlaskForm):
    is_confidential = confidential_field("ärendet")
    secrecy_provision = provision_field()
    public_title = public_title_field()


class DocumentForm(FlaskForm):
    direction = SelectField(
        "Riktning", invalid_choice_message=INVALID_CHOICE, choices=options((d.value, d.label) for d in Direction)
    )
    document_date = date_field("Datum", default=local_today, description="Handlingens datum, ÅÅÅÅ-MM-DD.")
    counterparty = text_field(
        "Avsändare/mottagare", 300, description="Avsändare för inkommande, mottagare för utgående handlingar."
    )
    description = TextAreaField(
        "Beskrivning",
        validators=[Required()],
        render_kw={"maxlength": 500, "rows": 3},
        description="Kort, utan uppgifter som omfattas av sekretess.",
    )
    external_reference = reference_field()
    is_confidential = confidential_field("handlingen")
    secrecy_provision = provision_field()


class VoidForm(FlaskForm):
    reason = TextAreaField(
        "Skäl till makuleringen",
        validators=[Required()],
        render_kw={"maxlength": 1000, "rows": 3},
        description="Till exempel ”Registrerat två gånger, se SN-2017/50.182”.",
    )


class ClassificationForm(FlaskForm):
    code = text_field(
        "Kod", 30, validators=[Required()], description="Siffror, gärna med punkter, till exempel 181 eller 2.3.1."
    )
    name = text_field("Benämning", 200, validators=[Required()])


class ClassificationEditForm(FlaskForm):
    name = text_field("Benämning", 200, validators=[Required()])
    # No description: the checkbox branch of the ``field`` macro does not render hints.
    is_active = BooleanField("Används för nya ärenden")


def form_status(form: FlaskForm) -> int:
    """Answer 400 for a value the form never offered (a forged request), else 422 (content to correct)."""
    return 400 if any(INVALID_CHOICE in field.errors for field in form) else 422


def submit(form: FlaskForm, operation: Callable[[], tuple[str, str]], render: Callable[[int], object]):
    """Run ``operation`` (it returns the flash message and where to go) on a valid ``form``, else ``render(status)``."""
    if not form.is_submitted():
        return render(200)
    if form.validate():
        try:
            message, location = operation()
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        except ConflictError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return render(409)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(location)
    return render(form_status(form))


class PublicDiariumForm(FlaskForm):
    """The public diarium's search (no log-in); a GET form, so without CSRF token."""

    class Meta:
        csrf = False

    visa = SelectField(
        "Visa",
        choices=options([("arenden", "Ärenden"), ("handlingar", "Registrerade handlingar")]),
        default="arenden",
        validate_choice=True,
        invalid_choice_message=INVALID_CHOICE,
    )
    committee = id_select("Nämnd")
    q = text_field("Sökord", 200, description="Ord i ärendemeningen eller handlingens beskrivning, eller diarienumret.")
    date_from = date_field("Från och med datum")
    date_to = date_field("Till och med datum")

    def offer(self, committees: list[Committee]) -> None:
        self.committee.choices = options(committee_options(committees), "Alla nämnder")

    def query(self) -> PublicDiariumQuery:
        """The search as the public register's query (call after ``validate()``)."""
        return PublicDiariumQuery(
            committee_id=self.committee.data,
            q=(self.q.data or "").strip() or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )
