"""The draft kallelse and ordförandeberedning in the API: preview the unpublished agenda as Word and PDF, give
the draft to the chair, the chair's comments, mark one handled. The same operations and access as the pages
(app/web/meeting_draft.py)."""

from __future__ import annotations

from flask import abort, jsonify, url_for
from flask_login import current_user

from agenda import access
from agenda import chair_review_operations as review_ops
from agenda.chair_review import ChairComment as Comment
from agenda.chair_review import chair_of, comments_of, is_reviewing_chair, latest_review
from agenda.models import Meeting
from app.api import bp
from app.api.chair_review_schemas import ChairComment, ChairReview, DraftKallelse, GiveToChair, NewChairComment
from app.api.jobs import accepted, commit_and_enqueue, job_json
from app.api.spec import NoBody, body_values, described
from app.extensions import db
from app.permissions import Action, can
from tasks.access import current_draft_job, draft_job, send_job_output
from tasks.models import Job
from tasks.rendering.draft_kallelse import (
    DRAFT_FILES,
    current_draft,
    draft_outputs,
    render_draft_kallelse,
    start_draft_kallelse,
)

TAG = "Sammanträden"
MEETING = {"meeting_id": "Sammanträdets id."}
JOB = {**MEETING, "job_id": "Utkastjobbets id."}
WRITE = ("BadRequest", "Forbidden", "NotFound", "Conflict", "UnsupportedMediaType", "Unprocessable")


def _user_ref(user) -> dict | None:
    return {"id": user.id, "name": user.name} if user is not None else None


def draft_json(job: Job) -> dict:
    meeting_id = job.params["meeting_id"]
    made = draft_outputs(job)
    current = current_draft(db.session.get(Meeting, meeting_id))
    return {
        "job": job_json(job),
        "agenda_version": job.params.get("agenda_version") or 1,
        "is_current": current is not None and current.id == job.id,
        "files": {
            name: url_for("api.draft_kallelse_file", meeting_id=meeting_id, job_id=job.id, name=name)
            if name in made
            else None
            for name in DRAFT_FILES
        },
    }


def comment_json(comment: Comment) -> dict:
    return {
        "id": comment.id,
        "item_id": comment.item_id,
        "item_label": comment.item_label,
        "draft_version": comment.review.version,
        "body": comment.body,
        "author": _user_ref(comment.author),
        "created_at": comment.created_dt.isoformat(),
        "handled_at": comment.handled_dt.isoformat() if comment.handled_dt else None,
        "handled_by": _user_ref(comment.handled_by),
    }


def review_json(meeting: Meeting) -> dict:
    review, draft = latest_review(meeting), current_draft(meeting)
    return {
        "meeting_id": meeting.id,
        "chair": _user_ref(chair_of(meeting.committee_id)),
        "version": review.version if review else None,
        "given_at": review.given_dt.isoformat() if review else None,
        "given_by": _user_ref(review.given_by) if review else None,
        "note": review.note if review else None,
        "draft": url_for("api.draft_kallelse_file", meeting_id=meeting.id, job_id=draft.id, name="kallelse.pdf")
        if draft is not None and "kallelse.pdf" in draft_outputs(draft)
        else None,
        "comments": [comment_json(c) for c in comments_of(meeting)],
    }


def _review_meeting(meeting_id: int) -> Meeting:
    """The meeting for the chair it was given to or its secretaries; 404 for anyone else."""
    meeting = access.load_meeting(current_user, meeting_id)
    if not (is_reviewing_chair(current_user, meeting) or can(current_user, Action.manage_meetings, meeting)):
        abort(404)
    return meeting


