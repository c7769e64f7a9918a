"""Administration → Import: take over an existing diarium's cases and past meetings from CSV files.

Upload → Kontrollera (what would be imported, or every error by line and column) → Importera. Between the
check and the import the file waits in the instance folder under a random name; the page carries only a signed
token naming it, bound to the user and valid for an hour, never a path. It is removed when imported.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import HiddenField

from agenda import importing as meeting_import
from app.extensions import db
from app.organisation.models import Municipality
from app.permissions import Action
from app.registry import diaria
from app.registry import importing as case_import
from app.registry.import_files import MAX_BYTES, MAX_ERRORS, ImportRefused, Source
from app.registry.models import Diarium
from app.web.admin import _managed_municipality, bp
from app.web.registry_forms import id_select

#: how long a checked file waits for its import
TOKEN_MAX_AGE = 3600
_NAME = re.compile(r"^[0-9a-f]{32}$")
FILE_HINT = "En CSV-fil (semikolon, komma eller tabb) i UTF-8 eller Windows-1252, med kolumnernas namn på första raden."


class CaseUploadForm(FlaskForm):
    diarium_id = id_select("Diarium", description="Diariet ärendena förs in i; deras nummer behålls.")
    file = FileField("Fil med ärenden", validators=[FileRequired("Välj en CSV-fil.")], description=FILE_HINT)


class MeetingUploadForm(FlaskForm):
    file = FileField("Fil med sammanträden", validators=[FileRequired("Välj en CSV-fil.")], description=FILE_HINT)


class ConfirmForm(FlaskForm):
    token = HiddenField()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="admin-import")


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # files checked but never imported
        if old.stat().st_mtime < time.time() - TOKEN_MAX_AGE:
            old.unlink(missing_ok=True)
    return folder


def _keep(data: bytes, kind: str, filename: str, diarium_id: int | None = None) -> str:
    """Keep a checked file until its import; return the signed token that names it."""
    name = secrets.token_hex(16)
    (_folder() / name).write_bytes(data)
    return str(_serializer().dumps({"n": name, "u": current_user.id, "k": kind, "d": diarium_id, "f": filename[:200]}))


def _kept(token: str, kind: str) -> tuple[bytes, dict]:
    """The file a token names, if this user checked it for this kind of import within the hour."""
    try:
        claims = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        claims = None
    if not isinstance(claims, dict) or claims.get("u") != current_user.id or claims.get("k") != kind:
        abort(400, "Kontrollen har gått ut eller gäller inte dig. Ladda upp filen och kontrollera den igen.")
    name = str(claims.get("n", ""))
    path = _folder() / name
    if not _NAME.match(name) or not path.exists():
        abort(400, "Kontrollen har gått ut. Ladda upp filen och kontrollera den igen.")
    return path.read_bytes(), claims


def _forget(claims: dict) -> None:
    name = str(claims.get("n", ""))
    if _NAME.match(name):
        (_folder() / name).unlink(missing_ok=True)


def _diaria(municipality: Municipality) -> list[Diarium]:
    return diaria.diaria_of(municipality)


def _page(
    municipality: Municipality,
    status: int = 200,
    *,
    case_form: CaseUploadForm | None = None,
    meeting_form: MeetingUploadForm | None = None,
    **shown,
):
    case_form = case_form or CaseUploadForm(formdata=None)
    case_form.diarium_id.choices = [(d.id, f"{d.name} ({d.series})") for d in _diaria(municipality)]
    return render_template(
        "admin/import.html",
        municipality=municipality,
        case_form=case_form,
        meeting_form=meeting_form or MeetingUploadForm(formdata=None),
        case_columns=list(case_import.CASE_COLUMNS),
        meeting_columns=list(meeting_import.MEETING_COLUMNS),
        max_errors=MAX_ERRORS,
        **shown,
    ), status


def _read(form: FlaskForm) -> tuple[bytes, str]:
    upload = form.file.data
    data: bytes = upload.read(MAX_BYTES + 1)
    return data, Path(upload.filename or "fil.csv").name


def _refused(municipality: Municipality, exc: ImportRefused, what: str, **forms):
    return _page(
        municipality,
        422,
        problems=[str(p) for p in exc.problems],
        problem_total=exc.total,
        checked_what=what,
        **forms,
    )


@bp.route("/import")
@login_required
def data_import():
    municipality = _managed_municipality(Action.import_data)
    return _page(municipality)


@bp.route("/import/arenden", methods=["POST"])
@login_required
def check_case_import():
    municipality = _managed_municipality(Action.import_data)
    form = CaseUploadForm()
    form.diarium_id.choices = [(d.id, f"{d.name} ({d.series})") for d in _diaria(municipality)]
    if not form.validate():
        return _page(municipality, 422, case_form=form)
    diarium = db.session.get(Diarium, form.diarium_id.data)
    if diarium is None or diarium.municipality_id != municipality.id:
        abort(400)
    data, filename = _read(form)
    try:
        source = case_import.read_case_csv(data)
        plan = case_import.check_cases(diarium, source)
        if not plan.ok:
            raise plan.refusal()
    except ImportRefused as exc:
        return _refused(municipality, exc, f"{filename} till {diarium.name}", case_form=form)
    confirm = ConfirmForm(formdata=None, token=_keep(data, "cases", filename, diarium.id))
    return _page(municipality, case_form=form, case_plan=plan, filename=filename, confirm=confirm)


@bp.route("/import/arenden/importera", methods=["POST"])
@login_required
def run_case_import():
    municipality = _managed_municipality(Action.import_data)
    form = ConfirmForm()
    if not form.validate():
        abort(400, "Formuläret kunde inte läsas. Ladda om sidan och försök igen.")
    data, claims = _kept(form.token.data or "", "cases")
    diarium = db.session.get(Diarium, claims.get("d"))
    if diarium is None or diarium.municipality_id != municipality.id:
        abort(400)
    try:
        result = case_import.import_cases(
            diarium, case_import.read_case_csv(data), user=current_user, source_name=claims["f"]
        )
    except ImportRefused as exc:
        db.session.rollback()
        return _refused(municipality, exc, f"{claims['f']} till {diarium.name}")
    db.session.commit()
    _forget(claims)
    years = ", ".join(f"{year}: {count}" for year, (count, _high) in sorted(result.years.items()))
    flash(f"{result.count} ärenden har importerats till {diarium.name} ({years}).", "success")
    return redirect(url_for("admin.data_import"))


@bp.route("/import/sammantraden", methods=["POST"])
@login_required
def check_meeting_import():
    municipality = _managed_municipality(Action.import_data)
    form = MeetingUploadForm()
    if not form.validate():
        return _page(municipality, 422, meeting_form=form)
    data, filename = _read(form)
    try:
        source: Source = meeting_import.read_meeting_csv(data)
        plan = meeting_import.check_meetings(municipality, source)
        if not plan.ok:
            raise ImportRefused(plan.problems)
    except ImportRefused as exc:
        return _refused(municipality, exc, filename, meeting_form=form)
    confirm = ConfirmForm(formdata=None, token=_keep(data, "meetings", filename))
    return _page(municipality, meeting_form=form, meeting_plan=plan, filename=filename, confirm=confirm)


@bp.route("/import/sammantraden/importera", methods=["POST"])
@login_required
def run_meeting_import():
    municipality = _managed_municipality(Action.import_data)
    form = ConfirmForm()
    if not form.validate():
        abort(400, "Formuläret kunde inte läsas. Ladda om sidan och försök igen.")
    data, claims = _kept(form.token.data or "", "meetings")
    try:
        result = meeting_import.import_meetings(
            municipality, meeting_import.read_meeting_csv(data), user=current_user, source_name=claims["f"]
        )
    except ImportRefused as exc:
        db.session.rollback()
        return _refused(municipality, exc, claims["f"])
    db.session.commit()
    _forget(claims)
    flash(f"{result.meetings} sammanträden med {result.items} punkter har importerats.", "success")
    return redirect(url_for("admin.data_import"))
