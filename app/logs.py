"""Structured logs: one line per request with its request id, as JSON or as key=value text (LOG_FORMAT).

* ``configure`` installs the process's log handler (stderr) with the chosen format, unless something else
  (a test runner) already handles the root logger; every line then carries the request id of the request
  or job it was written in.
* ``init_app`` gives each request an id — the client's ``X-Request-ID`` when it is sane, else a new one —
  sends it back in the ``X-Request-ID`` header and logs one line per request (logger ``app.requests``):
  method, path, status, duration in ms and the user's id when the request was made by one.
* ``current_request_id`` and ``bind_request_id`` carry the id on to the jobs a request queues
  (tasks.lifecycle sends it with the task and logs the job's start and end under it).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request
from flask_login import AnonymousUserMixin
from sqlalchemy import inspect

FORMATS = ("text", "json")
#: what a client's X-Request-ID may be to be kept (a UUID, a proxy's hex or base64-ish id); anything else is replaced
_SANE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+/=-]{0,127}$")
HEADER = "X-Request-ID"
request_log = logging.getLogger("app.requests")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
#: the attributes every LogRecord has: anything else on a record was passed in ``extra`` and is shown
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


def current_request_id() -> str | None:
    """The id of the request (or of the request that queued the job) being handled now, if any."""
    return _request_id.get()


def bind_request_id(request_id: str | None) -> contextvars.Token:
    """Let the lines logged from now on carry ``request_id``, until ``unbind_request_id`` with the token returned."""
    return _request_id.set(request_id)


def unbind_request_id(token: contextvars.Token) -> None:
    with contextlib.suppress(ValueError):  # set in another context (a copied one): nothing to reset
        _request_id.reset(token)


def sane_request_id(value: str | None) -> str:
    """``value`` when it is a reasonable id (at most 128 letters, digits and ``._:+/=-``), else a new one."""
    if value and _SANE_ID.match(value):
        return value
    return uuid.uuid4().hex


def _extras(record: logging.LogRecord) -> dict:
    fields = {key: value for key, value in vars(record).items() if key not in _STANDARD and not key.startswith("_")}
    if "request_id" not in fields and (request_id := current_request_id()):
        fields["request_id"] = request_id
    return fields


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_extras(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message key=value …``: the record's extra fields after the message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = " ".join(f"{key}={_text_value(value)}" for key, value in _extras(record).items())
        if not fields:
            return text
        first, newline, rest = text.partition("\n")  # a traceback stays below the line
        return f"{first} {fields}{newline}{rest}"


def _text_value(value: object) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (not text or any(c in text for c in ' "=\n')) else text


class _Handler(logging.StreamHandler):
    """The handler ``configure`` installs (recognised when it configures again)."""


def formatter_for(log_format: str) -> logging.Formatter:
    return JSONFormatter() if log_format == "json" else TextFormatter()


def configure(level: str = "INFO", log_format: str = "text") -> None:
    """Log to stderr at ``level`` in ``log_format`` ("text" or "json"), as ``logging.basicConfig`` would: only when
    the root logger has no handler yet, or only ours (whose format is then changed)."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, _Handler)]
    if root.handlers and not ours:
        return
    handler = ours[0] if ours else _Handler()
    handler.setFormatter(formatter_for(log_format))
    if not ours:
        root.addHandler(handler)
    root.setLevel(level)


def _user_id() -> int | None:
    """The id of the user the request was made by, if the request looked them up (never a lookup of its own:
    the database may be what failed)."""
    user = g.get("_login_user")
    if user is None or isinstance(user, AnonymousUserMixin):
        return None
    state = inspect(user, raiseerr=False)  # the id without loading an expired row again
    return state.identity[0] if state is not None and state.identity else getattr(user, "id", None)


def init_app(app: Flask) -> None:
    """Give each request its id and log one line when it ends."""
    request_log.disabled = False  # a migration's logging.config.fileConfig in this process disables existing loggers

    def _begin():
        g.request_id = sane_request_id(request.headers.get(HEADER))
        g._request_id_token = bind_request_id(g.request_id)
        g._request_started = time.perf_counter()

    app.before_request_funcs.setdefault(None, []).insert(0, _begin)  # before CSRF, the rate limit and the rest

    @app.after_request
    def _log(response):
        request_id = g.get("request_id")
        if request_id is None:  # a request refused before ``_begin`` (another before_request answered)
            return response
        response.headers[HEADER] = request_id
        duration_ms = round((time.perf_counter() - g._request_started) * 1000, 1)
        request_log.info(
            "%s %s %s %.1f ms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": _user_id(),
            },
        )
        return response

    @app.teardown_request
    def _end(_exc):
        token = g.pop("_request_id_token", None)
        if token is not None:
            unbind_request_id(token)
