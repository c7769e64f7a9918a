"""The JSON error body every floor answers with: {"error": {"status": …, "message": …, "fields": {…}}}.

The API's answers use it, and so do the app-wide error handlers (for a path under /api/) and the
pages' own scripts' endpoints, which is why it sits in the core rather than in ``app.api``.
"""

from __future__ import annotations

from flask import jsonify


def json_error(status: int, message: str, fields: dict[str, str] | None = None):
    body: dict = {"status": status, "message": message}
    if fields:
        body["fields"] = fields
    return jsonify(error=body), status
