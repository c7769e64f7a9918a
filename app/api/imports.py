"""Imports in the API: a diarium's existing cases and past meetings, as JSON rows or an uploaded CSV file.

All or nothing: a bad row answers 422 naming each line and column in ``fields`` ("12:registreringsdatum"),
and nothing is stored. ``check_only`` checks and answers what would be imported.
"""

from __future__ import annotations

from flask import abort, jsonify
from flask_login import current_user

from agenda import access as agenda_access
from agenda import delegation_import
from agenda import importing as meeting_import
from app.api import bp
from app.api.import_schemas import (
    CaseImportBody,
    CaseImportReply,
    CaseImportUpload,
    DelegationImportReply,
    DelegationImportUpload,
    MeetingImportBody,
    MeetingImportReply,
    MeetingImportUpload,
)
from app.api.organisation import own_municipality
from app.api.schemas import InputError, get_or_404
from app.api.spec import body_values, described, form_values
from app.extensions import db
from app.organisation.models import Municipality
from app.permissions import Action, can, require
from app.registry import importing as case_import
from app.registry.import_files import MAX_BYTES, ImportRefused, Source
from app.registry.models import CaseStatus, Diarium

TAG = "Import"
DIARIUM = {"diarium_id": "Diariets id."}
ERRORS = ("BadRequest", "Forbidden", "NotFound", "UnsupportedMediaType", "Unprocessable")
CASES_HELP = (
    "Alla rader eller ingen: en rad med fel ger 422 med varje fel per rad och fält i fields "
    '(t.ex. "12:registreringsdatum"), och inget sparas. Ett nummer i diariets format läses med formatet; '
    "ett nummer i ett äldre format behålls som det är skrivet och raden anger då år och löpnummer. Dubbletter i "
    "filen eller mot diariet vägras. Räknarna fortsätter efter det högsta importerade löpnumret per år. "
    "Kräver rätten att importera i kommunen (kommunadministratör)."
)
MEETINGS_HELP = (
    "En rad per punkt; raderna med samma nämnd, datum och tid blir ett genomfört sammanträde med sin "
    "föredragningslista och vad som beslutades. Bara sammanträden som har ägt rum; ärenden anges med "
    "diarienummer och ska redan finnas. Alla rader eller ingen, som för ärenden. Kräver rätten att importera i "
    "kommunen (kommunadministratör)."
)


def _import_diarium(diarium_id: int) -> Diarium:
    diarium = get_or_404(Diarium, diarium_id)
    municipality = diarium.municipality
    if not (
        can(current_user, Action.view_committee, municipality) or can(current_user, Action.import_data, municipality)
    ):
        abort(404)
    require(current_user, Action.import_data, municipality)
    return diarium


def _import_municipality() -> Municipality:
    municipality = own_municipality()
    require(current_user, Action.import_data, municipality)
    return municipality


def _check_only(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "false", "0", "nej"):
        return False
    if text in ("true", "1", "ja"):
        return True
    raise InputError({"check_only": "Bara kontroll anges som true eller false."})


def _uploaded(values: dict) -> bytes:
    data: bytes = values["file"].read(MAX_BYTES + 1)
    return data


def _case_reply(plan: case_import.CasePlan, *, imported: bool) -> dict:
    return {
        "diarium_id": plan.diarium.id,
        "imported": imported,
        "cases": len(plan.rows),
        "encoding": plan.encoding,
        "years": [
            {"year": year, "cases": count, "highest_serial": high, "next_serial": high + 1}
            for year, (count, high) in sorted(plan.years.items())
        ],
        "sample": [
            {
                "number": row["number"],
                "title": (row["public_title"] or "Sekretessärende") if row["is_confidential"] else row["title"],
                "registered_on": row["registered_on"].isoformat(),
                "status": CaseStatus(row["status"]).label,
            }
            for row in plan.sample
        ],
    }


def _run_cases(diarium: Diarium, source: Source, check_only: bool, source_name: str):
    if check_only:
        plan = case_import.check_cases(diarium, source)
        if not plan.ok:
            raise plan.refusal()
        return jsonify(_case_reply(plan, imported=False)), 200
    try:
        result = case_import.import_cases(
            diarium, source, user=current_user._get_current_object(), source_name=source_name
        )
    except ImportRefused:
        db.session.rollback()
        raise
    db.session.commit()
    return jsonify(_case_reply(result.plan, imported=True)), 201


@bp.post("/diaria/<int:diarium_id>/import")
@described(
    operation_id="importCases",
    tag=TAG,
    summary="Importera ärenden till ett diarium (JSON)",
    body=CaseImportBody,
    responses={
        200: (CaseImportReply, "Kontrollen (check_only): vad som skulle importeras."),
        201: (CaseImportReply, "Ärendena är importerade."),
    },
    description=CASES_HELP,
    errors=ERRORS,
    path_parameters=DIARIUM,
)
def import_cases(diarium_id: int):
    diarium = _import_diarium(diarium_id)
    values = body_values()
    source = case_import.read_case_rows(values.get("rows"))
    return _run_cases(diarium, source, _check_only(values.get("check_only")), "API (JSON)")


