"""list and overdue at any size: the default view, the text search, the stored due date, the
80-column layout, and the calendar's import."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from lcqy.cli import _json_out, _rows, board
from lcqy.cli._rows import Col, cells, fit, print_table
from tests.conftest import register_args
from tests.test_lifecycle import (
    DISPATCH,
    act,
    answered_then_changed,
    imported_elsewhere,
    reg,
    sample_imported_in_batches,
    supervised_then_redispatched,
)


def _json(run, *args: str) -> list[dict]:
    r = run(*args, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_list_shows_open_cases_latest_page_with_a_footer(ledger):
    for _ in range(4):
        reg(ledger, "2026-11-02")
    act(ledger, "reject", "1", "--reason", "诉讼", "--date", "2026-11-03")
    r = ledger("list")
    assert "共 3 件未办结的案件。" in r.out
    assert [x["reg_seq"] for x in _json(ledger, "list")] == [2, 3, 4]
    # --all: ended cases too; --limit: the latest N, in registration order, with the footer saying so
    assert [x["reg_seq"] for x in _json(ledger, "list", "--all")] == [1, 2, 3, 4]
    assert [x["reg_seq"] for x in _json(ledger, "list", "--limit", "2")] == [3, 4]
    r = ledger("list", "--limit", "2")
    assert "共 3 件未办结的案件，显示最近登记的 2 件（--all 全部）。" in r.out
    numbers = [line.split()[0] for line in r.out.splitlines() if line[:1].isdigit()]
    assert numbers == ["3", "4"]
    # an explicit --state lifts the open-only default
    assert [x["reg_seq"] for x in _json(ledger, "list", "--state", "不予受理")] == [1]
    r = ledger("list", "--limit", "0")
    assert r.code == 1 and "--limit" in r.err


def test_list_text_and_json_rows_agree(ledger):
    reg(ledger, "2026-11-02")
    reg(ledger, "2026-11-03", enterprise="临翔区昔归茶业有限公司")
    act(ledger, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-03")
    rows = _json(ledger, "list")
    assert rows[0]["due"] == "2026-11-10" and rows[0]["lead_dept"] == "临翔供电局" and rows[0]["assist"] == []
    assert rows[1]["due"] == "2026-11-05" and rows[1]["due_estimated"] is False
    text = ledger("list").out.splitlines()
    shown = [line.split() for line in text if line[:1].isdigit()]
    assert [s[0] for s in shown] == ["1", "2"]
    assert "2026-11-10" in shown[0] and "临翔供电局" in shown[0]


def test_list_text_searches_substrings_literally(ledger):
    reg(ledger, "2026-11-02", enterprise="临沧恒达蔗糖有限责任公司", problem="增容 100% 未接电")
    reg(ledger, "2026-11-02", enterprise="临翔区昔归茶业有限公司", problem="用地_报批")
    reg(ledger, "2026-11-02", enterprise='双引号"公司', problem="无")

    def found(text):
        return [x["reg_seq"] for x in _json(ledger, "list", "--all", "--text", text)]

    assert found("恒达") == [1]  # two characters: a scan
    assert found("恒达蔗糖") == [1]  # the trigram index
    assert found("茶业有限") == [2]
    assert found("%") == [1] and found("_") == [2] and found("100%") == [1]
    assert found("用地_") == [2] and found("地%批") == []
    assert found('号"公') == [3]
    # the index follows a correction of the enterprise's name
    act(ledger, "edit", "2", "--field", "enterprise", "--value", "临翔区新宇物流有限公司")
    assert found("昔归茶") == [] and found("新宇物流") == [2]


def test_stored_due_date_follows_every_act(ledger):
    """cases.due_open (migration 4) equals the limit computed from the case and its dispatch."""
    reg(ledger, "2026-11-02")  # 1 registered: dispatch limit
    reg(ledger, "2026-11-02")  # 2 dispatched, then extended
    act(ledger, "dispatch", "2", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-03")
    act(ledger, "extend", "2", "--until", "2026-11-20", "--reason", "需现场核查", "--date", "2026-11-05")
    reg(ledger, "2026-11-02")  # 3 dispatched, then replied: nothing due
    act(ledger, "dispatch", "3", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-03")
    act(ledger, "reply", "3", "--result", "A", "--mode", "书面", "--summary", "已办结", "--date", "2026-11-06")
    reg(ledger, "2026-11-02")  # 4 dispatched, then returned: the dispatch limit again
    act(ledger, "dispatch", "4", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-03")
    ledger("return", "4", "--reason", "不属本部门职责", "--date", "2026-11-04")
    conn = sqlite3.connect(ledger.db)
    got = dict(conn.execute("SELECT reg_seq, due_open FROM cases").fetchall())
    recomputed = dict(
        conn.execute(
            "SELECT c.reg_seq, CASE c.state WHEN 'registered' THEN c.dispatch_due WHEN 'dispatched' THEN "
            "(SELECT due_current FROM dispatches d WHERE d.case_id = c.id AND d.status = 'active') END FROM cases c"
        ).fetchall()
    )
    conn.close()
    assert got == recomputed
    assert got[2] == "2026-11-20" and got[3] is None and got[1] == "2026-11-04"


def test_overdue_lists_escalations_sent_late(ledger):
    reg(ledger, "2026-11-02")
    act(ledger, "escalate", "1", "--approver", "张文", "--suggestion", "需市级协调", "--date", "2026-11-10")
    rows = _json(ledger, "overdue", "--as-of", "2026-11-27")
    assert [(r["case"], r["kind"], r["due"], r["days_late"]) for r in rows] == [("2026-1", "转报超期", "2026-11-05", 3)]


def _terminal(monkeypatch, width: int) -> io.StringIO:
    out = io.StringIO()
    monkeypatch.setattr(_rows, "terminal_width", lambda: width)
    monkeypatch.setattr(sys, "stdout", out)
    return out


def test_eighty_columns_keep_enterprise_and_department(monkeypatch):
    cols = board.OVERDUE_COLUMNS
    row = (
        "2025-12345",
        "临翔区昔归茶业有限责任公司" * 2,
        "软环境建设",
        "区人力资源和社会保障局",
        "2026-11-10≈",
        "220",
        "3",
        "未答复",
    )
    out = _terminal(monkeypatch, 80)
    print_table("截至 2026-11-27 超期与将到期案件", cols, [row] * 3)
    lines = out.getvalue().splitlines()
    assert all(cells(line) <= 80 for line in lines), [cells(x) for x in lines]
    body = lines[3]
    assert body.startswith("2025-12345") and "2026-11-10≈" in body and body.endswith("未答复")
    ent = body.split()[1]
    assert ent.startswith("临翔区") and ent.endswith("…") and cells(ent) >= 6
    # narrower still: the less useful columns go first, enterprise and department keep 6 cells
    shown, widths = fit(cols, [10, 52, 10, 22, 11, 4, 4, 6], 60)
    assert 2 not in shown and 6 in shown
    shown, widths = fit(cols, [10, 52, 10, 22, 11, 4, 4, 6], 55)
    assert 1 in shown and 3 in shown and 2 not in shown and 6 not in shown
    assert widths[shown.index(1)] >= 6 and widths[shown.index(3)] >= 6


def test_pipe_output_is_whole_and_aligned(monkeypatch):
    out = _terminal(monkeypatch, None)
    print_table(
        None,
        [Col("编号"), Col("企业", share=3, least=6), Col("时限")],
        [("1", "临翔区昔归茶业有限公司", "2026-11-10"), ("22", "ab", "")],
    )
    lines = out.getvalue().splitlines()
    assert lines[2] == "1     临翔区昔归茶业有限公司  2026-11-10"
    assert lines[3] == "22    ab"
    assert cells(lines[0].split("时限")[0]) == cells(lines[2].split("2026")[0])


@pytest.mark.parametrize("args", [["overdue"], ["list"]])
def test_footers_fit_eighty_columns(ledger, args):
    for _ in range(3):
        reg(ledger, "2026-01-05")
    ledger("register", *register_args(), "--date", "2026-11-27")
    r = ledger(*args, "--limit", "1") if args == ["list"] else ledger(*args)
    footer = [line for line in r.out.splitlines() if not line[:1].isdigit() and not line.startswith(("编号 ", "-"))]
    assert footer and all(cells(line) <= 80 for line in footer), footer


def test_calendar_imports_only_chinas_module():
    code = (
        "import sys; from lcqy.store.calendar_source import official_year, known_years; "
        "official_year(2026); known_years(); "
        "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    from lcqy.store.calendar_source import official_year

    rest, work = official_year(2026)
    assert date(2026, 10, 1) in rest and date(2026, 10, 10) in work and date(2026, 9, 20) in work


def test_bad_number_option_is_said_in_chinese(ledger):
    r = ledger("overdue", "--within", "两")
    assert r.code == 2 and "--within" in r.err and "整数" in r.err


def _calendar_run(cache: Path, code: str) -> str:
    env = {**os.environ, "LCQY_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout


CAL_PROBE = (
    "import sys; from datetime import date; from lcqy.store.calendar_source import build_calendar; "
    "from lcqy.rules.workdays import add_workdays; cal = build_calendar(); "
    "print(add_workdays(cal, date(2026, 9, 30), 1), add_workdays(cal, date(2026, 9, 18), 1), "
    "cal.is_estimate(date(2026, 5, 1)), 'holidays' in sys.modules)"
)


def test_calendar_cache_spares_the_holidays_import(tmp_path):
    """The first run computes 2026 from `holidays` and keeps it; the next one reads the cache
    file and gives the same answers (10/1-10/7 rest, 9/20 a 调休 workday) without the package."""
    first = _calendar_run(tmp_path, CAL_PROBE).split()
    assert first == ["2026-10-08", "2026-09-20", "False", "True"]
    (cache,) = tmp_path.glob("calendar-*.json")
    assert "2026-10-10" in cache.read_text()
    assert _calendar_run(tmp_path, CAL_PROBE).split() == ["2026-10-08", "2026-09-20", "False", "False"]


@pytest.mark.parametrize(
    "damage",
    [
        "not json",
        '{"known": [2026], "years": {"2026": [["2025-10-01"], []]}}',  # a day of another year
        '{"known": ["x"], "years": {}}',
        '{"known": [2026], "years": {"2026": [["2026-13-01"], []]}}',
        "[" * 2_000_000,
    ],
)
def test_calendar_cache_that_is_not_ours_is_ignored(tmp_path, damage):
    """A damaged or planted cache file is not believed: the calendar comes from the package."""
    _calendar_run(tmp_path, CAL_PROBE)
    (cache,) = tmp_path.glob("calendar-*.json")
    cache.write_text(damage)
    assert _calendar_run(tmp_path, CAL_PROBE).split() == ["2026-10-08", "2026-09-20", "False", "True"]


def test_calendar_without_a_writable_cache_still_counts(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert _calendar_run(blocked / "sub", CAL_PROBE).split() == ["2026-10-08", "2026-09-20", "False", "True"]


def test_board_text_and_json_rows_agree(ledger):
    """The table and `overdue --json` are two views SQLite writes of the same rows: every
    row's cells match its record, estimated limits, 催办 counts and 督办 rows included, and
    the records have the board's Row fields in order."""
    from lcqy.acts.boards.overdue import Row
    from lcqy.cli.board import _WHAT
    from tests.conftest import UNKNOWN

    reg(ledger, "2026-11-20")  # undispatched, late
    reg(ledger, "2026-11-02")  # dispatched, unreplied, late, urged
    lead_and_assist = ["--dept", "临翔供电局", "--assist", "区财政局", "--approver", "王强", "--level", "副组长"]
    act(ledger, "dispatch", "2", *lead_and_assist, "--date", "2026-11-03")
    ledger("urge", "2", "--no-letter", "--date", "2026-11-12")
    reg(ledger, "2026-11-02")  # answered B with a plan date: under 督办台帐, late again
    act(ledger, "dispatch", "3", "--dept", "区财政局", *DISPATCH, "--date", "2026-11-03")
    plan = ["--plan", "明年春季改造线路", "--plan-due", "2026-11-16"]
    act(ledger, "reply", "3", "--result", "B", "--mode", "书面", "--summary", "列入计划", *plan, "--date", "2026-11-06")
    reg(ledger, "2026-11-02")  # to a special meeting
    act(ledger, "dispatch", "4", "--approver", "区长", "--level", "专题会议", "--date", "2026-11-03")
    late_on = f"{UNKNOWN}-01-25"
    ledger("register", *register_args(), "--date", late_on, today=late_on)  # a limit in a year not yet published
    as_of = ["--as-of", f"{UNKNOWN}-02-01", "--within", "3"]
    records = _json(ledger, "overdue", *as_of)
    assert all(list(r) == list(Row._fields) for r in records)
    # The board's order: late (worst first), then due soon, then awaiting a meeting, then escalated late.
    rank = {"late": 0, "soon": 1, "waiting": 2, "escalated": 3}
    key = lambda r: (rank[r["status"]], -r["days_late"], r["due"] or "9999", r["reg_year"], r["reg_seq"])  # noqa: E731
    assert records == sorted(records, key=key)
    assert {r["kind"] for r in records} == {"待交办", "办理中", "督办台帐", "待专题会议"}
    assert any(r["due_estimated"] for r in records) and any(r["urge_count"] == 1 for r in records)
    what = {"待交办": "registered", "办理中": "dispatched", "督办台帐": "ledger", "待专题会议": "meeting"}
    expected = [
        [
            r["case"].removeprefix(f"{UNKNOWN}-"),
            r["enterprise"],
            r["category"],
            r["lead_dept"] or "—",
            (r["due"] or "") + ("≈" if r["due_estimated"] else ""),
            str(r["days_late"] or ""),
            str(r["urge_count"] or ""),
            "将到期" if r["status"] == "soon" else _WHAT[what[r["kind"]]],
        ]
        for r in records
    ]
    lines = ledger("overdue", *as_of).out.splitlines()
    starts = [
        cells(lines[1].split(title)[0])
        for title in ("编号", "企业", "类别", "牵头部门", "时限", "超期", "催办", "情况")
    ]
    table = []
    for line in lines[3 : 3 + len(records)]:
        # cut at the header's cell offsets (a cell never holds two spaces running)
        chars, offsets, at = list(line), [], 0
        for ch in chars:
            offsets.append(at)
            at += cells(ch)
        row = []
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else 10**6
            row.append("".join(ch for ch, o in zip(chars, offsets) if start <= o < end).strip())
        table.append(row)
    assert table == expected
    assert [r["case"] for r in _json(ledger, "overdue", "--dept", "区财政局")] == ["2026-2", "2026-3"]


