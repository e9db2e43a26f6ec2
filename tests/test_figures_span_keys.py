"""Migration 24 keeps each dispatch's lead department, status, dates and limits and its case's
category on the dispatch's span (dispatch_spans), and a side row of each reply and follow-up
with its department and category (reply_keys, followup_keys), for `stats --by dept|category`:
they follow every act (an extension, a reply, a follow-up, a 退单, a redispatch), an undo, a
department renamed and import-ledger, and `check --deep` finds them changed by another program."""

from __future__ import annotations

import sqlite3

from lcqy.store.migrations.m024_figures_dept_order import FOLLOWUP_KEYS, KEPT, REPLY_KEYS
from tests.test_lifecycle import (
    DISPATCH,
    act,
    answered_then_changed,
    imported_elsewhere,
    reg,
    supervised_then_redispatched,
)

WRONG = (
    "SELECT s.id FROM dispatch_spans s JOIN dispatches d ON d.id = s.id JOIN cases c ON c.id = d.case_id "
    "WHERE s.category IS NOT c.category OR " + " OR ".join(f"s.{col} IS NOT d.{col}" for col in KEPT.split(", "))
)


def _keys(db) -> dict[int, tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute(WRONG).fetchall() == []
        for table, kept in (("reply_keys", REPLY_KEYS), ("followup_keys", FOLLOWUP_KEYS)):
            derived = kept.split("\n", 1)[1].format(where="1")
            assert conn.execute(f"{derived} EXCEPT SELECT * FROM {table}").fetchall() == []
            assert conn.execute(f"SELECT * FROM {table} EXCEPT {derived}").fetchall() == []
        n = conn.execute("SELECT count(*) FROM dispatches").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM dispatch_spans").fetchone()[0] == n
        return {i: (d, c) for i, d, c in conn.execute("SELECT id, lead_dept, category FROM dispatch_spans")}
    finally:
        conn.close()


def _due(db) -> str:
    _keys(db)
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT due_current FROM dispatch_spans WHERE id = 1").fetchone()[0]
    finally:
        conn.close()


def _later(db) -> list[tuple]:
    """Each reply's day, first follow-up and earliest later reply of its case, as kept."""
    _keys(db)
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT replied_on, followed_on, next_on FROM reply_keys ORDER BY id").fetchall()
    finally:
        conn.close()


def test_span_keys_follow_every_act(ledger, run, tmp_path, monkeypatch):
    reg(ledger, "2026-11-02")  # 1: dispatched, extended (undone), answered, the reply undone
    act(ledger, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-03")
    due = _due(ledger.db)
    act(ledger, "extend", "1", "--until", "2026-11-24", "--reason", "需现场核查", "--date", "2026-11-05")
    assert _due(ledger.db) == "2026-11-24" != due
    assert ledger("undo", "1", "--reason", "录错了").code == 0
    assert _due(ledger.db) == due
    act(ledger, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "已办", "--date", "2026-11-05")
    assert _keys(ledger.db) == {1: ("临翔供电局", "用电保障")}
    assert ledger("undo", "1", "--reason", "录错了").code == 0
    reg(ledger, "2026-11-02", category="政策执行")  # 2: returned, dispatched elsewhere, undone
    act(ledger, "dispatch", "2", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-03")
    assert ledger("return", "2", "--reason", "不属本部门职责", "--date", "2026-11-04").code == 0
    act(ledger, "dispatch", "2", "--dept", "区财政局", *DISPATCH, "--date", "2026-11-05")
    assert _keys(ledger.db) == {
        1: ("临翔供电局", "用电保障"),
        2: ("临翔供电局", "政策执行"),
        3: ("区财政局", "政策执行"),
    }
    assert ledger("undo", "2", "--reason", "录错了").code == 0
    assert _keys(ledger.db) == {1: ("临翔供电局", "用电保障"), 2: ("临翔供电局", "政策执行")}
    reg(ledger, "2026-11-02")  # 3: answered B, under 专项督办, re-dispatched to another department
    supervised_then_redispatched(ledger, "3")
    got = _keys(ledger.db)
    assert got[3] == ("区财政局", "用电保障") and got[4] == ("临翔供电局", "用电保障")
    # A later reply to the case, then undone: the first reply's row knows of it, then not.
    act(ledger, "reply", "3", "--result", "A", "--mode", "书面", "--summary", "已办", "--date", "2026-11-12")
    assert _later(ledger.db) == [("2026-11-06", "2026-11-09", "2026-11-12"), ("2026-11-12", None, None)]
    assert ledger("undo", "3", "--reason", "录错了").code == 0
    assert _later(ledger.db) == [("2026-11-06", "2026-11-09", None)]
    # A department renamed: its dispatches' spans take the new name.
    assert ledger("dept", "rename", "区财政局", "区财政局（国资委）").code == 0
    assert _keys(ledger.db)[3] == ("区财政局（国资委）", "用电保障")
    conn = sqlite3.connect(ledger.db)
    assert conn.execute("SELECT lead_dept, category FROM reply_keys").fetchall() == [("区财政局（国资委）", "用电保障")]
    assert conn.execute("SELECT lead_dept, satisfaction FROM followup_keys").fetchall() == [
        ("区财政局（国资委）", "不满意")
    ]
    conn.close()
    # An import sets the keys of the dispatches it brings in once, as the trigger would.
    other = imported_elsewhere(ledger, run, tmp_path, monkeypatch)
    imported = _keys(other)
    assert imported and all(dept and category for dept, category in imported.values())
    conn = sqlite3.connect(other)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
    conn.close()
    assert {"dispatch_spans_keys_insert", "reply_keys_insert", "followup_keys_insert"} <= set(names)  # put back


def test_check_deep_finds_span_keys_another_program_changed(ledger):
    r = answered_then_changed(
        ledger,
        "UPDATE dispatch_spans SET category = '政策执行'",
        "UPDATE reply_keys SET result = 'C'",
    )
    assert r.code != 0
    assert (
        "临翔服企办收（2026）第1号：交办单 临翔服企办交（2026）第1号 "
        "在统计中所用的承办单位、问题类别或时限等与记录不一致" in r.out
    )
    assert "统计所用的答复分组（reply_keys）有 1 行与答复记录不一致" in r.out
