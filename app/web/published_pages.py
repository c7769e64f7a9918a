"""The public kallelse pages as cacheable replies: a published version is immutable, so its page is sent with an ETag
and Last-Modified, kept by browsers and proxies for a short while, answered 304 on revalidation and rendered once.

A page is not made of its snapshot alone. It also shows the kallelse's latest version (the "newer version" notice
and the list of versions), what is confidential now (``agenda.secrecy.public_items_now``: an item whose case became
confidential since is shown by its public title only), the rendered files and whether they are being made, and, on
an item page, the municipality's section headings. ``PageState`` gathers exactly those inputs in a few small
queries; their hash, with the code's fingerprint, is the ETag and the key of the rendered HTML. A correction, a
case made confidential or a finished render thus gives a new ETag at once; a meeting that can no longer be shown
answers 404 (never stored), and ``max-age`` is short with ``must-revalidate`` so that no cache serves a page as
fresh for more than a minute after it changed.

Only anonymous readers get the cacheable reply (``Cache-Control: public``, ``Vary: Cookie``, no Set-Cookie): a
logged-in user's page carries their name and the log-out form's CSRF token, and stays ``private, no-store``
(``app.web.security_headers``); so does a reply to a session holding anything (a flashed message).

The rendered HTML is kept by ``PageCache``: in memory (bounded) in front of files in the instance folder, one file
per key under a folder named by the code's fingerprint. Files rather than memory alone because gunicorn runs several
worker processes (and restarts them): each would render every page again, while the instance folder is shared by
the processes of one machine; a file read is cheap (the page cache keeps it), writes are atomic (temporary file,
rename), and the state hash in the name means no entry is ever invalidated, only left behind: the folders of other
fingerprints are removed when the first page of a new one is stored. No dependency (Flask-Caching's filesystem
backend would do the same with pickles and a threshold sweep).

Rendering once is not enough on publishing day: gathering ``PageState`` loads the meeting, both snapshots of every
version (large JSON), the cases and the render jobs, and costs more than the page's HTML. So a reply the process has
already given is found by a ``page_stamp`` first: one query of plain columns (the meeting's cancellation, its
versions, the requested version's cases with their confidentiality, public title and last change, its render
jobs), no snapshot, no ORM objects. The stamp of a page whose full state was gathered is remembered with that state's
ETag, but only when the stamp read before and after gathering it is the same (nothing changed in between); any
change to what the page is made of changes the stamp, and an unknown stamp takes the full path. The cases a version
names are read once from its immutable snapshot and kept by the version's id and publishing time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import Response, current_app, request, session
from flask_login import current_user
from sqlalchemy import (
    Integer,
    String,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
)
from werkzeug.http import is_resource_modified

from agenda.models import Meeting, Publication
from agenda.secrecy import secret_now
from agenda.snapshot_json import SnapshotJSON
from app.db_types import UTCDateTime
from app.extensions import db
from app.registry.models import Case
from config import ROOT

#: how long a browser or proxy may serve a public page without asking again (seconds)
MAX_AGE = 60
#: what the fingerprint of the code that renders the pages is made of
FINGERPRINTED = ("templates", "app/static", "app/web")

_fingerprint: tuple[str, datetime] | None = None


def code_fingerprint() -> tuple[str, datetime]:
    """A hash of the templates, static files and page modules (a release that changes how a page looks changes
    every key), and the newest of their modification times (for Last-Modified). Computed once per process."""
    global _fingerprint
    if _fingerprint is None:
        digest, newest = hashlib.sha256(), 0.0
        for folder in FINGERPRINTED:
            for path in sorted((ROOT / folder).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
                    newest = max(newest, path.stat().st_mtime)
        _fingerprint = (digest.hexdigest()[:16], datetime.fromtimestamp(int(newest)).astimezone())
    return _fingerprint


def snapshot_case_ids(snapshot: SnapshotJSON) -> list[int]:
    """The cases a members' snapshot names, by its items and its delegated decisions (sorted, each once)."""
    ids = {i["case_id"] for i in snapshot["items"] if i.get("case_id")}
    ids |= {d["case_id"] for i in snapshot["items"] for d in i.get("delegation_decisions", []) if d.get("case_id")}
    return sorted(ids)


