"""One storage abstraction for every stored file, and one way to send one to a browser.

Files are addressed by the sha256 of their content (``ab/abcdef…``), never by a name a
client sent. Writes are atomic: a temporary file in the same directory, fsync, rename.
The local backend's directory may be a share mounted on every web and worker machine.
Every download goes through ``send_stored_file``: the bytes checked against their sha256,
HTTP Range and conditional requests, inline for what a browser shows, a safe file name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from flask import Response, abort, current_app, request, send_file

_KEY_RE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}$")
#: what a browser shows itself (its PDF viewer) rather than saves: sent inline unless a view says otherwise
INLINE_TYPES = frozenset({"application/pdf"})
#: the longest download name offered (its extension kept)
MAX_NAME_LENGTH = 200
#: characters a download name does not keep: path separators and what Windows refuses in a file name
_NAME_REFUSED = set('"<>|*?:/\\')
#: bytes read or copied at a time when a file is streamed (never a whole file in memory)
CHUNK = 1024 * 1024
#: where files being written wait under the storage root (the same file system, so moving one in is a rename)
TEMPORARY = ".tmp"


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str
    size: int


class StorageError(Exception):
    pass


class LocalStorage:
    """Files in a directory tree on local (or network-mounted) disk."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY_RE.match(key):
            raise StorageError(f"invalid storage key {key!r}")
        return self.root / key

    def save(self, data: bytes) -> StoredFile:
        """Store ``data`` (once, however often it is saved) and return its key."""
        digest = hashlib.sha256(data).hexdigest()
        key = f"{digest[:2]}/{digest}"
        path = self._path(key)
        if not path.exists():
            with self.temporary_file() as tmp:
                with tmp.open("wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                self._move_in(tmp, path)
        return StoredFile(key=key, sha256=digest, size=len(data))

    def save_stream(self, source: BinaryIO) -> StoredFile:
        """Store what ``source`` reads from where it is to its end, a megabyte at a time (never the whole of it in
        memory): copied into a temporary file of the storage's, hashed on the way, then moved in."""
        with self.temporary_file() as tmp:
            with tmp.open("wb") as fh:
                while chunk := source.read(CHUNK):
                    fh.write(chunk)
            return self.save_file(tmp)

    def save_file(self, made: Path) -> StoredFile:
        """Store a file made in ``temporary_file()``, moving it in (an atomic rename): hashed a megabyte at a time,
        fsynced. The file is gone from where it was made afterwards (moved, or removed when the same is stored)."""
        with made.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
            os.fsync(fh.fileno())
            size = os.fstat(fh.fileno()).st_size
        key = f"{digest[:2]}/{digest}"
        path = self._path(key)
        if path.exists():
            made.unlink()
        else:
            self._move_in(made, path)
        return StoredFile(key=key, sha256=digest, size=size)

    def store_path(self, path: Path) -> StoredFile:
        """Store the file at ``path``: moved in when it was made in ``temporary_file()``, named as it is when it is a
        stored file already (under its sha256: checked whenever it is read or sent), else copied."""
        path = Path(path).resolve()
        root = self.root.resolve()
        key = f"{path.parent.name}/{path.name}"
        if path.parent.parent == root and _KEY_RE.match(key) and path.name.startswith(path.parent.name):
            return StoredFile(key=key, sha256=path.name, size=path.stat().st_size)
        if path.parent == root / TEMPORARY:
            return self.save_file(path)
        with path.open("rb") as source:
            return self.save_stream(source)

    def _move_in(self, made: Path, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(made, path)
        except OSError:  # another file system after all: copied beside its place, then renamed
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out, made.open("rb") as source:
                    shutil.copyfileobj(source, out, CHUNK)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
            made.unlink()

    @contextlib.contextmanager
    def temporary_file(self, suffix: str = "") -> Iterator[Path]:
        """A path for a file being made, in the storage's own temporary folder (so storing it is a rename, see
        ``save_file``); removed on leaving unless it was stored."""
        folder = self.root / TEMPORARY
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix="part-", suffix=suffix)
        os.close(fd)
        try:
            yield Path(name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StorageError(f"no stored file {key}") from None

    def open(self, key: str) -> BinaryIO:
        """The file opened for reading (the caller closes it)."""
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise StorageError(f"no stored file {key}") from None

    def sha256_of(self, key: str) -> str:
        """The sha256 a key names (every file is stored under its content's)."""
        self._path(key)  # a valid key
        return key.rsplit("/", 1)[1]

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def local_path(self, key: str) -> Path:
        """The file's path, for sending it efficiently."""
        path = self._path(key)
        if not path.exists():
            raise StorageError(f"no stored file {key}")
        return path


def get_storage() -> LocalStorage:
    return LocalStorage(current_app.config["STORAGE_PATH"])


def download_name(name: str, fallback: str = "fil") -> str:
    """A file name safe to offer for download: no folders, control or bidirectional characters, nor what Windows
    refuses; Swedish letters kept (the header carries them as RFC 5987 UTF-8); at most 200 characters, the
    extension kept; ``fallback`` when nothing is left."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    name = PurePosixPath(name).name if name.strip("/") else ""
    name = "".join(ch for ch in name if ch.isprintable() and ch not in _NAME_REFUSED).strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:MAX_NAME_LENGTH].rstrip(" .")
    return name or fallback


#: the query parameter that asks for a file to be saved rather than shown (``?nedladdning=1``: "Ladda ned")
DOWNLOAD_PARAMETER = "nedladdning"


def download_requested() -> bool:
    """Whether the request asks for the file to be saved even when the browser could show it (a PDF)."""
    return request.args.get(DOWNLOAD_PARAMETER) == "1"


def _sha256_of_file(fh: BinaryIO) -> str:
    fh.seek(0)
    return hashlib.file_digest(fh, "sha256").hexdigest()


def send_stored_file(
    key: str,
    *,
    sha256: str,
    filename: str,
    mimetype: str,
    inline: bool | None = None,
    last_modified: datetime | None = None,
) -> Response:
    """Send the stored file ``key`` to the browser, as the view's answer.

    Its bytes are checked against ``sha256`` before any is sent. HTTP Range (206) and conditional requests
    (ETag: the sha256; Last-Modified: ``last_modified``, else when the file was stored) are answered. It is
    sent inline when a browser shows it itself (a PDF) and the request does not ask to save it (``?nedladdning=1``),
    as an attachment otherwise (``inline`` decides if given), under ``filename`` made safe (``download_name``). A missing file is a 404 and a file whose bytes
    no longer match its sha256 a 500, both logged; nothing of it is sent. Cache-Control is the view's (and
    the app's, for a logged-in user) to set.
    """
    storage = get_storage()
    try:
        fh = storage.open(key)
    except StorageError:
        current_app.logger.error("stored file %s is missing", key)
        abort(404)
    try:
        stat = os.fstat(fh.fileno())
        if inline is None:
            inline = mimetype in INLINE_TYPES and not download_requested()
        response = send_file(
            fh,
            mimetype=mimetype,
            as_attachment=not inline,
            download_name=download_name(filename),
            conditional=False,
            etag=False,
            last_modified=last_modified or stat.st_mtime,
        )
        response.content_length = stat.st_size
        response.set_etag(sha256)
        response = response.make_conditional(request.environ, accept_ranges=True, complete_length=stat.st_size)
        if response.status_code != 304:  # bytes are to be sent: only what was stored
            if _sha256_of_file(fh) != sha256:
                current_app.logger.error("stored file %s does not match its sha256 %s: not sent", key, sha256)
                abort(500)
            fh.seek(0)
        return response
    except BaseException:
        fh.close()
        raise
