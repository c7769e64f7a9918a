"""Search in the API: the same search as the page Sök, inside the same secrecy rules."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.api import bp
from app.api.schemas import InputError
from app.api.search_schemas import SearchPage, SearchQuery
from app.api.spec import described, query_values
from app.search.links import hit_urls
from app.search.queries import PAGE_SIZE, Hit, SearchRequest, search
from app.validation import ValidationError


def _hit_json(hit: Hit, url: str) -> dict:
    return {
        "kind": hit.kind.value,
        "kind_label": hit.kind.label,
        "object_id": hit.object_id,
        "part": hit.part,
        "case_id": hit.case_id,
        "case_number": hit.case_number,
        "case_status": hit.status.value if hit.status else None,
        "committee": {"id": hit.committee_id, "name": hit.committee},
        "year": hit.year,
        "date": hit.entry_date.isoformat() if hit.entry_date else None,
        "title": Markup(hit.title).striptags(),
        "title_html": str(hit.title),
        "snippet_html": str(hit.snippet),
        "text_note": hit.text_note,
        "links": {"html": url},
    }


@bp.get("/search")
@described(
    operation_id="search",
    tag="Sök",
    summary="Sök i allt du får läsa",
    query=SearchQuery,
    responses={200: (SearchPage, "En sida träffar med facetter.")},
    description=(
        "Söker i ärenden, registrerade handlingar, tjänsteutlåtanden (aktuell och undertecknad version), bilagor, "
        "kallelser och protokoll. Bara det du får läsa på dess egen sida ingår, också i antal och facetter."
    ),
    errors=("BadRequest",),
)
def search_all():
    args = query_values()
    asked = SearchRequest(
        q=args.get("q") or "",
        committee_id=args.get("committee_id"),
        year=args.get("year"),
        kind=args.get("kind"),
        status=args.get("status"),
        page=args.get("page") or 1,
    )
    try:
        result = search(current_user, asked)
    except ValidationError as exc:
        raise InputError(exc.errors) from None

    def link(page: int) -> str:
        return url_for("api.search_all", **{**request.args.to_dict(), "page": page}, _external=True)

    return jsonify(
        items=[_hit_json(h, u) for h, u in zip(result.hits, hit_urls(result.hits, external=True))],
        page=asked.page,
        per_page=PAGE_SIZE,
        total=result.total,
        pages=result.pages,
        next=link(asked.page + 1) if asked.page < result.pages else None,
        prev=link(asked.page - 1) if asked.page > 1 else None,
        facets={
            name: [{"value": f.value, "label": f.label, "count": f.count} for f in values]
            for name, values in result.facets.items()
        }
        or {"committee": [], "year": [], "kind": [], "status": []},
        suggestion=result.suggestion,
        capped=result.capped,
        facets_sampled=result.sampled,
    )
