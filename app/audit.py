"""The append-only audit log: who did what, when, to which object.

Rows are only ever inserted: the ORM refuses updates and deletes, and the migration adds
database triggers that refuse them too (on SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import Model, db

if TYPE_CHECKING:  # app.auth's operations write audit rows; at run time the ORM finds "User" by name
    from app.auth.models import User


class AuditEntry(Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: None for the system itself (demo loader, scheduled work)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: dotted verb, e.g. "case.registered", "case.voided"
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"), index=True)
    #: set for everything that belongs to a case, so its page can show its history
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    #: one Swedish sentence for people reading the log
    summary: Mapped[str] = mapped_column(Text)
    #: {"before": {...}, "after": {...}} where the change matters
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    user: Mapped[User | None] = relationship("User")

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.object_type}:{self.object_id}>"


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper, _connection, target):
    raise RuntimeError(f"the audit log is append-only; refused to change {target!r}")


def record(
    action: str,
    obj: Any,
    summary: str,
    *,
    user: User | None,
    committee_id: int | None = None,
    case_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Add an audit row for ``obj`` to the session (the caller's transaction commits it)."""
    if obj.id is None:
        db.session.flush()
    data = None
    if before is not None or after is not None:
        data = {"before": before, "after": after}
    entry = AuditEntry(
        user_id=user.id if user is not None else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=obj.id,
        committee_id=committee_id,
        case_id=case_id,
        summary=summary,
        data=data,
    )
    db.session.add(entry)
    return entry


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep only the keys whose values differ."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
