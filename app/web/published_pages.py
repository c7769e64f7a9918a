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
from sqlalchemy import func, select
from werkzeug.http import is_resource_modified

from agenda.models import Meeting, Publication
from agenda.secrecy import secret_now
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
        case_ids = sorted({i["case_id"] for i in snapshot["items"] if i.get("case_id")})
        case_ids += [
            d["case_id"] for i in snapshot["items"] for d in i.get("delegation_decisions", []) if d.get("case_id")
        ]
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


def cached_page(state: PageState, render: Callable[[], str]) -> Response:
    """The page of ``state`` for an anonymous reader: 304 when the reader's copy is current, else the HTML rendered
    once per state (``render`` called only when no copy is kept), with the validators and public caching."""
    response = current_app.response_class(mimetype="text/html")
    response.set_etag(state.etag)
    response.last_modified = state.last_modified
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.cache_control.must_revalidate = True
    response.vary.add("Cookie")
    if request.method in ("GET", "HEAD") and not is_resource_modified(
        request.environ, etag=state.etag, last_modified=state.last_modified
    ):
        response.status_code = 304
        return response
    response.set_data(page_cache().get(state.etag, render))
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
        self._lock = threading.Lock()
        #: pages rendered by this process (tests and the benchmark read it)
        self.renders = 0

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
