"""Working days under China's official calendar plus the office's own days.

Pure: the official rest days and 调休 workdays of a year come from a loader the
caller passes in (the `holidays` package in production, plain sets in tests).

Counting follows Chinese administrative practice: the start day is not counted,
so "2 working days from D" is the 2nd working day after D.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

YearLoader = Callable[[int], tuple[frozenset[date], frozenset[date]]]
"""year -> (official rest days, official weekend workdays) of that year."""

ONE_DAY = timedelta(days=1)


@dataclass
class WorkCalendar:
    loader: YearLoader
    office: Mapping[date, str] = field(default_factory=dict)  # date -> "holiday" | "workday"
    known_years: frozenset[int] = frozenset()  # years whose official schedule is published
    _years: dict[int, tuple[frozenset[date], frozenset[date]]] = field(default_factory=dict, repr=False)
    _prefix: dict[int, list[int]] = field(default_factory=dict, repr=False)

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        got = self._years.get(year)
        if got is None:
            got = self._years[year] = self.loader(year)
        return got

    def is_workday(self, d: date) -> bool:
        mark = self.office.get(d)
        if mark is not None:
            return mark == "workday"
        rest, workdays = self._year(d.year)
        if d in workdays:
            return True
        if d in rest:
            return False
        return d.weekday() < 5

    def day_kind(self, d: date) -> str:
        """One of: workday, weekend, holiday, adjusted (调休 weekend workday), office-*."""
        mark = self.office.get(d)
        if mark is not None:
            return f"office-{mark}"
        rest, workdays = self._year(d.year)
        if d in workdays:
            return "adjusted"
        if d in rest:
            return "holiday"
        return "workday" if d.weekday() < 5 else "weekend"

    def workdays_through(self, d: date) -> int:
        """Working days from 1 January of d's year up to and including d (cached per year)."""
        pre = self._prefix.get(d.year)
        if pre is None:
            pre, n, day = [0], 0, date(d.year, 1, 1)
            while day.year == d.year:
                n += self.is_workday(day)
                pre.append(n)
                day += ONE_DAY
            self._prefix[d.year] = pre
        return pre[d.timetuple().tm_yday]

    def is_estimate(self, d: date) -> bool:
        """True when d's year has no published official schedule: dates are guesses."""
        return d.year not in self.known_years


def add_workdays(cal: WorkCalendar, start: date, n: int) -> date:
    """The n-th working day after `start` (start not counted). n >= 1."""
    if n < 1:
        raise ValueError("n must be >= 1")
    d = start
    while n:
        d += ONE_DAY
        if cal.is_workday(d):
            n -= 1
    return d


def workdays_between(cal: WorkCalendar, start: date, end: date) -> int:
    """Working days in (start, end]: 0 when end <= start.

    This is also "working days late": the working days after the due date up to
    and including the as-of day.
    """
    if end <= start:
        return 0
    # Per-year prefix sums: the overdue board and the Excel ledger ask this for every case.
    n = cal.workdays_through(end) - cal.workdays_through(start)
    for year in range(start.year, end.year):
        n += cal.workdays_through(date(year, 12, 31))
    return n


def next_workday(cal: WorkCalendar, d: date) -> date:
    """d itself when it is a working day, else the next working day."""
    while not cal.is_workday(d):
        d += ONE_DAY
    return d


def add_month(d: date) -> date:
    """Same day number next month, or that month's last day if it has none."""
    year, month = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    last = _cal.monthrange(year, month)[1]
    return date(year, month, min(d.day, last))


def one_month_limit(cal: WorkCalendar, start: date) -> date:
    """A one-month limit: add_month, moved to the next working day if it is a rest day."""
    return next_workday(cal, add_month(start))
