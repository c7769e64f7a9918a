"""JSON error bodies for the API: {"error": {"status": …, "message": …, "fields": {…}}} (``app.errors``)."""

from __future__ import annotations

from app.errors import json_error
from app.validation import ValidationError

__all__ = ["json_error", "validation_error"]


def validation_error(exc: ValidationError, status: int = 422):
    return json_error(status, exc.message, exc.errors)
