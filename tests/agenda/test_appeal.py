"""The anslag's dates (agenda.minutes.appeal) against the real example and an independent Swedish calendar.

The independent calendar is the `holidays` package's Sweden (public holidays plus its DE_FACTO category,
which holds midsommarafton, julafton and nyårsafton; Sundays left out and checked by weekday instead), and
the rule is written here again in its plainest form: every start day of 2025–2027.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from holidays.constants import DE_FACTO, PUBLIC

from agenda.minutes.appeal import (
    AnnouncementDateError,
    announcement_dates,
    easter_sunday,
    is_working_day,
    last_appeal_day,
    latest_announcement_date,
    next_working_day,
    swedish_holidays,
    taken_down_date,
)

YEARS = range(2025, 2028)


@pytest.fixture(scope="module")
def library_calendar() -> holidays.HolidayBase:
    """Sweden as the `holidays` package keeps it, one year either side of the tested years (periods cross years)."""
    return holidays.country_holidays(
        "SE",
        years=range(YEARS.start - 1, YEARS.stop + 1),
        categories=(PUBLIC, DE_FACTO),
        include_sundays=False,
        language="sv",
    )


def _library_names(calendar: holidays.HolidayBase, year: int) -> set[str]:
    return {name for day, name in calendar.items() if day.year == year}


def test_the_library_calendar_holds_the_three_eves_and_no_plain_sundays(library_calendar):
    for year in YEARS:
        assert date(year, 12, 24) in library_calendar and date(year, 12, 31) in library_calendar
        names = _library_names(library_calendar, year)
        assert {"Midsommarafton", "Julafton", "Nyårsafton"} <= names, names
        assert "Söndag" not in names
    assert library_calendar.get(date(2025, 6, 20)) == "Midsommarafton"
    assert library_calendar.get(date(2026, 6, 19)) == "Midsommarafton"
    # An ordinary Sunday is not in it: the rule below checks weekends by weekday.
    assert date(2025, 3, 9) not in library_calendar


@pytest.mark.parametrize("year", range(1990, 2061))
def test_our_holidays_are_the_librarys(year):
    calendar = holidays.country_holidays("SE", years=year, categories=(PUBLIC, DE_FACTO), include_sundays=False)
    assert set(swedish_holidays(year)) == set(calendar)


def test_holidays_named_as_the_law_names_them():
    days = swedish_holidays(2025)
    assert days[date(2025, 4, 18)] == "långfredagen"
    assert days[date(2025, 4, 20)] == "påskdagen"
    assert days[date(2025, 4, 21)] == "annandag påsk"
    assert days[date(2025, 5, 29)] == "Kristi himmelsfärdsdag"
    assert days[date(2025, 6, 8)] == "pingstdagen"
    assert days[date(2025, 6, 20)] == "midsommarafton"
    assert days[date(2025, 6, 21)] == "midsommardagen"
    assert days[date(2025, 11, 1)] == "alla helgons dag"
    assert list(days) == sorted(days)


@pytest.mark.parametrize(
    "year, easter",
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2038, date(2038, 4, 25))],
)
def test_easter(year, easter):
    assert easter_sunday(year) == easter


def test_midsummer_and_all_saints_at_the_edges_of_their_weeks():
    # midsommardagen is the Saturday of 20–26 June, alla helgons dag the Saturday of 31 October–6 November
    assert swedish_holidays(2026)[date(2026, 6, 20)] == "midsommardagen"
    assert swedish_holidays(2026)[date(2026, 6, 19)] == "midsommarafton"
    assert swedish_holidays(2020)[date(2020, 6, 20)] == "midsommardagen"
    assert swedish_holidays(2021)[date(2021, 6, 26)] == "midsommardagen"
    assert swedish_holidays(2026)[date(2026, 10, 31)] == "alla helgons dag"
    assert swedish_holidays(2021)[date(2021, 11, 6)] == "alla helgons dag"


def test_the_real_anslag():
    dates = announcement_dates(date(2024, 6, 19), date(2024, 6, 20))
    assert dates.put_up_on == date(2024, 6, 20)
    assert dates.last_appeal_day == date(2024, 7, 11)
    assert dates.taken_down_on == date(2024, 7, 12)


def _every_day(years: range):
    day = date(years.start, 1, 1)
    while day.year < years.stop:
        yield day
        day += timedelta(days=1)


def test_every_start_day_of_2025_to_2027_against_the_library(library_calendar):
    def independent_last_day(put_up: date) -> date:
        last = put_up + timedelta(days=21)
        while last.weekday() >= 5 or last in library_calendar:
            last += timedelta(days=1)
        return last

    checked = 0
    moved = 0
    for put_up in _every_day(YEARS):
        expected = independent_last_day(put_up)
        assert last_appeal_day(put_up) == expected, put_up
        assert taken_down_date(put_up) == expected + timedelta(days=1), put_up
        checked += 1
        moved += expected != put_up + timedelta(days=21)
    assert checked == 365 * 3
    # weekends alone move 2/7 of the days; the holidays move some more
    assert moved > 2 * checked // 7


@pytest.mark.parametrize(
    "put_up, last_day, why",
    [
        (date(2025, 12, 3), date(2025, 12, 29), "julafton 24/12 → juldagen, annandag jul, helg → måndag 29/12"),
        (date(2025, 12, 10), date(2026, 1, 2), "nyårsafton 31/12 → nyårsdagen → fredag 2/1"),
        (date(2025, 5, 30), date(2025, 6, 23), "midsommarafton 20/6 → helg → måndag 23/6"),
        (date(2026, 3, 13), date(2026, 4, 7), "långfredagen 3/4 → påskhelgen → tisdag 7/4"),
        (date(2026, 3, 12), date(2026, 4, 2), "skärtorsdagen är en arbetsdag"),
        (date(2025, 3, 28), date(2025, 4, 22), "långfredagen 18/4 → påskhelgen → tisdag 22/4"),
        (date(2025, 5, 16), date(2025, 6, 9), "nationaldagen fredag 6/6 → helg → måndag 9/6"),
        (date(2025, 5, 8), date(2025, 5, 30), "Kristi himmelsfärdsdag torsdag 29/5 → fredag 30/5"),
        (date(2027, 5, 15), date(2027, 6, 7), "lördag 5/6 → söndag 6/6 (nationaldagen) → måndag 7/6"),
        (date(2026, 3, 19), date(2026, 4, 9), "en torsdag tre veckor senare som är en arbetsdag står kvar"),
    ],
)
def test_a_last_day_off_work_moves_to_the_next_working_day(put_up, last_day, why):
    assert last_appeal_day(put_up) == last_day, why


def test_the_announcement_is_due_on_the_second_calendar_day_moved_off_days_off():
    # Monday → Wednesday; Thursday → Saturday, which moves to Monday
    assert latest_announcement_date(date(2025, 3, 3)) == date(2025, 3, 5)
    assert latest_announcement_date(date(2025, 3, 6)) == date(2025, 3, 10)
    # Tuesday 23 December 2025 → julafton → … → Monday 29 December
    assert latest_announcement_date(date(2025, 12, 23)) == date(2025, 12, 29)


def test_announcement_dates_default_to_the_justering_day():
    dates = announcement_dates(date(2025, 3, 6))
    assert dates.put_up_on == date(2025, 3, 6)
    assert dates.last_appeal_day == date(2025, 3, 27)
    assert dates.taken_down_on == date(2025, 3, 28)


def test_an_announcement_before_the_justering_is_refused_in_swedish():
    with pytest.raises(AnnouncementDateError, match="före justeringen 2025-03-06"):
        announcement_dates(date(2025, 3, 6), date(2025, 3, 5))


def test_an_announcement_later_than_the_law_allows_is_refused_in_swedish():
    assert announcement_dates(date(2025, 3, 6), date(2025, 3, 10)).put_up_on == date(2025, 3, 10)
    with pytest.raises(AnnouncementDateError, match="senast 2025-03-10.*8 kap. 12 §"):
        announcement_dates(date(2025, 3, 6), date(2025, 3, 11))


def test_working_days():
    assert is_working_day(date(2025, 6, 19)) and not is_working_day(date(2025, 6, 20))
    assert not is_working_day(date(2025, 3, 8)) and not is_working_day(date(2025, 3, 9))
    assert next_working_day(date(2025, 3, 7)) == date(2025, 3, 7)
    assert next_working_day(date(2025, 12, 31)) == date(2026, 1, 2)
