"""Server-rendered pages: blueprints, error pages, security headers and template helpers."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import Flask, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from app.clock import to_local
from app.errors import is_api_request, json_error, prefers_json
from app.swedish_dates import weekday_date
from app.validation import ConflictError, ForbiddenError

ERROR_TEXTS = {
    400: ("Felaktig begäran", "Begäran kunde inte behandlas. Kontrollera uppgifterna och försök igen."),
    401: ("Inloggning krävs", "Du behöver logga in för att se sidan."),
    403: ("Åtkomst nekad", "Du har inte behörighet att göra detta."),
    404: ("Sidan finns inte", "Sidan eller uppgiften du söker finns inte, eller så saknar du behörighet att se den."),
    405: ("Metoden är inte tillåten", "Sidan kan inte användas på det sättet."),
    409: ("Konflikt", "Åtgärden krockar med uppgifternas nuvarande läge."),
    413: ("För stor fil", "Det du skickade är större än vad som tillåts."),
    415: ("Fel innehållstyp", "Innehållet har en typ som inte kan tas emot här."),
    429: ("För många försök", "Du har gjort för många försök på kort tid. Vänta en stund och försök igen."),
    500: (
        "Något gick fel",
        "Ett oväntat fel inträffade. Försök igen om en stund; kvarstår felet, kontakta systemförvaltningen.",
    ),
}


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime("%Y-%m-%d")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%Y-%m-%d %H:%M")


def nowrap(value: object) -> Markup:
    """Text read as one word, a diarienummer or a date: kept on one line by the stylesheet (``.nowrap``)."""
    if value is None or value == "":
        return Markup("")
    return Markup('<span class="nowrap">{}</span>').format(value)


#: in running text, what is read as one word though it has a hyphen: a diarienummer (SN-2016/3342.181,
#: KSL/12/0177-37), a date (2017-02-23, with its time if it has one)
_WHOLE_WORD = re.compile(r"(?<![\w-])(?=[\w/.:-]*\d)[\w/.:]*\w(?:-[\w/.:]*\w)+(?: \d{2}:\d{2}\b)?")


def nowrap_numbers(text: object) -> Markup:
    """Running text (a log line, a message) with each diarienummer and date in it kept on one line (``.nowrap``)."""
    escaped = escape("" if text is None else text)
    return Markup(_WHOLE_WORD.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', str(escaped)))


def _error_page(status: int, message: str | None = None):
    title, text = ERROR_TEXTS.get(status, ERROR_TEXTS[500])
    return render_template("errors/error.html", status=status, title=title, text=message or text), status


def register_web(app: Flask) -> None:
    from app.web import (  # noqa: F401  (routes on the admin, the meetings, the public and the reports blueprints)
        adjustment,
        admin_diaria,
        admin_import,
        admin_organisation,
        admin_sections,
        admin_templates,
        agenda_builder,
        delegations,
        meeting_cancel,
        meeting_draft,
        meeting_template,
        minutes,
        notice,
        public_announcements,
        public_diarium,
        report_attachments,
        report_documents,
        year_plan,
    )
    from app.web.admin import bp as admin_bp
    from app.web.auth import bp as auth_bp
    from app.web.handling_notes import bp as handling_notes_bp
    from app.web.health import bp as health_bp
    from app.web.jobs import bp as jobs_bp
    from app.web.main import bp as main_bp
    from app.web.meeting_documents import bp as meeting_documents_bp
    from app.web.meetings import bp as meetings_bp
    from app.web.minutes_dispatch import bp as minutes_dispatch_bp
    from app.web.minutes_documents import bp as minutes_documents_bp
    from app.web.outbox import bp as outbox_bp
    from app.web.public import bp as public_bp
    from app.web.registry import bp as registry_bp
    from app.web.reports import bp as reports_bp
    from app.web.search import bp as search_bp

    for bp in (
        main_bp,
        auth_bp,
        registry_bp,
        admin_bp,
        jobs_bp,
        outbox_bp,
        reports_bp,
        meetings_bp,
        public_bp,
        meeting_documents_bp,
        minutes_documents_bp,
        minutes_dispatch_bp,
        handling_notes_bp,
        health_bp,
        search_bp,
    ):
        app.register_blueprint(bp)

    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(weekday_date, "long_date")
    app.add_template_filter(nowrap, "nowrap")
    app.add_template_filter(nowrap_numbers, "nowrap_numbers")
    from workflows.sniffing import describe_file

    app.add_template_global(describe_file, "describe_file")

    @app.context_processor
    def inject_helpers():
        from flask_login import current_user

        from app.permissions import Action, can, committees_where, municipalities_where
        from app.web.forms import EmptyForm

        return {
            "can": can,
            "Action": Action,
            "logout_form": EmptyForm,
            "may_administer": bool(
                municipalities_where(current_user, Action.manage_classification)
                or municipalities_where(current_user, Action.manage_users)
                or committees_where(current_user, Action.manage_review_rules)
            ),
            "municipalities_where": municipalities_where,
            "committees_where": committees_where,
        }

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        message = "Formuläret har gått ut eller saknar giltig säkerhetstoken (CSRF). Ladda om sidan och försök igen."
        if is_api_request():
            return json_error(400, message)
        return _error_page(400, message)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(exc):
        if is_api_request():
            return json_error(429, ERROR_TEXTS[429][1])
        return _error_page(429)

    @app.errorhandler(ForbiddenError)
    @app.errorhandler(ConflictError)
    def refused(exc: ForbiddenError | ConflictError):
        """A refusal an operation raised outside a form flow: 403 or 409 with its message, nothing kept."""
        from app.extensions import db

        db.session.rollback()  # and with it the messages the operation queued
        status = 403 if isinstance(exc, ForbiddenError) else 409
        if is_api_request():
            return json_error(status, exc.message)
        return _error_page(status, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        # abort(status, "…") gives a message of our own (Swedish); werkzeug's defaults are English.
        custom = exc.description if exc.description != type(exc).description else None
        if is_api_request():
            return json_error(status, custom or ERROR_TEXTS.get(status, ERROR_TEXTS[500])[1])
        return _error_page(status, custom)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        from app.database_faults import (
            RETRY_AFTER,
            UNAVAILABLE_TEXT,
            UNAVAILABLE_TITLE,
            committed_in_request,
            is_connection_error,
            safe_rollback,
            saved_reply,
            standalone_page,
        )
        from app.extensions import db
        from app.idempotency import conflicting_retry

        safe_rollback(db.session)
        if committed_in_request() and request.method not in ("GET", "HEAD", "OPTIONS"):
            # The change is saved; only the reply failed. Saying 500 would invite sending it again.
            app.logger.warning("Reply failed after commit on %s %s: %r", request.method, request.path, exc)
            return saved_reply(api=is_api_request())
        if isinstance(exc, IntegrityError) and conflicting_retry():
            return json_error(409, "En begäran med samma Idempotency-Key behandlas redan. Vänta och försök igen.")
        if is_connection_error(exc):
            app.logger.warning("Database unavailable on %s %s: %r", request.method, request.path, exc)
            if is_api_request() or prefers_json():
                response, status = json_error(503, UNAVAILABLE_TEXT)
            else:
                response, status = standalone_page(UNAVAILABLE_TITLE, UNAVAILABLE_TEXT), 503
            return response, status, {"Retry-After": RETRY_AFTER, "Cache-Control": "no-store"}
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if is_api_request():
            return json_error(500, ERROR_TEXTS[500][1])
        return _error_page(500)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.status_code >= 500:
            # An error reply is never kept; and after a database error, asking who the user is would fail again.
            headers["Cache-Control"] = "no-store"
        elif _for_a_user(response):
            if not response.cache_control.no_store:
                headers["Cache-Control"] = "private, no-store"
        elif response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
        return response

    def _for_a_user(response) -> bool:
        """Whether the answer went to a logged-in user (session or API token) and may hold what only they may
        read: nothing of it is to be kept by a browser or proxy. Static files and what a view marked public
        (the public kallelse's files) keep their caching."""
        from flask import g
        from flask_login import AnonymousUserMixin, current_user

        if request.endpoint == "static" or response.cache_control.public:
            return False
        if "_login_user" in g:  # already known: decide without touching the database (it may be gone)
            return g._login_user is not None and not isinstance(g._login_user, AnonymousUserMixin)
        return current_user.is_authenticated
