"""Over a long period `stats --by dept|category` reads its rows in the group's order from the
indexes and side tables of migration 24 (no look-up, no sorter), and the 简报's totals read some
from the side tables: the figures are the same as read from the acts' own rows."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from lcqy.acts.context import Ctx
from lcqy.acts.figures import counts
from lcqy.rules.figures import Period
from lcqy.store.db import Ledger

ROOT = Path(__file__).resolve().parents[1]
PERIODS = [
    Period(date(2026, 1, 1), date(2026, 11, 27), date(2026, 11, 27)),
    Period(date(2026, 3, 1), date(2026, 9, 30), date(2026, 9, 30)),
    Period(date(2025, 7, 1), date(2026, 6, 30), date(2026, 6, 30)),
    Period(date(2026, 1, 1), date(2026, 12, 31), date(2026, 11, 27)),
]


@pytest.fixture
def sample(tmp_path):
    db = tmp_path / "sample.db"
    shutil.copy(ROOT / "sample_ledger.db", db)
    led = Ledger.open(db)
    ctx = Ctx(ledger=led, today=date(2026, 11, 27))
    counts.working_day_table(ctx, date(2026, 11, 27))
    yield ctx
    led.close()


@pytest.mark.parametrize("by", [None, "dept", "category", "channel", "month"])
def test_reads_in_group_order_count_as_the_joins(sample, monkeypatch, by):
    periods = [*PERIODS, Period(date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 31))]
    ordered = counts.counts_for(sample, periods, by)
    # every query read by date through the acts' own rows and joins, as before migration 24
    plain = {name: replace(q, ordered={}) for name, q in counts.QUERIES.items()}
    monkeypatch.setattr(counts, "QUERIES", plain)
    assert counts.counts_for(sample, periods, by) == ordered
    assert any(len(groups) > 3 for groups in ordered) or by is None  # groups to tell apart


def test_group_order_needs_no_sorter(sample):
    db = sample.ledger.conn
    params = {"s": "2026-01-01", "e": "2026-11-27", "a": "2026-11-27"}
    read = [(name, by) for name, q in counts.QUERIES.items() for by in q.ordered]
    assert len(read) == 18
    for name, by in read:
        sql = counts.in_order_sql(counts.QUERIES[name], by)
        plan = " ".join(r[-1] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        assert "TEMP B-TREE" not in plan and "COVERING INDEX" in plan, (name, by, plan)


WINDOW = (
    "SELECT lead_dept, days_open, case_id FROM (SELECT lead_dept, days_open, case_id, row_number() OVER "
    "(PARTITION BY lead_dept ORDER BY days_open DESC, dispatched_on, dispatch_id) AS k "
    "FROM temp.snap WHERE as_of = ? AND kind = 'reply') WHERE k = 1"
)


def test_longest_open_is_the_first_dispatched_of_the_longest(sample):
    from lcqy.acts.figures import snapshot as snap

    db = sample.ledger.conn
    for day in ("2026-03-31", "2026-06-30", "2026-09-30", "2026-11-27"):
        got = snap.longest_open(sample, date.fromisoformat(day))
        numbers = dict(db.execute("SELECT id, reg_no FROM cases"))
        assert got and got == {d: (n, numbers[cid]) for d, n, cid in db.execute(WINDOW, [day])}


def test_late_totals_counted_without_a_snapshot_as_with_one(sample):
    from lcqy.acts.figures import snapshot as snap

    days = [date(2026, m, d) for m, d in ((1, 5), (3, 31), (6, 30), (9, 30), (10, 31), (11, 27))]
    counted = [snap.late_counts(sample, day, None) for day in days]  # no snapshot made yet
    assert not snap._has_snapshot(sample, days[0]) and any(counted)
    for day in days:
        snap.snapshot(sample, day)
    assert [snap.late_counts(sample, day, None) for day in days] == counted
