"""What a load balancer asks: is this process alive, and can it do its work (``/healthz``, ``/readyz``).

Each check answers only whether it passed and, in Swedish, a short reason that names no address, path,
user or password: the answers are public. The details go to the log.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from sqlalchemy import text

from app.extensions import db

log = logging.getLogger(__name__)

#: seconds a check waits for a server before calling it down
CHECK_TIMEOUT = 2.0


def _database() -> str | None:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means: not ready
        log.warning("readyz: the database does not answer", exc_info=True)
        return "Databasen svarar inte."
    return None


def _broker() -> str | None:
    celery = current_app.extensions["celery"]
    try:
        with celery.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=CHECK_TIMEOUT)
    except Exception:  # noqa: BLE001
        log.warning("readyz: the broker does not answer", exc_info=True)
        return "Kön för bakgrundsjobb (broker) svarar inte."
    folder = (celery.conf.broker_transport_options or {}).get("data_folder_in")
    if folder and not _writable(Path(folder)):
        return "Kön för bakgrundsjobb kan inte skrivas."
    return None


def _writable(folder: Path) -> bool:
    try:
        fd, name = tempfile.mkstemp(prefix=".readyz-", dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError:
        log.warning("readyz: %s is not writable", folder, exc_info=True)
        return False
    return True


def _storage() -> str | None:
    folder = Path(current_app.config["STORAGE_PATH"])
    with contextlib.suppress(OSError):  # a folder that cannot be made is not writable: said below
        folder.mkdir(parents=True, exist_ok=True)
    return None if _writable(folder) else "Fillagringen kan inte skrivas."


def _converter() -> str | None:
    from tasks.rendering.pdf import unavailable_reason

    reason = unavailable_reason()
    if reason:
        log.warning("readyz: %s", reason)
        return "PDF-konverteringen (LibreOffice) är inte tillgänglig."
    return None


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": _database,
    "broker": _broker,
    "storage": _storage,
    "converter": _converter,
}


def readiness() -> tuple[bool, dict[str, dict]]:
    """Run every check: (all passed, name → {"ok": bool, "reason": Swedish text or None})."""
    results = {}
    for name, check in CHECKS.items():
        reason = check()
        results[name] = {"ok": reason is None, "reason": reason}
    return all(r["ok"] for r in results.values()), results
