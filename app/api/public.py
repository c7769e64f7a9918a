"""The public version of published kallelser, without logging in.

Everything here comes from the immutable public snapshots (Publication.public_snapshot), never
from live data: what the public reads is exactly what was published, and a meeting that has not
been published does not exist here (404).
"""

from __future__ import annotations

from flask import abort, current_app, jsonify
from sqlalchemy import func, select
from sqlalchemy.orm import defer

from agenda.models import Meeting, Publication
from app.api import bp
from app.api.meeting_json import public_kallelse_json, public_listing_json
from app.api.meeting_schemas import MeetingListQuery
from app.api.meetings import year_bounds
from app.api.public_schemas import KallelseQuery, PublicKallelseReply, PublicMeetingPage
from app.api.schemas import INT_MAX, page_json
from app.api.spec import described, query_values
from app.extensions import db

TAG = "Offentligt"


@bp.get("/public/meetings")
@described(
    operation_id="listPublicMeetings",
    tag=TAG,
    summary="Sammanträden med publicerad kallelse",
    query=MeetingListQuery,
    responses={200: (PublicMeetingPage, "En sida med sammanträden, senaste först.")},
    errors=("BadRequest",),
    is_public=True,
)
def list_public_meetings():
    args = query_values()
    latest = (
        select(Publication.meeting_id, func.max(Publication.version).label("version"))
        .group_by(Publication.meeting_id)
        .subquery()
    )
    stmt = (
        select(Publication)
        .options(defer(Publication.members_snapshot))
        .join(latest, (Publication.meeting_id == latest.c.meeting_id) & (Publication.version == latest.c.version))
        .join(Meeting, Meeting.id == Publication.meeting_id)
        .order_by(Meeting.start_dt.desc(), Meeting.id.desc())
    )
    if "committee_id" in args:
        stmt = stmt.where(Meeting.committee_id == args["committee_id"])
    if "year" in args:
        first, after = year_bounds(args["year"])
        stmt = stmt.where(Meeting.start_dt >= first, Meeting.start_dt < after)
    pagination = db.paginate(
        stmt,
        page=args.get("page", 1),
        per_page=args.get("per_page", current_app.config["ITEMS_PER_PAGE"]),
        error_out=False,
    )
    return jsonify(page_json(pagination, [public_listing_json(p.meeting, p) for p in pagination.items]))


@bp.get("/public/meetings/<int:meeting_id>/kallelse")
@described(
    operation_id="getPublicKallelse",
    tag=TAG,
    summary="Den offentliga kallelsen",
    query=KallelseQuery,
    responses={200: (PublicKallelseReply, "Kallelsen som den publicerades.")},
    description="Bara publicerade versioner; ett sammanträde utan publicerad kallelse ger 404.",
    errors=("BadRequest", "NotFound"),
    path_parameters={"meeting_id": "Sammanträdets id."},
    is_public=True,
)
def get_public_kallelse(meeting_id: int):
    args = query_values()
    if meeting_id > INT_MAX:
        abort(404)
    versions = db.session.execute(
        select(Publication.meeting_id, Publication.version, Publication.published_dt)
        .where(Publication.meeting_id == meeting_id)
        .order_by(Publication.version)
    ).all()
    if not versions:
        abort(404)
    wanted = args.get("version", versions[-1].version)
    chosen = db.session.scalar(
        select(Publication)
        .options(defer(Publication.members_snapshot))
        .where(Publication.meeting_id == meeting_id, Publication.version == wanted)
    )
    if chosen is None:
        abort(404)
    return jsonify(kallelse=public_kallelse_json(chosen, versions))
