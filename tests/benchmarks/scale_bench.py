"""`make bench`'s staff pages and search at scale (issue 19 item 8, issue 18's benchmark), on PostgreSQL.

Two databases of our own on the test server (``bench_scale_small``, ``bench_scale_large``) get the demo
municipality and ``flask demo generate``'s corpus: 1,000 cases (about 3,000 registered documents, 200 signed
tjänsteutlåtanden with a bilaga's extracted text), and 100,000 cases (about 300,000 documents, 20,000 reports with
bilagor), indexed for search. Each page is then asked of both through the Flask test client (in process: the
request's routing, log-in session, access rules, queries and template, without a network or WSGI server), the large
and the small database alternately, and its p95 at 100,000 cases is held against its p95 at 1,000 (target ≤ 2).

    .venv/bin/python -m tests.benchmarks.run --only skala-diarium skala-sok …   (the names are below)

``BENCH_SCALE_CASES`` sets the large corpus's cases (default 100,000; reports a fifth of them); with
``BENCH_SCALE_KEEP=1`` the databases are kept after the run and reused by the next one when their size is right
(migrations are run on them first), so that a query or an index can be tried without generating again.
"""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks.run import Figure, Result

SMALL_CASES = 1_000
LARGE_CASES = int(os.environ.get("BENCH_SCALE_CASES", "100000"))
KEEP = os.environ.get("BENCH_SCALE_KEEP") == "1"
RUNS = 40

#: (figure name, what is asked, who asks (a demo user, "api:" their token, None: nobody logged in), the URL;
#: "{case}" is a case of the corpus with a signed tjänsteutlåtande)
PAGES = [
    ("skala-diarium", "diarielistan (/diarium, första sidan)", "registrator", "/diarium"),
    ("skala-diariesok", "diariesökning på fritext (/diarium?q=bistånd)", "registrator", "/diarium?q=bist%C3%A5nd"),
    ("skala-arende", "ett ärendes sida med tjänsteutlåtande och bilaga", "registrator", "/arenden/{case}"),
    ("skala-arsplan", "årsplanen (/sammantraden)", "sekreterare", "/sammantraden"),
    ("skala-start", "startsidan (handläggarens)", "handlaggare", "/"),
    ("skala-sok", "personalens sökning (/sok?q=riksnormen)", "sekreterare", "/sok?q=riksnormen"),
    ("skala-api-sok", "sök-API:t (GET /api/v1/search?q=riksnormen)", "api:sekreterare", "/api/v1/search?q=riksnormen"),
    ("skala-offentligt", "offentliga diariet (/offentligt/diarium)", None, "/offentligt/diarium"),
]


def _n(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18]


class P95Result(Result):
    @property
    def ratio(self) -> float:
        return p95(self.subject) / p95(self.yardstick)


@dataclass
class Corpus:
    """One generated database and a test client per user, logged in."""

    name: str
    cases: int
    app: object
    clients: dict[str | None, tuple[object, dict[str, str]]]
    case_id: int

    def get(self, who: str | None, url: str) -> Callable[[], object]:
        client, headers = self.clients[who]
        url = url.format(case=self.case_id)

        def ask() -> object:
            response = client.get(url, headers=headers)  # type: ignore[attr-defined]
            if response.status_code != 200:
                raise SystemExit(f"{url} i {self.name} svarade {response.status_code}: en mätning av ett fel vore fel.")
            return response

        return ask


_CORPORA: dict[str, Corpus] = {}


def unavailable() -> str | None:
    from tests.services import postgres_unavailable_reason

    reason = postgres_unavailable_reason()
    return f"{reason} (the scale figures need PostgreSQL)" if reason else None


def _admin_engine():
    import sqlalchemy as sa

    from tests.services import PG_BASE_URL

    return sa.create_engine(PG_BASE_URL, isolation_level="AUTOCOMMIT")


