"""Publishing day's figures for `make bench` (issue 19 item 7), on a real gunicorn (two workers × four threads).

* publicerad-sida: the public kallelse page of the demo's published meeting, as a new anonymous reader gets it (no
  validators: the full page, not a 304), against the most trivial public HTML page of the same server, the
  accessibility statement (/tillganglighet: one query, the layout template). Each run is ``PAGE_REQUESTS``
  sequential requests on one keep-alive connection; the target is the issue's "≥ 0.8 of the trivial page's
  requests per second", i.e. page time ÷ trivial time ≤ 1.25.
* publiceringsdag: a load test. ``READERS`` concurrent readers (asyncio, raw HTTP/1.1 keep-alive, one connection
  each) read the public kallelse (every other time revalidating the copy they hold, as a browser does), the public
  item pages, the package PDF (mostly a Range request for its first 64 KiB, as a PDF viewer starts, now and then the
  whole file) and the trivial page, for ``LOAD_SECONDS``; a third of the way in the secretary publishes a correction
  (version 2) through the API with her token (PATCH the meeting's place, POST a publication). Reported: p95 of the
  publishing pages against p95 of the trivial page under the same load, requests per second, errors (any status
  but 2xx/304, a timeout or a broken connection) and whether every reader got version 2 once it was published.
  An error or a stale page after the publish misses the target whatever the latencies.

The demo's published meeting is set back from held to "kallelse publicerad" (publishing day comes before the
meeting; a held meeting cannot be corrected), nothing else of it changes. The database is PostgreSQL (``bench_pubday`` on the test server, made from the demo and dropped after); the
package of version 1 is rendered before (the task in this process, with LibreOffice); without LibreOffice the load
test reads no package and says so. Without PostgreSQL the page figure runs on SQLite (the embedded default) and the
load test is skipped with the reason.
"""

from __future__ import annotations

import asyncio
import atexit
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.benchmarks.run import Figure, Result

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "bench_pubday"
PAGE_REQUESTS = 100
READERS = int(os.environ.get("BENCH_READERS", "200"))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "25"))
TRIVIAL = "/tillganglighet"
CORRECTED_PLACE = "Rättelsesalen, plan 3"
SECRETARY = "sekreterare"
#: the part of the package a PDF viewer asks for first
RANGE = "bytes=0-65535"


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0]


# --- the server ------------------------------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    meeting_id: int
    items: list[int]
    package: str | None
    token: str
    database: str  # "PostgreSQL" or "SQLite"
    process: subprocess.Popen | None = None

    @property
    def kallelse(self) -> str:
        return f"/offentligt/sammantraden/{self.meeting_id}"


_SERVERS: dict[str, Server] = {}


def _admin_engine():
    import sqlalchemy as sa

    from tests.services import PG_BASE_URL

    return sa.create_engine(PG_BASE_URL, isolation_level="AUTOCOMMIT")


def _pg_reason() -> str | None:
    from tests.services import postgres_unavailable_reason

    return postgres_unavailable_reason()


def _database_url(base: Path) -> tuple[str, str]:
    """A fresh database for the run: PostgreSQL when it answers (dropped at exit), else a SQLite file."""
    if _pg_reason():
        return f"sqlite:///{base / 'bench.sqlite'}", "SQLite"
    import sqlalchemy as sa

    from tests.services import PG_BASE_URL

    with _admin_engine().connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{DATABASE}"'))
    atexit.register(_drop)
    return sa.engine.make_url(PG_BASE_URL).set(database=DATABASE).render_as_string(hide_password=False), "PostgreSQL"


def _drop() -> None:
    import sqlalchemy as sa

    with _admin_engine().connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))


