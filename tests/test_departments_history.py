"""Issue 10 item 6: departments renamed and retired, near-duplicate names, history in date
order, `check` warnings that do not fail (backdated numbers, a cloned sample's file mode),
and an error about --received that names --received."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import register_args, snapshot

ROOT = Path(__file__).resolve().parents[1]
DISPATCH = ["--approver", "王明", "--level", "副组长"]


def _case(run, date: str = "2026-11-02", **over) -> None:
    r = run("register", *register_args(date=date, **over))
    assert r.code == 0, r.err


def _dispatched(run) -> None:
    """Case 1 led by 区财政局 with 区自然资源局 cooperating; case 2 a consultation forwarded to 区财政局."""
    _case(run)
    r = run("dispatch", "1", "--dept", "区财政局", "--assist", "区自然资源局", *DISPATCH, "--date", "2026-11-03")
    assert r.code == 0, r.err
    _case(run, enterprise="临沧茶叶有限公司", problem="出口退税政策咨询", consult=True)
    assert run("forward", "2", "--dept", "区财政局", "--date", "2026-11-03").code == 0


def test_rename_updates_current_records_and_keeps_the_old_name_in_history(ledger):
    _dispatched(ledger)
    r = ledger("dept", "rename", "区财政局", "区财政局（区国资委）", "--date", "2026-11-20")
    assert r.code == 0, r.err
    assert "已将“区财政局”更名为“区财政局（区国资委）”（2026-11-20），涉及 2 件案件" in r.out
    show = ledger("show", "1").out
    assert "牵头 区财政局，" in show  # the dispatch as it was recorded
    assert "区财政局（区国资委）；区自然资源局" in show  # 牵头/配合 as it stands now
    assert "“区财政局”更名为“区财政局（区国资委）”（临翔服企办交（2026）第1号）" in show
    rows = {r["reg_no"][-3:]: r for r in json.loads(ledger("list", "--json").out)}
    assert rows["第1号"]["lead_dept"] == "区财政局（区国资委）"
    depts = json.loads(ledger("dept", "list", "--json").out)
    names = [d["name"] for d in depts]
    assert "区财政局" not in names and names.index("区财政局（区国资委）") == 4  # keeps its place
    assert next(d for d in depts if d["name"] == "区财政局（区国资委）")["lead"] == 1
    assert json.loads(ledger("show", "2", "--json").out)["forward_dept"] == "区财政局（区国资委）"
    # A cooperating department renamed too.
    assert ledger("dept", "rename", "区自然资源局", "区自然资源和规划局").code == 0
    assert json.loads(ledger("show", "1", "--json").out)["dispatches"][0]["assist"] == ["区自然资源和规划局"]
    # The old name is gone from the list: a dispatch to it is refused with the new one suggested.
    _case(ledger, enterprise="临沧甲公司", problem="丙")
    r = ledger("dispatch", "3", "--dept", "区财政局", *DISPATCH)
    assert r.code == 1 and "不在部门名单中" in r.err and "区财政局（区国资委）" in r.err
    assert ledger("check").code == 0


def test_rename_refusals_leave_the_ledger_unchanged(ledger):
    before = snapshot(ledger.db)
    r = ledger("dept", "rename", "区财正局", "区财政局2")
    assert r.code == 1 and "“区财正局”不在部门名单中" in r.err and "区财政局" in r.err
    r = ledger("dept", "rename", "区财政局", "区自然资源局")
    assert r.code == 1 and "“区自然资源局”已在名单中" in r.err
    r = ledger("dept", "rename", "区财政局", "区财政局")
    assert r.code == 1 and "新名称与原名称相同" in r.err
    assert snapshot(ledger.db) == before


def test_retired_department_takes_no_new_dispatch_and_keeps_its_history(ledger):
    _dispatched(ledger)
    r = ledger("dept", "retire", "区财政局", "--date", "2026-11-25")
    assert r.code == 0, r.err
    assert "已停用“区财政局”（2026-11-25）" in r.out and "它仍牵头或配合 1 件在办案件" in r.out
    _case(ledger, enterprise="临沧甲公司", problem="丙")
    before = snapshot(ledger.db)
    r = ledger("dispatch", "3", "--dept", "区财政局", *DISPATCH)
    assert r.code == 1 and "牵头部门“区财政局”已于 2026-11-25 停用，不能再交办给它" in r.err
    r = ledger("dispatch", "3", "--dept", "区发展和改革局", "--assist", "区财政局", *DISPATCH)
    assert r.code == 1 and "配合部门“区财政局”已于 2026-11-25 停用" in r.err
    r = ledger("dept", "retire", "区财政局")
    assert r.code == 1 and "已于 2026-11-25 停用" in r.err
    assert snapshot(ledger.db) == before
    # History and current records keep it; the list shows it retired; filters still find it.
    assert "区财政局；区自然资源局" in ledger("show", "1").out
    depts = {d["name"]: d for d in json.loads(ledger("dept", "list", "--json").out)}
    assert depts["区财政局"]["retired_on"] == "2026-11-25" and depts["区财政局"]["lead"] == 1
    assert depts["区发展和改革局"]["retired_on"] is None
    assert "2026-11-25 停用" in ledger("dept", "list").out
    assert [r["reg_no"] for r in json.loads(ledger("list", "--dept", "区财政局", "--json").out)] == [
        "临翔服企办收（2026）第1号"
    ]
    assert ledger("reply", "1", "--result", "A", "--mode", "面复", "--summary", "已接电").code == 0


def test_dept_add_warns_of_a_near_duplicate_and_adds_it(ledger):
    r = ledger("dept", "add", "区发改局", "区审计局", "临翔区供电局")
    assert r.code == 0, r.err
    assert "已添加 3 个部门：区发改局、区审计局、临翔区供电局" in r.out
    assert "注意：“区发改局”与名单中的“区发展和改革局”相近" in r.out
    assert "lcqy dept retire 区发改局" in r.out
    assert "注意：“临翔区供电局”与名单中的“临翔供电局”相近" in r.out
    assert "“区审计局”与" not in r.out
    r = ledger("dept", "add", "区人社局")
    assert "“区人社局”与名单中的“区人力资源和社会保障局”相近" in r.out


def test_history_in_date_order_with_entry_order_for_ties(ledger):
    _dispatched(ledger)
    # Entered after the dispatch of 11-03 but dated before it.
    assert ledger("dept", "rename", "区自然资源局", "区自然资源和规划局", "--date", "2026-11-02").code == 0
    assert ledger("extend", "1", "--until", "2026-11-17", "--reason", "需现场核查", "--date", "2026-11-05").code == 0
    conn = sqlite3.connect(ledger.db)
    with conn:  # an entry made out of order (e.g. an import), dated before everything else
        conn.execute("UPDATE events SET act_on = '2026-11-04' WHERE action = 'extend'")
    conn.close()
    events = json.loads(ledger("show", "1", "--json").out)["events"]
    assert [(e["act_on"], e["action"]) for e in events] == [
        ("2026-11-02", "register"),
        ("2026-11-02", "dept-rename"),  # same date: in the order entered
        ("2026-11-03", "dispatch"),
        ("2026-11-04", "extend"),
    ]
    out = ledger("show", "1").out
    history = out[out.index("操作记录") :]
    assert history.index("登记") < history.index("部门更名") < history.index("交办") < history.index("延期")


def test_check_warns_of_backdated_numbers_without_failing(ledger):
    _case(ledger, date="2026-11-20")
    _case(ledger, date="2026-11-10", enterprise="临沧乙公司", problem="丁")  # entered later, dated earlier
    r = ledger("check")
    assert r.code == 0 and "台帐检查通过" in r.out
    assert (
        "提醒：编号顺序：2026年“收”字号有 1 个编号的日期早于排在它前面的编号"
        "（如第2号 2026-11-10，前面已有 2026-11-20 的编号）。" in r.out
    )
    out = json.loads(ledger("check", "--json").out)
    assert out["problems"] == [] and len(out["warnings"]) == 1


@pytest.mark.posix_only("git checks out 0644 and check advises chmod; Windows has no mode bits")
def test_shipped_sample_passes_check_as_git_clone_leaves_it(tmp_path, run, monkeypatch):
    cloned = tmp_path / "sample_ledger.db"
    shutil.copyfile(ROOT / "sample_ledger.db", cloned)
    os.chmod(cloned, 0o644)  # what git checks a file out as
    monkeypatch.setenv("LCQY_DB", str(cloned))
    r = run("check")
    assert r.code == 0, r.out
    assert "台帐检查通过" in r.out
    assert f"提醒：文件权限 644：台帐含企业信息，应仅本人可读写。请运行：chmod 600 {cloned}" in r.out
    os.chmod(cloned, 0o600)
    assert "文件权限" not in run("check").out


def test_an_error_about_received_names_received(ledger):
    _case(ledger)
    before = snapshot(ledger.db)
    base = ["dispatch", "1", "--dept", "区财政局", *DISPATCH, "--date", "2026-11-03"]
    r = ledger(*base, "--received", "2026-11-01")
    assert r.code == 1 and "收到日期（--received）2026-11-01早于交办日期2026-11-03" in r.err
    r = ledger(*base, "--received", "2026-13-01")
    assert r.code == 1 and "收到日期（--received）“2026-13-01”不是有效日期" in r.err
    r = ledger(*base, "--received", "2026-12-01")
    assert r.code == 1 and "收到日期（--received）" in r.err and "--date" not in r.err
    assert snapshot(ledger.db) == before


def test_redispatch_of_a_special_supervision_case_refuses_a_retired_department(ledger):
    _case(ledger, date="2026-09-14")
    r = ledger("dispatch", "1", "--dept", "区财政局", *DISPATCH, "--date", "2026-09-15")
    assert r.code == 0, r.err
    r = ledger("reply", "1", "--result", "A", "--mode", "书面", "--summary", "已答复", "--date", "2026-09-18")
    assert r.code == 0, r.err
    r = ledger("followup", "1", "--method", "现场走访", "--satisfaction", "不满意", "--date", "2026-09-21")
    assert r.code == 0 and "专项督办" in r.out
    assert ledger("dept", "retire", "区自然资源局", "--date", "2026-09-30").code == 0
    before = snapshot(ledger.db)
    again = ["redispatch", "1", "--approver", "王强", "--level", "主任", "--reason", "原单位无此职能"]
    r = ledger(*again, "--dept", "区自然资源局", "--date", "2026-10-13")
    assert r.code == 1 and "牵头部门“区自然资源局”已于 2026-09-30 停用" in r.err
    r = ledger(*again, "--dept", "区发展和改革局", "--date", "2026-10-13", "--received", "2026-10-12")
    assert r.code == 1 and "收到日期（--received）2026-10-12早于交办日期2026-10-13" in r.err
    assert snapshot(ledger.db) == before
    r = ledger(*again, "--dept", "区发展和改革局", "--date", "2026-10-13", "--received", "2026-10-14")
    assert r.code == 0, r.err
