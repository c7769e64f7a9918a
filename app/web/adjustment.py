"""The justering page of a meeting: what is to be justerat, its PDF, and for the chair and the justerare the forms
to approve (the password entered again) or reject it; the secretary follows who has approved and starts a
rättelse. Routes on the meetings blueprint; loading and the 404/403 are agenda.minutes.adjustment_access's.
"""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_login import current_user, login_required

from agenda.minutes import adjustment as adj
from agenda.minutes import adjustment_access as access
from agenda.minutes import announcements as anslag
from agenda.minutes.adjustment_models import AdjustmentKind
from agenda.minutes.models import Minutes
from agenda.minutes.operations import minutes_for
from agenda.models import Meeting
from app.clock import local_today
from app.extensions import limiter, sqlite_read_only
from app.permissions import Action, can
from app.validation import ConflictError
from app.web.adjustment_forms import ApproveForm, CorrectionForm, PutUpForm, RejectForm
from app.web.meetings import bp
from app.web.report_forms import run
from tasks.adjustment_documents import review_pdf, send_review_pdf, stored_review_pdf
from tasks.protocol_jobs import pending_job
from tasks.rendering.conversion_errors import ConversionFailed, ConverterUnavailable
from workflows.access import acting_user


@bp.app_context_processor
def adjustment_helpers():
    """Offer the meeting page its link to the justering (the members and the secretary, once there is a
    protokoll)."""

    def justering_url(meeting: Meeting) -> str | None:
        if not can(current_user, Action.view_minutes, meeting):
            return None
        return url_for("meetings.justering", meeting_id=meeting.id) if minutes_for(meeting) is not None else None

    return {"justering_url": justering_url}


def _document(minutes: Minutes, paragraphs: tuple[int, ...]) -> tuple[adj.ReviewedDocument | None, str | None]:
    try:
        return review_pdf(minutes, paragraphs), None
    except (ConversionFailed, ConverterUnavailable) as exc:
        return None, f"Protokollet kunde inte framställas som PDF: {exc}"


def _seen_document(minutes: Minutes, paragraphs: tuple[int, ...]) -> adj.ReviewedDocument:
    """The round's PDF as rendered when the page showed it: an approval is of a PDF someone has seen."""
    document = stored_review_pdf(minutes, paragraphs)
    if document is None:
        raise ConflictError(adj.CHANGED)
    return document


def _refused_page(minutes: Minutes, status: int, forms: dict):
    """The page again after a refusal (the write transaction rolled back): read outside a write lock, so the
    current PDF can be made and stored."""
    with sqlite_read_only():
        return _page(minutes, status, forms)


def _page(minutes: Minutes, status: int = 200, forms: dict | None = None):
    user = current_user
    rounds = []
    for kind, paragraphs in adj.rounds_to_adjust(minutes):
        document, problem = _document(minutes, paragraphs)
        state = adj.current_round(minutes, kind, paragraphs, document)
        mine = state.approver_for(user) if can(user, Action.adjust_minutes, minutes) else None
        given = (forms or {}).get(kind.value, {})
        approve_form = given.get("approve") or ApproveForm(formdata=None, kind=kind.value, pdf_sha256=state.pdf_sha256)
        reject_form = given.get("reject") or RejectForm(formdata=None, kind=kind.value, pdf_sha256=state.pdf_sha256)
        for form in (approve_form, reject_form):
            form.pdf_sha256.data = state.pdf_sha256  # always the PDF the page links to now
        rounds.append(
            {
                "state": state,
                "problem": problem,
                "mine": mine,
                "approve": approve_form,
                "reject": reject_form,
                "pdf_url": url_for("meetings.justering_pdf", meeting_id=minutes.meeting_id, kind=kind.value),
            }
        )
    sealing = pending_job(minutes) is not None
    may_correct = (
        can(user, Action.record_minutes, minutes)
        and (minutes.is_adjusted or any(p.is_adjusted for p in minutes.paragraphs))
        and not any(r["state"].kind is AdjustmentKind.correction for r in rounds)
    )
    return (
        render_template(
            "agenda/justering.html",
            minutes=minutes,
            meeting=minutes.meeting,
            rounds=rounds,
            adjustments=adj.adjustments_of(minutes),
            corrections=adj.corrections_of(minutes),
            announcements=adj.announcements_of(minutes),
            may_correct=may_correct,
            may_record=can(user, Action.record_minutes, minutes),
            today=local_today(),
            put_up_forms={
                a.id: (forms or {}).get(f"anslag-{a.id}")
                or PutUpForm(formdata=None, prefix=f"anslag{a.id}", put_up_on=a.put_up_on)
                for a in adj.announcements_of(minutes)
            },
            correction_form=(forms or {}).get("rattelse") or CorrectionForm(formdata=None),
            put_up_fixed={a.id: anslag.put_up_date_fixed(a, sealing=sealing) for a in adj.announcements_of(minutes)},
        ),
        status,
    )


