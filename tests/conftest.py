"""Shared fixtures: an app per database backend, the demo, logged-in clients, meetings and cases.

Fixtures only: pytest finds them here without an import. The plain helpers a test calls by name are in
``tests/factories.py`` (objects, clients), ``tests/services.py`` (databases and servers) and
``tests/workers.py`` (real Celery workers, whose fixtures are offered here to every directory).

Database tests run on SQLite always and on PostgreSQL when it answers at
127.0.0.1:5432 (database ``test``); each test session migrates a schema of its own with
Alembic, so the migrations are tested too. Unreachable services are skipped with a reason.

Time: a test marked ``moments`` runs at the real time and at each of ``tests/moments.py``'s fixed
moments; ``TEST_NOW`` moves the clock for the whole run (see that module).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from agenda.models import Meeting
from app import create_app
from app.auth.models import User
from app.clock import local_today
from app.extensions import db
from app.registry.models import Case
from config import BaseConfig
from tests import factories, speedups
from tests.factories import login
from tests.moments import MOMENTS, parse_moment
from tests.services import (
    FAST_HASH,
    PG_BASE_URL,
    RedisServer,
    base_overrides,
    postgres_unavailable_reason,
    restore_postgres_demo,
    truncate_postgres,
)
from tests.workers import start_worker, worker, worker_env  # noqa: F401 - fixtures for every test directory
from workflows.models import ReportState

#: Hypothesis judges speed by the clock: on a CI machine shared with other work an example may take long
#: without anything being wrong, so neither a deadline nor the "too slow" health check fails a test.
settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")

TESTS = Path(__file__).resolve().parent

speedups.install()


def pytest_configure(config):
    """``TEST_NOW`` moves the clock for the whole run (each xdist worker moves its own)."""
    if now := os.environ.get("TEST_NOW"):
        config._clock_travel = time_machine.travel(parse_moment(now), tick=True)
        config._clock_travel.start()


def pytest_unconfigure(config):
    if travel := getattr(config, "_clock_travel", None):
        travel.stop()


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc):
    """A test marked ``moments`` runs now and at each fixed moment (``moment`` fixture, indirect).

    Added as a ``parametrize`` mark before pytest reads the marks, so that it replaces the
    ``backend`` fixture's own parameters instead of multiplying them.
    """
    marker = metafunc.definition.get_closest_marker("moments")
    if not marker:
        return
    if "backend" not in metafunc.fixturenames:
        metafunc.definition.add_marker(pytest.mark.parametrize("moment", ["nu", *MOMENTS], indirect=True))
        return
    # The date logic is Python's, the same on both databases: PostgreSQL at the fixed moments only
    # where the database takes part in it (``moments(postgresql=True)``: numbering per year).
    cases = [
        pytest.param(b, m, id=f"{b}-{m}", marks=[pytest.mark.postgres] if b == "postgresql" else [])
        for m in ["nu", *MOMENTS]
        for b in ("sqlite", "postgresql")
        if b == "sqlite" or m == "nu" or marker.kwargs.get("postgresql")
    ]
    metafunc.definition.add_marker(pytest.mark.parametrize(("backend", "moment"), cases, indirect=True))


@pytest.fixture(autouse=True)
def moment(request):
    """The moment the test runs at: the real time, or the clock moved to a fixed moment (ticking on).

    Autouse, so it starts before the test's other function fixtures (app, demo, meetings) are made.
    """
    name = getattr(request, "param", "nu")
    if name == "nu":
        yield None
        return
    with time_machine.travel(MOMENTS[name], tick=True):
        yield MOMENTS[name]


class RequestIsolatingClient(FlaskClient):
    """A test client whose every request runs in an app context of its own, as in production.

    Without it a request reuses the test's app context, and with it ``g`` (Flask-Login's
    cached user) and the test's database session: a request could see another client's
    user. The test's own session is committed before and after each request, so the
    request sees the test's setup, holds no lock the request needs, and the test's next
    read sees what the request committed.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.commit()
        return response


