"""Dates as Swedish readers write them, in one place for pages and documents.

"2 februari 2017", "torsdag den 23 februari 2017", "Torsdag den 23 februari 2017, klockan 18:00".
An aware datetime is shown in Swedish local time; a snapshot's ISO text is read as written
(it is local time already). Core: imports nothing but the clock.
"""

from __future__ import annotations

from datetime import date, datetime

from app.clock import to_local

MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]


def _local(value: date | datetime | str) -> date | datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = to_local(value)
    return value


def long_date(value: date | datetime | str | None) -> str:
    """E.g. "2 februari 2017"."""
    if not value:
        return ""
    day = _local(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def weekday_date(value: date | datetime | str | None) -> str:
    """E.g. "torsdag den 23 februari 2017"."""
    if not value:
        return ""
    day = _local(value)
    return f"{WEEKDAYS[day.weekday()]} den {long_date(day)}"


def meeting_time(value: datetime | str | None) -> str:
    """E.g. "Torsdag den 23 februari 2017, klockan 18:00"."""
    if not value:
        return ""
    when = _local(value)
    text = weekday_date(when)
    return f"{text[:1].upper()}{text[1:]}, klockan {when:%H:%M}"
