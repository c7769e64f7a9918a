"""Rendered files kept for reuse under the hash of what they are made from (table ``rendered_parts``).

A report revision's PDF, a kallelse's Word file, a converted bilaga, a meeting package: each is
stored once through app.storage and recorded under its input hash (with what it is: "….pdf",
"….docx", "paket/…"), so any later render needing the same input takes the file, whichever job
made it and however long ago (a preview of a tjänsteutlåtande and a meeting package that render
the same revision the same way share its PDF). A record whose file is gone from storage is
forgotten and the file made again. Records are committed at once on a connection of their own:
a part made by a job that fails later, or by a worker killed mid-job, is still there for the
next one. Two workers making the same part at once both store it; the first record stays.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db, separate_transaction
from app.storage import StorageError, StoredFile, get_storage
from tasks.models import RenderedPart, StoredEntryJSON


class StoredParts:
    """Parts by key; ``used`` maps each key got or put by this render to its stored file (for the job's params)."""

    def __init__(self) -> None:
        self.storage = get_storage()
        self.used: dict[str, StoredEntryJSON] = {}

    def entry(self, key: str) -> StoredEntryJSON | None:
        """The stored file of ``key`` ({"key", "sha256", "size"}) if it is recorded and still in storage."""
        record = db.session.scalar(select(RenderedPart).where(RenderedPart.key == key))
        if record is None:
            return None
        if not self.storage.exists(record.storage_key):
            self._forget(key)
            return None
        self.used[key] = record.entry()
        return self.used[key]

    def get(self, key: str) -> bytes | None:
        entry = self.entry(key)
        if entry is None:
            return None
        try:
            return self.storage.read(entry["key"])
        except StorageError:
            self._forget(key)
            self.used.pop(key, None)
            return None

    def path(self, key: str) -> Path | None:
        """The stored file of ``key`` on disk (a big part is read from there, never whole into memory)."""
        entry = self.used.get(key) or self.entry(key)
        if entry is None:
            return None
        try:
            return self.storage.local_path(entry["key"])
        except StorageError:
            self._forget(key)
            self.used.pop(key, None)
            return None

    def temporary_file(self, suffix: str = "") -> AbstractContextManager[Path]:
        return self.storage.temporary_file(suffix)

    def put_file(self, key: str, made: Path) -> StoredEntryJSON:
        """Keep a file as the part: one made in ``temporary_file()`` moved in, a stored one (a bilaga that went in as
        it was) named as it is, any other copied a megabyte at a time."""
        return self._record(key, self.storage.store_path(made))

    def put(self, key: str, data: bytes) -> StoredEntryJSON:
        return self._record(key, self.storage.save(data))

    def _record(self, key: str, stored: StoredFile) -> StoredEntryJSON:
        entry: StoredEntryJSON = {"key": stored.key, "sha256": stored.sha256, "size": stored.size}
        try:
            with separate_transaction() as session:
                session.execute(delete(RenderedPart).where(RenderedPart.key == key))  # one whose file was gone
                session.add(RenderedPart(key=key, storage_key=stored.key, sha256=stored.sha256, size=stored.size))
        except IntegrityError:
            pass  # another worker recorded the same part meanwhile: an equal file
        self.used[key] = entry
        return entry

    def _forget(self, key: str) -> None:
        with separate_transaction() as session:
            session.execute(delete(RenderedPart).where(RenderedPart.key == key))
