"""The JSON API under /api/v1; described at /api/v1/openapi.json.

Browsers use their session (and send the CSRF token in X-CSRFToken on changes);
scripts send a personal token as ``Authorization: Bearer …``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, g, request
from flask_login import current_user

from app.api.errors import json_error, validation_error
from app.extensions import csrf
from app.validation import ConflictError, ForbiddenError, ValidationError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

#: endpoints that answer without logging in
PUBLIC_ENDPOINTS = {"api.openapi", "api.list_public_meetings", "api.get_public_kallelse"}


@bp.before_request
def authenticate():
    authenticated = current_user.is_authenticated  # resolves the session or the Bearer token
    if request.headers.get("Authorization") and not g.get("auth_via_token"):
        return json_error(401, "Ogiltig eller återkallad API-nyckel.")
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not authenticated:
        return json_error(401, "Inloggning krävs: logga in eller skicka en API-nyckel (Authorization: Bearer …).")
    if request.method not in ("GET", "HEAD", "OPTIONS") and not g.get("auth_via_token"):
        csrf.protect()  # a browser session must prove the request comes from our pages
    return None


@bp.errorhandler(ValidationError)
def on_validation_error(exc: ValidationError):
    return validation_error(exc)


@bp.errorhandler(ConflictError)
def on_conflict(exc: ConflictError):
    return json_error(409, exc.message)


@bp.errorhandler(ForbiddenError)
def on_forbidden(exc: ForbiddenError):
    return json_error(403, exc.message)


def register_api(app: Flask) -> None:
    from app.api import (  # noqa: F401  (routes)
        adjustment,
        agenda_conventions,
        cases,
        chair_review,
        committees,
        diaria,
        dispatch,
        document_templates,
        imports,
        jobs,
        meeting_documents,
        meetings,
        minutes,
        minutes_documents,
        openapi,
        organisation,
        public,
        report_attachments,
        report_documents,
        report_history,
        reports,
        search,
    )

    app.register_blueprint(bp)
    from app.api.oparl import bp as oparl_bp

    app.register_blueprint(oparl_bp)
