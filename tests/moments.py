"""Fixed moments the date-sensitive tests also run at, on top of the app's one clock (``app/clock.py``).

A test marked ``@pytest.mark.moments`` runs once at the real time ("nu") and once at each moment
below, with the process clock moved there by time-machine (ticking on from it, so durations still
pass). The moments are Swedish local time (Europe/Stockholm) while the process runs in UTC, so a
date taken in UTC instead of local time shows up on the year's edges.

``TEST_NOW`` (an ISO local time such as ``2026-12-31T23:30``, or one of the names below) moves the
clock for the whole run instead: ``TEST_NOW=nyarsafton make test``.
"""

from __future__ import annotations

from datetime import datetime

from app.clock import LOCAL_TZ


def _local(*parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=LOCAL_TZ, fold=fold)


MOMENTS: dict[str, datetime] = {
    # The year's last half hour: a meeting "two weeks ahead" is next year, the year plan is this year's.
    "nyarsafton": _local(2026, 12, 31, 23, 30),
    # Five minutes into the year in Stockholm, still 31 December in UTC.
    "nyarsdagen": _local(2027, 1, 1, 0, 5),
    "skottdagen": _local(2028, 2, 29, 12, 0),
    # The last Sunday of March: 02:00 becomes 03:00, the day has 23 hours.
    "sommartid": _local(2027, 3, 28, 3, 30),
    # The last Sunday of October: 03:00 becomes 02:00 again; 02:30 happens twice (this is the first).
    "vintertid": _local(2027, 10, 31, 2, 30),
    # A Friday between 19 and 25 June, a day off like a Sunday.
    "midsommarafton": _local(2027, 6, 25, 12, 0),
}


def parse_moment(value: str) -> datetime:
    """A name above or an ISO local time (Europe/Stockholm unless it carries an offset)."""
    if value in MOMENTS:
        return MOMENTS[value]
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)
