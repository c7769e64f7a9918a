"""The extension objects every area shares, created unbound and initialised in create_app."""

from __future__ import annotations

import contextvars
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from celery import Celery, Task
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:

    class Model(Base):
        """The base of every model, as a type checker sees it.

        At run time it is ``db.Model``: a class Flask-SQLAlchemy builds from ``Base`` when the extension is
        created (adding its table naming and a ``query`` property, which no model uses), so a type checker
        can only see it as a variable and cannot derive a class from it. Every model sets its
        ``__tablename__``, so to the checker the models derive from ``Base`` itself, with their columns
        typed by ``Mapped[...]``.
        """

        __abstract__ = True

else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


#: how SQLite transactions begin in this context: IMMEDIATE (take the write lock at once)
#: by default; plain BEGIN for read-only work (GET requests, the read phase of tasks)
_sqlite_begin = contextvars.ContextVar("sqlite_begin", default="BEGIN IMMEDIATE")


def sqlite_reads_only() -> contextvars.Token:
    """Let transactions started from now on in this context read without the write lock."""
    return _sqlite_begin.set("BEGIN")


def sqlite_reset(token: contextvars.Token) -> None:
    _sqlite_begin.reset(token)


@contextmanager
def sqlite_writing():
    """Begin SQLite transactions with the write lock inside this block."""
    token = _sqlite_begin.set("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        sqlite_reset(token)


@contextmanager
def separate_transaction():
    """A short transaction on a connection of its own, committed when the block ends.

    For bookkeeping that must be visible at once and must not wait for (or hold up) the
    caller's own transaction: job progress, a token's last use.
    """
    from sqlalchemy.orm import Session

    with sqlite_writing(), Session(db.engine, info={"separate": True}) as session, session.begin():
        yield session


@contextmanager
def sqlite_read_only():
    token = sqlite_reads_only()
    try:
        yield
    finally:
        sqlite_reset(token)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record):
    """Make SQLite behave for several processes: WAL, a busy timeout, foreign keys.

    The driver's own transaction handling is switched off so that ``_sqlite_on_begin``
    can start a writing transaction with BEGIN IMMEDIATE: the write lock is taken at the
    start, so two registrations never both read the same counter value and no
    transaction fails half-way when it upgrades from reading to writing. Read-only
    work (GET requests, a task's reading) begins with a plain BEGIN and so never waits
    for a writer (WAL gives it a snapshot). PostgreSQL needs none of this.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_sqlite_begin.get())


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app for this Flask app; every task runs inside its app context.

    Tasks are declared with ``shared_task`` in ``tasks/`` and bind to this app.
    """

    class FlaskTask(Task):
        """Run in an app context; the task's own session only reads (writes go through tasks.jobs)."""

        def __call__(self, *args, **kwargs):
            with app.app_context(), sqlite_read_only():
                return self.run(*args, **kwargs)

    options = app.config["CELERY"].get("broker_transport_options") or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):  # the filesystem broker of the embedded default
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    celery_app = Celery(app.import_name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
