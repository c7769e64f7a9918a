"""Sök: the staff's full-text search over everything they may read (app.search), with facets and paging; and the
public search (/offentligt/sok) over the public versions only, without logging in."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.search.links import hit_urls
from app.search.queries import SearchRequest, SearchResult, search, search_public
from app.validation import ValidationError
from app.web.public import bp as public_bp

bp = Blueprint("search", __name__)

#: the query string's names of the facets, in the order the page shows them, with their Swedish headings
FACETS = [
    ("kind", "kind", "Typ"),
    ("committee", "committee", "Nämnd"),
    ("year", "year", "År"),
    ("status", "status", "Status"),
]


#: what each search's page says it is: (heading, what it searches, an introduction)
STAFF = ("Sök", "Sök i ärenden, handlingar, tjänsteutlåtanden, bilagor, kallelser och protokoll", None)
PUBLIC = (
    "Sök i nämndernas handlingar",
    "Sök i diariets öppna ärenden, de publicerade kallelserna och de justerade protokollen",
    "Söker i de offentliga versionerna: diariets ärenden som inte är sekretessmarkerade, de publicerade "
    "kallelsernas punkter och de justerade protokollens paragrafer. Ett sekretessärende finns bara med i "
    "protokollet, med sin offentliga rubrik och sekretessbestämmelse.",
)


def search_page_for(endpoint: str, run: Callable[[SearchRequest], SearchResult], texts: tuple) -> ResponseReturnValue:
    """The search page of ``endpoint``: read the query string, ``run`` the search, show the hits and facets.

    The staff's page and the public one differ only in what they search (and say)."""
    heading, what, intro = texts
    page = {"heading": heading, "what": what, "intro": intro, "endpoint": endpoint}
    args = {name: request.args.get(name, "") for name in ("q", "committee", "year", "kind", "status", "page")}
    try:
        asked = SearchRequest.from_args(args)
    except ValidationError as exc:
        return render_template("search/search.html", q=args["q"], errors=exc.errors, result=None, **page), 400
    result = run(asked)
    chosen = {name: value for name, value in args.items() if value and name not in ("q", "page")}

    def link(**changes: str | int | None) -> str:
        """This search with some filters changed (None removes one); back to the first page unless one is given."""
        values = {"q": asked.q, **chosen, **changes}
        return url_for(endpoint, **{k: v for k, v in values.items() if v not in (None, "")})

    return render_template(
        "search/search.html",
        q=asked.q,
        errors={},
        result=result,
        urls=hit_urls(result.hits),
        facets=FACETS,
        chosen=chosen,
        link=link,
        **page,
    )


@bp.route("/sok")
@login_required
def search_page():
    return search_page_for("search.search_page", lambda asked: search(current_user, asked), STAFF)


@public_bp.route("/sok")
def public_search():
    return search_page_for("public.public_search", search_public, PUBLIC)
