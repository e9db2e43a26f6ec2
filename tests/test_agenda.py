"""agenda: the morning list, worst first, each line with its next command. Today is 2026-11-27 (Fri)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from tests.conftest import register_args
from tests.test_lifecycle import DISPATCH, act

ROOT = Path(__file__).resolve().parents[1]


def _sections(run, *args: str) -> dict[str, list[dict]]:
    r = run("agenda", *args, "--json")
    assert r.code == 0, r.err
    return {s["key"]: s["items"] for s in json.loads(r.out)["sections"]}


def test_each_case_in_its_worst_section_with_the_next_command(ledger):
    def reg(on: str, **kw) -> None:
        assert ledger("register", *register_args(**kw), "--date", on).code == 0

    r = ledger("agenda")
    assert r.code == 0 and "没有需要办理的事项" in r.out

    reg("2026-11-24")  # 1: dispatch limit 11/26, one working day passed
    reg("2026-11-26")  # 2: dispatch limit 11/30, within 2 working days
    reg("2026-11-13")  # 3: due 11/23, 4 working days late, never urged
    act(ledger, "dispatch", "3", "--dept", "区财政局", *DISPATCH, "--date", "2026-11-16")
    reg("2026-11-06")  # 4: due 11/16, urged 11/17 to answer by 11/20: passed
    act(ledger, "dispatch", "4", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-09")
    act(ledger, "urge", "4", "--no-letter", "--date", "2026-11-17")
    for n in ("5", "6", "7"):
        reg("2026-11-02")
        act(ledger, "dispatch", n, "--dept", "区自然资源局", *DISPATCH, "--date", "2026-11-03")
    a = ["--result", "A", "--mode", "书面", "--summary", "已办"]
    act(ledger, "reply", "5", *a, "--date", "2026-11-05")
    act(ledger, "followup", "5", "--method", "电话回询", "--satisfaction", "满意", "--date", "2026-11-06")
    act(ledger, "reply", "6", *a, "--date", "2026-11-05")
    act(ledger, "reply", "7", "--result", "B", "--mode", "书面", "--summary", "分期", "--plan", "年内完成",
        "--plan-due", "2026-11-25", "--date", "2026-11-05")  # fmt: skip
    reg("2026-11-02", major=True)
    act(ledger, "dispatch", "8", "--approver", "区长", "--level", "专题会议", "--date", "2026-11-03")

    s = _sections(ledger)
    assert list(s)[:3] == ["urge_expired", "late_not_urged", "supervision"]
    got = {k: [(i["case"], i["days_late"], i["next"].split(" --")[0]) for i in v] for k, v in s.items() if v}
    assert got == {
        "urge_expired": [("2026-4", 9, "lcqy urge 4")],  # 11/17 … 11/27: 9 working days after 11/16
        "late_not_urged": [("2026-3", 4, "lcqy urge 3")],
        "supervision": [("2026-7", 2, "lcqy urge 7")],  # plan date 11/25: 11/26, 11/27
        "to_dispatch": [("2026-1", 1, "lcqy dispatch 1")],
        "meeting": [("2026-8", 0, "lcqy dispatch 8")],
        "due_soon": [("2026-2", 0, "lcqy dispatch 2")],
        "followup": [("2026-6", 0, "lcqy followup 6")],
        "ready_close": [("2026-5", 0, "lcqy close 5")],
    }
    # Urged today: the late case is chased, it leaves the list.
    act(ledger, "urge", "3", "--no-letter")
    assert "late_not_urged" not in {k for k, v in _sections(ledger).items() if v}
    r = ledger("agenda", "--as-of", "2026-13-01")
    assert r.code == 1 and "清单日期（--as-of）" in r.err


def test_sample_agenda_has_every_section(run, tmp_path, monkeypatch):
    sample = tmp_path / "sample.db"
    shutil.copy(ROOT / "sample_ledger.db", sample)
    monkeypatch.setenv("LCQY_DB", str(sample))
    s = _sections(run, "--as-of", "2026-11-27")
    # The sample has no online users: requests and 签收 are tested in test_online_acts.py, the
    # enterprises' submissions and additions in test_public_submissions.py.
    online = ("dept_requests", "unsigned", "online", "enterprise_added")
    offline = {k: v for k, v in s.items() if k not in online}
    assert all(offline.values()), [k for k, v in offline.items() if not v]
    r = run("agenda", "--as-of", "2026-11-27")
    lines = r.out.splitlines()
    # One screen: at most 3 lines a section, each section's title and count shown.
    assert len(lines) <= 45 and lines[1].startswith("■ 催办函、督办函限期已过")
    assert all("→ lcqy " in ln for ln in lines if ln[:5].strip().isdigit())


PLACEHOLDERS = {"部门": "区财政局", "领导": "王强", "日期": "2026-12-18", "理由": "办理不彻底", "建议": "需市级协调",
                "A|B|C": "A", "情况": "已办结"}  # fmt: skip


def _run_next(run, item: dict) -> None:
    """The item's suggested command, its placeholders filled, is accepted."""
    argv = [PLACEHOLDERS.get(w, w) for w in item["next"].split()]
    assert argv[0] == "lcqy", item
    r = run(*argv[1:])
    assert r.code == 0, (item["next"], r.err)


