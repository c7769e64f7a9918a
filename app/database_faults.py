"""When the database goes away: a clean 503 in Swedish, and a committed write reported as done.

Three things, all in the core so every floor gets them:

* ``is_connection_error`` tells a lost or refused database connection (PostgreSQL restarting, a
  connection terminated, the server unreachable) from any other database error.
* Each request remembers whether it has committed (``committed_in_request``): if building the reply fails
  after the commit (the connection died in between), the error handlers answer that the change was saved
  instead of a 500 that invites the client to send it again.
* ``LastResort`` wraps the WSGI app: an error that escapes even Flask's error handlers (an error handler
  that itself needed the database) is answered in Swedish, as JSON under /api/, never with the WSGI
  server's English page.

The engine's pool checks each connection before use and replaces old ones (``pool_pre_ping``,
``pool_recycle`` in config.py), so a restart that happened while a connection was idle costs nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging

from flask import Flask, g, has_request_context, jsonify
from sqlalchemy import event, exc
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)

UNAVAILABLE_TITLE = "Tjänsten är tillfälligt otillgänglig"
UNAVAILABLE_TEXT = (
    "Databasen svarar inte just nu. Vänta en stund och försök igen; inget av det du skickade har sparats."
)
SAVED_TEXT = (
    "Ändringen är sparad, men svaret kunde inte visas eftersom databasen slutade svara. "
    "Skicka den inte igen: hämta uppgifterna på nytt om en stund."
)
#: seconds a client is asked to wait before trying again
RETRY_AFTER = "5"


def is_connection_error(error: BaseException) -> bool:
    """Whether ``error`` means the database could not be reached or the connection was lost."""
    if isinstance(error, exc.DBAPIError):
        return error.connection_invalidated or isinstance(error, (exc.OperationalError, exc.InterfaceError))
    if isinstance(error, exc.PendingRollbackError):  # a session whose connection died mid-transaction
        return "reconnect" in str(error) or "invalidated" in str(error)
    return isinstance(error, exc.DisconnectionError)


def committed_in_request() -> bool:
    """Whether this request has committed a transaction of the request's session."""
    return has_request_context() and bool(g.get("_committed"))


@event.listens_for(Session, "after_commit")
def _remember_commit(session: Session) -> None:
    if has_request_context() and not session.info.get("separate"):
        g._committed = True


def safe_rollback(session) -> None:
    """Roll back, and if the connection is already gone, just let the session forget it."""
    try:
        session.rollback()
    except Exception:  # noqa: BLE001 - the connection is dead; nothing to undo on our side
        log.warning("Rollback failed (the database connection is gone)", exc_info=True)
        with contextlib.suppress(Exception):
            session.close()


_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Nämndflöde</title><link rel="stylesheet" href="/static/css/app.css"></head>
<body><main id="innehall" class="page"><h1>{title}</h1><p>{text}</p><p><a href="/">Till startsidan</a></p></main>
</body></html>"""


def standalone_page(title: str, text: str) -> str:
    """An error page that needs neither the database nor the logged-in user (the layout needs both)."""
    return _PAGE.format(title=title, text=text)


def saved_reply(*, api: bool):
    """The answer to a change that committed although its reply could not be built."""
    if api:
        return jsonify(saved=True, message=SAVED_TEXT), 200, {"Cache-Control": "no-store"}
    return standalone_page("Ändringen är sparad", SAVED_TEXT), 200, {"Cache-Control": "no-store"}


class LastResort:
    """WSGI middleware: whatever escaped Flask is answered as a Swedish 500, JSON under /api/."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        try:
            return self.wsgi_app(environ, start_response)
        except Exception:  # noqa: BLE001 - the very last place an error can be answered
            log.exception("Error outside the application's error handlers on %s", environ.get("PATH_INFO"))
            text = "Ett oväntat fel inträffade. Försök igen om en stund; kvarstår felet, kontakta systemförvaltningen."
            if (environ.get("PATH_INFO") or "").startswith("/api/"):
                body = json.dumps({"error": {"status": 500, "message": text}}, ensure_ascii=False).encode()
                content_type = "application/json"
            else:
                body = standalone_page("Något gick fel", text).encode()
                content_type = "text/html; charset=utf-8"
            start_response(
                "500 INTERNAL SERVER ERROR",
                [("Content-Type", content_type), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")],
            )
            return [body]


def init_app(app: Flask) -> None:
    """Call after ``db.init_app``: teardown functions run in reverse order, so ours runs first."""
    app.wsgi_app = LastResort(app.wsgi_app)

    @app.teardown_appcontext
    def _end_session(_exc):
        # Closing the session rolls back on its connection; if PostgreSQL terminated that connection, the
        # rollback fails after the reply is already built, and the client would get the server's error page
        # instead. The pool has already discarded the dead connection; only the session must be forgotten.
        try:
            db.session.remove()
        except Exception:  # noqa: BLE001
            log.warning("Closing the session failed (the database connection is gone)", exc_info=True)
            db.session.registry.clear()