def _database(name: str, cases: int, base: Path) -> Corpus:
    import sqlalchemy as sa
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app import create_app
    from app.demo.generate import generate
    from app.demo.loader import credentials, load
    from app.extensions import db
    from app.registry.models import Case
    from config import BaseConfig
    from tests.factories import login
    from tests.services import FAST_HASH, PG_BASE_URL, base_overrides
    from workflows.models import CaseReport

    admin = _admin_engine()
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("select 1 from pg_database where datname = :n"), {"n": name})
    url = sa.engine.make_url(PG_BASE_URL).set(database=name)
    overrides = {
        **base_overrides(base / name),
        "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
        "CELERY": BaseConfig.celery_settings("memory://"),
    }
    app = create_app(overrides, environ={"INSTANCE_PATH": str(base / name / "instance")})
    reports = cases // 5
    with app.app_context():
        reuse = False
        if exists and KEEP:
            upgrade()
            reuse = db.session.scalar(select(func.count(Case.id))) >= cases
            db.session.remove()
        if not reuse:
            db.engine.dispose()
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            upgrade()
            load(with_tokens=True, password_method=FAST_HASH)
            db.session.commit()
            started = time.perf_counter()
            made = generate(cases, reports=reports)
            db.session.commit()
            generated = time.perf_counter() - started
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
            print(
                f"  {name}: {_n(made['cases'])} ärenden, {_n(made['documents'])} handlingar, {_n(made['reports'])} "
                f"tjänsteutlåtanden med bilaga, {_n(made['entries'])} sökposter; genererat på {generated:.0f} s, "
                f"med VACUUM ANALYZE {time.perf_counter() - started:.0f} s"
            )
        case_id = db.session.scalar(
            select(Case.id)
            .join(CaseReport, CaseReport.case_id == Case.id)
            .where(Case.is_confidential.is_(False), Case.number.like("SN-%"))
            .order_by(Case.id.desc())
            .limit(1)
        )
        db.session.remove()
    if not KEEP:
        atexit.register(_drop, app, name)
    users = {c["email"].split("@")[0]: c for c in credentials()}
    clients: dict[str | None, tuple[object, dict[str, str]]] = {None: (app.test_client(), {})}
    for _figure, _what, who, _url in PAGES:
        if who is None or who in clients:
            continue
        client = app.test_client()
        if who.startswith("api:"):
            clients[who] = (client, {"Authorization": f"Bearer {users[who[4:]]['token']}"})
        else:
            response = login(client, users[who]["email"], users[who]["password"])
            if response.status_code != 302:
                raise SystemExit(f"{who} kunde inte logga in i {name} ({response.status_code}).")
            clients[who] = (client, {})
    return Corpus(name, cases, app, clients, case_id)


def _drop(app, name: str) -> None:
    import sqlalchemy as sa

    from app.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    with _admin_engine().connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _corpora() -> tuple[Corpus, Corpus]:
    """The two databases, generated once for all the figures (the large one first: it takes the time)."""
    if not _CORPORA:
        base = Path(
            tempfile.mkdtemp(prefix="namndflode-bench-scale-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None)
        )
        atexit.register(shutil.rmtree, base, ignore_errors=True)
        print(f"  genererar {_n(LARGE_CASES)} och {_n(SMALL_CASES)} ärenden i PostgreSQL …")
        _CORPORA["large"] = _database("bench_scale_large", LARGE_CASES, base)
        _CORPORA["small"] = _database("bench_scale_small", SMALL_CASES, base)
    return _CORPORA["large"], _CORPORA["small"]


class PageFigure(Figure):
    """A page's p95 at the large corpus against its p95 at the small one."""

    def measure(self, runs: int) -> Result:
        subject, yardstick = self.prepare()
        for _ in range(self.warmup):
            subject()
            yardstick()
        result = P95Result([], [])
        for _ in range(runs):
            for fn, times in ((subject, result.subject), (yardstick, result.yardstick)):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
        print(f"  p95 {p95(result.subject) * 1000:.1f} ms mot {p95(result.yardstick) * 1000:.1f} ms (mått: p95)")
        return result


def figures() -> list[Figure]:
    def prepare(who: str | None, url: str):
        def _prepare():
            large, small = _corpora()
            return large.get(who, url), small.get(who, url)

        return _prepare

    return [
        PageFigure(
            name,
            f"{what} med {_n(LARGE_CASES)} ärenden, p95",
            f"samma sida med {_n(SMALL_CASES)} ärenden, p95",
            target=2.0,
            prepare=prepare(who, url),
            runs=RUNS,
            warmup=3,
            unavailable=unavailable,
        )
        for name, what, who, url in PAGES
    ]
