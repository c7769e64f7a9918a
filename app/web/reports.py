"""Tjänsteutlåtande pages: my cases, the review queue, the report, its editor, versions, timeline and bilagor."""

from __future__ import annotations

from collections import Counter

import nh3
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import Role, User
from app.clock import local_today
from app.extensions import db
from app.permissions import Action, can, committees_where
from app.registry.models import Case, CaseStatus
from app.registry.queries import visible_cases_clause
from app.validation import ConflictError, ForbiddenError, ValidationError
from app.web.forms import EmptyForm
from app.web.registry_forms import options
from app.web.report_compare import compare
from app.web.report_forms import (
    PROPOSALS_HINT,
    CoEditorForm,
    CompareForm,
    TransitionForm,
    WithdrawForm,
    editor_errors,
    editor_form,
    editor_raw,
    run,
    with_ids,
)
from workflows import access, queries
from workflows import operations as ops
from workflows.access import acting_user
from workflows.compare import describe
from workflows.content import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, MAX_PROPOSALS, URL_SCHEMES, ReportContent
from workflows.models import STATE_LABELS, CaseReport, ReportState, report_editors
from workflows.notify import role_holders
from workflows.states import EDITABLE, TRANSITIONS, comment_required, editor_only, is_author, is_editor

bp = Blueprint("reports", __name__)

#: the transition that ends a report: set apart on the page and confirmed
WITHDRAW = "withdraw"
#: timeline names of the steps that are not in the transition table
STEP_LABELS = {"create": "Påbörjat"}
#: the flash message after each workflow button
DONE = {
    "submit": "Utlåtandet har skickats på granskning.",
    "return_review": "Utlåtandet har returnerats till handläggaren.",
    "approve": "Utlåtandet är godkänt och väntar på underskrift.",
    "return_approval": "Utlåtandet har returnerats till handläggaren.",
    "sign": "Utlåtandet är undertecknat.",
    "withdraw": "Utlåtandet är återkallat.",
}


def load_case(case_id: int, action: Action = Action.view_report) -> Case:
    """Return the case if the current user may read its report and do ``action`` (workflows.access: 404 or 403)."""
    return access.load_case(current_user, case_id, action)


def load_report(case_id: int, action: Action = Action.view_report) -> tuple[Case, CaseReport]:
    """Return the case and its report, checked as ``load_case``; 404 when the case has none."""
    report = access.load_report(current_user, case_id, action)
    return report.case, report


def report_url(case: Case, endpoint: str = "reports.report", **values) -> str:
    """Return the address of one of the case's report pages."""
    return url_for(endpoint, case_id=case.id, **values)


def may_read_confidential(report: CaseReport) -> bool:
    """Answer whether the current user may see the titles and files of confidential bilagor."""
    return access.may_read_confidential_bilagor(report, current_user)


@bp.app_context_processor
def report_helpers():
    """Offer the report links of the menu and the case page."""
    return {
        "report_nav": {
            "my_cases": bool(committees_where(current_user, Action.write_report)),
            "review": bool(committees_where(current_user, Action.review_reports)),
        },
        "report_of": ops.report_for,
    }


@bp.app_template_filter("rich_text")
def rich_text(html: str | None, subheading_level: int = 3) -> Markup:
    """Return stored rich text for a page, cleaned once more with the rules it was saved under.

    Its subheadings are h3, under the sections' h2; a page whose sections are h3 asks for h4.
    """
    cleaned = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    if subheading_level != 3 and subheading_level in (4, 5, 6):  # cleaned: the tags stand bare, as <h3> and </h3>
        cleaned = cleaned.replace("<h3>", f"<h{subheading_level}>").replace("</h3>", f"</h{subheading_level}>")
    return Markup(cleaned)


# --- lists -----------------------------------------------------------------------------------