def _stored_lead_and_urges(db: Path) -> dict[int, tuple]:
    """cases.lead_now and urges_now (migration 16), each checked against what it stands for."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT c.reg_seq, c.lead_now, c.urges_now, (SELECT lead_dept FROM dispatches d WHERE d.case_id = c.id"
            " AND d.status = 'active' ORDER BY d.id DESC LIMIT 1), c.prior_urges + (SELECT count(*) FROM urges u"
            " WHERE u.case_id = c.id) FROM cases c"
        ).fetchall()
    finally:
        conn.close()
    assert [r[1:3] for r in rows] == [r[3:] for r in rows]
    return {r[0]: r[1:3] for r in rows}


def test_stored_lead_and_urges_follow_every_act(ledger, run, tmp_path, monkeypatch):
    reg(ledger, "2026-11-02")  # 1: dispatched, urged twice, one urge undone
    act(ledger, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-03")
    ledger("urge", "1", "--no-letter", "--date", "2026-11-12")
    ledger("urge", "1", "--no-letter", "--date", "2026-11-13")
    assert _stored_lead_and_urges(ledger.db)[1] == ("临翔供电局", 2)
    assert ledger("undo", "1", "--reason", "录错了").code == 0
    reg(ledger, "2026-11-02")  # 2: returned, then dispatched to another department
    act(ledger, "dispatch", "2", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-03")
    assert ledger("return", "2", "--reason", "不属本部门职责", "--date", "2026-11-04").code == 0
    assert _stored_lead_and_urges(ledger.db)[2] == (None, 0)
    act(ledger, "dispatch", "2", "--dept", "区财政局", *DISPATCH, "--date", "2026-11-05")
    reg(ledger, "2026-11-02")  # 3: answered B, under 专项督办, then dispatched again elsewhere
    supervised_then_redispatched(ledger, "3")
    got = _stored_lead_and_urges(ledger.db)
    assert got == {1: ("临翔供电局", 1), 2: ("区财政局", 0), 3: ("临翔供电局", 0)}
    # An import carries the count of letters as the sheet gives it, and the lead department.
    other = imported_elsewhere(ledger, run, tmp_path, monkeypatch)
    assert _stored_lead_and_urges(other)[1] == ("临翔供电局", 1)


def test_board_puts_answered_cases_due_again_among_open_ones(ledger):
    """The open cases are read in stretches between the answered cases due again: one order
    throughout, by due date then number, in the text as in --json."""
    for _ in range(6):
        reg(ledger, "2026-11-02")
    for case, on in (("1", "2026-11-09"), ("3", "2026-11-09"), ("4", "2026-11-10"), ("6", "2026-11-06")):
        act(ledger, "dispatch", case, "--dept", "临翔供电局", *DISPATCH, "--date", on)
    for case, plan_due in (("2", "2026-11-16"), ("5", "2026-11-20")):  # under 督办台帐, due again
        act(ledger, "dispatch", case, "--dept", "区财政局", *DISPATCH, "--date", "2026-11-03")
        plan = ["--plan", "分期", "--plan-due", plan_due]
        reply = ["--result", "B", "--mode", "书面", "--summary", "列入计划", *plan, "--date", "2026-11-06"]
        act(ledger, "reply", case, *reply)
    rows = _json(ledger, "overdue", "--as-of", "2026-11-27")
    got = [(r["case"], r["kind"], r["due"], r["days_late"]) for r in rows]
    assert got == [
        ("2026-6", "办理中", "2026-11-13", 10),
        ("2026-1", "办理中", "2026-11-16", 9),
        ("2026-2", "督办台帐", "2026-11-16", 9),
        ("2026-3", "办理中", "2026-11-16", 9),
        ("2026-4", "办理中", "2026-11-17", 8),
        ("2026-5", "督办台帐", "2026-11-20", 5),
    ]
    text = [line.split() for line in ledger("overdue", "--as-of", "2026-11-27").out.splitlines()]
    body = [r for r in text if r[0].isdigit()]
    assert [(r[0], r[-3], r[-2], r[-1]) for r in body] == [
        (c.split("-")[1], due, str(late), "督办逾期" if kind == "督办台帐" else "未答复") for c, kind, due, late in got
    ]
    assert "超期 6 件" in ledger("overdue", "--as-of", "2026-11-27").out


def test_board_survives_a_separator_in_stored_text(ledger):
    """A control character no act stores (another program might) keeps the row whole."""
    reg(ledger, "2026-11-02")
    reg(ledger, "2026-11-02", enterprise="临翔区昔归茶业有限公司")
    conn = sqlite3.connect(ledger.db)
    conn.execute("UPDATE cases SET enterprise = '临翔区\x1f恒达公司' WHERE reg_seq = 1")
    conn.commit()
    conn.close()
    r = ledger("overdue", "--as-of", "2026-11-27")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    rows = [line for line in lines if line[:1].isdigit()]
    assert rows[0].startswith("1     临翔区 恒达公司") and rows[1].startswith("2     临翔区昔归茶业有限公司")
    start = cells(lines[1].split("类别")[0])
    assert all(cells(row.split("用电保障")[0]) == start for row in rows)


def test_overdue_json_to_a_pipe_is_sqlites_own_text(ledger):
    """To a real pipe the records go out as SQLite wrote them (bytes, not decoded and encoded
    again): the same array as in the tests' text stream."""
    reg(ledger, "2026-11-02", enterprise="临翔区“双引号”茶业有限公司")
    reg(ledger, "2026-11-20")
    env = {**os.environ, "LCQY_DB": str(ledger.db), "LCQY_TODAY": "2026-11-27"}
    cmd = [sys.executable, "-m", "lcqy", "overdue", "--json"]
    out = subprocess.run(cmd, capture_output=True, env=env, check=True).stdout
    assert out.startswith(b"[\n{") and out.endswith(b"}\n]\n") and out.count(b"\n") == 4
    assert json.loads(out) == _json(ledger, "overdue")
    assert "临翔区“双引号”茶业有限公司" in out.decode()


