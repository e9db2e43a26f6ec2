"""import-ledger fills each new case's dispatch departments (migration 17's table, which a
department's list reads) through migration 17's trigger, found by case (migration 26's index):
every dispatch's lead and assisting departments, and the trigger back afterwards."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from lcqy.acts.records import write as import_write
from tests.conftest import INIT
from tests.test_lifecycle import sample_exported

ROWS = "SELECT rowid, dispatch_id, case_id, dept, role, active FROM dispatch_depts ORDER BY rowid"
TRIGGER = "SELECT sql FROM sqlite_master WHERE name = 'dispatch_depts_case'"


def _import(run, tmp_path, monkeypatch, sheet: Path, name: str) -> list[tuple]:
    db = tmp_path / name
    monkeypatch.setenv("LCQY_DB", str(db))
    assert run(*INIT).code == 0
    conn = sqlite3.connect(db)
    trigger = conn.execute(TRIGGER).fetchall()
    conn.close()
    r = run("import-ledger", str(sheet))
    assert r.code == 0, r.err
    conn = sqlite3.connect(db)
    try:
        assert trigger and conn.execute(TRIGGER).fetchall() == trigger
        return conn.execute(ROWS).fetchall()
    finally:
        conn.close()


def test_new_cases_departments_are_those_the_trigger_writes(run, tmp_path, monkeypatch):
    sheet = sample_exported(run, tmp_path, monkeypatch, "sample.xlsx", "--with-contacts")
    monkeypatch.setattr(import_write, "BATCH", 7)
    bulk = _import(run, tmp_path, monkeypatch, sheet, "bulk.db")
    assert any(role == "assist" for *_, role, _ in bulk) and any(role == "lead" for *_, role, _ in bulk)
    # Each active dispatch's lead and cooperating departments, one row each.
    conn = sqlite3.connect(tmp_path / "bulk.db")
    try:
        expected = {
            (d, c, dept, role)
            for d, c, lead, assist in conn.execute(
                "SELECT id, case_id, lead_dept, assist FROM dispatches WHERE status = 'active'"
            )
            for dept, role in [(lead, "lead"), *((a, "assist") for a in json.loads(assist))]
        }
    finally:
        conn.close()
    assert {(d, c, dept, role) for _, d, c, dept, role, active in bulk if active} == expected


def test_a_case_s_departments_are_refilled_from_an_index(ledger):
    """Every dispatch, 退单 and re-dispatch refills its case's rows (migration 17's trigger): by
    the case's index (migration 26), not a read of every case's rows."""
    conn = sqlite3.connect(ledger.db)
    try:
        (plan,) = [r[3] for r in conn.execute("EXPLAIN QUERY PLAN DELETE FROM dispatch_depts WHERE case_id = 1")]
    finally:
        conn.close()
    assert plan == "SEARCH dispatch_depts USING COVERING INDEX dispatch_depts_by_case (case_id=?)"
