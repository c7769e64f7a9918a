"""The Flask application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from app.extensions import celery_init_app, csrf, db, limiter, login_manager, migrate
from config import ROOT, ConfigError, load_config

log = logging.getLogger(__name__)


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in URLs: ids larger than the database's integers simply match no route (404).

    The pattern itself stops at 2147483647, so a larger id matches no rule for any method: refused only
    by ``max`` after matching, it answered 405 to a POST where a GET got 404.
    """

    regex = (
        r"(?:[0-9]{1,9}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}"
        r"|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])"
    )

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _refuse_nul_bytes(app: Flask) -> None:
    """Answer 400 to NUL in the query string or a form: no database stores it (PostgreSQL fails)."""
    from flask import abort, request

    @app.before_request
    def _check_input():
        if request.path.startswith("/api/"):
            return  # the API names the field itself (app.api.spec)
        values = list(request.args.values())
        if request.method not in ("GET", "HEAD") and request.mimetype in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            values += list(request.form.values())
        if any("\x00" in v for v in values):
            abort(400, "Begäran innehåller ett otillåtet tecken (NUL).")


def _read_only_gets(app: Flask) -> None:
    """GET and HEAD requests only read: on SQLite they need not wait for the write lock."""
    from flask import g, request

    from app.extensions import sqlite_reads_only, sqlite_reset

    @app.before_request
    def _begin_mode():
        if request.method in ("GET", "HEAD", "OPTIONS"):
            g._sqlite_token = sqlite_reads_only()

    @app.teardown_request
    def _reset_begin_mode(_exc):
        token = g.pop("_sqlite_token", None)
        if token is not None:
            sqlite_reset(token)


def create_app(overrides: Mapping | None = None, *, environ: Mapping[str, str] | None = None) -> Flask:
    """Create the application from the environment, with ``overrides`` on top (tests)."""
    import os

    env = os.environ if environ is None else environ
    instance_path = Path(env.get("INSTANCE_PATH") or ROOT / "instance").resolve()
    try:
        values = load_config(env, instance_path)
    except ConfigError as exc:
        raise SystemExit(f"Configuration error: {exc}") from None

    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_mapping(values)
    if overrides:
        app.config.from_mapping(overrides)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    from app import logs

    logs.configure(app.config.get("LOG_LEVEL", "INFO"), app.config.get("LOG_FORMAT", "text"))

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from app import models  # noqa: F401  (register every table)

    db.init_app(app)
    from app.search import indexing
    from app.search.models import is_engine_object

    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "app" / "migrations"),
        render_as_batch=True,
        # SQLite's FTS5 tables and PostgreSQL's GIN indexes of the search are the migration's, not the models'
        include_name=lambda name, kind, _parent: not (kind in ("table", "index") and is_engine_object(name)),
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    celery_init_app(app)
    import tasks.registry  # noqa: F401  (register the tasks with Celery)
    from app import notifications
    from tasks.notifications import hand_over

    notifications.init_app(app, send=hand_over)  # the outbox's messages go to the worker after each commit
    from agenda.minutes import adjustment
    from tasks.protocol_jobs import start_after_adjustment

    adjustment.init_app(app, on_adjusted=start_after_adjustment)  # a justering renders its revision, sealed
    from tasks.rendering.signed_report import start_signed_pdf
    from workflows import registration

    registration.init_app(app, on_signed=start_signed_pdf)  # a signed report's handling gets its PDF
    from tasks.extraction import hand_over as read_text

    indexing.install(app, extract=read_text)  # the search index follows every flush; a worker reads new bilagor

    from app import database_faults, idempotency
    from app.api import register_api
    from app.auth import login as auth_login
    from app.cli import register_cli
    from app.web import register_web

    logs.init_app(app)  # first: every request gets its id before any other hook may answer it
    database_faults.init_app(app)  # a Swedish answer to whatever escapes the error handlers
    idempotency.init_app(app)
    app.url_map.converters["int"] = DatabaseIdConverter  # before any route is added
    _read_only_gets(app)
    _refuse_nul_bytes(app)
    auth_login.init(app)
    register_web(app)
    register_api(app)
    register_cli(app)
    return app
