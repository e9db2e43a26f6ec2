"""第十八条 to the end: a B plan on the 督办台帐 to 销号, and an unsatisfying answer through 专项督办,
督办函, a new deadline, re-dispatch and 销号. Dates hand-computed on the 2026 calendar:
劳动节 5/1–5/5 off, 5/9 (Sat) a workday; 9/20 (Sun) and 10/10 (Sat) workdays, 10/1–10/7 off."""

from __future__ import annotations

import json

import docx

from tests.conftest import register_args
from tests.test_lifecycle import DISPATCH, act, refused, show


def _letter_text(path) -> str:
    # each paragraph whole: the letter sets its own lines (manual breaks inside a paragraph)
    return "\n".join(p.text.replace("\n", "") for p in docx.Document(path).paragraphs)


def _urge_context(db, case: str) -> dict:
    from lcqy.acts.cases import case_view, resolve
    from lcqy.acts.context import Ctx
    from lcqy.acts.papers.forms import urge_context
    from lcqy.store.db import Ledger

    led = Ledger.open(db)
    try:
        ctx = Ctx(ledger=led, today=__import__("datetime").date(2026, 11, 27))
        return urge_context("临翔区服务企业发展领导小组办公室", case_view(ctx, resolve(ctx, case)))
    finally:
        led.close()


