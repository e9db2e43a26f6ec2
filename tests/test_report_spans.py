"""The stored ends of dispatch and case spans (migration 14) that the 简报's late snapshot reads:
kept right by every act, and back-filled for a ledger made before them."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

from conftest import register_args

from lcqy.store.migrations import sql_of

D1, D2 = "区发展和改革局", "区自然资源局"
OPEN = "9999-12-31"
DISP = ("--approver", "王强", "--level", "主任")


def _ok(run, *args):
    r = run(*args)
    assert r.code == 0, (args, r.err)
    return r


def _expected(db: Path) -> tuple[dict, dict]:
    """The spans worked out from the acts themselves, in Python."""
    conn = sqlite3.connect(db)
    replies = conn.execute("SELECT id, dispatch_id, replied_on, late FROM replies ORDER BY id").fetchall()
    disp = {}
    for did, case_id, received, status, returned in conn.execute(
        "SELECT id, case_id, received_on, status, returned_on FROM dispatches"
    ):
        mine = [r for r in replies if r[1] == did]
        answered = min((r[2] for r in mine), default=None)
        stop = OPEN if status == "active" else (returned or "")
        first = mine[0] if mine else (None, None, None, None)
        disp[did] = (case_id, received, answered, min(answered or OPEN, stop), first[0], first[2], first[3])
    cases = {}
    for cid, ended in conn.execute("SELECT id, ended_on FROM cases"):
        ends = [ended or OPEN]
        for sql in (
            "SELECT min(dispatched_on) FROM dispatches WHERE case_id = ?",
            "SELECT min(escalated_on) FROM escalations WHERE case_id = ?",
            "SELECT min(act_on) FROM events WHERE case_id = ? AND action = 'meeting'",
        ):
            ends.append(conn.execute(sql, [cid]).fetchone()[0] or OPEN)
        cases[cid] = min(ends)
    conn.close()
    return disp, cases


def _stored(db: Path) -> tuple[dict, dict]:
    conn = sqlite3.connect(db)
    disp = {
        r[0]: tuple(r[1:])
        for r in conn.execute(
            "SELECT id, case_id, received_on, answered_on, open_until, first_reply_id, first_reply_on, "
            "first_reply_late FROM dispatch_spans"
        )
    }
    cases = dict(conn.execute("SELECT id, undispatched_until FROM case_spans"))
    conn.close()
    return disp, cases


def _check(run):
    assert _stored(run.db) == _expected(run.db)


def test_spans_follow_every_act(ledger):
    run = ledger
    for day in ("2026-03-02", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-05"):
        _ok(run, "register", *register_args(), "--date", day)
    _check(run)  # nothing dispatched: every case open for dispatch
    assert set(_stored(run.db)[1].values()) == {OPEN}
    _ok(run, "dispatch", "1", "--dept", D1, *DISP, "--date", "2026-03-03")
    _ok(run, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "已办结", "--date", "2026-03-09")
    _check(run)
    # A second reply does not move the first; an undone reply re-opens the dispatch.
    b = ["--summary", "正在办理", "--plan", "年内完成", "--plan-due", "2026-06-30"]
    _ok(run, "dispatch", "2", "--dept", D2, *DISP, "--date", "2026-03-04")
    _ok(run, "reply", "2", "--result", "B", "--mode", "面复", *b, "--date", "2026-03-16")
    _ok(run, "reply", "2", "--result", "A", "--mode", "书面", "--summary", "已解决", "--date", "2026-03-20")
    _check(run)
    _ok(run, "undo", "2", "--reason", "误录")
    _ok(run, "undo", "2", "--reason", "误录")
    _check(run)
    disp, _ = _stored(run.db)
    assert [v[3] for v in disp.values()] == ["2026-03-09", OPEN]
    # 退单 closes the span on the day of the return; the next dispatch opens a new one.
    _ok(run, "dispatch", "3", "--dept", D1, *DISP, "--date", "2026-03-04")
    _ok(run, "return", "3", "--reason", "不属本单位职责", "--date", "2026-03-05")
    _check(run)
    _ok(run, "dispatch", "3", "--dept", D2, *DISP, "--date", "2026-03-06")
    _check(run)
    disp, cases = _stored(run.db)
    assert sorted(v[3] for v in disp.values() if v[0] == 3) == ["2026-03-05", OPEN]
    assert cases[3] == "2026-03-04"  # waited for dispatch until its first dispatch
    # 专题会议, 转报 and 不予受理 each end the wait for dispatch.
    _ok(run, "dispatch", "4", "--dept", D1, "--approver", "李华", "--level", "专题会议", "--date", "2026-03-05")
    _ok(run, "escalate", "5", "--approver", "张文", "--suggestion", "需市级协调", "--date", "2026-03-06")
    _ok(run, "reject", "6", "--reason", "诉讼", "--date", "2026-03-09")
    _check(run)
    cases = _stored(run.db)[1]
    assert (cases[4], cases[5], cases[6]) == ("2026-03-05", "2026-03-06", "2026-03-09")
    # Undoing the second dispatch removes its span; the returned one stays closed.
    _ok(run, "undo", "3", "--reason", "误录")
    _check(run)
    assert sorted(v[3] for v in _stored(run.db)[0].values() if v[0] == 3) == ["2026-03-05"]


def test_migration_back_fills_an_older_ledger(run, tmp_path):
    """The sample ledger with the spans taken away, as a ledger made before migration 14 (and so
    before 24): opening it builds them again, and the 简报's figures do not change."""
    db = tmp_path / "sample.db"
    shutil.copyfile(Path(__file__).resolve().parent.parent / "sample_ledger.db", db)
    db.chmod(0o600)
    args = ("--db", str(db), "report", "--month", "2026-10", "--json")
    before = _ok(run, *args).out
    with_spans = _stored(db)
    assert with_spans == _expected(db) and with_spans[0] and with_spans[1]
    conn = sqlite3.connect(db)
    triggers = [
        n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%spans%'")
    ]
    assert len(triggers) == 18  # migration 14's, and migration 24's keeping the spans' added columns
    # Migration 24 adds to the spans: a ledger made before 14 had neither (24's other parts go too,
    # and 27's counts kept from the spans and 24's side tables).
    later = sql_of(24) + ";" + sql_of(27)
    triggers += [n for n in re.findall(r"CREATE TRIGGER (\w+)", later) if n not in triggers]
    for name in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.executescript(
        "DROP TABLE dispatch_spans; DROP TABLE case_spans; DROP INDEX replies_case_on; "
        + "".join(
            f"DROP INDEX {name}; "
            for name in re.findall(r"CREATE INDEX (\w+) ON (?:cases|dispatches|escalations)\b", later)
        )
        + "".join(f"DROP TABLE {name}; " for name in re.findall(r"CREATE TABLE (\w+)", later))
        + "DELETE FROM _migrations WHERE n IN (14, 24, 27)"
    )
    conn.commit()
    conn.close()
    after = _ok(run, *args).out
    assert _stored(db) == with_spans
    assert json.loads(after) == json.loads(before) and after == before


def test_category_outside_the_list_follows_the_listed_ones(run, tmp_path):
    """A ledger brought in from elsewhere may hold a category the list lacks: the 简报 lists it
    after the listed ones, and the month's total stays the sum of its rows."""
    from lcqy.rules.constants import CATEGORIES

    db = tmp_path / "sample.db"
    shutil.copyfile(Path(__file__).resolve().parent.parent / "sample_ledger.db", db)
    db.chmod(0o600)
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE cases SET category = '旧台帐类别' WHERE id = (SELECT min(id) FROM cases "
        "WHERE accepted_on BETWEEN '2026-10-01' AND '2026-10-31' AND state NOT IN ('void', 'merged'))"
    )
    conn.commit()
    conn.close()
    data = json.loads(_ok(run, "--db", str(db), "report", "--month", "2026-10", "--json").out)
    by = data["received_by_category"]
    assert list(by) == [*CATEGORIES, "旧台帐类别"]
    assert by["旧台帐类别"] == {"month": 1, "year_to_date": 1, "previous_month": 0}
    assert sum(v["month"] for v in by.values()) == data["figures"]["month"]["received"]