@bp.route("/mina-arenden")
@login_required
def my_cases():
    me = acting_user()
    editing = select(report_editors.c.report_id).where(report_editors.c.user_id == me.id)
    rows = db.session.execute(
        select(Case, CaseReport)
        .outerjoin(CaseReport, CaseReport.case_id == Case.id)
        .where(
            visible_cases_clause(me),
            Case.status == CaseStatus.open,
            or_(Case.case_officer_id == me.id, CaseReport.id.in_(editing)),
        )
        .options(selectinload(Case.case_officer))
    ).all()
    rows = sorted(rows, key=lambda r: _needs_action_first(r[0], r[1]))
    counts = Counter(report.state if report else None for _case, report in rows)
    summary = [(STATE_LABELS[s], counts[s]) for s in ReportState if counts[s]]
    if counts[None]:
        summary.append(("Inget utlåtande", counts[None]))
    return render_template("workflows/my_cases.html", rows=rows, summary=summary, today=local_today())


def _needs_action_first(case: Case, report: CaseReport | None) -> tuple:
    """The order of Mina ärenden: returned reports first (the officer must act), then by the nearest due date,
    then the rest by when the case was registered."""
    returned = report is not None and report.state is ReportState.returned
    due = report.due_on if report is not None else None
    return (not returned, due is None, due or case.registered_on, case.registered_on, case.id)


def _entered(report: CaseReport):
    """Return when the report reached its current state."""
    return report.transitions[-1].created_dt if report.transitions else report.created_dt


@bp.route("/granskning")
@login_required
def review_queue():
    me = acting_user()
    if not committees_where(me, Action.review_reports):
        abort(403, "Granskningen är till för granskare och undertecknare.")
    waiting = sorted(queries.review_queue(me), key=_entered)
    return render_template(
        "workflows/review_queue.html",
        today=local_today(),
        entered=_entered,
        waiting=[r for r in waiting if not is_author(r, me)],
        own=[r for r in waiting if is_author(r, me)],
    )


# --- the report and its workflow --------------------------------------------------------------


def _actions(report: CaseReport, posted: dict[str, TransitionForm]) -> list[tuple]:
    """Return (transition, form) for each button to offer the current user (workflows.access)."""
    out = []
    for t in access.offered_transitions(report, current_user):
        form_class = WithdrawForm if t.name == WITHDRAW else TransitionForm
        form = with_ids(posted.get(t.name) or form_class(formdata=None), t.name)
        form.comment.flags.required = comment_required in t.guards
        out.append((t, form))
    return out


def _report_page(case: Case, report: CaseReport | None, status: int = 200, posted: dict | None = None):
    """Render the report as a document with its state, actions and bilagor (or the page to start one)."""
    if report is None:
        return render_template(
            "workflows/no_report.html",
            case=case,
            may_write=case.status is CaseStatus.open and can(current_user, Action.write_report, case),
        ), status
    municipality = case.committee.municipality
    writes = is_editor(report, current_user)
    actions = _actions(report, posted or {})
    return render_template(
        "workflows/report.html",
        case=case,
        report=report,
        content=ReportContent.from_json(report.revision().content),
        sections=ops.report_section_titles(report),
        required=ops.required_sections(municipality),
        actions=[a for a in actions if a[0].name != WITHDRAW],
        withdraw=next((a for a in actions if a[0].name == WITHDRAW), None),
        may_edit=report.state in EDITABLE and writes,
        may_read_confidential=may_read_confidential(report),
        today=local_today(),
        coeditor_form=(posted or {}).get("coeditor") or (_coeditor_form(report) if writes else None),
        remove_form=EmptyForm() if writes else None,
    ), status


def _coeditor_form(report: CaseReport, form: CoEditorForm | None = None) -> CoEditorForm:
    """The form to add a co-editor: the committee's other case officers who do not write in it yet."""
    form = form or CoEditorForm()
    taken = {u.id for u in report.editors} | {report.case.case_officer_id}
    form.user.choices = options(
        [(u.id, u.name) for u in role_holders(report.case.committee_id, Role.case_officer) if u.id not in taken],
        placeholder="Välj handläggare",
    )
    return form