def test_next_steps_run_as_suggested(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # urge and package write their papers here
    for kw in ({"major": True}, {"consult": True}, {}):
        assert ledger("register", *register_args(**kw), "--date", "2026-11-26").code == 0
    items = _sections(ledger)["due_soon"]
    assert sorted(i["next"] for i in items) == [
        "lcqy dispatch 1 --dept 部门 --approver 领导 --level 副组长 --tier 重大",  # a major case (第十二条)
        "lcqy dispatch 3 --dept 部门 --approver 领导 --level 主任",
        "lcqy forward 2 --dept 部门",  # a consultation (第十条)
    ]
    for item in items:
        _run_next(ledger, item)
    shown = {i["case"]: i for v in _sections(ledger, "--as-of", "2027-01-20").values() for i in v}
    assert shown["2026-1"]["due"] == "2026-12-28"  # a major case: one month from receipt
    assert "2026-2" not in shown  # forwarded: no longer the office's to handle


def test_second_urge_only_after_the_letters_deadline(ledger):
    assert ledger("register", *register_args(), "--date", "2026-11-02").code == 0
    act(ledger, "dispatch", "1", "--dept", "区财政局", *DISPATCH, "--date", "2026-11-03")  # due 11-10

    def where(day: str) -> list[str]:
        return [k for k, v in _sections(ledger, "--as-of", day).items() if any(i["case"] == "2026-1" for i in v)]

    assert where("2026-11-12") == ["late_not_urged"]
    u = act(ledger, "urge", "1", "--no-letter", "--date", "2026-11-13")
    by = u["reply_by"]
    assert by == "2026-11-18"
    # Urged: off the list while the letter's time runs, its last day included, however many
    # working days have passed since the urge.
    assert where("2026-11-17") == [] and where(by) == []
    assert where("2026-11-19") == ["urge_expired"]
    r = ledger("agenda", "--as-of", "2026-11-19")
    assert "限期已过" in r.out and "→ lcqy urge 1" in r.out


def test_every_suggestion_on_the_sample_runs(run, tmp_path, monkeypatch):
    sample = tmp_path / "sample.db"
    shutil.copy(ROOT / "sample_ledger.db", sample)
    monkeypatch.setenv("LCQY_DB", str(sample))
    monkeypatch.chdir(tmp_path)
    items = [i for v in _sections(run, "--as-of", "2026-11-27").values() for i in v]
    assert {i["next"].split()[1] for i in items} >= {"urge", "dispatch", "package", "followup", "close", "reply"}
    for item in items:
        _run_next(run, item)


def test_as_of_a_past_day_shows_the_ledger_as_it_stood_then(ledger):
    """Each day's list and overdue board, drawn up on the day, are those asked later `--as-of`
    that day: the acts dated after it are left out."""
    a = ["--mode", "书面", "--summary", "已办"]
    acts = [
        *[("2026-10-09", ["register", *register_args()]) for _ in range(6)],
        ("2026-10-12", ["dispatch", "1", "--dept", "区财政局", *DISPATCH]),
        ("2026-10-12", ["dispatch", "2", "--dept", "临翔供电局", *DISPATCH]),
        ("2026-10-12", ["dispatch", "3", "--dept", "区自然资源局", *DISPATCH]),
        ("2026-10-12", ["escalate", "4", "--approver", "张文", "--suggestion", "需市级协调"]),
        ("2026-10-12", ["dispatch", "5", "--approver", "区长", "--level", "专题会议"]),
        ("2026-10-16", ["reply", "2", "--result", "A", *a]),
        ("2026-10-20", ["urge", "1", "--no-letter"]),
        ("2026-10-22", ["followup", "2", "--method", "电话回询", "--satisfaction", "满意"]),
        ("2026-10-22", ["reply", "3", "--result", "B", *a, "--plan", "分期", "--plan-due", "2026-11-05"]),
        ("2026-10-28", ["dispatch", "6", "--dept", "区发展和改革局", *DISPATCH]),
        ("2026-11-03", ["reply", "1", "--result", "A", *a]),
        ("2026-11-04", ["followup", "1", "--method", "电话回询", "--satisfaction", "不满意"]),
        ("2026-11-05", ["supervise", "1", "--until", "2026-11-12", "--reason", "答复含糊"]),
        ("2026-11-10", ["close", "2"]),
        ("2026-11-16", ["dispatch", "5", "--dept", "区财政局", "--approver", "区长", "--level", "专题会议"]),
    ]
    days = ["2026-10-14", "2026-10-21", "2026-10-30", "2026-11-06", "2026-11-13", "2026-11-18"]
    then: dict[str, tuple[str, ...]] = {}
    reads = (["agenda", "--json"], ["agenda", "--all"], ["overdue", "--json"], ["overdue"])
    for day in [*days, "2026-11-27"]:
        while acts and acts[0][0] <= day:
            on, argv = acts.pop(0)
            assert ledger(*argv, "--date", on).code == 0, argv
        if day in then or day == "2026-11-27":
            continue
        then[day] = tuple(ledger(*argv, "--as-of", day).out for argv in reads)
    assert not acts
    for day, outs in then.items():
        assert tuple(ledger(*argv, "--as-of", day).out for argv in reads) == outs, day
    # What changed between the days shows: case 1 late and urged, then answered, then 专项督办.
    keys = {d: {i["case"]: s["key"] for s in json.loads(then[d][0])["sections"] for i in s["items"]} for d in days}
    assert keys["2026-10-14"] == {"2026-6": "to_dispatch", "2026-5": "meeting"}
    assert "2026-1" not in keys["2026-10-21"]  # urged on 10-20: its letter's time runs
    assert keys["2026-10-30"]["2026-1"] == "urge_expired" and keys["2026-10-30"]["2026-2"] == "ready_close"
    assert "2026-1" not in keys["2026-11-06"]  # answered, 专项督办 until 11-12
    assert keys["2026-11-13"]["2026-1"] == "supervision" and "2026-2" not in keys["2026-11-13"]  # closed 11-10
    assert "2026-5" not in keys["2026-11-18"]  # dispatched after the meeting on 11-16
    late = {d: {r["case"]: r["days_late"] for r in json.loads(then[d][2])} for d in days}
    # 1 and 3 due 10-19; 6 to be dispatched by 10-12 (10-10 a 调休 workday); 5 awaits its meeting
    assert late["2026-10-21"] == {"2026-1": 2, "2026-3": 2, "2026-6": 7, "2026-5": 0}
    assert late["2026-11-13"]["2026-1"] == 1  # 专项督办 until 11-12


def test_an_entry_of_no_case_does_not_make_a_day_past(ledger, tmp_path):
    """An act on a case dated after the day draws the day up as it stood then; an entry of no
    case (a department added, the office's key) changes no case and leaves the cases' own state."""
    from lcqy.acts.boards import then
    from lcqy.acts.context import Ctx
    from lcqy.store.db import Ledger

    assert ledger("register", *register_args(), "--date", "2026-11-20").code == 0
    assert ledger("dept", "add", "区比对测试局", today="2026-12-01").code == 0

    def after(day: str) -> bool:
        led = Ledger.open(ledger.db)
        try:
            return then.acts_after(Ctx(ledger=led, today=date(2026, 12, 1)), date.fromisoformat(day))
        finally:
            led.close()

    assert not after("2026-11-27")
    assert after("2026-11-19")  # the registration is dated 11-20
    assert ledger("dispatch", "1", "--dept", "区财政局", *DISPATCH, "--date", "2026-11-30").code == 0
    assert after("2026-11-27")