def _migrate(url: str, tmp_path: Path) -> None:
    from flask_migrate import upgrade

    app = create_app(
        {**base_overrides(tmp_path), "SQLALCHEMY_DATABASE_URI": url},
        environ={"INSTANCE_PATH": str(tmp_path / "instance")},
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    base = tmp_path_factory.mktemp("sqlite-template")
    path = base / "template.sqlite"
    _migrate(f"sqlite:///{path}", base)
    return path


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    """A schema of its own in database ``test``, migrated once; dropped at the end."""
    reason = postgres_unavailable_reason()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_BASE_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(PG_BASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    url_s = url.render_as_string(hide_password=False)
    try:
        _migrate(url_s, tmp_path_factory.mktemp("pg-migrate"))
        _keep_insertion_order(url_s)
        yield url_s
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _keep_insertion_order(url: str) -> None:
    """Switch autovacuum off for the schema's tables. A test's rows are removed by DELETE (``truncate_postgres``);
    without a vacuum their space is never handed out again, so the next test's rows are stored in the order they
    are inserted, as in a new table, and a query without ORDER BY does not change its order with the vacuum's
    timing (the tables stay small: a few rows a test)."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for name in conn.scalars(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")):
            conn.execute(
                sa.text(f'ALTER TABLE "{name}" SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)')
            )
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(request, backend, tmp_path, sqlite_template):
    if backend == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def app(database_url, backend, tmp_path):
    """The application on a freshly migrated, empty database (SQLite and PostgreSQL)."""
    overrides = {
        **base_overrides(tmp_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Enqueued messages stay in memory; tests that need a worker start a real one.
        "CELERY": BaseConfig.celery_settings("memory://"),
    }
    application = create_app(overrides, environ={"INSTANCE_PATH": str(tmp_path / "instance")})
    application.test_client_class = RequestIsolatingClient
    with application.app_context():
        yield application
        db.session.remove()
    if backend == "postgresql":
        truncate_postgres(application)
    with application.app_context():
        db.engine.dispose()


def _load_demo_into(url: str, base: Path) -> Path:
    """Load the demo into the database at ``url`` through the real loader; return where its files went."""
    from app.demo.loader import load

    overrides = {
        **base_overrides(base),
        "SQLALCHEMY_DATABASE_URI": url,
        "CELERY": BaseConfig.celery_settings("memory://"),
    }
    application = create_app(overrides, environ={"INSTANCE_PATH": str(base / "instance")})
    with application.app_context():
        load(with_tokens=True, password_method=FAST_HASH)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return Path(overrides["STORAGE_PATH"])


@pytest.fixture(scope="session")
def sqlite_demo(sqlite_template, tmp_path_factory):
    """The demo loaded into a copy of the migrated template, once per local day the clock shows.

    The demo plans its meetings from today's date, so a test at another moment gets a demo of
    its own day. Returns a function giving (SQLite file, stored files) for the current day.
    """
    loaded: dict = {}

    def _for_today() -> tuple[Path, Path]:
        day = local_today()
        if day not in loaded:
            base = tmp_path_factory.mktemp(f"sqlite-demo-{day.isoformat()}")
            path = base / "demo.sqlite"
            shutil.copy(sqlite_template, path)
            loaded[day] = path, _load_demo_into(f"sqlite:///{path}", base)
        return loaded[day]

    return _for_today


@pytest.fixture(scope="session")
def postgres_demo(postgres_url, tmp_path_factory):
    """The demo loaded into the session's schema and copied to a shadow schema per local day; the tables emptied.

    Returns a function giving (shadow schema, stored files) for the current day.
    """
    loaded: dict = {}

    def _for_today() -> tuple[str, Path]:
        day = local_today()
        if day not in loaded:
            base = tmp_path_factory.mktemp(f"pg-demo-{day.isoformat()}")
            files = _load_demo_into(postgres_url, base)
            engine = sa.create_engine(postgres_url)
            tables = [t.name for t in db.metadata.sorted_tables]
            with engine.begin() as conn:
                schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
                shadow = f"{schema}_demo_{day.strftime('%Y%m%d')}"
                conn.execute(sa.text(f'CREATE SCHEMA "{shadow}"'))
                for name in tables:
                    conn.execute(sa.text(f'CREATE TABLE "{shadow}"."{name}" AS TABLE "{schema}"."{name}"'))
                conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            engine.dispose()
            loaded[day] = shadow, files
        return loaded[day]

    try:
        yield _for_today
    finally:
        admin = sa.create_engine(PG_BASE_URL)
        with admin.begin() as conn:
            for shadow, _files in loaded.values():
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{shadow}" CASCADE'))
        admin.dispose()


@pytest.fixture
def demo(request, app, backend):
    """The demo municipality in the test database; returns the credentials by e-mail key.

    The real loader runs once per session and backend; each test gets a copy of its result
    (the SQLite file, or the PostgreSQL rows), with the demo's stored files.
    """
    from app.demo.loader import credentials

    db.session.remove()
    if backend == "sqlite":
        path, files = request.getfixturevalue("sqlite_demo")()
        db.engine.dispose()
        shutil.copy(path, sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
    else:
        shadow, files = request.getfixturevalue("postgres_demo")()
        restore_postgres_demo(shadow)
    if files.exists():
        shutil.copytree(files, app.config["STORAGE_PATH"], dirs_exist_ok=True)
    # The once-per-session loader made an app of its own, and with it the current Celery app that
    # shared tasks run on: make the test's app current again.
    app.extensions["celery"].set_current()
    return {c["email"].split("@")[0]: c for c in credentials()}


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login_as(app, demo):
    """Return a test client logged in as a demo user, e.g. ``login_as("registrator")``."""

    def _login(key: str):
        c = app.test_client()
        response = login(c, demo[key]["email"], demo[key]["password"])
        assert response.status_code == 302, response.get_data(as_text=True)
        return c

    return _login


@pytest.fixture
def api_as(app, demo):
    """Return (client, headers) for a demo user's API token."""

    def _api(key: str):
        return app.test_client(), {"Authorization": f"Bearer {demo[key]['token']}"}

    return _api


# --- meetings and cases on the demo ---------------------------------------------------------------


@pytest.fixture
def secretary(demo) -> User:
    return factories.person("sekreterare")


@pytest.fixture
def meeting(demo, secretary) -> Meeting:
    """A planned meeting of Socialnämnden two weeks ahead (before the demo's next one), with the standing items."""
    found = factories.plan_meeting("SN", days=14, secretary=secretary)
    db.session.commit()
    return found


@pytest.fixture
def new_case(demo):
    """Return a new open case of Socialnämnden, its report brought to ``state`` (or none)."""

    def _case(
        title: str = "Riktlinjer för ekonomiskt bistånd 2027",
        state: ReportState | None = ReportState.signed,
        prefix: str = "SN",
        confidential: bool = False,
    ) -> Case:
        officer = factories.person("handlaggare" if prefix == "SN" else "ks-handlaggare")
        case = factories.create_case(title, prefix=prefix, officer=officer, confidential=confidential)
        if state is not None:
            factories.create_report(case, state, author=officer, notify=False)
        db.session.commit()
        return case

    return _case


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of the test's own, started; the test may stop and start it (skipped without redis-server)."""
    server = RedisServer(tmp_path / "redis")
    if server.binary is None:
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    server.start()
    yield server
    server.stop()
