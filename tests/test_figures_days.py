"""Migration 27's day counts (fig_days): kept right through every act, undo and import, read to
the same figures as the rows themselves, and a wrong count found by `check --deep`."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from lcqy.acts.figures import days, month
from lcqy.acts.figures import snapshot as snap
from tests.conftest import register_args
from tests.test_lifecycle import sample_imported_in_batches
from tests.test_report_figures import D1, D2, D3, _ok

SAMPLE = Path(__file__).resolve().parent.parent / "sample_ledger.db"
DISP = ("--approver", "王强", "--level", "主任")


def _kept_right(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert days.kept_apart(conn) == []
        (rows,) = conn.execute("SELECT count(*) FROM fig_days WHERE n <> 0").fetchone()
        assert rows > 0
    finally:
        conn.close()


def test_day_counts_follow_every_act_and_undo(ledger):
    run = ledger

    def act(*args: str) -> None:
        _ok(run, *args)
        _kept_right(run.db)

    for i, day in enumerate(("2026-03-02", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-04", "2026-03-05",
                             "2026-03-05", "2026-03-06", "2026-03-09", "2026-03-09")):  # fmt: skip
        act("register", *register_args(**({"consult": True, "category": "政策执行"} if i == 4 else {})), "--date", day)
    act("dispatch", "1", "--dept", D3, *DISP, "--date", "2026-03-03")
    act("reply", "1", "--result", "A", "--mode", "书面", "--summary", "已接电", "--date", "2026-03-09")
    act("followup", "1", "--method", "电话回询", "--satisfaction", "满意", "--date", "2026-03-10")
    act("close", "1", "--date", "2026-03-10")
    act("dispatch", "2", "--dept", D1, *DISP, "--date", "2026-03-05")
    b_reply = ["--summary", "正在办理", "--plan", "年内完成", "--plan-due", "2026-06-30"]
    act("reply", "2", "--result", "B", "--mode", "面复", *b_reply, "--date", "2026-03-16")
    act("followup", "2", "--method", "现场走访", "--satisfaction", "不满意", "--date", "2026-03-17")
    act("supervise", "2", "--until", "2026-03-27", "--reason", "答复含糊", "--date", "2026-03-18")
    act("redispatch", "2", "--dept", D2, *DISP, "--reason", "原单位无此职能", "--date", "2026-03-19")
    act("reply", "2", "--result", "A", "--mode", "书面", "--summary", "已办结", "--date", "2026-03-24")
    act("dispatch", "3", "--dept", D2, *DISP, "--date", "2026-03-04")
    act("urge", "3", "--no-letter", "--date", "2026-03-13")
    act("extend", "3", "--until", "2026-03-25", "--reason", "需现场核查", "--date", "2026-03-17")
    act("reject", "4", "--reason", "诉讼", "--date", "2026-03-05")
    act("forward", "5", "--dept", D1, "--date", "2026-03-05")
    act("escalate", "6", "--approver", "张文", "--suggestion", "需市级协调", "--date", "2026-03-06")
    act("dispatch", "8", "--dept", D3, *DISP, "--date", "2026-03-10")
    act("return", "8", "--reason", "不属本单位职责", "--date", "2026-03-11")
    act("dispatch", "8", "--dept", D1, *DISP, "--date", "2026-03-12")
    act("reply", "8", "--result", "C", "--mode", "书面", "--summary", "暂不能解决", "--plan", "已解释",
        "--date", "2026-04-02")  # fmt: skip
    act("edit", "8", "--field", "category", "--value", "政策执行")  # its dispatches' and replies' rows move
    act("merge", "9", "--into", "7")
    act("void", "10", "--reason", "重复登记")
    # Each undone act takes its part away again (the latest first, as undo allows).
    act("undo", "8", "--reason", "录错了")
    act("undo", "2", "--reason", "录错了")
    act("undo", "3", "--reason", "录错了")


def test_day_counts_after_an_import(run, tmp_path, monkeypatch):
    """import-ledger writes the rows with some triggers set aside: the day counts still add up."""
    fresh = sample_imported_in_batches(run, tmp_path, monkeypatch)
    _kept_right(fresh)


def _old_paths(monkeypatch) -> None:
    """The figures read from the rows, as before migration 27 (and the day's snapshot table)."""
    monkeypatch.setattr(days, "GROUPINGS", ())
    monkeypatch.setattr(snap, "_DIRECT_KEYS", {})
    monkeypatch.setattr(month.snap, "day_late", snap.snapshot)


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--month", "2026-10"),
        ("report", "--month", "2026-06"),
        ("stats", "--by", "dept"),
        ("stats", "--by", "category"),
        ("stats", "--by", "dept", "--year", "2026"),
        ("stats", "--by", "category", "--from", "2026-02-01", "--to", "2026-09-30"),
        ("stats", "--by", "dept", "--from", "2026-10-01", "--to", "2026-10-31"),
    ],
)
def test_same_figures_as_from_the_rows(run, tmp_path, monkeypatch, args):
    db = tmp_path / "sample.db"
    shutil.copy(SAMPLE, db)
    db.chmod(0o600)
    for today in ("2026-11-27", "2026-07-31"):
        new = run("--db", str(db), *args, "--json", today=today)
        with monkeypatch.context() as m:
            _old_paths(m)
            old = run("--db", str(db), *args, "--json", today=today)
        assert (new.code, new.err) == (old.code, old.err) and new.out == old.out
        if today == "2026-11-27":  # a past day may come before the period asked for
            assert new.code == 0 and json.loads(new.out)


def test_check_deep_finds_a_wrong_day_count(run, tmp_path):
    db = tmp_path / "sample.db"
    shutil.copy(SAMPLE, db)
    db.chmod(0o600)
    assert "fig_days" not in _ok(run, "--db", str(db), "check", "--deep").out
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE fig_days SET a = a + 1 WHERE src = 'due' AND day = (SELECT min(day) FROM fig_days WHERE src = 'due')"
    )
    conn.commit()
    conn.close()
    r = run("--db", str(db), "check", "--deep")
    assert "统计所用的每日计数（fig_days 的 due）与记录不一致" in r.out + r.err
