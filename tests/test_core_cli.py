"""Issue: ledger core — init, register, numbering, list/show, dept, calendar, help."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import typer

from lcqy.cli import load
from tests.conftest import INIT, UNKNOWN, assert_private, register_args, snapshot

CJK = re.compile(r"[\u4e00-\u9fff]")


def _walk(cmd, path: str = "lcqy"):
    yield path, cmd
    if hasattr(cmd, "list_commands"):
        ctx = typer.Context(cmd)
        for name in cmd.list_commands(ctx):
            yield from _walk(cmd.get_command(ctx, name), f"{path} {name}")


def test_every_command_has_chinese_help():
    root = typer.main.get_command(load())
    seen = list(_walk(root))
    assert len(seen) > 20
    for path, cmd in seen:
        assert cmd.help and CJK.search(cmd.help), f"{path} has no Chinese help"
        for p in cmd.params:
            if getattr(p, "param_type_name", "") == "option" and p.name != "help":
                assert p.help and CJK.search(p.help), f"{path} {p.opts} has no Chinese help"


def test_help_runs(run):
    r = run("--help")
    assert r.code == 0 and "登记" in r.out
    r = run("dispatch", "--help")
    assert r.code == 0 and "牵头" in r.out


def test_init_private_and_no_overwrite(run):
    r = run(*INIT)
    assert r.code == 0, r.err
    assert_private(run.db)
    before = snapshot(run.db)
    r = run("init", "--office-name", "别的办公室", "--prefix", "别", "--level", "city", "--clerk", "x")
    assert r.code == 1 and "已存在" in r.err
    assert snapshot(run.db) == before


def test_init_refuses_bad_level_and_prefix(run):
    r = run("init", "--office-name", "x办", "--prefix", "临翔", "--level", "province", "--clerk", "a")
    assert r.code == 1 and "层级" in r.err and "county" in r.err
    r = run("init", "--office-name", "x办", "--prefix", "临翔服企办", "--level", "county", "--clerk", "a")
    assert r.code == 1 and "简称" in r.err
    assert not run.db.exists()


def test_missing_ledger_says_how_to_init(run):
    r = run("list")
    assert r.code == 1 and "init" in r.err and "Traceback" not in r.err


def test_uninitialised_file(run):
    run.db.write_bytes(b"")
    r = run("list")
    assert r.code == 1 and "init" in r.err


def test_register_prints_number_and_dispatch_limit(ledger):
    r = ledger("register", *register_args(), "--date", "2026-02-12")
    assert r.code == 0, r.err
    assert "临翔服企办收（2026）第1号" in r.out
    # 2/12 Thu + 2 working days: 2/13 Fri, 2/14 Sat (调休 workday)
    assert "2026-02-14" in r.out
    r = ledger("register", *register_args(major=True), "--date", "2026-02-12")
    assert "临翔服企办收（2026）第2号" in r.out
    # major: 3 working days: 2/13, 2/14, then 2/15-23 Spring Festival -> 2/24
    assert "2026-02-24" in r.out


def test_register_json_record(ledger):
    r = ledger("register", *register_args(email="nanmei@example.com", title="总经理"), "--date", "2026-03-05", "--json")
    rec = json.loads(r.out)
    assert rec["reg_no"] == "临翔服企办收（2026）第1号"
    assert rec["email"] == "nanmei@example.com" and rec["contact_title"] == "总经理"
    assert rec["accepted_on"] == "2026-03-05" and rec["reported_on"] == "2026-03-05"
    assert rec["accepted_by"] == "赵晓云" and rec["state"] == "registered"
    assert rec["dispatch_due"] == "2026-03-09"


def test_year_of_number_is_the_acts_year(ledger):
    r = ledger("register", *register_args(), "--date", "2025-12-30", "--json")
    assert json.loads(r.out)["reg_no"] == "临翔服企办收（2025）第1号"
    r = ledger("register", *register_args(), "--date", "2026-01-05", "--json")
    assert json.loads(r.out)["reg_no"] == "临翔服企办收（2026）第1号"
    r = ledger("register", *register_args(), "--date", "2025-12-31", "--json")
    assert json.loads(r.out)["reg_no"] == "临翔服企办收（2025）第2号"


BAD = [
    ({"category": "用电"}, "问题类别"),
    ({"channel": "抖音"}, "反映形式"),
    ({"channel": "县区转报"}, "反映形式"),
    ({"phone": "2123456"}, "联系电话"),
    ({"phone": "1381234567"}, "联系电话"),
    ({"email": "not-an-email"}, "电子邮箱"),
    ({"date": "2026-11-28"}, "晚于今天"),
    ({"date": "2026-02-30"}, "不是有效日期"),
    ({"reported_on": "2026-03-06", "date": "2026-03-05"}, "早于反映时间"),
    ({"problem": "  "}, "主要困难和问题"),
]


def test_refused_register_changes_nothing(ledger):
    assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    before = snapshot(ledger.db)
    for over, word in BAD:
        r = ledger("register", *register_args(**over))
        assert r.code == 1, (over, r.out)
        assert word in r.err, (over, r.err)
        assert "Traceback" not in r.err
        assert r.err.count("\n") <= 2
        assert snapshot(ledger.db) == before, over
    # The next good registration still gets number 2: nothing was used up.
    r = ledger("register", *register_args(), "--json")
    assert json.loads(r.out)["reg_seq"] == 2


def test_missing_options_are_named_without_terminal(ledger):
    r = ledger("register", "--enterprise", "某公司")
    assert r.code == 1
    for opt in ("--category", "--channel", "--contact", "--phone", "--problem", "--request"):
        assert opt in r.err


def test_usage_errors_in_chinese(ledger):
    r = ledger("dispatch", "1", "--dept", "x")
    assert r.code == 2 and "缺少" in r.err and "--approver" in r.err
    r = ledger("list", "--bogus")
    assert r.code == 2 and "没有选项" in r.err


def test_list_filters_and_show(ledger):
    ledger("register", *register_args(), "--date", "2026-03-02")
    ledger(
        "register",
        *register_args(enterprise="临翔区昔归茶业有限公司", category="用地审批", channel="电子邮件"),
        "--date",
        "2026-03-03",
    )
    ledger("register", *register_args(), "--date", "2025-06-02")
    r = ledger("list", "--json")
    assert [x["reg_no"] for x in json.loads(r.out)] == [
        "临翔服企办收（2025）第1号",
        "临翔服企办收（2026）第1号",
        "临翔服企办收（2026）第2号",
    ]
    assert len(json.loads(ledger("list", "--year", "2026", "--json").out)) == 2
    assert [x["enterprise"] for x in json.loads(ledger("list", "--category", "用地审批", "--json").out)] == [
        "临翔区昔归茶业有限公司"
    ]
    assert len(json.loads(ledger("list", "--channel", "电子邮件", "--json").out)) == 1
    assert len(json.loads(ledger("list", "--text", "昔归", "--json").out)) == 1
    assert len(json.loads(ledger("list", "--state", "待交办", "--json").out)) == 3
    r = ledger("list", "--category", "用电")
    assert r.code == 1 and "问题类别" in r.err
    r = ledger("list")
    assert "临翔区昔归茶业有限公司" in r.out and "共 3 件" in r.out
    for name in ("2", "2026-2", "临翔服企办收（2026）第2号", "临翔服企办收(2026)第2号"):
        r = ledger("show", name, "--json")
        assert r.code == 0, (name, r.err)
        assert json.loads(r.out)["enterprise"] == "临翔区昔归茶业有限公司"
    r = ledger("show", "2025-1")
    assert "登记" in r.out and "0883-2123456" in r.out
    r = ledger("show", "99")
    assert r.code == 1 and "没有案件" in r.err
    r = ledger("show", "abc")
    assert r.code == 1 and "2026-15" in r.err


def test_dept_list_and_near_miss(ledger):
    r = ledger("dept", "list", "--json")
    assert "临翔供电局" in [d["name"] for d in json.loads(r.out)]
    r = ledger("dept", "add", "临翔供电局")
    assert r.code == 1 and "已在名单" in r.err
    ledger("register", *register_args(), "--date", "2026-03-02")
    r = ledger("dispatch", "1", "--dept", "供电局", "--approver", "王强", "--level", "主任")
    assert r.code == 1 and "临翔供电局" in r.err and "不在部门名单" in r.err


def test_calendar_commands(ledger):
    r = ledger("calendar", "show", "2026-10", "--json")
    days = {d["day"]: d for d in json.loads(r.out)["days"]}
    assert days["2026-10-10"]["workday"] and days["2026-10-10"]["kind"] == "adjusted"
    assert not days["2026-10-07"]["workday"]
    r = ledger("calendar", "show", "2026-10")
    assert "10班" in r.out and "1假" in r.out
    r = ledger("calendar", "check", "2026")
    assert "已收录" in r.out
    r = ledger("calendar", "check", str(UNKNOWN))
    assert "尚未收录" in r.out and "calendar set" in r.out
    # An office day moves a deadline: make 2026-03-03 a holiday; 3/2 + 2 -> 3/5.
    assert ledger("calendar", "set", "2026-03-03", "holiday", "--note", "县城停电").code == 0
    rec = json.loads(ledger("register", *register_args(), "--date", "2026-03-02", "--json").out)
    assert rec["dispatch_due"] == "2026-03-05"
    assert ledger("calendar", "unset", "2026-03-03").code == 0
    assert ledger("calendar", "unset", "2026-03-03").code == 1
    r = ledger("calendar", "set", "2026-03-04", "rest")
    assert r.code == 1 and "holiday" in r.err


def test_estimated_deadline_is_marked(ledger):
    y = UNKNOWN - 1
    rec = json.loads(ledger("register", *register_args(), "--date", f"{y}-12-30", "--json", today=f"{y}-12-31").out)
    # 12/30 + 2 working days lands in the next year, whose official schedule is unknown.
    assert rec["dispatch_due"].startswith(str(UNKNOWN)) and rec["dispatch_due_estimated"] == 1
    assert f"{rec['dispatch_due']}≈" in ledger("list").out
    if UNKNOWN == 2027:  # 2026-12-31 (1), 2027-01-01..03 off by the estimate, 01-04 (2)
        assert rec["dispatch_due"] == "2027-01-04"


def test_twenty_processes_get_distinct_gapless_numbers(ledger, tmp_path):
    env = {**os.environ, "LCQY_DB": str(ledger.db), "LCQY_TODAY": "2026-11-27"}
    code = (
        "import sys; from lcqy.cli import main; "
        "main(['register','--enterprise','并发公司','--category','其它','--channel','来电反映','--contact','甲',"
        "'--phone','13812345678','--problem','p','--request','r','--json'])"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(20)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    seqs = sorted(json.loads(o)["reg_seq"] for o, _ in outs)
    assert seqs == list(range(1, 21))
