"""Time: UTC in the database, Swedish local time for people."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import overload
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Stockholm")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


@overload
def to_local(dt: datetime) -> datetime: ...
@overload
def to_local(dt: None) -> None: ...
@overload
def to_local(dt: datetime | None) -> datetime | None: ...
def to_local(dt: datetime | None) -> datetime | None:
    return dt.astimezone(LOCAL_TZ) if dt is not None else None