def test_check_deep_finds_board_columns_another_program_changed(ledger):
    r = answered_then_changed(
        ledger,
        "UPDATE cases SET lead_now = '区财政局', urges_now = 5, reply_now = NULL WHERE reg_seq = 1",
    )
    assert r.code != 0
    assert (
        "临翔服企办收（2026）第1号：清单所用的当前牵头部门（存为“区财政局”，记录为“临翔供电局”）、"
        "催办次数（存为“5”，记录为“0”）、最近一次答复（存为“无”，记录为“第1条”）不一致" in r.out
    )
    conn = sqlite3.connect(ledger.db)
    conn.execute("UPDATE cases SET lead_now = '临翔供电局', urges_now = 0, reply_now = 1, followup_now = 7")
    conn.commit()
    conn.close()
    r = ledger("check", "--deep")
    assert r.code != 0 and "最近一次回访（存为“第7条”，记录为“无”）不一致" in r.out, r.out


def test_the_latest_replys_plan_date_kept_on_the_case_follows_it(ledger):
    """Migration 31: a reply's plan date edited by another program moves the case's kept copy
    with it (check passes); the copy edited alone is named by `check --deep`."""
    r = answered_then_changed(ledger, "UPDATE replies SET plan_due = '2026-12-20' WHERE case_id = 1")
    assert r.code == 0, r.out
    conn = sqlite3.connect(ledger.db)
    assert conn.execute("SELECT plan_due_now FROM cases WHERE reg_seq = 1").fetchone() == ("2026-12-20",)
    conn.execute("UPDATE cases SET plan_due_now = '2026-12-31' WHERE reg_seq = 1")
    conn.commit()
    conn.close()
    r = ledger("check", "--deep")
    assert r.code != 0
    assert "最近一次答复的计划完成日期（存为“2026-12-31”，记录为“2026-12-20”）不一致" in r.out, r.out


