"""The anslag's dates: when the justering must be announced, the last day to appeal, when the notice comes down.

Kommunallagen (2017:725) 8 kap. 12 §: the justering is announced on the anslagstavla "senast andra dagen
efter justeringen". 13 kap. 5 §: an appeal (laglighetsprövning) must arrive "inom tre veckor från den dag
då det tillkännagavs på kommunens anslagstavla", and the announcement stays up until then. Lag (1930:173)
om beräkning av lagstadgad tid: a period in weeks ends on the same weekday as the day it counts from
(1 §), and when an action must be taken within a time whose last day is a Saturday, Sunday, other public
holiday, midsommarafton, julafton or nyårsafton, it may be taken on the next weekday (2 §).

How the days are counted here:

* "Andra dagen efter" counts calendar days: the justering on a Thursday is announced by the Saturday.
  The 1930 law does not turn the count into working days; it only moves a last day that falls on a
  non-working day, so a Saturday becomes the following Monday (``latest_announcement_date``). The
  product announces at the justering itself, so this is the limit a later date typed by hand is held to.
* The last day to appeal is the announcement's weekday three weeks on, moved to the next working day
  by the same rule (``last_appeal_day``).
* The announcement comes down the calendar day after the last day to appeal, whatever day that is: the
  web anslagstavla takes it down by itself (``taken_down_date``).

Real example: put up 2024-06-20, appeal by 2024-07-11, taken down 2024-07-12.

The Swedish holidays (lag (1989:253) om allmänna helgdagar) are computed here, Easter by the Gregorian
computus: nothing is fetched and no calendar library is needed at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

#: what 8 kap. 12 § allows between the justering and the announcement, in calendar days
ANNOUNCEMENT_DAYS = 2
#: the appeal period of 13 kap. 5 §
APPEAL_PERIOD = timedelta(weeks=3)

SATURDAY = 5
SUNDAY = 6


class AnnouncementDateError(ValueError):
    """An announcement date the law does not allow; the message is Swedish, for the user."""


def easter_sunday(year: int) -> date:
    """Påskdagen of a Gregorian year (the anonymous Gregorian computus, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_offset = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_offset) // 451
    month, day = divmod(h + weekday_offset - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_saturday_from(start: date) -> date:
    return start + timedelta(days=(SATURDAY - start.weekday()) % 7)


@cache
def swedish_holidays(year: int) -> dict[date, str]:
    """The year's days off by law besides Saturdays and Sundays that are not holidays, with their names.

    The allmänna helgdagar of lag (1989:253) (pingstdagen, påskdagen and every Sunday are among them; the
    named Sundays are listed here) and the three eves lag (1930:173) treats alike: midsommarafton, julafton
    and nyårsafton. As the law reads since 1990 (annandag pingst until 2004, nationaldagen from 2005).
    """
    easter = easter_sunday(year)
    midsummer_day = _first_saturday_from(date(year, 6, 20))
    days = {
        date(year, 1, 1): "nyårsdagen",
        date(year, 1, 6): "trettondedag jul",
        easter - timedelta(days=2): "långfredagen",
        easter: "påskdagen",
        easter + timedelta(days=1): "annandag påsk",
        date(year, 5, 1): "första maj",
        easter + timedelta(days=39): "Kristi himmelsfärdsdag",
        easter + timedelta(days=49): "pingstdagen",
        midsummer_day - timedelta(days=1): "midsommarafton",
        midsummer_day: "midsommardagen",
        _first_saturday_from(date(year, 10, 31)): "alla helgons dag",
        date(year, 12, 24): "julafton",
        date(year, 12, 25): "juldagen",
        date(year, 12, 26): "annandag jul",
        date(year, 12, 31): "nyårsafton",
    }
    if year >= 2005:
        days[date(year, 6, 6)] = "Sveriges nationaldag"
    else:
        # annandag pingst until 2004, when nationaldagen took its place (SFS 2004:1305)
        days[easter + timedelta(days=50)] = "annandag pingst"
    return dict(sorted(days.items()))


def is_working_day(day: date) -> bool:
    """Whether an action may be taken on ``day`` under lag (1930:173): not a weekend, holiday or those eves."""
    return day.weekday() not in (SATURDAY, SUNDAY) and day not in swedish_holidays(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def latest_announcement_date(justered_on: date) -> date:
    """The last day the justering may be put up: the second calendar day after it, moved off a day off."""
    return next_working_day(justered_on + timedelta(days=ANNOUNCEMENT_DAYS))


def last_appeal_day(put_up_on: date) -> date:
    """The last day an appeal may arrive: three weeks after the announcement, moved off a day off."""
    return next_working_day(put_up_on + APPEAL_PERIOD)


def taken_down_date(put_up_on: date) -> date:
    """The day the announcement comes down: the day after the last day to appeal."""
    return last_appeal_day(put_up_on) + timedelta(days=1)


@dataclass(frozen=True)
class AnnouncementDates:
    """The dates an anslag shows: the justering, the day put up, the last day to appeal, the day taken down."""

    justered_on: date
    put_up_on: date
    last_appeal_day: date
    taken_down_on: date


def announcement_dates(justered_on: date, put_up_on: date | None = None) -> AnnouncementDates:
    """The anslag's dates for a justering announced on ``put_up_on`` (by default the day of the justering).

    Raises ``AnnouncementDateError`` for an announcement before the justering or later than the law allows.
    """
    put_up_on = justered_on if put_up_on is None else put_up_on
    if put_up_on < justered_on:
        raise AnnouncementDateError(
            f"Anslaget kan inte sättas upp {put_up_on.isoformat()}, före justeringen {justered_on.isoformat()}."
        )
    latest = latest_announcement_date(justered_on)
    if put_up_on > latest:
        raise AnnouncementDateError(
            f"Anslaget ska sättas upp senast {latest.isoformat()}, andra dagen efter justeringen "
            f"{justered_on.isoformat()} (kommunallagen 8 kap. 12 §)."
        )
    return AnnouncementDates(
        justered_on=justered_on,
        put_up_on=put_up_on,
        last_appeal_day=last_appeal_day(put_up_on),
        taken_down_on=taken_down_date(put_up_on),
    )