@dataclass
class PageState:
    """Everything a public page of one published version is made of besides that version's snapshot."""

    page: str
    meeting: Meeting
    publication: Publication
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        from app.web.meeting_documents import published_files

        snapshot = self.publication.members_snapshot
        case_ids = snapshot_case_ids(snapshot)
        latest = self.meeting.latest_publication
        self.secret = secret_now(snapshot)
        self.files = published_files(self.publication, "public")
        finished = db.session.scalar(_last_render(self.publication.id))
        cases_changed = (
            db.session.scalar(select(func.max(Case.modified_dt)).where(Case.id.in_(set(case_ids))))
            if case_ids
            else None
        )
        fingerprint, code_dt = code_fingerprint()
        inputs = {
            "page": self.page,
            "code": fingerprint,
            "meeting": self.meeting.id,
            "publication": [self.publication.id, self.publication.version, self.publication.published_dt.isoformat()],
            "latest": [latest.id, latest.version] if latest else None,
            "secret": sorted(self.secret.items()),
            "cancelled": self.meeting.cancelled_dt,
            "files": self.files,
            **self.extra,
        }
        encoded = json.dumps(inputs, sort_keys=True, default=str, ensure_ascii=False).encode()
        self.etag = hashlib.sha256(encoded).hexdigest()[:32]
        times = [latest.published_dt if latest else None, finished, cases_changed, code_dt, self.meeting.cancelled_dt]
        self.last_modified = max(t for t in times if t is not None)


def _last_render(publication_id: int):
    from tasks.models import Job

    return select(func.max(Job.finished_dt)).where(Job.publication_id == publication_id)


def cacheable_request() -> bool:
    """Whether this request may get the shared, cacheable reply: an anonymous reader with nothing in the session."""
    return not current_user.is_authenticated and not session


def _reply(etag: str, last_modified: datetime) -> tuple[Response, bool]:
    """The cacheable reply's headers, and whether the reader's copy is current (the reply is a 304 then)."""
    response = current_app.response_class(mimetype="text/html")
    response.set_etag(etag)
    response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.cache_control.must_revalidate = True
    response.vary.add("Cookie")
    if request.method in ("GET", "HEAD") and not is_resource_modified(
        request.environ, etag=etag, last_modified=last_modified
    ):
        response.status_code = 304
        return response, True
    return response, False


def cached_page(state: PageState, render: Callable[[], str], *, stamp: tuple | None = None) -> Response:
    """The page of ``state`` for an anonymous reader: 304 when the reader's copy is current, else the HTML rendered
    once per state (``render`` called only when no copy is kept), with the validators and public caching.

    ``stamp``: the page's ``page_stamp`` read before ``state`` was gathered; remembered with the state's ETag when it
    reads the same again now, so that the next reader of the same stamp gets ``known_reply``."""
    response, current = _reply(state.etag, state.last_modified)
    if not current:
        response.set_data(page_cache().get(state.etag, render))
    if stamp is not None and page_stamp(stamp[0], stamp[2], stamp[-1]) == stamp:
        page_cache().remember(stamp, state.etag, state.last_modified)
    return response


# --- the stamp: a reply already given, found without loading the meeting ---------------------------------

#: the largest id the databases' integer keys hold (a larger one in a URL is an unknown meeting)
_MAX_ID = 2**31 - 1


def version_asked() -> int | None | bool:
    """``?version=N`` as a number, None for the latest, False when it is malformed (the full path answers 400)."""
    raw = request.args.get("version")
    if raw in (None, ""):
        return None
    if not raw.isdigit() or len(raw) > 6:
        return False
    return int(raw)


