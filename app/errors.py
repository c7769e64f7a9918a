"""The JSON error body every floor answers with: {"error": {"status": …, "message": …, "fields": {…}}}.

The API's answers use it, and so do the app-wide error handlers (for a path under /api/) and the
pages' own scripts' endpoints, which is why it sits in the core rather than in ``app.api``.
"""

from __future__ import annotations

from flask import jsonify, request


def json_error(status: int, message: str, fields: dict[str, str] | None = None):
    body: dict = {"status": status, "message": message}
    if fields:
        body["fields"] = fields
    return jsonify(error=body), status


def is_api_request() -> bool:
    """Whether the request is the JSON API's or the open data's (under /api/ or /oparl/): errors are answered in
    JSON."""
    return request.path.startswith(("/api/", "/oparl/"))


def prefers_json() -> bool:
    """Whether a page's own script asked for JSON (its Accept header) rather than a page to show."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
