"""`check`'s numbering rule reads each year's count and last number from the per-date rows the
warnings read too (one read of the numbers' index): the same problems as counting by year."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import register_args


def _sql(db, *statements: str) -> None:
    conn = sqlite3.connect(db)
    for s in statements:
        conn.execute(s)
    conn.commit()
    conn.close()


@pytest.fixture
def numbered(ledger):
    """Cases numbered on several dates (one entered late), so a year spans several rows."""
    for day in ("2026-10-12", "2026-10-13", "2026-10-14", "2026-10-09", "2026-10-15"):
        assert ledger("register", *register_args(), "--date", day).code == 0
    assert ledger("check").code == 0
    return ledger


def test_a_gap_across_dates_is_counted_for_the_year(numbered):
    _sql(numbered.db, "DELETE FROM numbers WHERE kind = '收' AND seq IN (2, 4)")
    lines = numbered("check").out.splitlines()
    assert "编号：2026年“收”字号有 2 个空号（应从1连续到5）。" in lines
    assert "编号：临翔服企办收（2026）第2号 未登记在编号表中。" in lines


def test_the_counter_is_checked_against_the_years_last_number(numbered):
    _sql(numbered.db, "UPDATE counters SET next = 9 WHERE kind = '收' AND year = 2026")
    assert numbered("check").out.splitlines() == [
        "编号：2026年“收”字号计数器应为 6，实为 9。",
        # The warning, from the same rows.
        "提醒：编号顺序：2026年“收”字号有 1 个编号的日期早于排在它前面的编号（如第4号 2026-10-09，"
        "前面已有 2026-10-14 的编号）。这是补录（--date）所致，编号仍连续有效，按编号排列的台帐不完全按日期先后。",
    ]


def test_a_year_of_its_own_is_checked_apart(numbered):
    # One number moved to another year: that year has a gap of its own and no counter.
    _sql(numbered.db, "UPDATE numbers SET year = 2025, seq = 3 WHERE kind = '收' AND seq = 5")
    lines = numbered("check").out.splitlines()
    assert lines[:2] == [
        "编号：2025年“收”字号有 2 个空号（应从1连续到3）。",
        "编号：2025年“收”字号计数器应为 4，实为 无。",
    ]
    assert "编号：2026年“收”字号计数器应为 5，实为 6。" in lines