def test_board_is_read_from_one_snapshot(ledger):
    """A command that writes while the board is being read waits for it: the board shows the
    ledger as it was when it began, each case once (it is read in several statements)."""
    from lcqy.acts.boards.overdue import iter_overdue
    from lcqy.acts.context import Ctx
    from lcqy.store.db import Ledger

    for _ in range(4):
        reg(ledger, "2026-11-02")
    for case in ("1", "2", "3"):
        act(ledger, "dispatch", case, "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-09")
    plan = ["--plan", "分期", "--plan-due", "2026-11-16"]
    act(ledger, "reply", "2", "--result", "B", "--mode", "书面", "--summary", "列入计划", *plan, "--date", "2026-11-10")
    before = [r["case"] for r in _json(ledger, "overdue")]
    led = Ledger.open(ledger.db)
    try:
        rows = iter_overdue(Ctx(led, date(2026, 11, 27)), as_of=date(2026, 11, 27), as_json=True)
        first = [json.loads(next(rows))["case"]]
        # Meanwhile case 4 goes to the special meeting and case 3 is answered: each would move to
        # a part of the board not read yet.
        env = {**os.environ, "LCQY_DB": str(ledger.db), "LCQY_TODAY": "2026-11-27"}
        meet = ["dispatch", "4", "--approver", "区长", "--level", "专题会议", "--date", "2026-11-20"]
        writer = subprocess.Popen([sys.executable, "-m", "lcqy", *meet], env=env, stderr=subprocess.PIPE)
        try:
            writer.wait(timeout=1.5)
        except subprocess.TimeoutExpired:
            pass
        assert writer.returncode is None  # still waiting for the read to end
        rest = [json.loads(t)["case"] for t in rows]
    finally:
        led.close()
    assert first + rest == before and len(set(before)) == len(before) == 4
    assert writer.wait(timeout=30) == 0, writer.stderr.read().decode()
    assert "待专题会议" in {r["kind"] for r in _json(ledger, "overdue")}


