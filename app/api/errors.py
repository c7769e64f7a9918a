"""JSON error bodies for the API: {"error": {"status": …, "message": …, "fields": {…}}}."""

from __future__ import annotations

from flask import jsonify

from app.validation import ValidationError


def json_error(status: int, message: str, fields: dict[str, str] | None = None):
    body: dict = {"status": status, "message": message}
    if fields:
        body["fields"] = fields
    return jsonify(error=body), status


def validation_error(exc: ValidationError, status: int = 422):
    return json_error(status, exc.message, exc.errors)