@bp.post("/diaria/<int:diarium_id>/import/csv")
@described(
    operation_id="importCasesCsv",
    tag=TAG,
    summary="Importera ärenden till ett diarium (CSV-fil)",
    form=CaseImportUpload,
    responses={
        200: (CaseImportReply, "Kontrollen (check_only): vad som skulle importeras."),
        201: (CaseImportReply, "Ärendena är importerade."),
    },
    description="Skickas som multipart/form-data: fältet file (CSV i UTF-8, med eller utan BOM, eller "
    "Windows-1252; semikolon, komma eller tabb; kolumnerna i README) och valfritt check_only. " + CASES_HELP,
    errors=(*ERRORS, "UnsupportedUpload"),
    path_parameters=DIARIUM,
)
def import_cases_csv(diarium_id: int):
    diarium = _import_diarium(diarium_id)
    values = form_values()
    check_only = _check_only(values.get("check_only"))
    source = case_import.read_case_csv(_uploaded(values))
    return _run_cases(diarium, source, check_only, "API (CSV)")


def _meeting_reply(plan: meeting_import.MeetingPlan, *, imported: bool) -> dict:
    return {
        "imported": imported,
        "meetings": [{"committee": c, "start": start, "items": n} for c, start, n in plan.summary()],
        "items": plan.item_count,
        "encoding": plan.encoding,
    }


def _run_meetings(municipality: Municipality, source: Source, check_only: bool, source_name: str):
    plan = meeting_import.check_meetings(municipality, source)
    if not plan.ok:
        raise ImportRefused(plan.problems)
    if check_only:
        return jsonify(_meeting_reply(plan, imported=False)), 200
    try:
        meeting_import.import_meetings(
            municipality, source, user=current_user._get_current_object(), source_name=source_name
        )
    except ImportRefused:
        db.session.rollback()
        raise
    db.session.commit()
    return jsonify(_meeting_reply(plan, imported=True)), 201


@bp.post("/meetings/import")
@described(
    operation_id="importMeetings",
    tag=TAG,
    summary="Importera genomförda sammanträden (JSON)",
    body=MeetingImportBody,
    responses={
        200: (MeetingImportReply, "Kontrollen (check_only): vad som skulle importeras."),
        201: (MeetingImportReply, "Sammanträdena är importerade."),
    },
    description=MEETINGS_HELP,
    errors=ERRORS,
)
def import_meetings():
    municipality = _import_municipality()
    values = body_values()
    source = meeting_import.read_meeting_rows(values.get("rows"))
    return _run_meetings(municipality, source, _check_only(values.get("check_only")), "API (JSON)")


@bp.post("/meetings/import/csv")
@described(
    operation_id="importMeetingsCsv",
    tag=TAG,
    summary="Importera genomförda sammanträden (CSV-fil)",
    form=MeetingImportUpload,
    responses={
        200: (MeetingImportReply, "Kontrollen (check_only): vad som skulle importeras."),
        201: (MeetingImportReply, "Sammanträdena är importerade."),
    },
    description="Skickas som multipart/form-data: fältet file (CSV, kolumnerna i README) och valfritt check_only. "
    + MEETINGS_HELP,
    errors=(*ERRORS, "UnsupportedUpload"),
)
def import_meetings_csv():
    municipality = _import_municipality()
    values = form_values()
    check_only = _check_only(values.get("check_only"))
    source = meeting_import.read_meeting_csv(_uploaded(values))
    return _run_meetings(municipality, source, check_only, "API (CSV)")


@bp.post("/committees/<int:committee_id>/delegation-decisions/import")
@described(
    operation_id="importDelegationDecisions",
    tag=TAG,
    summary="Importera delegationsbeslut (CSV- eller Excel-fil)",
    form=DelegationImportUpload,
    responses={
        200: (DelegationImportReply, "Kontrollen (check_only): vad som skulle importeras."),
        201: (DelegationImportReply, "Besluten är importerade."),
    },
    description="Skickas som multipart/form-data: fältet file (CSV som för ärenden, eller Excel .xlsx; kolumnerna "
    "Beslutsdatum, Beslutsfattare, Delegationspunkt, Diarienummer och Beslut) och valfritt check_only. Alla rader "
    "eller ingen: ett fel, ett diarienummer som inte finns i nämndens diarium eller en dubblett ger 422 med varje "
    "fel per rad och kolumn i fields. Kräver nämndsekreterarens roll i nämnden.",
    errors=(*ERRORS, "UnsupportedUpload"),
    path_parameters={"committee_id": "Nämndens id."},
)
def import_delegation_decisions(committee_id: int):
    committee = agenda_access.load_committee(current_user, committee_id, Action.manage_meetings)
    values = form_values()
    check_only = _check_only(values.get("check_only"))
    upload = values["file"]
    source = delegation_import.read_file(upload.read(delegation_import.MAX_BYTES + 1), upload.filename or "fil")
    try:
        imported = delegation_import.import_decisions(committee, source, user=current_user._get_current_object())
    except ImportRefused:
        db.session.rollback()
        raise
    reply = {"imported": not check_only, "decisions": len(imported), "encoding": source.encoding}
    if check_only:
        db.session.rollback()
        return jsonify(reply), 200
    db.session.commit()
    return jsonify(reply), 201