@bp.route("/arenden/<int:case_id>/utlatande/medforfattare", methods=["POST"])
@login_required
def add_coeditor(case_id: int):
    case, report = load_report(case_id, Action.write_report)
    form = _coeditor_form(report, CoEditorForm())

    def operation():
        editor = db.session.get(User, form.user.data)
        ops.add_editor(report, editor, user=acting_user())
        return f"{editor.name} kan nu skriva i utlåtandet.", report_url(case)

    return run(form, operation, lambda status: _report_page(case, report, status, {"coeditor": form}))


@bp.route("/arenden/<int:case_id>/utlatande/medforfattare/<int:user_id>/ta-bort", methods=["POST"])
@login_required
def remove_coeditor(case_id: int, user_id: int):
    case, report = load_report(case_id, Action.write_report)
    editor = db.session.get(User, user_id)
    if editor is None:
        abort(404)

    def operation():
        ops.remove_editor(report, editor, user=acting_user())
        return f"{editor.name} är inte längre medförfattare.", report_url(case)

    return run(EmptyForm(), operation, lambda status: _report_page(case, report, status))


@bp.route("/arenden/<int:case_id>/utlatande")
@login_required
def report(case_id: int):
    case = load_case(case_id, Action.view_report)
    return _report_page(case, ops.report_for(case))


@bp.route("/arenden/<int:case_id>/utlatande/atgard/<name>", methods=["POST"])
@login_required
def act(case_id: int, name: str):
    case, report = load_report(case_id)
    t = TRANSITIONS.get(name)
    if t is None:
        abort(404)
    form = WithdrawForm() if name == WITHDRAW else TransitionForm()

    def operation():
        if not t.is_manual:
            raise ConflictError(
                f"”{t.label}” görs inte med en knapp; det sker när utlåtandet sparas eller från föredragningslistan."
            )
        if isinstance(form, WithdrawForm):
            form.confirmed()
        ops.transition(report, user=acting_user(), name=name, comment=form.comment.data)
        return DONE.get(name, f"{t.label}: klart. Läge: {report.state.label}."), report_url(case)

    return run(form, operation, lambda status: _report_page(case, report, status, {name: form}))


# --- the editor ----------------------------------------------------------------------------


def _people(case: Case, editors: list[User], content: ReportContent) -> dict[str, dict]:
    """Return who may sign (approvers, the officer, co-editors, whoever signs now) as value → signatory."""
    users = role_holders(case.committee_id, Role.approver)
    users += [case.case_officer] if case.case_officer else []
    people = {f"u{u.id}": {"user_id": u.id, "name": u.name, "title": u.title} for u in users + editors}
    for i, s in enumerate(content.signatories):
        people.setdefault(
            f"u{s.user_id}" if s.user_id is not None else f"n{i}",
            {"user_id": s.user_id, "name": s.name, "title": s.title},
        )
    return people


@bp.route("/arenden/<int:case_id>/utlatande/ny", methods=["GET", "POST"])
@login_required
def create_report(case_id: int):
    """The editor of a report not yet written: nothing is stored until its first save, which is version 1."""
    case = load_case(case_id, Action.write_report)
    report = ops.report_for(case)
    if report is not None:
        if request.method == "GET":
            return redirect(report_url(case, "reports.edit"))
        return _editor(case, report)  # started by someone else meanwhile: the save is kept as a conflict
    try:
        ops.check_may_start(case, acting_user())
    except (ConflictError, ForbiddenError) as exc:
        flash(exc.message, "error")
        return _report_page(case, None, 403 if isinstance(exc, ForbiddenError) else 409)
    return _editor(case, None)


@bp.route("/arenden/<int:case_id>/utlatande/redigera", methods=["GET", "POST"])
@login_required
def edit(case_id: int):
    case, report = load_report(case_id, Action.write_report)
    editor_only(report, acting_user(), {})
    if request.method == "GET" and report.state not in EDITABLE:
        flash(f"Utlåtandet kan inte ändras nu (läge: {report.state.label}).", "warning")
        return redirect(report_url(case))
    return _editor(case, report)