@bp.route("/meetings/<int:meeting_id>/draft", methods=["POST"])
@described(
    operation_id="createDraftKallelse",
    tag=TAG,
    summary="Förhandsgranska utkastet till kallelse",
    responses={202: (DraftKallelse, "Jobbet är köat; följ det via Location.")},
    headers={
        202: {"Location": {"schema": {"type": "string", "format": "uri"}, "description": "Jobbets adress i API:t."}}
    },
    description="Gör föredragningslistan som den skulle publiceras nu till DOCX och taggad PDF, märkta ”Utkast” "
    "på varje sida. Inget publiceras och inget versionsnummer används. Bara nämndsekreteraren. Ingen kropp behövs. "
    "409 om föredragningslistan är tom.",
    errors=("NotFound", "Forbidden", "Conflict"),
    path_parameters=MEETING,
)
def create_draft_kallelse(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    job = commit_and_enqueue(render_draft_kallelse, start_draft_kallelse(current_user, meeting).id)
    return accepted(draft_json(job), url_for("api.draft_kallelse", meeting_id=meeting_id, job_id=job.id))


@bp.route("/meetings/<int:meeting_id>/draft/<int:job_id>")
@described(
    operation_id="getDraftKallelse",
    tag=TAG,
    summary="Ett utkast till kallelse",
    responses={200: (DraftKallelse, "Jobbet och filerna.")},
    description="Nämndens sekreterare, och ordföranden som har fått utkastet.",
    errors=("NotFound",),
    path_parameters=JOB,
)
def draft_kallelse(meeting_id: int, job_id: int):
    return jsonify(draft_json(draft_job(current_user, access.load_meeting(current_user, meeting_id), job_id)))


@bp.route("/meetings/<int:meeting_id>/draft/<int:job_id>/<name>")
@described(
    operation_id="downloadDraftKallelse",
    tag=TAG,
    summary="Hämta utkastet som PDF eller Word",
    responses={
        200: (
            tuple(dict.fromkeys(mimetype for _label, mimetype in DRAFT_FILES.values())),
            "Filen, märkt ”Utkast” på varje sida.",
        )
    },
    description="410 för ett utkast som ett nyare har ersatt.",
    errors=("NotFound", "Gone"),
    path_parameters={**JOB, "name": "kallelse.pdf eller kallelse.docx."},
    path_choices={"name": DRAFT_FILES},
)
def draft_kallelse_file(meeting_id: int, job_id: int, name: str):
    job = current_draft_job(current_user, access.load_meeting(current_user, meeting_id), job_id)
    if name not in DRAFT_FILES:
        abort(404)
    response = send_job_output(draft_outputs(job).get(name), DRAFT_FILES[name][1])
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/meetings/<int:meeting_id>/chair-review")
@described(
    operation_id="getChairReview",
    tag=TAG,
    summary="Ordförandeberedningen: utkastet hos ordföranden och ordförandens kommentarer",
    responses={200: (ChairReview, "Beredningen.")},
    description="Nämndens sekreterare, och ordföranden som har fått utkastet; 404 för andra.",
    errors=("NotFound",),
    path_parameters=MEETING,
)
def get_chair_review(meeting_id: int):
    return jsonify(review_json(_review_meeting(meeting_id)))


@bp.route("/meetings/<int:meeting_id>/chair-review", methods=["POST"])
@described(
    operation_id="giveDraftToChair",
    tag=TAG,
    summary="Ge utkastet till ordföranden",
    body=GiveToChair,
    body_optional=True,
    responses={201: (ChairReview, "Utkastet är givet; ordföranden får ett meddelande (e-post och Utkorg).")},
    description="Bara nämndsekreteraren. 409 om föredragningslistan är tom, sammanträdet har hållits eller nämnden "
    "saknar en ordförande med konto.",
    errors=WRITE,
    path_parameters=MEETING,
)
def give_draft_to_chair(meeting_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    review_ops.give_to_chair(meeting, user=current_user, note=body_values().get("note"))
    db.session.commit()
    return jsonify(review_json(meeting)), 201


@bp.route("/meetings/<int:meeting_id>/chair-review/comments", methods=["POST"])
@described(
    operation_id="addChairComment",
    tag=TAG,
    summary="Ordförandens kommentar till en punkt eller om helheten",
    body=NewChairComment,
    responses={201: (ChairComment, "Kommentaren.")},
    description="Bara ordföranden som har fått utkastet (403 för andra som ser beredningen).",
    errors=WRITE,
    path_parameters=MEETING,
)
def add_chair_comment(meeting_id: int):
    meeting = _review_meeting(meeting_id)
    values = body_values()
    comment = review_ops.add_comment(meeting, user=current_user, body=values.get("body"), item_id=values.get("item_id"))
    db.session.commit()
    return jsonify(comment_json(comment)), 201


@bp.route("/meetings/<int:meeting_id>/chair-review/comments/<int:comment_id>/handled", methods=["POST"])
@described(
    operation_id="markChairCommentHandled",
    tag=TAG,
    summary="Markera ordförandens kommentar som hanterad",
    body=NoBody,
    body_optional=True,
    responses={200: (ChairComment, "Kommentaren.")},
    description="Bara nämndsekreteraren. 409 om den redan är hanterad.",
    errors=("NotFound", "Forbidden", "Conflict"),
    path_parameters={**MEETING, "comment_id": "Kommentarens id."},
)
def mark_chair_comment_handled(meeting_id: int, comment_id: int):
    meeting = access.load_meeting(current_user, meeting_id, Action.manage_meetings)
    comment = review_ops.comment_of(meeting, comment_id)
    if comment is None:
        abort(404)
    review_ops.mark_handled(comment, user=current_user)
    db.session.commit()
    return jsonify(comment_json(comment))