def _prepare_database(env: dict[str, str]) -> tuple[int, list[int], str | None, str]:
    """The demo municipality, its published meeting's package rendered (when LibreOffice is there); returns the
    meeting, its public item numbers, the package's public URL and the secretary's API token."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from agenda.models import ItemKind, MeetingStatus, Publication
    from app import create_app
    from app.auth.models import User
    from app.demo.loader import credentials, load
    from app.extensions import db
    from config import BaseConfig
    from tasks.models import Job, JobState
    from tasks.rendering.pdf import unavailable_reason
    from tests.services import FAST_HASH

    app = create_app(
        {"PASSWORD_HASH_METHOD": FAST_HASH, "CELERY": BaseConfig.celery_settings("memory://")}, environ=env
    )
    with app.app_context():
        upgrade()
        load(with_tokens=True, password_method=FAST_HASH)
        db.session.commit()
        publication = db.session.scalars(select(Publication).order_by(Publication.id)).first()
        if publication is None:
            raise SystemExit("Demon har ingen publicerad kallelse att mäta.")
        meeting_id = publication.meeting_id
        # The demo's meeting is held (it has its protokoll); on publishing day it is not yet, so that the
        # secretary may still correct it: only its status is set back, its published version 1 is untouched.
        publication.meeting.status = MeetingStatus.notice_published
        db.session.commit()
        items = [
            i["number"] for i in publication.public_snapshot["items"] if i["kind"] != ItemKind.confidential_case.value
        ]
        package = None
        if unavailable_reason() is None:
            from tasks.rendering.meeting_documents import render_meeting_documents
            from tasks.rendering.meeting_jobs import start_meeting_documents

            secretary = db.session.scalar(select(User).where(User.email.startswith(f"{SECRETARY}@")))
            job_id = start_meeting_documents(secretary, publication.meeting, publication).id
            db.session.commit()
            render_meeting_documents.apply(args=[job_id])
            db.session.expire_all()
            job = db.session.get(Job, job_id)
            if job.state is not JobState.done:
                raise SystemExit(f"Mötespaketet kunde inte skapas: {job.error}")
            package = f"/offentligt/sammantraden/{meeting_id}/version/{publication.version}/handlingar/motespaket.pdf"
        db.session.remove()
        db.engine.dispose()
    token = next(c["token"] for c in credentials() if c["email"].startswith(f"{SECRETARY}@"))
    return meeting_id, items, package, token


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def server() -> Server:
    """The demo on a gunicorn of its own (made once for both figures; stopped and dropped at exit)."""
    if "server" in _SERVERS:
        return _SERVERS["server"]
    from tests.services import free_port

    base = Path(tempfile.mkdtemp(prefix="namndflode-bench-pubday-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    url, kind = _database_url(base)
    env = {
        "APP_ENV": "embedded",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(base / "instance"),
        "STORAGE_PATH": str(base / "files"),
        "SECRET_KEY": "bench-secret-key-0123456789-0123456789",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    print(f"  förbereder demon i {kind} och dess mötespaket …")
    meeting_id, items, package, token = _prepare_database(env)
    port = free_port()
    log = open(base / "gunicorn.log", "wb")  # noqa: SIM115 - open while the server runs
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--threads", "4", "--backlog", "2048", "app:create_app()"],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    atexit.register(_stop, process)
    deadline = time.monotonic() + 60
    while not _answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"gunicorn startade inte; se {base / 'gunicorn.log'}")
        time.sleep(0.2)
    _SERVERS["server"] = Server(port, meeting_id, items, package, token, kind, process)
    return _SERVERS["server"]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# --- publicerad-sida ----------------------------------------------------------------------------------------------


def _page_figure():
    s = server()

    def reader(path: str, expect: str):
        def read() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)  # gunicorn keeps one 2 s
            for _ in range(PAGE_REQUESTS):
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                if response.status != 200 or expect.encode() not in body:
                    raise SystemExit(f"{path} svarade {response.status}: en mätning av ett fel vore fel.")
            connection.close()

        return read

    print(f"  ({PAGE_REQUESTS} förfrågningar i följd per körning på en keep-alive-förbindelse; {s.database})")
    return reader(s.kallelse, "Kallelse"), reader(TRIVIAL, "Tillgänglighet")


class PageFigure(Figure):
    def measure(self, runs: int) -> Result:
        result = super().measure(runs)
        per_second = (
            PAGE_REQUESTS / statistics.median(result.subject),
            PAGE_REQUESTS / statistics.median(result.yardstick),
        )
        print(
            f"  {per_second[0]:.0f} mot {per_second[1]:.0f} förfrågningar/s: den publicerade sidan klarar "
            f"{per_second[0] / per_second[1]:.2f} av den triviala sidans (mål ≥ 0,8)"
        )
        return result


# --- publiceringsdag -------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


class Connection:
    """One keep-alive HTTP/1.1 connection (asyncio streams): a request, its reply read in full."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port, self.timeout = port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> Reply:
        try:
            return await asyncio.wait_for(self._request(method, path, headers or {}, body), self.timeout)
        except BaseException:
            self.close()  # a half-read reply leaves the connection useless
            raise

    async def _request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        reply_headers: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            reply_headers[name.strip().lower()] = value.strip()
        if method == "HEAD" or status in (204, 304):
            content = b""
        elif reply_headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            while (await self.reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            content = b"".join(parts)
        elif "content-length" in reply_headers:
            content = await self.reader.readexactly(int(reply_headers["content-length"]))
        else:
            content = await self.reader.read()
            self.close()
        if reply_headers.get("connection", "").lower() == "close":
            self.close()
        return Reply(status, reply_headers, content)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class LoadReport:
    #: seconds per request, by what was asked ("kallelse", "punkt", "paket", "trivial")
    times: dict[str, list[float]] = field(default_factory=dict)
    #: replies by status (and "fel: …" for a broken connection or a timeout)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    published_at: float | None = None
    publish_result: str = ""
    #: kallelse replies asked for after the correction was published: (version 2, version 1)
    after: list[int] = field(default_factory=lambda: [0, 0])

    def count(self, status: str) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


def is_error(status: int) -> bool:
    return not (200 <= status < 300 or status == 304)


async def _reader(
    port: int, plan: list[tuple[str, str, dict[str, str]]], stop: float, report: LoadReport, etags: dict[str, str]
) -> None:
    """One reader on one connection, going round ``plan`` (what, path, headers) until ``stop``."""
    connection = Connection(port)
    held: str | None = None  # the ETag of the kallelse this reader holds, as a browser would
    turn = random.randrange(len(plan))
    while time.monotonic() < stop:
        what, path, headers = plan[turn % len(plan)]
        turn += 1
        if what == "kallelse" and held and turn % 2:
            headers = {**headers, "If-None-Match": held}
        asked = time.monotonic()
        try:
            reply = await connection.request("GET", path, headers)
        except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
            report.count(f"fel: {exc.__class__.__name__}")
            report.errors.append(f"{path}: {exc.__class__.__name__}: {exc}")
            continue
        report.times.setdefault(what, []).append(time.monotonic() - asked)
        report.count(str(reply.status))
        if is_error(reply.status):
            report.errors.append(f"{path}: {reply.status}")
        elif what == "kallelse":
            held = reply.headers.get("etag", held)
            if report.published_at is not None and asked > report.published_at:
                stale = held == etags.get("v1") or (reply.status == 200 and CORRECTED_PLACE.encode() not in reply.body)
                report.after[1 if stale else 0] += 1
    connection.close()


async def _publish(s: Server, at: float, report: LoadReport) -> None:
    """The secretary's correction through the API: a new place, then version 2."""
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    connection = Connection(s.port, timeout=60)
    headers = {"Authorization": f"Bearer {s.token}", "Content-Type": "application/json"}
    path = f"/api/v1/meetings/{s.meeting_id}"
    started = time.monotonic()
    changed = await connection.request("PATCH", path, headers, json.dumps({"place": CORRECTED_PLACE}).encode())
    published = await connection.request(
        "POST", f"{path}/publications", headers, json.dumps({"late_reason": "Rättelse av lokalen."}).encode()
    )
    connection.close()
    report.published_at = time.monotonic()
    report.publish_result = (
        f"PATCH {changed.status}, POST {published.status} på {(report.published_at - started) * 1000:.0f} ms"
    )
    if changed.status != 200 or published.status != 201:
        report.errors.append(
            f"publiceringen: {changed.status} {changed.body[:300]!r} {published.status} {published.body[:300]!r}"
        )


async def load_test(s: Server, readers: int, seconds: float) -> LoadReport:
    """``readers`` readers for ``seconds`` while the secretary publishes a correction a third of the way in."""
    report = LoadReport()
    first = await Connection(s.port).request("GET", s.kallelse)
    if first.status != 200:
        raise SystemExit(f"{s.kallelse} svarade {first.status} före belastningen.")
    etags = {"v1": first.headers.get("etag", "")}
    plan: list[tuple[str, str, dict[str, str]]] = [("kallelse", s.kallelse, {})]
    for number in s.items:
        plan += [("punkt", f"{s.kallelse}/punkt/{number}", {}), ("kallelse", s.kallelse, {})]
    if s.package:
        plan += [("paket", s.package, {"Range": RANGE})] * 4 + [("paket", s.package, {})]
    plan += [("trivial", TRIVIAL, {})] * max(1, len(plan) // 4)
    start = time.monotonic()
    stop = start + seconds
    await asyncio.gather(
        _publish(s, start + seconds / 3, report),
        *(_reader(s.port, plan, stop, report, etags) for _ in range(readers)),
    )
    report.seconds = time.monotonic() - start
    return report


class LoadResult(Result):
    """p95 of the publishing pages against p95 of the trivial page; an error or a stale page misses any target."""

    def __init__(self, subject: list[float], yardstick: list[float], failed: bool) -> None:
        super().__init__(subject, yardstick)
        self.failed = failed

    @property
    def ratio(self) -> float:
        return float("inf") if self.failed else p95(self.subject) / p95(self.yardstick)


class LoadFigure(Figure):
    def measure(self, runs: int) -> Result:
        s = server()
        print(
            f"  ({READERS} läsare i {LOAD_SECONDS:g} s mot gunicorn med 2 × 4 trådar, {s.database}; "
            f"{'mötespaketet med Range och helt' if s.package else 'utan mötespaket: LibreOffice saknas'})"
        )
        report = asyncio.run(load_test(s, READERS, LOAD_SECONDS))
        pages = [t for what in ("kallelse", "punkt", "paket") for t in report.times.get(what, [])]
        trivial = report.times.get("trivial", [])
        for what, times in report.times.items():
            print(
                f"  {what}: {len(times)} svar, median {statistics.median(times) * 1000:.0f} ms, "
                f"p95 {p95(times) * 1000:.0f} ms"
            )
        errors = sum(n for status, n in report.statuses.items() if status.startswith("fel") or is_error(int(status)))
        print(
            f"  {report.requests} förfrågningar på {report.seconds:.1f} s = {report.requests / report.seconds:.0f}/s; "
            f"svar: {', '.join(f'{k}: {v}' for k, v in sorted(report.statuses.items()))}"
        )
        print(
            f"  rättelsen (version 2): {report.publish_result or 'blev inte gjord'}; kallelser efteråt: "
            f"{report.after[0]} med version 2, {report.after[1]} med version 1"
        )
        print(
            f"  p95 {p95(pages) * 1000:.0f} ms (publiceringens sidor) mot {p95(trivial) * 1000:.0f} ms (den "
            f"triviala sidan), fel: {errors}"
        )
        for error in report.errors[:10]:
            print(f"    {error}")
        failed = bool(errors or report.errors or report.after[1] or not report.after[0])
        return LoadResult(pages, trivial, failed)

    def runs_label(self, runs: int) -> str:
        return "svarstider, en belastningskörning"


def _load_unavailable() -> str | None:
    reason = _pg_reason()
    return f"{reason} (belastningsprovet kör på PostgreSQL)" if reason else None


def figures() -> list[Figure]:
    return [
        PageFigure(
            "publicerad-sida",
            f"den offentliga kallelsen (demosammanträdet) genom gunicorn, {PAGE_REQUESTS} nya läsare i följd",
            f"den mest triviala offentliga sidan ({TRIVIAL}) på samma server, lika många",
            target=1.25,
            prepare=_page_figure,
            runs=15,
            warmup=2,
        ),
        LoadFigure(
            "publiceringsdag",
            f"{READERS} samtidiga läsare av kallelsen, punkterna och mötespaketet medan sekreteraren publicerar "
            "en rättelse, p95",
            "p95 för den triviala sidan under samma belastning",
            target=1.5,
            prepare=lambda: (lambda: None, lambda: None),
            runs=5,
            unavailable=_load_unavailable,
        ),
    ]
