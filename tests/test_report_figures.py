"""The 简报's figures on a small ledger whose every number is worked out by hand below.

Calendar: March 2026 has no holidays (2 March is a Monday); Qingming is 4-6 April, 2 April is a
working day. "N wd" = N working days, the start day not counted.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import register_args, snapshot

D1, D2, D3 = "区发展和改革局", "区自然资源局", "临翔供电局"


def _ok(run, *args):
    r = run(*args)
    assert r.code == 0, (args, r.err)
    return r


@pytest.fixture
def march(ledger, tmp_path, monkeypatch):
    """Nine cases received in March 2026, acts through 2 April; today 30 April."""
    monkeypatch.chdir(tmp_path)
    run = ledger
    monkeypatch.setenv("LCQY_TODAY", "2026-04-30")
    reg = [
        ("2026-03-02", {}),  # 1
        ("2026-03-02", {}),  # 2
        ("2026-03-03", {}),  # 3
        ("2026-03-04", {}),  # 4
        ("2026-03-04", {"consult": True, "category": "政策执行"}),  # 5
        ("2026-03-05", {}),  # 6
        ("2026-03-20", {"channel": "电子邮件", "enterprise": "临翔区昔归茶业有限公司"}),  # 7
        ("2026-03-09", {}),  # 8
        ("2026-03-10", {}),  # 9
    ]
    for day, over in reg:
        _ok(run, "register", *register_args(**over), "--date", day)
    disp = ("--approver", "王强", "--level", "主任")
    # 1: dispatched 3/3 (limit 3/4, on time), due 3/10; A on 3/9 (4 wd after receipt); 满意; 销号.
    _ok(run, "dispatch", "1", "--dept", D3, *disp, "--date", "2026-03-03")
    _ok(run, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "已接电", "--date", "2026-03-09")
    _ok(run, "followup", "1", "--method", "电话回询", "--satisfaction", "满意", "--date", "2026-03-10")
    _ok(run, "close", "1", "--date", "2026-03-10")
    # 2: dispatched 3/5, past its limit 3/4; due 3/12; B on 3/16 (2 wd late, 7 wd after receipt)
    #    -> 督办台帐 3/16; 不满意 on 3/17 -> 专项督办.
    _ok(run, "dispatch", "2", "--dept", D1, *disp, "--date", "2026-03-05")
    b_reply = ["--summary", "正在办理", "--plan", "年内完成", "--plan-due", "2026-06-30"]
    _ok(run, "reply", "2", "--result", "B", "--mode", "面复", *b_reply, "--date", "2026-03-16")
    _ok(run, "followup", "2", "--method", "现场走访", "--satisfaction", "不满意", "--date", "2026-03-17")
    # 3: dispatched 3/4 (limit 3/5), due 3/11, never answered; urged 3/13 and 3/18.
    _ok(run, "dispatch", "3", "--dept", D2, *disp, "--date", "2026-03-04")
    _ok(run, "urge", "3", "--no-letter", "--date", "2026-03-13")
    _ok(run, "urge", "3", "--no-letter", "--date", "2026-03-18")
    # 4 不予受理, 5 咨询转交, 6 转报 on 3/6 (limit 3/10, on time).
    _ok(run, "reject", "4", "--reason", "诉讼", "--date", "2026-03-05")
    _ok(run, "forward", "5", "--dept", D1, "--date", "2026-03-05")
    _ok(run, "escalate", "6", "--approver", "张文", "--suggestion", "需市级协调", "--date", "2026-03-06")
    # 7: received 3/20, dispatch limit 3/24, never dispatched.
    # 8: dispatched 3/10 to D3, 退单 3/11, again 3/12 to D1 (limit 3/13 from the 退单), due 3/19;
    #    A on 3/18 (4 wd after receipt), no follow-up.
    _ok(run, "dispatch", "8", "--dept", D3, *disp, "--date", "2026-03-10")
    _ok(run, "return", "8", "--reason", "不属本单位职责", "--date", "2026-03-11")
    _ok(run, "dispatch", "8", "--dept", D1, *disp, "--date", "2026-03-12")
    _ok(run, "reply", "8", "--result", "A", "--mode", "书面", "--summary", "已办结", "--date", "2026-03-18")
    # 9: dispatched 3/11 to D2, due 3/18 extended to 3/25; C on 2 April (6 wd late) -> 督办台帐.
    _ok(run, "dispatch", "9", "--dept", D2, *disp, "--date", "2026-03-11")
    _ok(run, "extend", "9", "--until", "2026-03-25", "--reason", "需现场核查", "--date", "2026-03-17")
    _ok(run, "reply", "9", "--result", "C", "--mode", "书面", "--summary", "暂不能解决", "--plan", "已解释",
        "--date", "2026-04-02")  # fmt: skip
    return run


def _report(run, month, *extra):
    r = _ok(run, "report", "--month", month, "--json", *extra)
    return json.loads(r.out)


def test_march_by_hand(march):
    data = _report(march, "2026-03")
    f = data["figures"]["month"]
    assert data["periods"]["month"] == {"start": "2026-03-01", "end": "2026-03-31", "as_of": "2026-03-31"}
    expected = {
        "received": 9,
        "rejected": 1,
        "forwarded": 1,
        "dispatched": 6,  # 1, 2, 3, 8 twice, 9
        "dispatched_on_time": 5,  # all but 2
        "escalated": 1,
        "escalated_on_time": 1,
        "returned": 1,
        "extended": 1,
        "over_limit": 0,
        "replies": 3,  # 1 A, 2 B, 8 A (9's C came in April)
        "reply_a": 2,
        "reply_b": 1,
        "reply_c": 0,
        "replies_followed": 2,  # 1 and 2
        "first_replies": 3,
        "reply_workdays": 15,  # 4 + 7 + 4
        "fell_due": 5,  # 1, 2, 3, 8's second dispatch, 9 (due 3/25, unanswered on 3/31)
        "due_on_time": 2,  # 1 and 8
        "latest": 3,
        "latest_a": 2,
        "closed": 1,
        "followups": 2,
        "satisfied": 1,
        "urges": 2,
        "supervision_urges": 0,
        "supervised": 2,  # 2 on the 督办台帐 (3/16), then 专项督办 (3/17)
        "special": 1,
        "special_open": 1,
        "late_dispatch": 1,  # 7: 5 wd past 3/24
        "late_reply": 2,  # 3: 14 wd past 3/11; 9: 4 wd past 3/25
        "late_now": 3,
    }
    assert {k: f[k] for k in expected} == expected
    assert f["on_time_dispatch_rate"] == pytest.approx(6 / 7)
    assert f["on_time_completion_rate"] == pytest.approx(2 / 5)
    assert f["resolution_rate"] == pytest.approx(2 / 3)
    assert f["satisfaction_rate"] == pytest.approx(1 / 2)
    assert f["followup_rate"] == pytest.approx(2 / 3)
    assert f["avg_reply_workdays"] == 5.0
    # Nothing happened in February: every rate has no denominator.
    prev = data["figures"]["previous_month"]
    assert prev["received"] == 0 and prev["on_time_completion_rate"] is None and prev["satisfaction_rate"] is None
    assert data["figures"]["year_to_date"]["received"] == 9
    assert data["received_by_category"]["用电保障"] == {"month": 8, "previous_month": 0, "year_to_date": 8}
    assert data["received_by_category"]["政策执行"]["month"] == 1
    assert data["received_by_channel"]["电子邮件"]["month"] == 1
    assert data["received_by_channel"]["来电反映"]["month"] == 8

    late = {(r["case"], r["kind"], r["due"], r["days_late"]) for r in data["late_cases"]}
    assert late == {
        ("2026-3", "reply", "2026-03-11", 14),
        ("2026-7", "dispatch", "2026-03-24", 5),
        ("2026-9", "reply", "2026-03-25", 4),
    }
    depts = {d["dept"]: d for d in data["departments"]}
    assert set(depts) == {D1, D2, D3}
    assert {k: depts[D1][k] for k in ("dispatched", "replies", "fell_due", "due_on_time", "reply_a", "reply_b")} == {
        "dispatched": 2,
        "replies": 2,
        "fell_due": 2,
        "due_on_time": 1,
        "reply_a": 1,
        "reply_b": 1,
    }
    assert depts[D1]["satisfaction_rate"] == 0.0  # 2's 不满意
    assert depts[D2]["late_reply"] == 2 and depts[D2]["urges"] == 2 and depts[D2]["on_time_completion_rate"] == 0.0
    assert depts[D2]["satisfaction_rate"] is None
    assert depts[D3]["returned"] == 1 and depts[D3]["on_time_completion_rate"] == 1.0
    # 第二十三条: D2 has a case 14 wd late (> 10) and urged twice (>= 2).
    assert [u["dept"] for u in data["units_to_name"]] == [D2]
    reason = "1件超期超过10个工作日未答复（最长14个工作日）；1件被催办（督办）2次以上（最多2次）"
    assert data["units_to_name"][0]["reason"] == reason


def test_april_has_no_followups(march):
    """April: one reply (9's C, late), no follow-up, nothing fell due, nothing dispatched."""
    f = _report(march, "2026-04")["figures"]["month"]
    assert (f["replies"], f["reply_c"], f["followups"], f["fell_due"], f["supervised"]) == (1, 1, 0, 0, 1)
    assert f["satisfaction_rate"] is None
    assert f["on_time_completion_rate"] is None
    assert f["on_time_dispatch_rate"] is None
    assert f["resolution_rate"] == 0.0  # the one case answered is C
    assert f["followup_rate"] == 0.0
    r = _ok(march, "report", "--month", "2026-04")
    line = next(x for x in r.out.splitlines() if x.startswith("满意率"))
    assert line.split()[1:] == ["—", "50.0%", "50.0%"]  # April, March, the year


def test_thresholds_from_config(march):
    """With 15 working days the late case no longer names D2; the two urges still do, until 3."""
    _ok(march, "config", "report", "late-days", "15")
    units = _report(march, "2026-03")["units_to_name"]
    assert units[0]["reason"] == "1件被催办（督办）2次以上（最多2次）"
    _ok(march, "config", "report", "urge-count", "3")
    assert _report(march, "2026-03")["units_to_name"] == []
    r = _ok(march, "config", "report", "urge-count", "-")
    assert "report urge-count = 2" in r.out


@pytest.mark.parametrize(
    "args, message",
    [
        (["report", "--month", "2026-13"], "月份（--month）“2026-13”格式不对"),
        (["report", "--month", "十月"], "应写成 2026-10"),
        (["report", "--month", "2026-06"], "还没有到"),
        (["config", "report", "late-days", "abc"], "report late-days 须为整数"),
        (["config", "report", "nothing", "1"], "report 没有设置项“nothing”"),
        (["config", "evaluation", "per-urge", "200"], "须在 0 至 100 之间"),
    ],
)
def test_bad_input(ledger, args, message):
    before = snapshot(ledger.db)
    r = ledger(*args, today="2026-05-20")
    assert r.code == 1 and message in r.err, r.err
    assert snapshot(ledger.db) == before


def test_readme_documents_every_figure():
    from pathlib import Path

    from lcqy.rules.figures import COUNTS, RATES

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for key, (label, what) in COUNTS.items():
        assert f"| {label} | `{key}` | {what} |" in text
    for key, (label, _, _, formula) in RATES.items():
        assert f"| {label} | `{key}` | {formula} |" in text


def _docx_text(path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_bulletin_docx(march, tmp_path):
    """The 简报: figures and tables, never contacts, addresses or problem texts (第四条); enterprise
    names only with the flag; the 期号 kept for a re-run and the next month numbered after it."""
    _ok(march, "config", "report", "report-to", "区委办公室、区政府办公室")
    r = _ok(march, "report", "--month", "2026-03", "-o", str(tmp_path / "三月.docx"))
    assert "2026年第1期" in r.out
    text = _docx_text(tmp_path / "三月.docx")
    assert "第1期" in text and "2026年3月企业反映困难问题办理情况" in text
    assert "共受理企业反映困难问题9件" in text and "按期办结率40.0%" in text
    assert "报：区委办公室、区政府办公室" in text and "2026年4月30日印发" in text
    assert "区自然资源局" in text and "1件超期超过10个工作日未答复（最长14个工作日）" in text
    for secret in ("李华", "0883-2123456", "新上生产线", "请协调供电部门", "坝卡村", "临沧南美坚果", "昔归茶业"):
        assert secret not in text, secret
    # A re-run of the month keeps its 期号; the next month gets the next one.
    r = _ok(march, "report", "--month", "2026-03", "-o", str(tmp_path / "三月.docx"), "--force")
    assert "2026年第1期" in r.out
    r = _ok(march, "report", "--month", "2026-04", "-o", str(tmp_path / "四月.docx"))
    assert "2026年第2期" in r.out
    assert "第2期" in _docx_text(tmp_path / "四月.docx")
    assert "满意率—" in _docx_text(tmp_path / "四月.docx")
    # Names of enterprises only when asked for.
    _ok(march, "report", "--month", "2026-03", "-o", str(tmp_path / "named.docx"), "--with-enterprises")
    named = _docx_text(tmp_path / "named.docx")
    assert "临翔区昔归茶业有限公司" in named and "临沧南美坚果开发有限公司" in named
    assert "李华" not in named and "0883-2123456" not in named
    # --issue takes a free number; a number used by another month is refused, nothing changes.
    before = snapshot(march.db)
    r = march("report", "--month", "2026-04", "-o", str(tmp_path / "x.docx"), "--issue", "1")
    assert r.code == 1 and "2026年第1期已用于 2026-03 的简报" in r.err
    assert snapshot(march.db) == before and not (tmp_path / "x.docx").exists()
    r = _ok(march, "report", "--month", "2026-04", "-o", str(tmp_path / "四月.docx"), "--force", "--issue", "5")
    assert "2026年第5期" in r.out
    assert json.loads(_ok(march, "report", "--month", "2026-04", "--json").out)["issue"] == {"year": 2026, "number": 5}


def test_bulletin_refuses_existing_file(march, tmp_path):
    (tmp_path / "b.docx").write_text("x")
    before = snapshot(march.db)
    r = march("report", "--month", "2026-03", "-o", str(tmp_path / "b.docx"))
    assert r.code == 1 and "已存在" in r.err
    assert snapshot(march.db) == before


@pytest.mark.parametrize("month", ["2026-10", "2026-11"])
def test_sample_ledger_months_have_every_figure(run, tmp_path, month):
    import shutil
    from pathlib import Path

    db = tmp_path / "sample.db"
    shutil.copyfile(Path(__file__).resolve().parent.parent / "sample_ledger.db", db)
    db.chmod(0o600)
    data = json.loads(_ok(run, "--db", str(db), "report", "--month", month, "--json").out)
    f = data["figures"]["month"]
    assert [k for k, v in f.items() if not v] == []
    assert data["departments"] and data["late_cases"] and data["units_to_name"]


def test_a_redispatched_order_counts_as_due(ledger, tmp_path, monkeypatch):
    """A 交办单 answered on time, then re-issued to another department under 专项督办 (redispatch),
    is one of the month's 到期应办结 and 按期办结: only a 退单 leaves the count."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LCQY_TODAY", "2026-04-30")
    _ok(ledger, "register", *register_args(), "--date", "2026-03-02")
    _ok(ledger, "dispatch", "1", "--dept", D1, "--approver", "王强", "--level", "主任", "--date", "2026-03-03")
    _ok(ledger, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "已办", "--date", "2026-03-09")
    _ok(ledger, "followup", "1", "--method", "电话回询", "--satisfaction", "不满意", "--date", "2026-03-10")
    again = ["--dept", D2, "--approver", "王强", "--level", "主任", "--reason", "原牵头单位无此职能"]
    _ok(ledger, "redispatch", "1", *again, "--date", "2026-03-11")
    f = _report(ledger, "2026-03")["figures"]["month"]
    # The first order, due 3/10 and answered 3/9; the second, due 3/18, unanswered.
    assert (f["fell_due"], f["due_on_time"]) == (2, 1)
