"""undo: every undoable act, reversed, leaves the ledger as it was before the act (less the history
rows and the voided number of an undone dispatch); what cannot be undone is refused."""

from __future__ import annotations

import json

from tests.conftest import register_args, snapshot
from tests.test_lifecycle import DISPATCH, act, refused


def _state(db) -> list[str]:
    """The ledger less the history, and less the numbers table's and the counter's lines (a
    voided number stays issued), and less the log of rows written for `check` (the undone act
    and its undo both wrote)."""
    skip = ('INSERT INTO "events"', 'INSERT INTO "numbers"', 'INSERT INTO "counters"', 'INSERT INTO "check_log"')
    skip += ('INSERT INTO "sqlite_sequence"', 'INSERT INTO "check_passes"', 'INSERT INTO "chain"')
    return [line for line in snapshot(db) if not line.startswith(skip)]


def _numbers(db, kind: str = "交") -> list[tuple]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return list(conn.execute("SELECT text, voided FROM numbers WHERE kind = ? ORDER BY seq", [kind]))
    finally:
        conn.close()


def _undone(run, case: str, *act_args: str, label: str) -> None:
    before = _state(run.db)
    r = run(*act_args)
    assert r.code == 0, (act_args, r.err)
    assert _state(run.db) != before
    r = run("undo", case, "--reason", "录错了")
    assert r.code == 0, r.err
    assert f"的{label}（录错了）" in r.out
    assert _state(run.db) == before, f"undo of {act_args[0]} left the ledger changed"
    assert run("check").code == 0, run("check").out
    r = run(*act_args)  # the act can then be done again, as it was meant
    assert r.code == 0, (act_args, r.err)


def test_undo_every_undoable_act(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    # Nothing done yet but the registration: nothing to undo.
    refused(ledger, "undo", "1", "--reason", "x", word="登记")
    dispatch = ["dispatch", "1", "--dept", "区财政局", *DISPATCH, "--date", "2026-03-03"]
    before = _state(ledger.db)
    r = ledger(*dispatch)
    assert "临翔服企办交（2026）第1号" in r.out
    r = ledger("undo", "1", "--reason", "牵头部门选错")
    assert r.code == 0 and "编号 临翔服企办交（2026）第1号 作废，不再使用" in r.out
    assert _state(ledger.db) == before
    # The voided number is kept and not reused: the next dispatch takes 第2号.
    assert _numbers(ledger.db) == [("临翔服企办交（2026）第1号", 1)]
    d = act(ledger, "dispatch", "1", "--dept", "区自然资源局", *DISPATCH, "--date", "2026-03-03")
    assert d["no"] == "临翔服企办交（2026）第2号" and d["due_current"] == "2026-03-10"
    assert ledger("check").code == 0

    _undone(ledger, "1", "extend", "1", "--until", "2026-03-17", "--reason", "需现场核查", "--date", "2026-03-09",
            label="延期")  # fmt: skip
    _undone(ledger, "1", "urge", "1", "--no-letter", "--date", "2026-03-18", label="催办")
    # The urge is done again (above); its 2nd entry counts as the 1st: the undone one is gone,
    # and the number its letter had is voided, the next urge's letter takes the next one.
    v = json.loads(ledger("show", "1", "--json").out)
    assert v["urge_count"] == 1 and v["urges"][0]["letter_no"] == "临翔服企办催（2026）第2号"
    assert ("临翔服企办催（2026）第1号", 1) in _numbers(ledger.db, "催")
    reply_b = ["reply", "1", "--result", "B", "--mode", "书面", "--summary", "列入计划", "--plan", "分期",
               "--plan-due", "2026-04-30", "--date", "2026-03-19"]  # fmt: skip
    _undone(ledger, "1", *reply_b, label="答复")  # also takes the 督办台帐 mark off again
    _undone(ledger, "1", "followup", "1", "--method", "电话回询", "--satisfaction", "不满意", "--date", "2026-03-20",
            label="回访")  # fmt: skip
    _undone(ledger, "1", "supervise", "1", "--until", "2026-04-01", "--reason", "答复含糊", "--date", "2026-03-23",
            label="设定专项督办时限")  # fmt: skip
    _undone(ledger, "1", "redispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--reason", "原单位无此职能",
            "--date", "2026-03-24", label="重新交办")  # fmt: skip
    assert _numbers(ledger.db)[-2:] == [("临翔服企办交（2026）第3号", 1), ("临翔服企办交（2026）第4号", 0)]
    _undone(ledger, "1", "reply", "1", "--result", "A", "--mode", "书面", "--summary", "已办结", "--date", "2026-03-31",
            label="答复")  # fmt: skip
    # A satisfied follow-up on the A reply clears the 专项督办 mark; undo puts it back.
    _undone(ledger, "1", "followup", "1", "--method", "电话回询", "--satisfaction", "满意", "--date", "2026-04-01",
            label="回访")  # fmt: skip
    _undone(ledger, "1", "close", "1", "--date", "2026-04-01", label="销号")
    v = json.loads(ledger("show", "1", "--json").out)
    assert v["state"] == "closed"
    undos = [e for e in v["events"] if e["action"] == "undo"]
    assert len(undos) == 10 and {e["detail"]["reason"] for e in undos} == {"牵头部门选错", "录错了"}
    assert "撤销销号：录错了" in ledger("show", "1").out


def test_undo_refusals(ledger):
    assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    assert ledger("escalate", "1", "--approver", "张文", "--suggestion", "需市级协调", "--date", "2026-03-03").code == 0
    err = refused(ledger, "undo", "1", "--reason", "x", word="转报")
    assert "不能撤销" in err
    r = ledger("undo", "1")
    assert r.code == 2 and "缺少撤销理由（--reason）" in r.err
    assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    act(ledger, "dispatch", "2", "--dept", "区财政局", *DISPATCH, "--date", "2026-03-03")
    act(ledger, "return", "2", "--reason", "不属本部门职责", "--date", "2026-03-04")
    refused(ledger, "undo", "2", "--reason", "x", word="退单")
    # An edit does not hide the act before it: the dispatch below is still the latest act.
    act(ledger, "dispatch", "2", "--dept", "区自然资源局", *DISPATCH, "--date", "2026-03-05")
    act(ledger, "edit", "2", "--field", "phone", "--value", "13987654321")
    refused(ledger, "undo", "2", "--reason", "x", "--date", "2026-03-04", word="早于交办日期")
    r = ledger("undo", "2", "--reason", "部门选错", "--date", "2026-03-05")
    assert r.code == 0 and "临翔服企办交（2026）第2号 作废" in r.out
