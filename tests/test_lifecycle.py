"""Issue: case lifecycle — each rule through the CLI, dates hand-computed on the 2026 calendar.

2026 rest days used below: 春节 2/15–2/23 (2/14 Sat and 2/28 Sat are workdays);
国庆/中秋 10/1–10/7 (9/20 Sun and 10/10 Sat are workdays).
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import register_args, snapshot


def reg(run, on: str, **over) -> dict:
    r = run("register", *register_args(**over), "--date", on, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def act(run, *args: str) -> dict:
    r = run(*args, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def imported_elsewhere(ledger, run, tmp_path, monkeypatch):
    """The ledger exported to Excel and imported into a new ledger, which later commands use;
    returns the new ledger's path."""
    from tests.conftest import INIT

    sheet = tmp_path / "ledger.xlsx"
    assert ledger("export-ledger", "-o", str(sheet)).code == 0
    other = tmp_path / "other.db"
    monkeypatch.setenv("LCQY_DB", str(other))
    assert run(*INIT).code == 0
    r = run("import-ledger", str(sheet))
    assert r.code == 0, r.err
    return other


def sample_exported(run, tmp_path, monkeypatch, name: str = "sample.xlsx", *flags: str):
    """A copy of the sample ledger (LCQY_DB set to it) exported to an Excel ledger in tmp_path:
    returns the sheet's path."""
    import shutil
    from pathlib import Path

    sample = tmp_path / "sample.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "sample_ledger.db", sample)
    sample.chmod(0o600)
    monkeypatch.setenv("LCQY_DB", str(sample))
    sheet = tmp_path / name
    assert run("export-ledger", "-o", str(sheet), *flags).code == 0
    return sheet


def sample_imported_in_batches(run, tmp_path, monkeypatch):
    """The sample ledger exported to Excel and imported into a new ledger with the index
    rebuild after every row (import-ledger's batched path, its triggers set aside): returns
    the new ledger's path."""
    from lcqy.acts.records import write
    from tests.conftest import INIT

    sheet = sample_exported(run, tmp_path, monkeypatch)
    fresh = tmp_path / "new.db"
    monkeypatch.setenv("LCQY_DB", str(fresh))
    assert run(*INIT).code == 0
    monkeypatch.setattr(write, "REINDEX_ROWS", 1)  # the indexes set aside too
    assert run("import-ledger", str(sheet)).code == 0
    return fresh


def supervised_then_redispatched(run, n: str) -> None:
    """Case n (registered) dispatched to 区财政局, answered B with a plan, the enterprise not
    satisfied, put under 专项督办, then dispatched again to 临翔供电局."""
    act(run, "dispatch", n, "--dept", "区财政局", *DISPATCH, "--date", "2026-11-03")
    plan = ["--plan", "分期", "--plan-due", "2026-11-16"]
    act(run, "reply", n, "--result", "B", "--mode", "书面", "--summary", "列入计划", *plan, "--date", "2026-11-06")
    unhappy = ["--method", "电话回询", "--satisfaction", "不满意", "--date", "2026-11-09"]
    assert run("followup", n, *unhappy).code == 0
    special = ["--until", "2026-11-20", "--reason", "答复含糊", "--date", "2026-11-09"]
    assert run("supervise", n, *special).code == 0
    redo = ["--reason", "原单位无此职能", "--date", "2026-11-10"]
    assert run("redispatch", n, "--dept", "临翔供电局", *DISPATCH, *redo).code == 0