@bp.route("/sammantraden/<int:meeting_id>/justering")
@login_required
def justering(meeting_id: int):
    return _page(access.load_for_reading(current_user, meeting_id))


@bp.route("/sammantraden/<int:meeting_id>/justering/protokoll.pdf")
@login_required
def justering_pdf(meeting_id: int):
    minutes = access.load_for_reading(current_user, meeting_id)
    kind, paragraphs = adj.round_of(minutes, request.args.get("kind", AdjustmentKind.full.value))
    response = send_review_pdf(minutes, paragraphs)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _approval_limit() -> str:
    """Wrong passwords on approvals are limited as log-ins are (a justering asks for the password again)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def _approver_key() -> str:
    return f"justering:{current_user.get_id() or request.remote_addr}"


@bp.route("/sammantraden/<int:meeting_id>/justering/godkann", methods=["POST"])
@limiter.limit(_approval_limit, key_func=_approver_key, deduct_when=lambda r: r.status_code == 422)
@login_required
def approve(meeting_id: int):
    minutes = access.load_for_approving(current_user, meeting_id)
    form = ApproveForm()

    def operation():
        kind, paragraphs = adj.round_of(minutes, form.kind.data)
        document = _seen_document(minutes, paragraphs)
        adj.approve(
            minutes,
            user=acting_user(),
            kind=kind,
            document=document,
            seen_sha256=form.pdf_sha256.data or "",
            password=form.password.data or "",
        )
        done = minutes.is_adjusted if kind is not AdjustmentKind.immediate else not adj.immediate_pending(minutes)
        message = "Du har justerat protokollet." + (" Justeringen är klar och anslaget är uppe." if done else "")
        return message, url_for("meetings.justering", meeting_id=meeting_id)

    return run(
        form, operation, lambda status: _refused_page(minutes, status, {form.kind.data or "": {"approve": form}})
    )


@bp.route("/sammantraden/<int:meeting_id>/justering/underkann", methods=["POST"])
@login_required
def reject(meeting_id: int):
    minutes = access.load_for_approving(current_user, meeting_id)
    form = RejectForm()

    def operation():
        kind, paragraphs = adj.round_of(minutes, form.kind.data)
        document = _seen_document(minutes, paragraphs)
        adj.reject(
            minutes,
            user=acting_user(),
            kind=kind,
            document=document,
            seen_sha256=form.pdf_sha256.data or "",
            comment=form.comment.data or "",
        )
        return (
            "Du har inte godkänt protokollet; sekreteraren ser din kommentar.",
            url_for("meetings.justering", meeting_id=meeting_id),
        )

    return run(form, operation, lambda status: _refused_page(minutes, status, {form.kind.data or "": {"reject": form}}))


@bp.route("/sammantraden/<int:meeting_id>/justering/rattelse", methods=["POST"])
@login_required
def start_correction(meeting_id: int):
    minutes = access.load_for_correcting(current_user, meeting_id)
    form = CorrectionForm()

    def operation():
        adj.start_correction(minutes, user=acting_user(), description=form.description.data or "")
        return (
            "Rättelsen är påbörjad: ändra protokollet och låt det justeras på nytt.",
            url_for("meetings.justering", meeting_id=meeting_id),
        )

    return run(form, operation, lambda status: _refused_page(minutes, status, {"rattelse": form}))


@bp.route("/sammantraden/<int:meeting_id>/justering/anslag/<int:announcement_id>", methods=["POST"])
@login_required
def move_put_up_date(meeting_id: int, announcement_id: int):
    minutes = access.load_for_correcting(current_user, meeting_id)
    announcement = access.announcement_of(minutes, announcement_id)
    form = PutUpForm(prefix=f"anslag{announcement.id}")

    def operation():
        anslag.move_put_up_date(
            announcement, user=acting_user(), put_up_on=form.put_up_on.data, sealing=pending_job(minutes) is not None
        )
        return (
            f"Anslaget sätts upp {announcement.put_up_on.isoformat()}; sista dag för överklagande "
            f"{announcement.last_appeal_day.isoformat()}.",
            url_for("meetings.justering", meeting_id=meeting_id, _anchor="anslag"),
        )

    return run(form, operation, lambda status: _refused_page(minutes, status, {f"anslag-{announcement_id}": form}))
