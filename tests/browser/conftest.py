"""Browser test fixtures: the app behind a real WSGI server, one Chromium per session, a page per test.

The browser is Debian's ``/usr/bin/chromium`` (``make test`` installs it), driven by the Python
``playwright`` package; ``playwright install`` is never called (it downloads a browser). Without
either, every browser test is skipped with the reason.

The server is werkzeug's threaded WSGI server in a thread of the test process, on a free port,
serving a copy of the migrated SQLite template with the demo municipality loaded once per session.
Each journey registers its own case, so the tests do not depend on each other's data. Messages the
pages queue go to an in-memory Celery broker and stay there. The document jobs (Förhandsgranska,
Skapa handlingar) go to a queue of their own on that broker, which a real Celery worker in a thread
of the test process takes them from (``render_worker``, started by the journeys that need it), with
its own LibreOffice: the pages show the job's progress as they do in production.
"""

from __future__ import annotations

import importlib.util
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser import ui
from tests.services import FAST_HASH, base_overrides

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: the in-memory broker's queue of the document jobs, this process's own (the broker's queues are
#: shared by every app of the process: other tests' messages must never reach the worker)
RENDER_QUEUE = f"browser-rendering-{uuid.uuid4().hex[:8]}"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives Chromium through Playwright (skipped with a reason without them)"
    )


def browser_unavailable_reason() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the Python package playwright is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: run `make system-test` (Debian package chromium); never `playwright install`"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so the page fixture knows when a test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@dataclass
class Served:
    app: object  # the Flask app
    url: str


@pytest.fixture(scope="session")
def served_app(sqlite_template, tmp_path_factory):
    """The app, served on a free port of 127.0.0.1 with the demo loaded."""
    reason = browser_unavailable_reason()
    if reason:
        pytest.skip(reason)
    from flask import send_file
    from werkzeug.serving import make_server

    from app import create_app
    from app.demo.loader import load
    from app.extensions import db
    from config import BaseConfig

    base = tmp_path_factory.mktemp("browser")
    path = base / "browser.sqlite"
    shutil.copy(sqlite_template, path)
    celery = {
        **BaseConfig.celery_settings("memory://"),
        "task_routes": {"tasks.rendering.*": {"queue": RENDER_QUEUE}},
        "worker_hijack_root_logger": False,
    }
    app = create_app(
        {**base_overrides(base), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "CELERY": celery},
        environ={"INSTANCE_PATH": str(base / "instance")},
    )
    # The server's request threads send tasks through this app's Celery (a shared task goes to the
    # current app, which other tests of the process may have changed).
    app.before_request(app.extensions["celery"].set_current)
    with app.app_context():
        load(with_tokens=False, password_method=FAST_HASH)
        db.session.commit()
        db.session.remove()
    # axe-core for the pages, from the same origin (the pages' Content-Security-Policy allows only
    # scripts of their own site) and cacheable, so the browser compiles it once per context.
    app.add_url_rule(ui.AXE_URL, "tests_axe", lambda: send_file(ui.AXE, mimetype="text/javascript", max_age=3600))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield Served(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(served_app) -> str:
    """Return the base URL of the served app."""
    return served_app.url


@pytest.fixture(scope="session")
def render_worker(served_app):
    """A Celery worker (solo pool, in a thread of this process) doing the served app's document jobs.

    It takes only the rendering queue and converts with its own warm LibreOffice (started on its first
    PDF, stopped when the process ends). Without LibreOffice the journeys that need it are skipped.
    """
    from celery.contrib.testing.worker import start_worker

    from tasks.rendering import pdf

    reason = pdf.unavailable_reason()
    if reason:
        pytest.skip(f"LibreOffice is not available: {reason}")
    celery = served_app.app.extensions["celery"]
    with start_worker(
        celery,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        queues=[RENDER_QUEUE],
        loglevel="WARNING",
        shutdown_timeout=120,
    ):
        yield


@pytest.fixture(scope="session")
def browser(live_server):
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    ui.findings_file().unlink(missing_ok=True)  # this run's findings only

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def signed_in():
    """Each demo user's cookies after their first log-in through the log-in page, reused by later tests."""
    return {}


@pytest.fixture
def new_page(browser, live_server, signed_in, request):
    """Return a factory of pages, each in a browser context of its own (one person at one computer).

    ``new_page()`` is anonymous; ``new_page("handlaggare")`` is logged in as that demo user: through
    the log-in page the first time in the session, with the same session cookie after that.
    JavaScript errors on any page fail the test; a failing test leaves a screenshot of each of its
    pages in ``tests/artifacts/failures/``.
    """
    contexts, pages, errors = [], [], []

    def _new_page(user: str | None = None, *, fresh: bool = False):
        """``fresh=True``: log in anew and keep nothing for later tests — for a test that moved the clock,
        whose session cookies are signed at another time (stale, or from the future, once the clock is back)."""
        context = browser.new_context(
            base_url=live_server,
            viewport=ui.DESKTOP,
            locale="sv-SE",
            timezone_id="Europe/Stockholm",
            accept_downloads=True,
            storage_state=None if fresh else signed_in.get(user),
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        page.on(
            "console",
            lambda msg: (
                errors.append(f"{page.url}: {msg.text}")
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        contexts.append(context)
        pages.append(page)
        if user and fresh:
            ui.log_in(page, user)
        elif user and user not in signed_in:
            ui.log_in(page, user)
            signed_in[user] = context.storage_state()
        elif user:
            page.goto("/")
            if not page.get_by_role("button", name="Logga ut").count():
                # the kept session has ended meanwhile (a cookie signed while another test had moved the clock,
                # or the user's sessions ended): log in anew and keep that one
                ui.log_in(page, user)
                signed_in[user] = context.storage_state()
        return page

    yield _new_page
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        for i, page in enumerate(pages):
            try:
                ui.ARTIFACTS.joinpath("failures").mkdir(parents=True, exist_ok=True)
                page.screenshot(path=ui.ARTIFACTS / "failures" / f"{request.node.name}-{i}.png", full_page=True)
            except Exception:  # noqa: BLE001 - a closed page has nothing to show
                pass
    for context in contexts:
        context.close()
    assert not errors, "JavaScript errors or Content-Security-Policy violations on the pages:\n" + "\n".join(errors)


@pytest.fixture
def page(new_page):
    """An anonymous page of its own for the test."""
    return new_page()
