"""agenda: the morning list, worst first, each line with its next command. Today is 2026-11-27 (Fri)."""

from __future__ import annotations

import json
import shutil
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
