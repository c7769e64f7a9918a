"""``Idempotency-Key`` on the API's changes: a client that retries after an error never does a thing twice.

A client sends a key of its choosing (a UUID, say) with a POST, PUT, PATCH or DELETE. The key is recorded
in the same transaction as the change the request makes, so the two commit together or not at all:

* the first request with a key is carried out as usual; its reply is kept with the key afterwards;
* a retry with the same key and the same request gets the kept reply again (``Idempotent-Replayed: true``)
  without doing anything; if the change committed but its reply could not be kept (the database went away
  in between), the retry is told that the request was already carried out;
* the same key with another request (method, path or body) is refused (422), and a retry that arrives
  while the first is still being carried out gets 409.

A request that changed nothing (refused with 4xx, say) leaves no key behind, so it can be sent again.
Keys are per user and kept for ``IDEMPOTENCY_KEY_DAYS`` days (older ones are dropped as the user sends new).
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_request_context, jsonify, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.clock import utcnow
from app.db_types import UTCDateTime
from app.errors import is_api_request, json_error
from app.extensions import Model, db, separate_transaction

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # visible ASCII, as the IETF draft's examples
_CHANGES = ("POST", "PUT", "PATCH", "DELETE")
#: replies larger than this are not kept; a retry then learns only that the request was carried out
_MAX_KEPT_REPLY = 256 * 1024


class IdempotentRequest(Model):
    """A change the API carried out under a client's key, and the reply it gave."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(200))
    #: sha256 of method, path and body: the same key must come with the same request
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int | None] = mapped_column(sa.Integer)
    reply: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    content_type: Mapped[str | None] = mapped_column(sa.String(100))
    location: Mapped[str | None] = mapped_column(sa.String(500))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.full_path.encode())
    digest.update(b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _pending() -> dict | None:
    return g.get("_idempotency") if has_request_context() else None


def _replay(row: IdempotentRequest) -> Response:
    if row.status is None:
        response = jsonify(
            message="Begäran är redan utförd (samma Idempotency-Key). Svaret kunde inte sparas då; "
            "hämta uppgifterna på nytt."
        )
    else:
        response = Response(row.reply, status=row.status, content_type=row.content_type)
        if row.location:
            response.headers["Location"] = row.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _before_request():
    key = request.headers.get(HEADER)
    if key is None or request.method not in _CHANGES or not is_api_request():
        return None
    if not _KEY.match(key):
        return json_error(400, "Idempotency-Key ska vara 1–200 synliga ASCII-tecken (till exempel ett UUID).")
    if not current_user.is_authenticated:
        return None  # the API answers 401 itself
    fingerprint = _fingerprint()
    row = db.session.scalar(
        sa.select(IdempotentRequest).where(IdempotentRequest.user_id == current_user.id, IdempotentRequest.key == key)
    )
    db.session.rollback()  # read only: the view's own transaction starts afresh
    if row is not None:
        if row.fingerprint != fingerprint:
            return json_error(422, "Idempotency-Key har redan använts för en annan begäran. Använd en ny nyckel.")
        return _replay(row)
    g._idempotency = {"key": key, "fingerprint": fingerprint, "user_id": current_user.id, "recorded": False}
    return None


@event.listens_for(Session, "after_flush")
def _note_a_write(session: Session, _context) -> None:
    pending = _pending()
    if pending is not None and not session.info.get("separate"):
        pending["wrote"] = True


@event.listens_for(Session, "after_rollback")
def _forget_writes(session: Session) -> None:
    pending = _pending()
    if pending is not None and not session.info.get("separate"):
        pending["wrote"] = False


@event.listens_for(Session, "before_commit")
def _record_with_the_change(session: Session) -> None:
    """Add the key to the transaction that carries out the change, so both commit or neither does."""
    pending = _pending()
    if pending is None or pending["recorded"] or session.info.get("separate"):
        return
    if not (pending.get("wrote") or session.new or session.dirty or session.deleted):
        return  # nothing changes in this commit
    session.add(IdempotentRequest(user_id=pending["user_id"], key=pending["key"], fingerprint=pending["fingerprint"]))
    pending["recorded"] = True


def _after_request(response: Response) -> Response:
    pending = _pending()
    if pending is None or not pending["recorded"] or response.status_code >= 500:
        return response
    body = response.get_data() if not response.direct_passthrough else None
    try:
        # The change is committed and the reply built: end what reading the reply began (on SQLite a
        # POST's transaction holds the write lock), as the session's teardown would.
        db.session.rollback()
        with separate_transaction() as session:
            session.execute(
                sa.update(IdempotentRequest)
                .where(IdempotentRequest.user_id == pending["user_id"], IdempotentRequest.key == pending["key"])
                .values(
                    status=response.status_code,
                    reply=body if body is not None and len(body) <= _MAX_KEPT_REPLY else None,
                    content_type=response.content_type,
                    location=response.headers.get("Location"),
                )
            )
            days = current_app.config.get("IDEMPOTENCY_KEY_DAYS", 7)
            session.execute(
                sa.delete(IdempotentRequest).where(
                    IdempotentRequest.user_id == pending["user_id"],
                    IdempotentRequest.created_dt < utcnow() - timedelta(days=days),
                )
            )
    except Exception:  # noqa: BLE001 - the change is committed; a retry learns that it was carried out
        log.warning("Could not keep the reply for an idempotency key", exc_info=True)
    return response


def conflicting_retry() -> bool:
    """Whether a failed commit failed because the same key was just recorded by a concurrent request."""
    pending = _pending()
    if pending is None:
        return False
    try:
        with separate_transaction() as session:
            return (
                session.scalar(
                    sa.select(IdempotentRequest.id).where(
                        IdempotentRequest.user_id == pending["user_id"], IdempotentRequest.key == pending["key"]
                    )
                )
                is not None
            )
    except Exception:  # noqa: BLE001
        return False


def init_app(app: Flask) -> None:
    app.before_request(_before_request)
    app.after_request(_after_request)