def test_json_is_utf8_whatever_the_outputs_encoding_and_refuses_text_that_is_not_utf8(ledger):
    reg(ledger, "2026-11-02", enterprise="临翔区昔归茶业有限公司")
    env = {**os.environ, "LCQY_DB": str(ledger.db), "LCQY_TODAY": "2026-11-27", "PYTHONIOENCODING": "gb18030"}
    for args in (["overdue", "--json"], ["list", "--json"]):
        out = subprocess.run([sys.executable, "-m", "lcqy", *args], capture_output=True, env=env, check=True).stdout
        # A GBK console or pipe still gets UTF-8 JSON: what another program reading it expects.
        assert json.loads(out.decode("utf-8"))[0]["enterprise"] == "临翔区昔归茶业有限公司"
    conn = sqlite3.connect(ledger.db)
    conn.execute("UPDATE cases SET enterprise = CAST(X'E4B8AD41FF42' AS TEXT)")  # as only another program could
    conn.commit()
    conn.close()
    env["PYTHONIOENCODING"] = "utf-8"
    for args in (["overdue", "--json"], ["list", "--json"], ["overdue"]):
        r = subprocess.run([sys.executable, "-m", "lcqy", *args], capture_output=True, env=env)
        assert r.returncode == 1 and "台帐文件无法读取" in r.stderr.decode() and "lcqy check" in r.stderr.decode()


