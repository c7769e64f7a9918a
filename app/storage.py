"""One storage abstraction for every stored file.

Files are addressed by the sha256 of their content (``ab/abcdef…``), never by a name a
client sent. Writes are atomic: a temporary file in the same directory, fsync, rename.
The local backend's directory may be a share mounted on every web and worker machine.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

_KEY_RE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}$")


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
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
        return StoredFile(key=key, sha256=digest, size=len(data))

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StorageError(f"no stored file {key}") from None

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