def test_b_plan_on_the_supervision_ledger_to_close(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    d = act(ledger, "dispatch", "1", "--dept", "区自然资源局", *DISPATCH, "--date", "2026-03-03")
    assert d["due_current"] == "2026-03-10"
    # B needs the plan's promised date; a date before the reply is refused.
    base = ["reply", "1", "--result", "B", "--mode", "书面", "--summary", "列入计划", "--plan", "分两期实施"]
    refused(ledger, *base, "--date", "2026-03-09", word="--plan-due")
    refused(ledger, *base, "--plan-due", "2026-03-01", "--date", "2026-03-09", word="须晚于答复日期")
    r = ledger(*base, "--plan-due", "2026-04-30", "--date", "2026-03-09")
    assert r.code == 0 and "已列入督办台帐，2026-04-30 到期" in r.out
    # The same reply typed twice on one day is refused unless --again.
    refused(ledger, *base, "--plan-due", "2026-04-30", "--date", "2026-03-09", word="--again")
    v = show(ledger, "1")
    assert v["supervision_label"] == "督办台帐" and v["replies"][0]["plan_due"] == "2026-04-30"

    # Not late on the promised day itself: nothing to urge.
    refused(ledger, "urge", "1", "--date", "2026-04-30", word="尚未超期")
    # 5/6 is the first working day after 4/30 (5/1-5/5 off): one working day late; answer by
    # 5/7, 5/8, 5/9 (Sat workday).
    r = ledger("urge", "1", "--date", "2026-05-06")
    assert r.code == 0, r.err
    assert "第 1 次督办（督办台帐） 区自然资源局：承诺完成时限 2026-04-30，超期 1 个工作日，请于 2026-05-09 前" in r.out
    letter = tmp_path / "临翔服企办交（2026）第1号第1次督办函.docx"
    assert letter.exists()
    text = _letter_text(letter)
    assert "区自然资源局" in text and "2026年4月30日" in text and "2026年5月9日" in text
    assert "督办函" in text and "催办函" not in text and "第十八条" in text and "已列入督办台帐" in text
    c = _urge_context(ledger.db, "1")
    assert c["letter_title"] == "督办函" and "第十八条" in c["basis"] and "督办台帐" in c["basis"]
    assert c["urge_count"] == 1 and c["days_late"] == 1
    urge = show(ledger, "1")["urges"][0]
    assert (urge["kind"], urge["due"], urge["reply_by"]) == ("督办台帐", "2026-04-30", "2026-05-09")

    # The new A reply comes 5 working days after the plan date (5/6, 5/7, 5/8, 5/9, 5/11).
    r = act(ledger, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "已完成", "--date", "2026-05-11")
    assert r["late"] == 5
    refused(ledger, "close", "1", word="还没有回访")
    r = ledger("followup", "1", "--method", "电话回询", "--satisfaction", "满意", "--date", "2026-05-12")
    assert r.code == 0 and "已解除督办台帐，可以销号（lcqy close 1）" in r.out
    assert show(ledger, "1")["supervision"] == ""
    assert act(ledger, "close", "1", "--date", "2026-05-12")["on"] == "2026-05-12"
    assert show(ledger, "1")["state"] == "closed"
    assert ledger("check").code == 0


def test_unsatisfied_through_special_supervision_redispatch_and_close(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ledger("register", *register_args(), "--date", "2026-09-14").code == 0
    d = act(ledger, "dispatch", "1", "--dept", "区财政局", *DISPATCH, "--date", "2026-09-15")
    assert d["due_current"] == "2026-09-21"  # 9/16, 9/17, 9/18, 9/20 (Sun workday), 9/21
    act(ledger, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "已答复企业", "--date", "2026-09-18")
    # Urging an answered case that is under no supervision is refused.
    refused(ledger, "urge", "1", "--date", "2026-09-21", word="不需催办")
    refused(ledger, "supervise", "1", "--until", "2026-10-09", "--reason", "x", word="不在督办中")
    fu = ["followup", "1", "--method", "现场走访", "--satisfaction", "不满意", "--note", "答复含糊"]
    r = ledger(*fu, "--date", "2026-09-21")
    assert r.code == 0 and "专项督办" in r.out
    refused(ledger, *fu, "--date", "2026-09-21", word="--again")
    # Under 专项督办 with no deadline yet: nothing to measure a 督办 against.
    refused(ledger, "urge", "1", "--date", "2026-09-22", word="lcqy supervise")
    # A deadline on a rest day is refused, naming the next working day.
    refused(ledger, "supervise", "1", "--until", "2026-10-03", "--reason", "答复含糊", "--date", "2026-09-22",
            word="2026-10-08")  # fmt: skip
    s = act(ledger, "supervise", "1", "--until", "2026-10-09", "--reason", "答复含糊", "--date", "2026-09-22")
    assert s["due"] == "2026-10-09"
    refused(ledger, "urge", "1", "--date", "2026-10-09", word="尚未超期")
    # 10/12: 10/10 (Sat workday) and 10/12 after the 10/9 deadline; answer by 10/13, 10/14, 10/15.
    r = act(ledger, "urge", "1", "--date", "2026-10-12")
    assert (r["kind"], r["count"], r["days_late"], r["reply_by"]) == ("专项督办", 1, 2, "2026-10-15")
    assert r["letter"].endswith("第1次督办函.docx")
    c = _urge_context(ledger.db, "1")
    assert c["letter_title"] == "督办函" and "专项督办" in c["basis"] and "第十八条" in c["basis"]
    assert c["due_date"].isoformat() == "2026-10-09"

    # 区财政局 is not the right unit: re-dispatch to another department, new number, old kept.
    refused(
        ledger, "redispatch", "1", "--dept", "区财政局", "--approver", "王强", "--level", "主任",
        "--reason", "x", "--date", "2026-10-13", word="原牵头部门",
    )  # fmt: skip
    n = act(
        ledger, "redispatch", "1", "--dept", "区自然资源局", "--approver", "王强", "--level", "主任",
        "--reason", "原单位无此职能", "--date", "2026-10-13",
    )  # fmt: skip
    assert n["no"] == "临翔服企办交（2026）第2号" and n["replaced"] == "临翔服企办交（2026）第1号"
    assert n["due_current"] == "2026-10-20"  # 10/14, 10/15, 10/16, 10/19, 10/20
    v = show(ledger, "1")
    assert [x["status"] for x in v["dispatches"]] == ["replaced", "active"]
    assert v["state"] == "dispatched" and v["supervision"] == "special"
    assert ledger("check").code == 0
    # Answered once already: it is handed on (redispatch), not returned to intake.
    refused(ledger, "return", "1", "--reason", "不属本部门职责", "--date", "2026-10-14", word="lcqy redispatch")
    # The new department, late on 10/21: its own first 督办.
    r = act(ledger, "urge", "1", "--date", "2026-10-21")
    assert (r["kind"], r["count"], r["days_late"]) == ("专项督办", 1, 1)
    text = _letter_text(tmp_path / r["letter"])
    assert "区自然资源局" in text and "督办函" in text and "已列入专项督办" in text
    r = act(ledger, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "已办结", "--date", "2026-10-22")
    assert r["late"] == 2
    assert show(ledger, "1")["supervision_label"] == "专项督办"  # until the enterprise is satisfied
    r = ledger("followup", "1", "--method", "电话回询", "--satisfaction", "基本满意", "--date", "2026-10-23")
    assert r.code == 0 and "已解除专项督办" in r.out
    act(ledger, "close", "1", "--date", "2026-10-23")
    v = show(ledger, "1")
    assert v["state"] == "closed" and v["supervision"] == ""
    kinds = [u["kind"] for u in v["urges"]]
    assert kinds == ["专项督办", "专项督办"]
    assert ledger("check").code == 0


def test_supervise_and_redispatch_refusals(ledger):
    assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    act(ledger, "dispatch", "1", "--dept", "区财政局", "--approver", "王强", "--level", "主任", "--date", "2026-03-03")
    refused(ledger, "supervise", "1", "--until", "2026-04-01", "--reason", "x", word="办理中")
    refused(
        ledger, "redispatch", "1", "--dept", "区自然资源局", "--approver", "王强", "--level", "主任", "--reason", "x",
        word="专项督办",
    )  # fmt: skip
    ledger("reply", "1", "--result", "C", "--mode", "面复", "--summary", "暂不能解决", "--plan", "受规划限制",
           "--date", "2026-03-05")  # fmt: skip
    v = show(ledger, "1")
    assert v["supervision_label"] == "督办台帐" and v["replies"][0]["plan_due"] is None
    # C with no promised date: on the 督办台帐, but nothing falls due.
    refused(ledger, "urge", "1", "--date", "2026-11-27", word="没有待答复的时限")
    refused(ledger, "supervise", "1", "--until", "2026-12-01", "--reason", "x", word="--plan-due")
    refused(ledger, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "x", "--plan-due", "2026-12-01",
            word="A类")  # fmt: skip
    assert json.loads(ledger("show", "1", "--json").out)["state"] == "replied"


def test_overdue_gains_late_supervision_and_sets_escalations_apart(ledger):
    assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    act(ledger, "dispatch", "1", "--dept", "区自然资源局", *DISPATCH, "--date", "2026-03-03")
    act(ledger, "reply", "1", "--result", "B", "--mode", "书面", "--summary", "列入计划", "--plan", "分期",
        "--plan-due", "2026-04-30", "--date", "2026-03-09")  # fmt: skip
    assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    # Escalated on 3/9, after its 3-working-day limit 3/5: 3/6, 3/9 late.
    act(ledger, "escalate", "2", "--approver", "张文", "--suggestion", "需市级协调", "--date", "2026-03-09")

    def rows(as_of: str) -> list[tuple]:
        r = ledger("overdue", "--as-of", as_of, "--json")
        assert r.code == 0, r.err
        return [(x["case"], x["kind"], x["due"], x["days_late"], x["status"]) for x in json.loads(r.out)]

    # 4/29: the plan date 4/30 is one working day ahead; the late escalation comes last.
    assert rows("2026-04-29") == [
        ("2026-1", "督办台帐", "2026-04-30", 0, "soon"),
        ("2026-2", "转报超期", "2026-03-05", 2, "escalated"),
    ]
    # 5/8: 5/6, 5/7, 5/8 after the plan date (5/1-5/5 off).
    assert rows("2026-05-08")[0] == ("2026-1", "督办台帐", "2026-04-30", 3, "late")
    out = ledger("overdue", "--as-of", "2026-05-08").out
    assert "督办逾期" in out and "超期 1 件" in out and "另有已转报市级" in out and "1 件" in out
    r = ledger("overdue", "--as-of", "2026-05-08", "--dept", "区财政局", "--json")
    assert json.loads(r.out) == []  # the 督办 case's lead is 区自然资源局