def page_stamp(page: str, meeting_id: int, extra: tuple = ()) -> tuple | None:
    """What the public page ``page`` of the meeting is made of besides its immutable snapshot, as plain columns in
    one query (see the module). None when only the full path can tell: an unknown meeting or version, a malformed
    ``?version``, or a version this process has not yet read the cases of (``PageCache.note_cases``).

    The one query needs the version's id and cases before it runs: the version this process last answered for the
    same meeting and ``?version`` is taken, and the stamp is None when the versions read show another one."""
    version = version_asked()
    if version is False or not 0 < meeting_id <= _MAX_ID:
        return None
    guess = page_cache().last_version((meeting_id, version))
    if guess is None:
        return None
    (publication_id, published_dt), case_ids = guess
    rows = sorted(_stamp_rows(_stamp_query(meeting_id, publication_id, case_ids)), key=_row_order)
    meeting = [r for r in rows if r.kind == "m"]
    versions = tuple((r.id, r.number, r.dt) for r in rows if r.kind == "p")
    if not meeting or not versions:
        return None
    chosen = versions[-1] if version is None else next((v for v in versions if v[1] == version), None)
    if chosen is None or (chosen[0], chosen[2]) != (publication_id, published_dt):
        return None
    cases = tuple((r.id, r.number, r.text, r.dt) for r in rows if r.kind == "c")
    jobs = tuple((r.id, r.number, r.text, r.dt) for r in rows if r.kind == "j")
    return (page, code_fingerprint()[0], meeting_id, meeting[0].dt, versions, publication_id, cases, jobs, extra)


_stamp_statement = None


def _stamp_rows(statement) -> list:
    """The stamp's rows. On PostgreSQL on a connection of their own in autocommit (one statement reads one
    consistent snapshot): the reply a process already has then costs the database one round trip, with no
    BEGIN and ROLLBACK of the request's session, which the page never opens. Elsewhere in the request's session."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            return list(connection.execute(statement).all())
    return list(db.session.connection().execute(statement).all())


def _row_order(row) -> tuple:
    return (row.kind, row.number if row.kind == "p" else 0, row.id)


def _stamp_query(meeting_id: int, publication_id: int, case_ids: list[int]):
    """One UNION ALL of rows (kind, id, number, dt, text): the meeting ("m": its cancellation), its versions ("p":
    version, publishing time), the cases the version names ("c": confidential 0/1, last change, public title) and
    the version's render jobs ("j": progress, finished, state). Built once; the caller sorts the rows."""
    global _stamp_statement
    if _stamp_statement is None:
        _stamp_statement = _build_stamp_statement()
    return _stamp_statement.params(meeting_id=meeting_id, publication_id=publication_id, case_ids=case_ids)


def _build_stamp_statement():
    from tasks.models import Job
    from tasks.rendering.meeting_jobs import MEETING_DOCUMENTS

    meetings, publications, cases, jobs = (t.__table__.c for t in (Meeting, Publication, Case, Job))

    def row(kind: str, id_, number, dt, text):
        return select(
            literal_column(f"'{kind}'").label("kind"),
            id_.label("id"),
            type_coerce(number, Integer).label("number"),
            type_coerce(dt, UTCDateTime()).label("dt"),
            type_coerce(text, String).label("text"),
        )

    no_text = cast(null(), String)
    meeting_id, publication_id = bindparam("meeting_id", type_=Integer), bindparam("publication_id", type_=Integer)
    confidential = case((cases.is_confidential.is_(True), 1), else_=0)
    return union_all(
        row("m", meetings.id, literal_column("0"), meetings.cancelled_dt, no_text).where(meetings.id == meeting_id),
        row("p", publications.id, publications.version, publications.published_dt, no_text).where(
            publications.meeting_id == meeting_id
        ),
        row("j", jobs.id, jobs.progress_done, jobs.finished_dt, cast(jobs.state, String)).where(
            jobs.publication_id == publication_id, jobs.kind == MEETING_DOCUMENTS
        ),
        row("c", cases.id, confidential, cases.modified_dt, cases.public_title).where(
            cases.id.in_(bindparam("case_ids", expanding=True))
        ),
    )


