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
from app.api.meeting_schemas import public_kallelse_json, public_listing_json
from app.api.meetings import YEAR, year_bounds
from app.api.schemas import INT_MAX, Param, page_json, read_query
from app.extensions import db


def _page_params() -> dict[str, Param]:
    return {
        "page": Param("int", "Sida"),
        "per_page": Param("int", "Antal per sida", maximum=current_app.config["API_MAX_PER_PAGE"]),
    }


@bp.get("/public/meetings")
def list_public_meetings():
    args = read_query({"committee_id": Param("int", "Nämnd"), "year": YEAR, **_page_params()})
    latest = (select(Publication.meeting_id, func.max(Publication.version).label("version"))
              .group_by(Publication.meeting_id).subquery())
    stmt = (select(Publication).options(defer(Publication.members_snapshot))
            .join(latest, (Publication.meeting_id == latest.c.meeting_id) & (Publication.version == latest.c.version))
            .join(Meeting, Meeting.id == Publication.meeting_id)
            .order_by(Meeting.start_dt.desc(), Meeting.id.desc()))
    if "committee_id" in args:
        stmt = stmt.where(Meeting.committee_id == args["committee_id"])
    if "year" in args:
        first, after = year_bounds(args["year"])
        stmt = stmt.where(Meeting.start_dt >= first, Meeting.start_dt < after)
    pagination = db.paginate(stmt, page=args.get("page", 1),
                             per_page=args.get("per_page", current_app.config["ITEMS_PER_PAGE"]), error_out=False)
    return jsonify(page_json(pagination, [public_listing_json(p.meeting, p) for p in pagination.items]))


@bp.get("/public/meetings/<int:meeting_id>/kallelse")
def get_public_kallelse(meeting_id: int):
    args = read_query({"version": Param("int", "Version")})
    if meeting_id > INT_MAX:
        abort(404)
    versions = db.session.execute(
        select(Publication.meeting_id, Publication.version, Publication.published_dt)
        .where(Publication.meeting_id == meeting_id).order_by(Publication.version)
    ).all()
    if not versions:
        abort(404)
    wanted = args.get("version", versions[-1].version)
    chosen = db.session.scalar(
        select(Publication).options(defer(Publication.members_snapshot))
        .where(Publication.meeting_id == meeting_id, Publication.version == wanted)
    )
    if chosen is None:
        abort(404)
    return jsonify(kallelse=public_kallelse_json(chosen, versions))

