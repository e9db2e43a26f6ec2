"""China's official calendar from the `holidays` package, plus the office's own days.

Kept apart from the pure rules so that `holidays` (60 ms to import) loads only in
commands that count working days.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from lcqy.rules.workdays import WorkCalendar


@cache
def official_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    import holidays

    h = holidays.China(years=year)
    rest = frozenset(d for d in h if d.year == year)
    # weekend_workdays also keeps a few dates from 2001-2011 in every instance.
    workdays = frozenset(d for d in h.weekend_workdays if d.year == year)
    return rest, workdays


@cache
def known_years() -> frozenset[int]:
    """Years whose State Council schedule the package carries (others are guesses)."""
    from holidays.countries.china import ChinaStaticHolidays

    return frozenset(ChinaStaticHolidays.special_public_holidays)


def build_calendar(office: dict[date, str] | None = None, confirmed: frozenset[int] = frozenset()) -> WorkCalendar:
    """`confirmed`: years whose schedule the office has entered itself (lcqy calendar confirm)."""
    return WorkCalendar(loader=official_year, office=dict(office or {}), known_years=known_years() | confirmed)