def _editor(case: Case, report: CaseReport | None):
    """The editor and its save: a new version of ``report``, or the first version of a new one (None)."""
    me = acting_user()
    if report is None:
        sections = ops.section_titles(case.committee.municipality)
        shown_content, based_on, editors = ops.starting_content(case, me), 0, []
    else:
        sections = ops.report_section_titles(report)
        current = report.current()
        shown_content, based_on, editors = ReportContent.from_json(current.content), current.number, report.editors
    people = _people(case, list(editors), shown_content)
    required = ops.required_sections(case.committee.municipality)
    form = editor_form(
        sections, people, shown_content, based_on, from_request=request.method == "POST", required=required
    )
    refused: dict = {}

    def operation():
        raw = editor_raw(form, people)
        try:
            if report is None:
                created = ops.create_report(case, user=me, raw=raw)
                return f"Tjänsteutlåtandet är påbörjat och sparat som version {created.current_revision}.", report_url(
                    case
                )
            revision = ops.save_revision(report, user=me, raw=raw, based_on=form.based_on.data)
        except ops.RevisionConflict as exc:
            db.session.commit()  # the refused text is kept (ReportConflict): nothing is lost
            refused["exc"] = exc
            raise
        except ValidationError as exc:
            raise editor_errors(form, exc) from exc
        if revision.number == form.based_on.data:
            return "Inget har ändrats; ingen ny version sparades.", report_url(case)
        return f"Utlåtandet har sparats som version {revision.number}.", report_url(case)

    def render(status: int):
        shown, changes, exc = form, None, refused.get("exc")
        if exc is not None:
            yours, theirs = (ReportContent.from_json(c) for c in (exc.conflict.content, exc.current.content))
            shown = editor_form(sections, people, yours, exc.current.number, from_request=False, required=required)
            changes = compare(theirs, yours, sections)
        return render_template(
            "workflows/editor.html",
            case=case,
            report=report,
            form=shown,
            conflict=exc,
            changes=changes,
            proposals_hint=PROPOSALS_HINT,
            max_proposals=MAX_PROPOSALS,
        ), status

    return run(form, operation, render)


# --- versions and timeline ----------------------------------------------------------------


@bp.route("/arenden/<int:case_id>/utlatande/versioner")
@login_required
def versions(case_id: int):
    case, report = load_report(case_id)
    sections = ops.section_titles(case.committee.municipality, keep=None)
    numbers = [r.number for r in report.revisions]
    form = CompareForm(
        request.args if "a" in request.args or "b" in request.args else None,
        a=max(report.current_revision - 1, 1),
        b=report.current_revision,
    )
    form.a.choices = form.b.choices = options((n, f"Version {n}") for n in reversed(numbers))
    status, changes = 200, None
    if form.validate():
        a, b = (ReportContent.from_json(report.revision(n).content) for n in (form.a.data, form.b.data))
        changes = compare(a, b, sections)
    else:
        status = 400
    return render_template(
        "workflows/versions.html",
        case=case,
        report=report,
        form=form,
        changes=changes,
        describe=lambda fields: describe(fields, sections),
    ), status


@bp.route("/arenden/<int:case_id>/utlatande/tidslinje")
@login_required
def timeline(case_id: int):
    case, report = load_report(case_id)
    sections = ops.section_titles(case.committee.municipality, keep=None)
    # "create" first: the first revision is written a moment before the report's first step.
    events = [
        {
            "dt": t.created_dt,
            "order": (t.name != "create", 0, t.id),
            "kind": "transition",
            "row": t,
            "label": TRANSITIONS[t.name].label if t.name in TRANSITIONS else STEP_LABELS.get(t.name, t.name),
        }
        for t in report.transitions
    ]
    events += [
        {
            "dt": r.created_dt,
            "order": (True, 1, r.id),
            "kind": "revision",
            "row": r,
            "changed": describe(r.changed_fields, sections),
        }
        for r in report.revisions
    ]
    events.sort(key=lambda e: (e["order"][0], e["dt"], e["order"]))
    return render_template("workflows/timeline.html", case=case, report=report, events=events)
