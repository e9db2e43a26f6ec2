"""Working-day arithmetic against the official 2026 schedule and as pure functions.

The 2026 schedule (国务院办公厅通知, 2025-11-04):
  元旦 1/1-1/3 (1/4 Sun works); 春节 2/15-2/23 (2/14 Sat, 2/28 Sat work);
  清明 4/4-4/6; 劳动节 5/1-5/5 (5/9 Sat works); 端午 6/19-6/21;
  中秋 9/25-9/27; 国庆 10/1-10/7 (9/20 Sun, 10/10 Sat work).
The start day is never counted: "N working days from D" is the N-th working day after D.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lcqy.rules.workdays import (
    WorkCalendar,
    add_month,
    add_workdays,
    next_workday,
    one_month_limit,
    workdays_between,
)
from lcqy.store.calendar_source import build_calendar, known_years

D = date
ONE = timedelta(days=1)


def _span(a: date, b: date) -> set[date]:
    """Every date from a to b inclusive."""
    return {a + timedelta(days=i) for i in range((b - a).days + 1)}


REST_2026 = (
    _span(D(2026, 1, 1), D(2026, 1, 3))
    | _span(D(2026, 2, 15), D(2026, 2, 23))
    | _span(D(2026, 4, 4), D(2026, 4, 6))
    | _span(D(2026, 5, 1), D(2026, 5, 5))
    | _span(D(2026, 6, 19), D(2026, 6, 21))
    | _span(D(2026, 9, 25), D(2026, 9, 27))
    | _span(D(2026, 10, 1), D(2026, 10, 7))
)
WEEKEND_WORKDAYS_2026 = {
    D(2026, 1, 4),
    D(2026, 2, 14),
    D(2026, 2, 28),
    D(2026, 5, 9),
    D(2026, 9, 20),
    D(2026, 10, 10),
}
ALL_2026 = sorted(_span(D(2026, 1, 1), D(2026, 12, 31)))


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return build_calendar()


# One production calendar shared by the Hypothesis properties (its years are cached).
PROD = build_calendar()


# --------------------------------------------------------------------------- the issue's examples


def test_issue_example_spring_festival_saturday_workday(cal):
    # 2/12 Thu +2: 2/13 Fri, 2/14 (Sat workday)
    assert add_workdays(cal, D(2026, 2, 12), 2) == D(2026, 2, 14)


def test_issue_example_after_national_day(cal):
    # 10/9 Fri +2: 10/10 (Sat workday), 10/12 Mon
    assert add_workdays(cal, D(2026, 10, 9), 2) == D(2026, 10, 12)


def test_issue_example_dragon_boat(cal):
    # 6/18 Thu +2: 6/19-21 rest, 6/22 Mon, 6/23 Tue
    assert add_workdays(cal, D(2026, 6, 18), 2) == D(2026, 6, 23)


def test_issue_example_one_month_from_jan_31(cal):
    # 1/31 -> 2/28 (Feb has no 31st; 2/28 is a Saturday workday)
    assert one_month_limit(cal, D(2026, 1, 31)) == D(2026, 2, 28)


# --------------------------------------------------------------------------- hand-computed add_workdays

ADD_CASES = [
    # 5-day handling limits across 国庆
    (D(2026, 9, 30), 5, D(2026, 10, 13)),  # 9/30 Wed +5: 10/8,9,10(Sat workday),12,13
    (D(2026, 9, 28), 5, D(2026, 10, 10)),  # 9/28 Mon +5: 9/29,30,10/8,9,10(Sat workday)
    (D(2026, 9, 24), 5, D(2026, 10, 9)),  # 9/24 Thu +5: (9/25-27 rest) 9/28,29,30,(10/1-7 rest) 10/8,9
    (D(2026, 9, 18), 5, D(2026, 9, 24)),  # 9/18 Fri +5: (9/19 Sat) 9/20(Sun workday),21,22,23,24
    (D(2026, 10, 1), 5, D(2026, 10, 13)),  # 10/1 holiday +5: 10/8,9,10(Sat workday),12,13
    # 5-day handling limits across 春节
    (D(2026, 2, 12), 5, D(2026, 2, 26)),  # 2/12 Thu +5: 2/13,14(Sat workday),(2/15-23 rest) 24,25,26
    (D(2026, 2, 13), 5, D(2026, 2, 27)),  # 2/13 Fri +5: 2/14,24,25,26,27
    (D(2026, 2, 10), 5, D(2026, 2, 24)),  # 2/10 Tue +5: 2/11,12,13,14,24
    (D(2026, 2, 24), 5, D(2026, 3, 2)),  # 2/24 Tue +5: 2/25,26,27,28(Sat workday),3/2 Mon
    (D(2026, 2, 16), 5, D(2026, 2, 28)),  # 2/16 holiday +5: 2/24,25,26,27,28(Sat workday)
    # 2- and 3-day dispatch limits around 元旦
    (D(2025, 12, 31), 2, D(2026, 1, 5)),  # 12/31 Wed +2: (1/1-3 rest) 1/4(Sun workday),1/5
    (D(2025, 12, 30), 3, D(2026, 1, 5)),  # 12/30 Tue +3: 12/31,1/4(Sun workday),1/5
    (D(2026, 1, 2), 3, D(2026, 1, 6)),  # 1/2 holiday +3: 1/4(Sun workday),5,6
    # around 清明
    (D(2026, 4, 2), 2, D(2026, 4, 7)),  # 4/2 Thu +2: 4/3 Fri,(4/4-6 rest) 4/7
    (D(2026, 4, 3), 3, D(2026, 4, 9)),  # 4/3 Fri +3: 4/7,8,9
    # around 劳动节
    (D(2026, 4, 30), 2, D(2026, 5, 7)),  # 4/30 Thu +2: (5/1-5 rest) 5/6,7
    (D(2026, 4, 29), 3, D(2026, 5, 7)),  # 4/29 Wed +3: 4/30,5/6,7
    (D(2026, 5, 7), 2, D(2026, 5, 9)),  # 5/7 Thu +2: 5/8 Fri,5/9(Sat workday)
    (D(2026, 5, 8), 3, D(2026, 5, 12)),  # 5/8 Fri +3: 5/9(Sat workday),(5/10 Sun) 11,12
    # around 端午
    (D(2026, 6, 17), 3, D(2026, 6, 23)),  # 6/17 Wed +3: 6/18,(6/19-21 rest) 22,23
    (D(2026, 6, 19), 2, D(2026, 6, 23)),  # 6/19 holiday +2: 6/22,23
    # around 中秋
    (D(2026, 9, 24), 2, D(2026, 9, 29)),  # 9/24 Thu +2: (9/25-27 rest) 9/28,29
    (D(2026, 9, 23), 3, D(2026, 9, 29)),  # 9/23 Wed +3: 9/24,28,29
    (D(2026, 9, 30), 2, D(2026, 10, 9)),  # 9/30 Wed +2: (10/1-7 rest) 10/8,9
    # 15-working-day limits
    (D(2026, 9, 21), 15, D(2026, 10, 19)),  # 9/21 Mon +15: 9/22,23,24,28,29,30,10/8,9,10,12,13,14,15,16,19
    (D(2026, 2, 9), 15, D(2026, 3, 6)),  # 2/9 Mon +15: 2/10,11,12,13,14,24,25,26,27,28,3/2,3,4,5,6
    (D(2026, 4, 27), 15, D(2026, 5, 20)),  # 4/27 Mon +15: 4/28,29,30,5/6,7,8,9,11,12,13,14,15,18,19,20
    (D(2026, 3, 2), 15, D(2026, 3, 23)),  # 3/2 Mon +15: 3/3-6(4),3/9-13(9),3/16-20(14),3/23
    (D(2026, 12, 17), 5, D(2026, 12, 24)),  # 12/17 Thu +5: 12/18,21,22,23,24 (no holiday)
]


@pytest.mark.parametrize(("start", "n", "due"), ADD_CASES, ids=[f"{s}+{n}" for s, n, _ in ADD_CASES])
def test_add_workdays_hand_counted(cal, start, n, due):
    assert add_workdays(cal, start, n) == due


def test_add_workdays_rejects_zero(cal):
    with pytest.raises(ValueError):
        add_workdays(cal, D(2026, 3, 2), 0)


# --------------------------------------------------------------------------- hand-computed one-month limits

MONTH_CASES = [
    (D(2026, 1, 31), D(2026, 2, 28)),  # 1/31 -> 2/28 (Sat workday)
    (D(2026, 1, 30), D(2026, 2, 28)),  # 1/30 -> 2/28 (no 2/30; last day, a Sat workday)
    (D(2026, 3, 31), D(2026, 4, 30)),  # 3/31 -> 4/30 Thu (April has no 31st)
    (D(2026, 9, 7), D(2026, 10, 8)),  # 9/7 -> 10/7 holiday -> 10/8 Thu
    (D(2026, 9, 3), D(2026, 10, 8)),  # 9/3 -> 10/3 Sat in 国庆 -> 10/8
    (D(2026, 9, 10), D(2026, 10, 10)),  # 9/10 -> 10/10 (Sat workday), stays
    (D(2026, 8, 31), D(2026, 9, 30)),  # 8/31 -> 9/30 Wed
    (D(2026, 1, 15), D(2026, 2, 24)),  # 1/15 -> 2/15 Sun in 春节 -> 2/16-23 rest -> 2/24 Tue
    (D(2026, 4, 1), D(2026, 5, 6)),  # 4/1 -> 5/1 holiday -> 5/2-5 rest -> 5/6 Wed
    (D(2026, 5, 19), D(2026, 6, 22)),  # 5/19 -> 6/19 端午 -> 6/20,21 -> 6/22 Mon
    (D(2025, 12, 4), D(2026, 1, 4)),  # 12/4 -> 1/4 (Sun workday), stays
    (D(2026, 7, 1), D(2026, 8, 3)),  # 7/1 -> 8/1 Sat -> 8/2 Sun -> 8/3 Mon
]


@pytest.mark.parametrize(("start", "due"), MONTH_CASES, ids=[str(s) for s, _ in MONTH_CASES])
def test_one_month_limit_hand_counted(cal, start, due):
    assert one_month_limit(cal, start) == due


@pytest.mark.skipif(2027 in known_years(), reason="the installed holidays carries the 2027 schedule")
def test_one_month_from_dec_31_lands_in_estimated_2027(cal):
    # 12/31 -> 2027-01-31, a Sunday; 2027 is only the package's estimate: next working day 2/1 Mon
    assert add_month(D(2026, 12, 31)) == D(2027, 1, 31)
    assert D(2027, 1, 31).weekday() == 6
    due = one_month_limit(cal, D(2026, 12, 31))
    assert due == next_workday(cal, D(2027, 1, 31))
    assert due == D(2027, 2, 1)
    assert cal.is_estimate(due)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 1, 31), D(2026, 2, 28)),
        (D(2024, 1, 31), D(2024, 2, 29)),  # leap year
        (D(2026, 12, 15), D(2027, 1, 15)),
        (D(2026, 5, 31), D(2026, 6, 30)),
        (D(2026, 6, 30), D(2026, 7, 30)),
    ],
)
def test_add_month(start, expected):
    assert add_month(start) == expected


# --------------------------------------------------------------------------- workdays_between and next_workday

BETWEEN_CASES = [
    (D(2026, 3, 4), D(2026, 3, 4), 0),  # same day
    (D(2026, 3, 6), D(2026, 3, 9), 1),  # Fri -> Mon: 3/9
    (D(2026, 3, 9), D(2026, 3, 6), 0),  # end before start
    (D(2026, 9, 30), D(2026, 10, 8), 1),  # 10/1-7 rest: 10/8
    (D(2026, 9, 30), D(2026, 10, 12), 4),  # 10/8,9,10(Sat workday),12
    (D(2026, 9, 24), D(2026, 10, 9), 5),  # 9/28,29,30,10/8,9
    (D(2026, 9, 30), D(2026, 10, 7), 0),  # only holidays in between
    (D(2026, 2, 13), D(2026, 2, 24), 2),  # 2/14(Sat workday),2/24
    (D(2026, 9, 19), D(2026, 9, 20), 1),  # Sat -> Sun workday
    (D(2025, 12, 31), D(2026, 12, 31), 248),  # every working day of 2026
]


@pytest.mark.parametrize(("start", "end", "n"), BETWEEN_CASES, ids=[f"{a}..{b}" for a, b, _ in BETWEEN_CASES])
def test_workdays_between_hand_counted(cal, start, end, n):
    assert workdays_between(cal, start, end) == n


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 3, 4), D(2026, 3, 4)),  # a plain Wednesday
        (D(2026, 3, 7), D(2026, 3, 9)),  # Sat -> Mon
        (D(2026, 10, 1), D(2026, 10, 8)),  # 国庆 -> 10/8
        (D(2026, 10, 10), D(2026, 10, 10)),  # Sat workday stays
        (D(2026, 2, 15), D(2026, 2, 24)),  # 春节 -> 2/24
        (D(2026, 1, 3), D(2026, 1, 4)),  # 1/3 Sat rest -> 1/4 Sun workday
    ],
)
def test_next_workday(cal, day, expected):
    assert next_workday(cal, day) == expected


# --------------------------------------------------------------------------- every day of 2026


def test_weekend_workdays_2026_are_exactly_the_listed_ones(cal):
    got = {d for d in ALL_2026 if d.weekday() >= 5 and cal.is_workday(d)}
    assert got == WEEKEND_WORKDAYS_2026


def test_weekday_rest_days_2026_are_exactly_the_listed_ones(cal):
    got = {d for d in ALL_2026 if d.weekday() < 5 and not cal.is_workday(d)}
    assert got == {d for d in REST_2026 if d.weekday() < 5}


def test_listed_rest_days_are_all_rest(cal):
    assert [d for d in sorted(REST_2026) if cal.is_workday(d)] == []


def test_every_day_of_2026_classified(cal):
    for d in ALL_2026:
        if d in WEEKEND_WORKDAYS_2026:
            expected = True
        elif d in REST_2026:
            expected = False
        else:
            expected = d.weekday() < 5
        assert cal.is_workday(d) is expected, d


def test_2026_has_248_working_days(cal):
    # 2026 starts and ends on a Thursday: 52 weeks + 1 day -> 261 weekdays.
    # Weekday rest days: 元旦 2 (1/1,2) + 春节 6 (2/16-20,23) + 清明 1 (4/6) + 劳动节 3 (5/1,4,5)
    #   + 端午 1 (6/19) + 中秋 1 (9/25) + 国庆 5 (10/1,2,5,6,7) = 19.
    # Weekend workdays: 1/4, 2/14, 2/28, 5/9, 9/20, 10/10 = 6.  261 - 19 + 6 = 248.
    assert len(ALL_2026) == 365
    assert sum(1 for d in ALL_2026 if d.weekday() < 5) == 261
    assert sum(1 for d in ALL_2026 if cal.is_workday(d)) == 248


def test_day_kinds_2026(cal):
    assert cal.day_kind(D(2026, 10, 1)) == "holiday"
    assert cal.day_kind(D(2026, 10, 10)) == "adjusted"
    assert cal.day_kind(D(2026, 10, 12)) == "workday"
    assert cal.day_kind(D(2026, 10, 11)) == "weekend"


# --------------------------------------------------------------------------- office overrides and estimates


def test_office_holiday_on_a_weekday_shifts_a_deadline():
    plain = build_calendar()
    office = build_calendar(office={D(2026, 3, 10): "holiday"})
    # 3/9 Mon +2: 3/10, 3/11; with 3/10 an office holiday: 3/11, 3/12
    assert add_workdays(plain, D(2026, 3, 9), 2) == D(2026, 3, 11)
    assert add_workdays(office, D(2026, 3, 9), 2) == D(2026, 3, 12)
    assert not office.is_workday(D(2026, 3, 10))
    assert office.day_kind(D(2026, 3, 10)) == "office-holiday"


def test_office_holiday_moves_a_one_month_limit():
    office = build_calendar(office={D(2026, 4, 30): "holiday"})
    # 3/31 -> 4/30 office holiday -> 5/1-5 rest -> 5/6
    assert one_month_limit(office, D(2026, 3, 31)) == D(2026, 5, 6)


def test_office_workday_on_a_sunday():
    office = build_calendar(office={D(2026, 3, 8): "workday"})
    assert office.is_workday(D(2026, 3, 8))
    assert office.day_kind(D(2026, 3, 8)) == "office-workday"
    # 3/6 Fri +1: 3/8 (Sun, office workday)
    assert add_workdays(office, D(2026, 3, 6), 1) == D(2026, 3, 8)
    assert workdays_between(office, D(2026, 3, 6), D(2026, 3, 9)) == 2


def test_office_mark_overrides_the_official_schedule():
    office = build_calendar(office={D(2026, 10, 10): "holiday", D(2026, 10, 7): "workday"})
    assert not office.is_workday(D(2026, 10, 10))
    assert office.is_workday(D(2026, 10, 7))
    # 9/30 Wed +2: 10/7 (office workday), 10/8
    assert add_workdays(office, D(2026, 9, 30), 2) == D(2026, 10, 8)


def test_is_estimate(cal):
    unknown = min(y for y in range(2026, 2100) if y not in known_years())
    assert cal.is_estimate(D(unknown, 3, 1))
    assert cal.is_estimate(D(unknown, 1, 31))
    assert not cal.is_estimate(D(2026, 3, 1))
    assert not cal.is_estimate(D(2026, 12, 31))


# --------------------------------------------------------------------------- properties on the production calendar

DATES = st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 12, 31))
NS = st.integers(min_value=1, max_value=40)


@given(start=DATES, n=NS)
def test_prop_add_workdays_is_a_later_working_day(start, n):
    due = add_workdays(PROD, start, n)
    assert due > start
    assert PROD.is_workday(due)


@given(start=DATES, n=NS)
def test_prop_workdays_between_inverts_add_workdays(start, n):
    due = add_workdays(PROD, start, n)
    assert workdays_between(PROD, start, due) == n
    # the day before the due date is one working day short
    assert workdays_between(PROD, start, due - ONE) == n - 1


@given(start=DATES, n=st.integers(min_value=1, max_value=39))
def test_prop_add_workdays_monotonic(start, n):
    assert add_workdays(PROD, start, n) < add_workdays(PROD, start, n + 1)


@given(start=DATES, n=NS, m=NS)
def test_prop_add_workdays_composes(start, n, m):
    assert add_workdays(PROD, start, n + m) == add_workdays(PROD, add_workdays(PROD, start, n), m)


@given(start=DATES)
def test_prop_one_month_limit(start):
    base = add_month(start)
    due = one_month_limit(PROD, start)
    assert PROD.is_workday(due)
    assert base <= due < base + timedelta(days=15)
    # every day from the calendar date up to the limit is a rest day
    assert not any(PROD.is_workday(d) for d in _span(base, due - ONE))


@given(day=DATES)
def test_prop_next_workday_idempotent(day):
    nxt = next_workday(PROD, day)
    assert nxt >= day
    assert PROD.is_workday(nxt)
    assert next_workday(PROD, nxt) == nxt
    assert workdays_between(PROD, day - ONE, nxt - ONE) == 0


@given(day=DATES)
def test_prop_add_one_workday_is_next_workday_of_tomorrow(day):
    assert add_workdays(PROD, day, 1) == next_workday(PROD, day + ONE)


# --------------------------------------------------------------------------- synthetic pure calendars

YEARS = (2025, 2026, 2027)
SYN_DATES = st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31))


@st.composite
def synthetic_schedules(draw):
    """Random official rest days (any weekday) and weekend workdays, per year."""
    rest = draw(st.frozensets(SYN_DATES, max_size=80))
    weekend = st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31)).filter(lambda d: d.weekday() >= 5)
    work = draw(st.frozensets(weekend, max_size=30))
    return rest, work


def _synthetic_calendar(rest: frozenset[date], work: frozenset[date], calls: list[int]) -> WorkCalendar:
    def loader(year: int) -> tuple[frozenset[date], frozenset[date]]:
        calls.append(year)
        return (frozenset(d for d in rest if d.year == year), frozenset(d for d in work if d.year == year))

    return WorkCalendar(loader=loader, known_years=frozenset(YEARS))


def _model_is_workday(d: date, rest: frozenset[date], work: frozenset[date]) -> bool:
    if d in work:
        return True
    if d in rest:
        return False
    return d.weekday() < 5


@settings(max_examples=60)
@given(schedule=synthetic_schedules(), start=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 12, 31)), n=NS, m=NS)
def test_prop_synthetic_calendar(schedule, start, n, m):
    rest, work = schedule
    calls: list[int] = []
    cal = _synthetic_calendar(rest, work, calls)

    due = add_workdays(cal, start, n)
    assert due > start
    assert _model_is_workday(due, rest, work)
    # brute force: exactly n model working days in (start, due]
    span = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(_model_is_workday(d, rest, work) for d in span) == n
    assert workdays_between(cal, start, due) == n
    assert add_workdays(cal, start, n + m) == add_workdays(cal, due, m)

    limit = one_month_limit(cal, start)
    assert limit >= add_month(start)
    assert _model_is_workday(limit, rest, work)
    assert all(not _model_is_workday(d, rest, work) for d in _span(add_month(start), limit - ONE))

    # each year is loaded once, and only years actually looked at
    assert len(calls) == len(set(calls))
    assert set(calls) <= set(YEARS)


@given(schedule=synthetic_schedules(), day=SYN_DATES)
def test_prop_synthetic_is_workday_and_day_kind(schedule, day):
    rest, work = schedule
    cal = _synthetic_calendar(rest, work, [])
    assert cal.is_workday(day) is _model_is_workday(day, rest, work)
    kind = cal.day_kind(day)
    assert kind in {"workday", "weekend", "holiday", "adjusted"}
    assert (kind in {"workday", "adjusted"}) is cal.is_workday(day)


def test_pure_rules_do_not_import_holidays():
    code = (
        "import sys\n"
        "import lcqy.rules.workdays, lcqy.rules.deadlines, lcqy.rules.validate, "
        "lcqy.rules.numbering, lcqy.rules.states\n"
        "assert 'holidays' not in sys.modules, 'holidays imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
