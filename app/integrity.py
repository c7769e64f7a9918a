"""``flask verify``: is what the database says about the stored files, signatures and publications still true?

* Every file in storage: its bytes hash to the sha256 its key names (a changed file is reported).
* Every storage key the database names — in a column named ``storage_key`` or ``…_key``, or as ``"key"`` in a
  JSON column — exists, and the sha256 stored beside it (``sha256``, ``…_sha256``) is the key's.
* Every signed tjänsteutlåtande: the signed revision is the current one and its content and bilagor still hash
  to the signed hash (workflows.operations.signature_hash).
* Every publication: its members' snapshot still hashes to the sha256 its registration in the diarium carries,
  the public snapshot names no file the members' one does not nor a confidential one, and every file either
  names is stored.
* Orphans: a stored file no row names, by its key or its sha256.

Problems are Swedish lines for operators; ``verify`` returns them with a count of what was checked.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import JSON, String, Text, select

from app.extensions import db
from app.storage import TEMPORARY, LocalStorage

_KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}$")
_HEX64 = re.compile(r"[0-9a-f]{64}")
#: a temporary file younger than this is a write under way, not something left behind
TEMPORARY_GRACE_SECONDS = 3600


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.checked[what] = self.checked.get(what, 0) + n

    @property
    def ok(self) -> bool:
        return not self.problems


def _key_columns(table) -> list[tuple[str, str | None]]:
    """The (storage key column, its sha256 column or None) pairs of a table."""
    pairs = []
    names = set(table.c.keys())
    for name in names:
        if name == "storage_key":
            pairs.append((name, "sha256" if "sha256" in names else None))
        elif name.endswith("_key") and isinstance(table.c[name].type, String | Text):
            partner = name[: -len("_key")] + "_sha256"
            pairs.append((name, partner if partner in names else None))
    return sorted(pairs)


def _json_entries(value) -> Iterator[dict]:
    """Every dict in a JSON value that names a storage key as ``"key"``."""
    if isinstance(value, dict):
        if isinstance(value.get("key"), str) and _KEY.match(value["key"]):
            yield value
        for item in value.values():
            yield from _json_entries(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_entries(item)


def _referenced(report: Report) -> tuple[dict[str, list[str]], set[str]]:
    """The storage keys the database names (with where, for the messages), and every sha256-like string in it."""
    keys: dict[str, list[str]] = {}
    hashes: set[str] = set()
    for table in db.metadata.sorted_tables:
        pairs = _key_columns(table)
        texts = [
            c
            for c in table.c
            if isinstance(c.type, String | Text | JSON) and (getattr(c.type, "length", None) or 64) >= 64
        ]
        if not pairs and not texts:
            continue
        primary = list(table.primary_key.columns)
        for row in db.session.execute(select(*primary, *texts).select_from(table)).mappings():
            where = f"{table.name} {'/'.join(str(row[c.name]) for c in primary)}"
            for column in texts:
                value = row[column.name]
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value)
                hashes.update(_HEX64.findall(text))
                if isinstance(column.type, JSON):
                    for entry in _json_entries(value):
                        keys.setdefault(entry["key"], []).append(f"{where} ({column.name})")
                        sha = entry.get("sha256")
                        if sha and sha != entry["key"][3:]:
                            report.problems.append(
                                f"{where} ({column.name}): kontrollsumman {sha} hör inte till filen {entry['key']}."
                            )
        for key_column, sha_column in pairs:
            columns = [table.c[key_column]] + ([table.c[sha_column]] if sha_column else [])
            rows = db.session.execute(select(*primary, *columns).where(table.c[key_column].is_not(None))).mappings()
            for row in rows:
                where = f"{table.name} {'/'.join(str(row[c.name]) for c in primary)}"
                key = row[key_column]
                if not _KEY.match(key):
                    report.problems.append(f"{where}: ogiltig lagringsnyckel {key!r} i {key_column}.")
                    continue
                keys.setdefault(key, []).append(f"{where} ({key_column})")
                if sha_column and row[sha_column] and row[sha_column] != key[3:]:
                    report.problems.append(
                        f"{where}: {sha_column} {row[sha_column]} stämmer inte med filen {key} som raden pekar ut."
                    )
    return keys, hashes


def _file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _check_storage(storage: LocalStorage, report: Report) -> set[str]:
    """Hash every stored file; return the keys present."""
    present: set[str] = set()
    if not storage.root.is_dir():  # a new installation's: said only when the database names files (``verify``)
        return present
    for path in sorted(p for p in storage.root.rglob("*") if p.is_file()):
        relative = path.relative_to(storage.root).as_posix()
        if relative.startswith(TEMPORARY + "/") or path.name.startswith(".tmp-"):
            if time.time() - path.stat().st_mtime > TEMPORARY_GRACE_SECONDS:
                report.problems.append(f"Kvarlämnad temporär fil i lagringen: {relative}.")
            continue
        if not _KEY.match(relative):
            report.problems.append(f"Okänd fil i lagringen (inte en lagrad fil): {relative}.")
            continue
        report.count("filer i lagringen")
        present.add(relative)
        actual = _file_sha256(path)
        if actual != relative[3:]:
            report.problems.append(
                f"Filen {relative} är ändrad eller skadad: innehållets sha256 är {actual}, inte det som namnet anger."
            )
    return present


def _check_signed_reports(report: Report) -> None:
    from workflows.models import CaseReport
    from workflows.operations import signature_hash

    for case_report in db.session.scalars(select(CaseReport).where(CaseReport.signed_hash.is_not(None))):
        report.count("signerade tjänsteutlåtanden")
        label = f"Tjänsteutlåtande {case_report.id} (ärende {case_report.case.number})"
        if case_report.signed_revision != case_report.current_revision:
            report.problems.append(
                f"{label}: signerat i version {case_report.signed_revision}, men den aktuella är "
                f"{case_report.current_revision}."
            )
            continue
        try:
            actual = signature_hash(case_report)
        except Exception as exc:  # noqa: BLE001 - a content that no longer reads is a problem to report
            report.problems.append(f"{label}: det signerade innehållet kan inte läsas ({exc}).")
            continue
        if actual != case_report.signed_hash:
            report.problems.append(
                f"{label}: det signerade innehållet har ändrats; dess sha256 är {actual}, signaturens "
                f"{case_report.signed_hash}."
            )


def _snapshot_files(snapshot) -> list[dict]:
    return [a for item in (snapshot or {}).get("items", []) for a in item.get("attachments", []) if a.get("sha256")]


def _check_publications(report: Report, stored_hashes: set[str]) -> None:
    from agenda.models import Publication
    from agenda.registration import publication_sha256
    from app.registry.models import RegisteredDocument

    registered = dict(
        db.session.execute(
            select(RegisteredDocument.source, RegisteredDocument.sha256).where(
                RegisteredDocument.source.like("publication:%")
            )
        ).all()
    )
    for publication in db.session.scalars(select(Publication).order_by(Publication.id)):
        report.count("publiceringar")
        label = f"Publicering {publication.id} (sammanträde {publication.meeting_id}, version {publication.version})"
        expected = registered.get(f"publication:{publication.id}")
        if expected and publication_sha256(publication) != expected:
            report.problems.append(
                f"{label}: ledamotsversionen har ändrats sedan den registrerades (sha256 {expected})."
            )
        members = {a["sha256"] for a in _snapshot_files(publication.members_snapshot)}
        for attachment in _snapshot_files(publication.public_snapshot):
            if attachment.get("is_confidential"):
                report.problems.append(f"{label}: den offentliga versionen innehåller en sekretessmarkerad bilaga.")
            elif attachment["sha256"] not in members:
                report.problems.append(f"{label}: den offentliga versionen har en bilaga som ledamotsversionen saknar.")
        for sha in sorted(members - stored_hashes):
            report.problems.append(f"{label}: bilagan med sha256 {sha} saknas i lagringen.")


def verify(storage: LocalStorage) -> Report:
    """Check the storage and the database against each other; the problems found, in Swedish."""
    report = Report()
    present = _check_storage(storage, report)
    keys, hashes = _referenced(report)
    report.count("lagringsnycklar i databasen", len(keys))
    if keys and not storage.root.is_dir():
        report.problems.append(f"Lagringsmappen {storage.root} finns inte (STORAGE_PATH).")
    for key in sorted(set(keys) - present):
        report.problems.append(f"Filen {key} saknas i lagringen; den nämns av {', '.join(keys[key][:3])}.")
    for key in sorted(present - set(keys)):
        if key[3:] not in hashes:
            report.problems.append(f"Föräldralös fil: {key} nämns inte av någon rad i databasen.")
    _check_signed_reports(report)
    _check_publications(report, {key[3:] for key in present})
    db.session.rollback()
    return report
