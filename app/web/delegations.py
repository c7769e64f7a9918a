"""Delegated decisions: the committees' decisions listed (one in a confidential case the user may not read by
its public title only, as ``agenda.access.shown_decision`` says), and registered by the secretary."""

from __future__ import annotations

from pathlib import PurePosixPath

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectField

from agenda import access, delegation_import
from agenda import operations as ops
from agenda.models import DelegationDecision
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, allowed_committees, can
from app.registry.import_files import ImportRefused
from app.registry.models import Case, CaseStatus
from app.validation import ValidationError
from app.web.meeting_forms import DelegationDecisionForm
from app.web.meetings import bp, case_label
from app.web.registry_forms import options
from app.web.report_forms import run
from workflows.access import acting_user


def _decision_view(decision: DelegationDecision) -> dict:
    shown = access.shown_decision(decision, current_user)
    return {
        "decision": decision,
        "case_number": shown.case_number,
        "case_id": shown.case_id,
        "summary": shown.summary,
        "masked": shown.withheld,
    }


def _delegation_form(committees: list[Committee], form: DelegationDecisionForm | None = None):
    form = form or DelegationDecisionForm(formdata=None, decided_on=local_today())
    form.committee.choices = options(
        [(c.id, c.name) for c in committees], "Välj nämnd" if len(committees) > 1 else None
    )
    if len(committees) == 1 and form.committee.data is None:
        form.committee.data = committees[0].id
    cases = db.session.scalars(
        select(Case)
        .where(Case.committee_id.in_([c.id for c in committees]), Case.status == CaseStatus.open)
        .order_by(Case.registered_on.desc(), Case.id.desc())
        .limit(1000)
    ).all()
    form.case.choices = options([(c.id, case_label(c)) for c in cases], "Inget ärende")
    return form


@bp.route("/delegationsbeslut", methods=["GET", "POST"])
@login_required
def delegations():
    managing = allowed_committees(current_user, Action.manage_meetings)
    asked = request.form.get("committee", type=int) if request.method == "POST" else None
    if asked is not None and asked not in {c.id for c in managing}:
        # a committee they may not register in: 404 if they have no role in it (or it is unknown), else 403, as
        # the API answers for the committee in its address
        access.load_committee(current_user, asked, Action.manage_meetings)
    committees = allowed_committees(current_user, Action.view_meetings)
    if not committees:
        abort(403, "Delegationsbesluten visas för den som har en roll i en nämnd.")
    if request.method == "POST" and not managing:
        abort(403, "Bara nämndsekreteraren registrerar delegationsbeslut.")
    form = (
        _delegation_form(managing, DelegationDecisionForm() if request.method == "POST" else None) if managing else None
    )

    def operation():
        committee = access.load_committee(current_user, form.committee.data, Action.manage_meetings)
        case = None
        if form.case.data is not None:
            case = db.session.get(Case, form.case.data)
            if case is None or not can(current_user, Action.view_case, case):
                raise ValidationError({"case": "Välj ett av ärendena i listan."})
        decision = ops.register_delegation_decision(
            committee,
            user=acting_user(),
            decided_on=form.decided_on.data,
            decision_maker=form.decision_maker.data,
            delegation_point=form.delegation_point.data,
            summary=form.summary.data,
            case=case,
        )
        return (
            f"Delegationsbeslutet {decision.decided_on.isoformat()} (punkt {decision.delegation_point}) är "
            "registrerat. Det anmäls vid nämndens nästa sammanträde.",
            url_for("meetings.delegations"),
        )

    def render(status: int):
        decisions = db.session.scalars(
            select(DelegationDecision)
            .where(DelegationDecision.committee_id.in_([c.id for c in committees]))
            .order_by(DelegationDecision.decided_on.desc(), DelegationDecision.id.desc())
            .limit(500)
        ).all()
        return render_template(
            "agenda/delegations.html",
            form=form,
            committees=committees,
            decisions=[_decision_view(d) for d in decisions],
        ), status

    if form is None:
        return render(200)
    return run(form, operation, render)


class DelegationImportForm(FlaskForm):
    committee = SelectField("Nämnd", coerce=int)
    file = FileField(
        "Fil med delegationsbeslut",
        validators=[FileRequired("Välj en CSV- eller Excel-fil.")],
        description="CSV (semikolon, komma eller tabb; UTF-8 eller Windows-1252) eller Excel (.xlsx), med "
        "kolumnernas namn på första raden. Högst 5 MB.",
    )


@bp.route("/delegationsbeslut/import", methods=["GET", "POST"])
@login_required
def import_delegations():
    managing = allowed_committees(current_user, Action.manage_meetings)
    if not managing:
        abort(403, "Bara nämndsekreteraren importerar delegationsbeslut.")
    form = DelegationImportForm()
    form.committee.choices = [(c.id, c.name) for c in managing]

    def render(status: int, **shown):
        return render_template(
            "agenda/delegation_import.html", form=form, columns=list(delegation_import.COLUMNS), **shown
        ), status

    if request.method == "GET" or not form.validate():
        return render(200 if request.method == "GET" else 422)
    committee = access.load_committee(current_user, form.committee.data, Action.manage_meetings)
    upload = form.file.data
    data = upload.read(delegation_import.MAX_BYTES + 1)
    try:
        source = delegation_import.read_file(data, PurePosixPath((upload.filename or "fil").replace("\\", "/")).name)
        imported = delegation_import.import_decisions(committee, source, user=acting_user())
    except ImportRefused as exc:
        db.session.rollback()
        return render(422, problems=[str(p) for p in exc.problems], problem_total=exc.total)
    db.session.commit()
    flash(f"{len(imported)} delegationsbeslut har importerats till {committee.name}.", "success")
    return redirect(url_for("meetings.delegations"))


@bp.route("/delegationsbeslut/import/mall.csv")
@login_required
def delegation_import_template():
    if not allowed_committees(current_user, Action.manage_meetings):
        abort(403, "Bara nämndsekreteraren importerar delegationsbeslut.")
    return Response(
        delegation_import.TEMPLATE.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=delegationsbeslut-mall.csv"},
    )