def known_reply(page: str, meeting_id: int, extra: tuple = ()) -> Response | None:
    """The reply to an anonymous reader when this process has given it for the same stamp (304 or the kept HTML),
    or None when the full path must answer."""
    stamp = page_stamp(page, meeting_id, extra)
    known = page_cache().known(stamp) if stamp is not None else None
    if known is None:
        return None
    response, current = _reply(*known)
    if current:
        return response
    text = page_cache().peek(known[0])
    if text is None:
        return None
    response.set_data(text)
    return response


def page_cache() -> PageCache:
    cache = current_app.extensions.get("page_cache")
    if cache is None:
        cache = current_app.extensions.setdefault(
            "page_cache", PageCache(Path(current_app.instance_path) / "page-cache", code_fingerprint()[0])
        )
    return cache


class PageCache:
    """Rendered pages by key: a bounded in-memory LRU in front of one file per key (see the module's text)."""

    def __init__(self, folder: Path, fingerprint: str, size: int = 256) -> None:
        self.root, self.folder, self.size = folder, folder / fingerprint, size
        self._memory: OrderedDict[str, str] = OrderedDict()
        #: page stamp → (ETag, Last-Modified) of the state gathered for it; (meeting, ?version) → the version last
        #: answered for it ((id, publishing time), the cases it names)
        self._stamps: OrderedDict[tuple, tuple[str, datetime]] = OrderedDict()
        self._cases: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()
        #: pages rendered by this process (tests and the benchmark read it)
        self.renders = 0
        #: replies given from a known stamp (tests read it)
        self.known_replies = 0

    def note_cases(self, publication: Publication, version: int | None) -> None:
        """Keep the version answered for ``?version`` (None: the latest) of its meeting, with the cases it names
        (its snapshot never changes), for the next ``page_stamp``."""
        key = (publication.meeting_id, version)
        kept = self._cases.get(key)
        if kept is None or kept[0] != (publication.id, publication.published_dt):
            value = ((publication.id, publication.published_dt), snapshot_case_ids(publication.members_snapshot))
            with self._lock:
                self._cases[key] = value
                while len(self._cases) > self.size * 4:
                    self._cases.popitem(last=False)

    def last_version(self, key: tuple) -> tuple | None:
        with self._lock:
            return self._cases.get(key)

    def remember(self, stamp: tuple, etag: str, last_modified: datetime) -> None:
        with self._lock:
            self._stamps[stamp] = (etag, last_modified)
            self._stamps.move_to_end(stamp)
            while len(self._stamps) > self.size * 4:
                self._stamps.popitem(last=False)

    def known(self, stamp: tuple) -> tuple[str, datetime] | None:
        with self._lock:
            found = self._stamps.get(stamp)
            if found is not None:
                self.known_replies += 1
            return found

    def peek(self, key: str) -> str | None:
        """The kept page of ``key`` (memory, then its file), or None: nothing is rendered."""
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return self._memory[key]
        try:
            text = (self.folder / f"{key}.html").read_text(encoding="utf-8")
        except OSError:
            return None
        with self._lock:
            self._memory[key] = text
            while len(self._memory) > self.size:
                self._memory.popitem(last=False)
        return text

    def get(self, key: str, render: Callable[[], str]) -> str:
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return self._memory[key]
        path = self.folder / f"{key}.html"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = render()
            self.renders += 1
            self._store(path, text)
        with self._lock:
            self._memory[key] = text
            while len(self._memory) > self.size:
                self._memory.popitem(last=False)
        return text

    def _store(self, path: Path, text: str) -> None:
        try:
            if not self.folder.exists():
                self.folder.mkdir(parents=True, exist_ok=True)
                for other in self.root.iterdir():  # an earlier release's pages
                    if other.is_dir() and other != self.folder:
                        shutil.rmtree(other, ignore_errors=True)
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, path)
        except OSError as exc:  # a full or read-only disk costs a render per request, never the page
            current_app.logger.warning("Could not keep the rendered page %s: %s", path.name, exc)
