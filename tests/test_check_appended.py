"""`check` reads the tables that grow at their end (the history chain, the tracking codes, each
dispatch's departments) from its last clean pass on (migration 25): whatever another program does
to a row, the routine check still finds what a full reading finds."""

from __future__ import annotations

import json

import pytest
from conftest import register_args
from test_check_routine import _one, _sql

BAD = "坏\uffff"
# Table, its row number, a text column, and a copy of a row with that column replaced by ?.
TABLES = [
    ("chain", "seq", "state", "seq, event_id, case_id, ?, hash"),
    ("tracking_codes", "case_id", "code", "case_id, ?"),
    ("dispatch_depts", "rowid", "dept", "rowid, dispatch_id, case_id, ?, role, active"),
]
COLUMNS = {
    "chain": "seq, event_id, case_id, state, hash",
    "tracking_codes": "case_id, code",
    "dispatch_depts": "rowid, dispatch_id, case_id, dept, role, active",
}


def _dispatch(ledger, case: int) -> None:
    r = ledger("dispatch", str(case), "--dept", "区发展和改革局", "--approver", "王", "--level", "主任",
               "--date", "2026-10-13")  # fmt: skip
    assert r.code == 0, r.err


@pytest.fixture
def passed(ledger):
    """Three cases dispatched, checked clean once (so the next check reads from the marks)."""
    for case in (1, 2, 3):
        assert ledger("register", *register_args(), "--date", "2026-10-12").code == 0
        _dispatch(ledger, case)
    assert ledger("check").code == 0
    for table, key, _, _ in TABLES:
        top = _one(ledger.db, f"SELECT max({key}) FROM {table}")[0]
        assert top >= 3
        assert _one(ledger.db, f"SELECT through_seq FROM check_passes WHERE part = '{table}'") == (top,)
    return ledger


def _as_full_reading(ledger) -> list[str]:
    """The routine check's problems, which must be a full reading's (marks dropped) too."""
    r = ledger("check", "--json")
    assert r.code == 1, r.out
    routine = json.loads(r.out)["problems"]
    _sql(ledger.db, "DELETE FROM check_passes")
    full = json.loads(ledger("check", "--json").out)["problems"]
    assert routine == full
    return routine


def _said(table: str, col: str, problems: list[str]) -> list[str]:
    return [p for p in problems if p.startswith(f"{table} 表") and f"字段 {col} 含有" in p]


def _line(table: str, n: int, col: str) -> str:
    return f"{table} 表第{n}行：字段 {col} 含有无法写入 Excel/Word 的字符 U+FFFF，导出会失败；请用 lcqy edit 更正。"


def test_appends_are_not_noted_and_the_marks_move_on(passed):
    tops = {t: _one(passed.db, f"SELECT max({k}) FROM {t}")[0] for t, k, _, _ in TABLES}
    assert passed("register", *register_args(), "--date", "2026-10-12").code == 0
    _dispatch(passed, 4)
    assert (
        _one(passed.db, "SELECT count(*) FROM check_log WHERE tbl IN ('chain', 'tracking_codes', 'dispatch_depts')")[0]
        == 0
    )
    assert passed("check").code == 0
    for table, top in tops.items():
        assert _one(passed.db, f"SELECT through_seq FROM check_passes WHERE part = '{table}'")[0] > top


@pytest.mark.parametrize("table,key,col,copy", TABLES)
def test_an_old_row_changed_is_found(passed, table, key, col, copy):
    _sql(passed.db, f"UPDATE {table} SET {col} = ? WHERE {key} = 2", args=[BAD])
    assert _said(table, col, _as_full_reading(passed)) == [_line(table, 2, col)]


@pytest.mark.parametrize("which", ["2", "top"])
@pytest.mark.parametrize("table,key,col,copy", TABLES)
def test_an_old_row_replaced_is_found(passed, table, key, col, copy, which):
    # INSERT OR REPLACE deletes the old row without firing a delete trigger: the insert says so.
    n = _one(passed.db, f"SELECT max({key}) FROM {table}")[0] if which == "top" else 2
    _sql(
        passed.db,
        f"INSERT OR REPLACE INTO {table} ({COLUMNS[table]}) SELECT {copy} FROM {table} WHERE {key} = {n}",
        args=[BAD],
    )
    assert _said(table, col, _as_full_reading(passed)) == [_line(table, n, col)]


@pytest.mark.parametrize("table,key,col,copy", TABLES)
def test_a_row_put_back_after_the_newest_were_deleted_is_found(passed, table, key, col, copy):
    top = _one(passed.db, f"SELECT max({key}) FROM {table}")[0]
    # An append again, at or below the last clean pass's last row.
    _sql(
        passed.db,
        f"CREATE TEMP TABLE kept AS SELECT {COLUMNS[table].replace('rowid', 'rowid AS rid')} FROM {table} "
        f"WHERE {key} = {top - 1}",
        f"DELETE FROM {table} WHERE {key} >= {top - 1}",
        f"INSERT INTO {table} ({COLUMNS[table]}) SELECT {copy.replace('rowid', 'rid')} FROM kept",
        args=[BAD],
    )
    assert _said(table, col, _as_full_reading(passed)) == [_line(table, top - 1, col)]


@pytest.mark.parametrize("n", ["top + 1", "-1", "-7"])
@pytest.mark.parametrize("table,key,col,copy", TABLES)
def test_a_row_added_past_the_mark_or_below_0_is_found(passed, table, key, col, copy, n):
    top = _one(passed.db, f"SELECT max({key}) FROM {table}")[0]
    number = eval(n, {"top": top})  # noqa: S307 - the test's own three expressions
    values = copy.replace(key, str(number), 1) if key != "rowid" else copy.replace("rowid", str(number), 1)
    if table == "dispatch_depts":
        values = values.replace("dispatch_id", "dispatch_id + 100", 1)  # its key is (dispatch_id, dept)
    if table == "chain":
        values = values.replace("event_id", "NULL", 1)  # one link per event
    _sql(passed.db, f"INSERT INTO {table} ({COLUMNS[table]}) SELECT {values} FROM {table} WHERE {key} = 1", args=[BAD])
    assert _said(table, col, _as_full_reading(passed)) == [_line(table, number, col)]


@pytest.mark.parametrize("table,key,col,copy", TABLES)
def test_without_the_triggers_the_table_is_read_in_full(passed, table, key, col, copy):
    # Dropping a trigger moves the schema's version, and the triggers are looked for as written.
    _sql(passed.db, f"DROP TRIGGER {table}_check_upd", f"UPDATE {table} SET {col} = ? WHERE {key} = 2", args=[BAD])
    assert _said(table, col, _as_full_reading(passed)) == [_line(table, 2, col)]


def test_a_problem_found_stays_found_until_mended(passed):
    _sql(passed.db, "UPDATE chain SET state = ? WHERE seq = 2", args=[BAD])
    for _ in range(2):  # not clean: no pass recorded, so the next check reads the same rows
        assert "chain 表第2行" in passed("check").out
    _sql(passed.db, "UPDATE chain SET state = NULL WHERE seq = 2")
    assert "chain 表" not in passed("check").out