def test_narrow_terminal_cuts_a_title_with_its_column(monkeypatch):
    out = _terminal(monkeypatch, 60)
    row = (
        "12",
        "临翔区昔归茶业有限责任公司" * 2,
        "用电保障",
        "区人力资源和社会保障局",
        "2026-11-10",
        "220",
        "3",
        "未答复",
    )
    print_table(None, board.OVERDUE_COLUMNS, [row] * 2)
    head, rule, body = out.getvalue().splitlines()[:3]
    assert all(cells(line) <= 60 for line in (head, rule, body))
    # every column's title starts where its cells start
    for title, cell in (("时限", "2026-11-10"), ("情况", "未答复")):
        assert cells(head.split(title)[0]) == cells(body.split(cell)[0])
    assert "牵头…" in head  # 牵头部门 cut to the column's 6 cells


def test_cells_of_marks_and_wide_symbols():
    assert cells("A\u0301BC公司") == 7  # a combining accent takes no cell
    assert cells("零\u200b宽") == 4 and cells("🚀✅") == 4 and cells("（临翔）") == 8


def _stored_latest(db: Path) -> dict[int, tuple]:
    """cases.reply_now and followup_now (migration 19), each checked against what it stands for."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT c.reg_seq, c.reply_now, c.followup_now, (SELECT max(id) FROM replies WHERE case_id = c.id),"
            " (SELECT max(id) FROM followups WHERE case_id = c.id) FROM cases c"
        ).fetchall()
    finally:
        conn.close()
    assert [r[1:3] for r in rows] == [r[3:] for r in rows]
    return {r[0]: r[1:3] for r in rows}


def test_stored_latest_reply_and_followup_follow_every_act(ledger):
    a = ["--mode", "书面", "--summary", "已办"]
    reg(ledger, "2026-11-02")  # 1: answered twice, followed up, the second reply undone
    act(ledger, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-03")
    act(ledger, "reply", "1", "--result", "B", *a, "--plan", "分期", "--plan-due", "2026-11-20", "--date", "2026-11-05")
    assert _stored_latest(ledger.db)[1] == (1, None)
    assert ledger("followup", "1", "--method", "电话回询", "--satisfaction", "满意", "--date", "2026-11-06").code == 0
    act(ledger, "reply", "1", "--result", "A", *a, "--date", "2026-11-12")
    assert _stored_latest(ledger.db)[1] == (2, 1)
    assert ledger("undo", "1", "--reason", "录错了").code == 0
    assert _stored_latest(ledger.db)[1] == (1, 1)
    reg(ledger, "2026-11-02")  # 2: never answered
    assert _stored_latest(ledger.db)[2] == (None, None)
    # The agenda reads them: case 1 answered B (督办台帐, plan due 11-20) and followed up.
    got = json.loads(ledger("agenda", "--json", "--as-of", "2026-11-27").out)
    items = {i["case"]: (s["key"], i["note"]) for s in got["sections"] for i in s["items"]}
    assert items["2026-1"] == ("supervision", "督办台帐超期5个工作日")


def test_utf8_pieces_written_whole_and_checked(monkeypatch):
    """agenda --json's pieces (a spooled section is read back in blocks) may end inside a
    character: written as they are, checked as one text; bytes that are not UTF-8 are refused."""
    text = "督办台帐：恒达茶业".encode()
    for out_encoding in ("utf-8", "gbk"):
        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding=out_encoding)
        monkeypatch.setattr(sys, "stdout", stream)
        _json_out.write_utf8([text[:4], text[4:11], text[11:]])
        assert raw.getvalue().decode(out_encoding) == text.decode()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    with pytest.raises(sqlite3.DataError, match="UTF-8"):
        _json_out.write_utf8([text[:4], b"\xff", text[4:]])


def test_stored_latest_acts_after_a_batched_import(run, tmp_path, monkeypatch):
    """import-ledger sets migration 19's insert triggers aside and does their work once over the
    new rows: each imported case's latest reply and follow-up are still what they stand for."""
    fresh = sample_imported_in_batches(run, tmp_path, monkeypatch)
    latest = _stored_latest(fresh)
    assert sum(1 for r, _ in latest.values() if r) > 10 and sum(1 for _, f in latest.values() if f) > 5