def answered_then_changed(run, *statements: str):
    """Case 1 dispatched and answered (A), sound under `check --deep`; then `statements` run by
    another program straight on the file; returns the `check --deep` that follows."""
    import sqlite3

    reg(run, "2026-11-02")
    act(run, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-03")
    act(run, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "已办", "--date", "2026-11-05")
    assert run("check", "--deep").code == 0
    conn = sqlite3.connect(run.db)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()
    return run("check", "--deep")


def refused(run, *args: str, word: str) -> str:
    before = snapshot(run.db)
    r = run(*args)
    assert r.code == 1, (args, r.out)
    assert word in r.err, (args, r.err)
    assert "Traceback" not in r.err
    assert snapshot(run.db) == before, f"{args} changed the ledger"
    return r.err


def show(run, case: str) -> dict:
    return act(run, "show", case)


DISPATCH = ["--approver", "王强", "--level", "主任"]


def test_dispatch_across_national_day(ledger):
    reg(ledger, "2026-09-28")
    d = act(ledger, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-09-29")
    assert d["no"] == "临翔服企办交（2026）第1号"
    # 9/29 + 5: 9/30, (10/1-7 off), 10/8, 10/9, 10/10 (Sat workday), 10/12
    assert d["due_current"] == "2026-10-12"
    # dispatch limit from acceptance 9/28 + 2: 9/29, 9/30 — dispatched on time
    assert d["limit_due"] == "2026-09-30" and d["late"] == 0
    r = ledger("dispatch", "1", "--dept", "临翔供电局", *DISPATCH)
    assert r.code == 1 and "办理中" in r.err


def test_dispatch_across_spring_festival_and_text_output(ledger):
    reg(ledger, "2026-02-11")
    r = ledger("dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-02-12")
    assert r.code == 0, r.err
    # 2/12 + 5: 2/13, 2/14 (Sat workday), (2/15-23 off), 2/24, 2/25, 2/26
    assert "临翔服企办交（2026）第1号" in r.out and "2026-02-26" in r.out
    assert "延迟交办" not in r.out


def test_late_dispatch_is_allowed_and_recorded(ledger):
    reg(ledger, "2026-03-02")
    d = act(ledger, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-03-05")
    # limit 3/2 + 2 = 3/4; dispatched 3/5
    assert d["limit_due"] == "2026-03-04" and d["late"] == 1
    assert "超过交办时限" in ledger("show", "1").out


def test_assist_needs_higher_approval_and_gets_three_days(ledger):
    reg(ledger, "2026-03-02")
    refused(ledger, "dispatch", "1", "--dept", "临翔供电局", "--assist", "区财政局", *DISPATCH, word="副组长")
    refused(
        ledger,
        "dispatch",
        "1",
        "--dept",
        "临翔供电局",
        "--assist",
        "临翔供电局",
        "--approver",
        "李明",
        "--level",
        "副组长",
        word="牵头",
    )
    refused(ledger, "dispatch", "1", "--dept", "临翔供电局", "--approver", "李明", "--level", "处长", word="审批层级")
    d = act(
        ledger,
        "dispatch",
        "1",
        "--dept",
        "临翔供电局",
        "--assist",
        "区财政局",
        "--assist",
        "区自然资源局",
        "--approver",
        "李明",
        "--level",
        "副组长",
        "--date",
        "2026-03-05",
    )
    # three working days with cooperating departments: 3/3, 3/4, 3/5 — on time
    assert d["limit_due"] == "2026-03-05" and d["late"] == 0
    assert d["assist"] == ["区财政局", "区自然资源局"]


def test_major_tier_is_one_month(ledger):
    reg(ledger, "2026-09-04", major=True)
    d = act(
        ledger,
        "dispatch",
        "1",
        "--dept",
        "区自然资源局",
        "--approver",
        "李明",
        "--level",
        "组长",
        "--tier",
        "重大",
        "--date",
        "2026-09-07",
    )
    # one month from 9/7 is 10/7, a holiday -> next working day 10/8
    assert d["due_current"] == "2026-10-08"
    refused(ledger, "dispatch", "1", "--dept", "区自然资源局", "--approver", "x", "--level", "组长", word="办理中")


def test_received_date_starts_the_limit(ledger):
    reg(ledger, "2026-06-15")
    d = act(
        ledger, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-06-16", "--received", "2026-06-18"
    )
    # 6/18 + 5: (6/19-21 端午), 6/22, 23, 24, 25, 26
    assert d["received_on"] == "2026-06-18" and d["due_current"] == "2026-06-26"


def test_extend_limits_and_override(ledger):
    reg(ledger, "2026-09-28")
    act(ledger, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-09-29")
    # 15 working days after 9/29: 9/30, 10/8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26
    err = refused(ledger, "extend", "1", "--until", "2026-10-27", "--reason", "需现场核查", word="2026-10-26")
    assert "--override-reason" in err
    refused(ledger, "extend", "1", "--until", "2026-10-25", "--reason", "x", word="休息日")
    refused(ledger, "extend", "1", "--until", "2026-10-09", "--reason", "x", word="须晚于")
    e = act(ledger, "extend", "1", "--until", "2026-10-26", "--reason", "需现场核查", "--date", "2026-10-09")
    assert e["due_current"] == "2026-10-26" and e["due_original"] == "2026-10-12" and e["override_reason"] == ""
    e = act(
        ledger,
        "extend",
        "1",
        "--until",
        "2026-11-02",
        "--reason",
        "需省级批复",
        "--override-reason",
        "等待省厅批复",
        "--date",
        "2026-10-20",
    )
    assert e["override_reason"] == "等待省厅批复"
    out = ledger("show", "1").out
    assert "原 2026-10-12" in out and "2026-11-02" in out


def test_reply_after_due_is_late_and_bc_need_plan(ledger):
    reg(ledger, "2026-09-28")
    act(ledger, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-09-29")
    refused(ledger, "reply", "1", "--result", "B", "--mode", "书面", "--summary", "正在办理", word="--plan")
    refused(ledger, "reply", "1", "--result", "D", "--mode", "书面", "--summary", "x", word="办理结果")
    refused(ledger, "reply", "1", "--result", "A", "--mode", "电话", "--summary", "x", word="面复")
    refused(
        ledger, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "x", "--date", "2026-09-28", word="早于"
    )
    r = act(
        ledger,
        "reply",
        "1",
        "--result",
        "a",
        "--mode",
        "书面",
        "--summary",
        "已接电",
        "--doc-no",
        "临翔供电函〔2026〕12号",
        "--date",
        "2026-10-13",
    )
    assert r["result"] == "A" and r["late"] == 1  # due 10/12
    assert "超期办结" in ledger("show", "1").out


def test_supervision_and_close_rules(ledger):
    reg(ledger, "2026-03-02")
    act(ledger, "dispatch", "1", "--dept", "区自然资源局", *DISPATCH, "--date", "2026-03-03")
    refused(ledger, "followup", "1", "--method", "电话回询", "--satisfaction", "满意", word="不能回访")
    act(
        ledger,
        "reply",
        "1",
        "--result",
        "B",
        "--mode",
        "面复",
        "--summary",
        "列入规划",
        "--plan",
        "2027年6月底前完成用地报批",
        "--plan-due",
        "2027-06-30",
        "--date",
        "2026-03-09",
    )
    assert show(ledger, "1")["supervision_label"] == "督办台帐"
    assert len(json.loads(ledger("list", "--supervision", "督办台帐", "--json").out)) == 1
    err = refused(ledger, "close", "1", word="不能销号")
    assert "B类" in err and "回访" in err
    act(
        ledger,
        "followup",
        "1",
        "--method",
        "现场走访",
        "--satisfaction",
        "不满意",
        "--note",
        "答复含糊",
        "--date",
        "2026-03-10",
    )
    assert show(ledger, "1")["supervision_label"] == "专项督办"
    # A new reply on a supervised case: B -> A. 专项督办 stays until the enterprise is satisfied.
    act(ledger, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "已批复用地", "--date", "2026-04-01")
    v = show(ledger, "1")
    assert v["supervision_label"] == "专项督办" and [x["result"] for x in v["replies"]] == ["B", "A"]
    assert v["replies"][1]["late"] == 0  # only the first reply is measured against the limit
    err = refused(ledger, "close", "1", word="还没有回访")
    act(ledger, "followup", "1", "--method", "电话回询", "--satisfaction", "基本满意", "--date", "2026-04-02")
    c = act(ledger, "close", "1", "--date", "2026-04-03")
    assert c["on"] == "2026-04-03"
    v = show(ledger, "1")
    assert v["state"] == "closed" and v["supervision"] == ""
    refused(ledger, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, word="已销号")
    refused(ledger, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "x", word="已销号")


def test_incomplete_followup_puts_under_special_supervision(ledger):
    reg(ledger, "2026-03-02")
    act(ledger, "dispatch", "1", "--dept", "区自然资源局", *DISPATCH, "--date", "2026-03-03")
    act(ledger, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "已办", "--date", "2026-03-05")
    act(
        ledger,
        "followup",
        "1",
        "--method",
        "电话回询",
        "--satisfaction",
        "满意",
        "--incomplete",
        "--date",
        "2026-03-06",
    )
    assert show(ledger, "1")["supervision_label"] == "专项督办"
    refused(ledger, "close", "1", word="办理不彻底")


def test_urge_counts_days_late_and_reply_by(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    reg(ledger, "2026-09-28")
    act(ledger, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-09-29")
    u = act(ledger, "urge", "1", "--date", "2026-10-15")
    # due 10/12; late on 10/13, 14, 15 -> 3; reply by 10/15 + 3 working days: 16, 19, 20
    assert u["days_late"] == 3 and u["reply_by"] == "2026-10-20" and u["count"] == 1
    assert u["letter"].endswith("第1次催办函.docx") and (tmp_path / u["letter"]).exists()
    u = act(ledger, "urge", "1", "--date", "2026-10-19", "--no-letter")
    assert u["count"] == 2 and u["days_late"] == 5 and u["letter"] is None
    reg(ledger, "2026-10-19")
    refused(ledger, "urge", "2", word="待交办")


def test_overdue_board(ledger):
    today = "2026-11-27"  # Friday
    reg(ledger, "2026-11-20")  # 1: limit 11/24, undispatched -> late 11/25, 26, 27 = 3
    reg(ledger, "2026-11-26")  # 2: limit 11/30 (Mon) -> due within 1 working day
    reg(ledger, "2026-11-02")  # 3: dispatched 11/3, due 11/10 -> late 11/11..11/27 = 13
    act(ledger, "dispatch", "3", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-03")
    ledger("urge", "3", "--no-letter", "--date", "2026-11-12")
    reg(ledger, "2026-11-02")  # 4: submitted to a special meeting -> waiting, never late
    act(ledger, "dispatch", "4", "--approver", "区长", "--level", "专题会议", "--date", "2026-11-03")
    reg(ledger, "2026-11-25")  # 5: limit 11/27 -> due today (soon, not late)
    reg(ledger, "2026-11-02", channel="电子邮件")  # 6: closed, never listed
    act(ledger, "reject", "6", "--reason", "诉讼", "--date", "2026-11-03")
    rows = act(ledger, "overdue", "--as-of", today)
    got = [(r["case"], r["status"], r["days_late"], r["due"]) for r in rows]
    assert got == [
        ("2026-3", "late", 13, "2026-11-10"),
        ("2026-1", "late", 3, "2026-11-24"),
        ("2026-5", "soon", 0, "2026-11-27"),
        ("2026-2", "soon", 0, "2026-11-30"),
        ("2026-4", "waiting", 0, None),
    ]
    assert rows[0]["urge_count"] == 1 and rows[0]["lead_dept"] == "临翔供电局"
    assert [r["case"] for r in act(ledger, "overdue", "--as-of", today, "--within", "0")] == [
        "2026-3",
        "2026-1",
        "2026-5",
        "2026-4",
    ]
    assert [r["case"] for r in act(ledger, "overdue", "--as-of", today, "--dept", "临翔供电局")] == ["2026-3"]
    text = ledger("overdue", "--as-of", today).out
    assert "超期 2 件" in text and "待专题会议 1 件" in text and "待会议" in text
    # the table shows the same rows as --json, in the same order (this year's cases by their N)
    shown = [line.split()[0] for line in text.splitlines() if line[:1].isdigit()]
    assert shown == [r["case"].removeprefix("2026-") for r in rows]


def test_meeting_then_dispatch_is_not_late(ledger):
    reg(ledger, "2026-03-02")
    act(ledger, "dispatch", "1", "--approver", "区长", "--level", "专题会议", "--date", "2026-03-03")
    assert show(ledger, "1")["state"] == "meeting"
    d = act(
        ledger,
        "dispatch",
        "1",
        "--dept",
        "区自然资源局",
        "--approver",
        "区长",
        "--level",
        "专题会议",
        "--date",
        "2026-03-20",
    )
    assert d["late"] == 0


def test_escalate_numbering_lateness_and_city_refusal(ledger, run):
    reg(ledger, "2026-03-02")
    refused(ledger, "escalate", "1", "--approver", "李明", "--suggestion", " ", word="办理建议")
    e = act(ledger, "escalate", "1", "--approver", "李明", "--suggestion", "需市级协调", "--date", "2026-03-06")
    # 3 working days from 3/2: 3/3, 3/4, 3/5 -> escalated 3/6 is late
    assert e["no"] == "临翔服企办报（2026）第1号" and e["limit_due"] == "2026-03-05" and e["late"] == 1
    assert show(ledger, "临翔服企办报（2026）第1号")["reg_no"] == "临翔服企办收（2026）第1号"
    rows = act(ledger, "overdue", "--as-of", "2026-03-10")
    assert rows[0]["kind"] == "转报超期" and rows[0]["days_late"] == 1


def test_city_level_cannot_escalate(tmp_path, monkeypatch, run):
    assert (
        run(
            "init",
            "--office-name",
            "临沧市服务企业发展领导小组办公室",
            "--prefix",
            "临沧",
            "--level",
            "city",
            "--clerk",
            "周",
        ).code
        == 0
    )
    reg(run, "2026-03-02")
    refused(run, "escalate", "1", "--approver", "x", "--suggestion", "y", word="市级")


def test_return_and_redispatch(ledger):
    reg(ledger, "2026-03-02")
    act(ledger, "dispatch", "1", "--dept", "区财政局", *DISPATCH, "--date", "2026-03-03")
    r = act(ledger, "return", "1", "--reason", "不属本部门职责", "--date", "2026-03-04")
    assert r["returns"] == 1 and r["dept"] == "区财政局"
    assert show(ledger, "1")["state"] == "registered"
    d = act(ledger, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-03-05")
    # new number; the limit of a re-dispatch runs from the return: 3/4 + 2 = 3/6
    assert d["no"] == "临翔服企办交（2026）第2号" and d["limit_due"] == "2026-03-06" and d["late"] == 0
    v = show(ledger, "1")
    assert [x["status"] for x in v["dispatches"]] == ["returned", "active"]
    assert json.loads(ledger("list", "--dept", "临翔供电局", "--json").out)[0]["lead_dept"] == "临翔供电局"
    counts = {d["name"]: d for d in act(ledger, "dept", "list")}
    assert counts["区财政局"]["returns"] == 1 and counts["区财政局"]["lead"] == 0
    assert counts["临翔供电局"]["lead"] == 1


def test_forward_reject_merge_void_edit(ledger):
    reg(ledger, "2026-03-02", consult=True)  # 1
    reg(ledger, "2026-03-02")  # 2
    reg(ledger, "2026-03-02")  # 3
    reg(ledger, "2026-03-02")  # 4
    refused(ledger, "forward", "2", "--dept", "区财政局", word="不是咨询类")
    assert act(ledger, "forward", "1", "--dept", "区财政局")["dept"] == "区财政局"
    refused(ledger, "reject", "2", "--reason", "其他", word="--note")
    refused(ledger, "reject", "2", "--reason", "信访", word="不予受理理由")
    act(ledger, "reject", "2", "--reason", "仲裁", "--note", "已申请劳动仲裁")
    assert show(ledger, "2")["state_label"] == "不予受理"
    refused(ledger, "merge", "3", "--into", "3", word="自己")
    act(ledger, "merge", "3", "--into", "4")
    assert show(ledger, "3")["state_label"] == "已合并"
    act(ledger, "edit", "4", "--field", "联系电话", "--value", "13812345678")
    v = show(ledger, "4")
    assert v["phone"] == "13812345678"
    assert any(e["action"] == "edit" and e["detail"]["before"] == "0883-2123456" for e in v["events"])
    refused(ledger, "edit", "4", "--field", "phone", "--value", "123", word="联系电话")
    refused(ledger, "edit", "4", "--field", "reg_no", "--value", "x", word="不能更正")
    act(ledger, "void", "4", "--reason", "误登记")
    assert show(ledger, "4")["state_label"] == "已作废"
    # the voided number is never reused
    assert reg(ledger, "2026-03-03")["reg_no"] == "临翔服企办收（2026）第5号"


@pytest.mark.parametrize(
    "args,word",
    [
        (["reply", "1", "--result", "A", "--mode", "书面", "--summary", "x"], "待交办"),
        (["close", "1"], "待交办"),
        (["extend", "1", "--until", "2026-04-01", "--reason", "x"], "待交办"),
        (
            ["dispatch", "1", "--dept", "临翔供电局", "--approver", "王强", "--level", "主任", "--date", "2026-03-01"],
            "早于受理时间",
        ),
        (
            ["dispatch", "1", "--dept", "临翔供电局", "--approver", "王强", "--level", "主任", "--date", "2026-11-28"],
            "晚于今天",
        ),
        (["dispatch", "99", "--dept", "临翔供电局", "--approver", "王强", "--level", "主任"], "没有案件"),
    ],
)
def test_state_and_date_refusals_change_nothing(ledger, args, word):
    reg(ledger, "2026-03-02")
    refused(ledger, *args, word=word)
