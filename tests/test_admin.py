"""backup, check, and the sample ledger."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from lcqy.sample import build
from tests.conftest import assert_private, register_args, snapshot

ROOT = Path(__file__).resolve().parents[1]


def test_backup_is_private_and_consistent(ledger, tmp_path):
    assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    dest = tmp_path / "备份.db"
    assert ledger("backup", str(dest)).code == 0
    assert_private(dest)
    assert snapshot(dest) == snapshot(ledger.db)
    r = ledger("backup", str(dest))
    assert r.code == 1 and "--force" in r.err


def test_check_finds_gaps_and_inconsistent_states(ledger):
    for _ in range(3):
        assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    r = ledger("check")
    assert r.code == 0 and "通过" in r.out
    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE cases SET state = 'dispatched' WHERE reg_seq = 1")
        conn.execute("DELETE FROM numbers WHERE seq = 2")
    conn.close()
    r = ledger("check")
    assert r.code == 1
    lines = r.out.strip().splitlines()
    assert any("空号" in x for x in lines)
    assert any("临翔服企办收（2026）第1号" in x and "交办单" in x for x in lines)
    assert any("临翔服企办收（2026）第2号" in x and "未登记" in x for x in lines)


def test_sample_ledger_is_deterministic_and_sound(tmp_path, run, monkeypatch):
    fresh = tmp_path / "sample.db"
    build(fresh)
    assert snapshot(fresh) == snapshot(ROOT / "sample_ledger.db"), "regenerate: python -m lcqy.sample --force"
    monkeypatch.setenv("LCQY_DB", str(fresh))
    r = run("check")
    assert r.code == 0, r.out
    conn = sqlite3.connect(fresh)
    states = {s for (s,) in conn.execute("SELECT DISTINCT state FROM cases")}
    cats = conn.execute("SELECT count(DISTINCT category) FROM cases").fetchone()[0]
    chans = conn.execute("SELECT count(DISTINCT channel) FROM cases").fetchone()[0]
    sup = {s for (s,) in conn.execute("SELECT DISTINCT supervision FROM cases")}
    n = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    conn.close()
    assert states == {
        "registered",
        "meeting",
        "dispatched",
        "escalated",
        "replied",
        "closed",
        "forwarded",
        "rejected",
        "merged",
        "void",
    }
    assert cats == 10 and chans == 8 and sup == {"", "ledger", "special"} and n >= 100
    rows = json.loads(run("overdue", "--json", today="2026-11-27").out)
    assert {"late", "waiting"} <= {x["status"] for x in rows}
    assert {x["kind"] for x in rows} >= {"待交办", "办理中", "待专题会议"}
