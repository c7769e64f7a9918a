"""The draft kallelse and ordförandeberedning, on the meetings blueprint.

**Förhandsgranska utkast** (the secretary, meeting page): the worker lays out the unpublished agenda as Word and
PDF marked "Utkast" (tasks.rendering.draft_kallelse); a job page follows it. **Ge till ordföranden**: the chair is
told and opens ``/sammantraden/<id>/beredning``, the draft agenda with the draft PDF (once rendered), and comments
per item or on the whole; the secretary sees the comments beside the items in the builder and marks them handled.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from agenda import access
from agenda import chair_review_operations as review_ops
from agenda.chair_review import chair_of, comments_of, is_reviewing_chair, latest_review
from agenda.models import UPCOMING, Meeting
from app.extensions import db
from app.permissions import Action, can
from app.validation import ConflictError
from app.web.forms import EmptyForm
from app.web.meeting_forms import ChairCommentForm, GiveToChairForm
from app.web.meetings import bp, meeting_url
from app.web.registry_forms import submit
from app.web.report_forms import with_ids
from tasks import jobs
from tasks.access import current_draft_job, draft_job, send_job_output
from tasks.rendering.draft_kallelse import (
    DRAFT_FILES,
    current_draft,
    draft_outputs,
    pending_draft,
    render_draft_kallelse,
    start_draft_kallelse,
)
from tasks.rendering.meeting_jobs import may_render


def draft_context(meeting: Meeting) -> dict:
    """What the meeting page's draft section shows the secretary: the current draft, one in the making, the chair
    and the latest time the draft was given to them."""
    current = current_draft(meeting)
    return {
        "draft": current,
        "draft_files": DRAFT_FILES,
        "draft_stale": current is not None and current.params.get("agenda_version") != meeting.agenda_version,
        "draft_pending": pending_draft(meeting),
        "chair": chair_of(meeting.committee_id),
        "review": latest_review(meeting),
        "give_form": with_ids(GiveToChairForm(formdata=None), "ordforande"),
    }


def chair_comments(meeting: Meeting) -> dict:
    """The chair's comments for the builder: by item id, and those on the whole (or on an item removed since); the
    latest draft version given to the chair (a comment on an earlier one says so)."""
    by_item: dict[int, list] = {}
    general = []
    for comment in comments_of(meeting):
        if comment.item_id is not None:
            by_item.setdefault(comment.item_id, []).append(comment)
        else:
            general.append(comment)
    review = latest_review(meeting)
    return {"by_item": by_item, "general": general, "latest_version": review.version if review else None}


def _manageable(meeting_id: int) -> Meeting:
    return access.load_meeting(current_user, meeting_id, Action.manage_meetings)


# --- Förhandsgranska utkast -------------------------------------------------------------------


@bp.route("/sammantraden/<int:meeting_id>/utkast", methods=["POST"])
@login_required
def draft_start(meeting_id: int):
    meeting = _manageable(meeting_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        job_id = start_draft_kallelse(current_user, meeting).id
    except ConflictError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(meeting_url(meeting, "utkast"), 303)
    db.session.commit()
    jobs.enqueue(render_draft_kallelse, job_id)
    return redirect(url_for("meetings.draft_status", meeting_id=meeting_id, job_id=job_id), 303)


@bp.route("/sammantraden/<int:meeting_id>/utkast/<int:job_id>")
@login_required
def draft_status(meeting_id: int, job_id: int):
    meeting = access.load_meeting(current_user, meeting_id)
    job = draft_job(current_user, meeting, job_id)
    current = current_draft(meeting)
    return render_template(
        "agenda/draft_job.html",
        meeting=meeting,
        job=job,
        outputs=draft_outputs(job),
        files=DRAFT_FILES,
        superseded=current is not None and current.id > job.id,
        may_render=may_render(current_user, meeting),
        retry_form=EmptyForm(),
    )


@bp.route("/sammantraden/<int:meeting_id>/utkast/<int:job_id>/<name>")
@login_required
def draft_file(meeting_id: int, job_id: int, name: str):
    meeting = access.load_meeting(current_user, meeting_id)
    job = current_draft_job(current_user, meeting, job_id)
    if name not in DRAFT_FILES:
        abort(404)
    response = send_job_output(draft_outputs(job).get(name), DRAFT_FILES[name][1])
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/sammantraden/<int:meeting_id>/utkast/<int:job_id>/kor-om", methods=["POST"])
@login_required
def draft_retry(meeting_id: int, job_id: int):
    meeting = _manageable(meeting_id)
    job = draft_job(current_user, meeting, job_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        jobs.retry(job, user=current_user)
    except ConflictError as exc:
        flash(exc.message, "error")
        return redirect(url_for("meetings.draft_status", meeting_id=meeting.id, job_id=job.id), 303)
    db.session.commit()
    jobs.enqueue(render_draft_kallelse, job_id)
    flash("Utkastet skapas igen.", "info")
    return redirect(url_for("meetings.draft_status", meeting_id=meeting_id, job_id=job_id), 303)


# --- Ordförandeberedning ------------------------------------------------------------------------


@bp.route("/sammantraden/<int:meeting_id>/beredning/ge", methods=["POST"])
@login_required
def give_to_chair(meeting_id: int):
    meeting = _manageable(meeting_id)
    form = GiveToChairForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        review = review_ops.give_to_chair(meeting, user=current_user, note=form.note.data)
    except ConflictError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(meeting_url(meeting, "utkast"), 303)
    chair_name = review.chair.name
    db.session.commit()
    flash(f"Utkastet är skickat till ordföranden {chair_name}.", "success")
    return redirect(meeting_url(meeting, "utkast"), 303)


def _review_page(meeting: Meeting, posted: ChairCommentForm | None = None, status: int = 200):
    is_chair = is_reviewing_chair(current_user, meeting)
    forms = {}
    for item in meeting.items:
        form = posted if posted is not None and posted.item_id.data == str(item.id) else None
        form = form or ChairCommentForm(formdata=None, item_id=str(item.id))
        forms[item.id] = with_ids(form, f"punkt-{item.id}")
        form.body.label.text = f"Kommentar till punkt {item.number}"
    whole = posted if posted is not None and not posted.item_id.data else ChairCommentForm(formdata=None, item_id="")
    whole.body.label.text = "Kommentar om hela föredragningslistan"
    comments = chair_comments(meeting)
    draft = current_draft(meeting)
    every = comments["general"] + [c for listed in comments["by_item"].values() for c in listed]
    return (
        render_template(
            "agenda/chair_review.html",
            meeting=meeting,
            is_chair=is_chair,
            is_open=meeting.status in UPCOMING,
            review=latest_review(meeting),
            forms=forms,
            whole_form=with_ids(whole, "helheten"),
            comments=comments,
            commented_version=max((c.review.version for c in every), default=None),
            draft=draft,
            draft_outputs=draft_outputs(draft),
            files=DRAFT_FILES,
            withheld={item.id for item in meeting.items if access.item_withheld(item, current_user)},
        ),
        status,
    )


def _load_review(meeting_id: int) -> Meeting:
    """The meeting for the chair it was given to, or for its secretaries; 404 for anyone else."""
    meeting = access.load_meeting(current_user, meeting_id)
    if not (is_reviewing_chair(current_user, meeting) or can(current_user, Action.manage_meetings, meeting)):
        abort(404)
    return meeting


@bp.route("/sammantraden/<int:meeting_id>/beredning")
@login_required
def chair_review(meeting_id: int):
    return _review_page(_load_review(meeting_id))


@bp.route("/sammantraden/<int:meeting_id>/beredning/kommentarer", methods=["POST"])
@login_required
def chair_comment(meeting_id: int):
    meeting = _load_review(meeting_id)
    if not is_reviewing_chair(current_user, meeting):
        abort(403, "Bara ordföranden som har fått utkastet kan kommentera det.")
    form = ChairCommentForm()

    def operation() -> tuple[str, str]:
        comment = review_ops.add_comment(meeting, user=current_user, body=form.body.data, item_id=form.item_id.data)
        anchor = f"punkt-{comment.item_id}" if comment.item_id else "helheten"
        where = comment.item_label or "Helheten"
        return f"Din kommentar om {where.lower()} är sparad.", url_for(
            "meetings.chair_review", meeting_id=meeting.id, _anchor=anchor
        )

    return submit(form, operation, lambda status: _review_page(meeting, form, status))


@bp.route("/sammantraden/<int:meeting_id>/beredning/kommentarer/<int:comment_id>/hanterad", methods=["POST"])
@login_required
def chair_comment_handled(meeting_id: int, comment_id: int):
    meeting = _manageable(meeting_id)
    comment = review_ops.comment_of(meeting, comment_id)
    if comment is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    review_ops.mark_handled(comment, user=current_user)  # a ConflictError is the app's 409 page
    db.session.commit()
    flash("Kommentaren är markerad som hanterad.", "success")
    return redirect(
        meeting_url(meeting, f"punkt-{comment.item_id}" if comment.item_id else "ordforandens-kommentarer"), 303
    )
