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

from lcqy.cli import _rows, board
from lcqy.cli._rows import Col, cells, fit, print_table
from tests.conftest import register_args
from tests.test_lifecycle import DISPATCH, act, reg


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
        "import sys; from lcqy.calendar_source import official_year, known_years; official_year(2026); known_years(); "
        "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    from lcqy.calendar_source import official_year

    rest, work = official_year(2026)
    assert date(2026, 10, 1) in rest and date(2026, 10, 10) in work and date(2026, 9, 20) in work


def test_bad_number_option_is_said_in_chinese(ledger):
    r = ledger("overdue", "--within", "两")
    assert r.code == 2 and "--within" in r.err and "整数" in r.err


def _calendar_run(cache: Path, code: str) -> str:
    env = {**os.environ, "LCQY_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout


CAL_PROBE = (
    "import sys; from datetime import date; from lcqy.calendar_source import build_calendar; "
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


def test_board_records_written_by_sqlite_equal_the_rows(ledger):
    """The bulk of `overdue --json` is written by SQLite (json_object), the rest by Python:
    every record has the same keys, order and values as the board's Row for it, estimated
    limits and 督办 rows included."""
    from lcqy.acts.context import Ctx
    from lcqy.acts.overdue import Row, iter_overdue
    from lcqy.store.db import Ledger
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
    as_of = date(UNKNOWN, 2, 1)
    led = Ledger.open(ledger.db)
    try:
        ctx = Ctx(led, as_of)
        rows = [r._asdict() for r in iter_overdue(ctx, as_of=as_of, within=3)]
        texts = [json.loads(t) for t in iter_overdue(ctx, as_of=as_of, within=3, as_json=True)]
        dept = [json.loads(t) for t in iter_overdue(ctx, as_of=as_of, dept="区财政局", as_json=True)]
    finally:
        led.close()
    assert texts == rows and all(list(t) == list(Row._fields) for t in texts)
    assert {r["kind"] for r in rows} == {"待交办", "办理中", "督办台帐", "待专题会议"}
    assert any(r["due_estimated"] for r in rows) and any(r["urge_count"] == 1 for r in rows)
    assert [r["case"] for r in dept] == ["2026-2", "2026-3"]  # leads one, assists the other
