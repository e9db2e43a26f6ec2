"""The online platform's commands: user add|list|disable|reset|token, request list|grant|deny,
and what agenda and show say about 签收, requests, notes and urges read."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import snapshot
from tests.web_helpers import ASSIST, LEAD, add_user, dept_client, dispatched, post, text


def test_user_add_prints_a_one_time_password_and_refuses_bad_input(ledger):
    r = ledger("user", "add", "gongdian", "--role", "dept", "--dept", LEAD)
    assert r.code == 0 and "一次性密码：" in r.out and "临翔供电局" in r.out
    pw = add_user(ledger, "lingdao", "--role", "leader")
    assert len(pw) == 14
    before = snapshot(ledger.db)
    for args, said in [
        (["gongdian", "--role", "leader"], "已被使用"),
        (["x y", "--role", "leader"], "登录名（LOGIN）"),
        (["zhang", "--role", "boss"], "角色（--role）"),
        (["zhang", "--role", "dept"], "--dept"),
        (["zhang", "--role", "dept", "--dept", "供电局X"], "所属部门（--dept）"),
        (["zhang", "--role", "leader", "--dept", LEAD], "不用 --dept"),
    ]:
        r = ledger("user", "add", *args)
        assert r.code == 1 and said in r.err, (args, r.err)
    assert snapshot(ledger.db) == before
    # Only the Argon2 hash is kept.
    conn = sqlite3.connect(ledger.db)
    (digest,) = conn.execute("SELECT pw_hash FROM users WHERE login = 'lingdao'").fetchone()
    assert digest.startswith("$argon2id$") and pw not in digest


def test_the_office_names_the_roles_that_need_a_second_factor(ledger):
    add_user(ledger, "gongdian", "--role", "dept", "--dept", LEAD)
    add_user(ledger, "lingdao", "--role", "leader")
    before = snapshot(ledger.db)
    for value in ["科室", "部门,经办", ""]:
        r = ledger("config", "totp", value)
        assert r.code == 1 and "动态验证码（totp）可设为：部门、领导、部门,领导、全部" in r.err, value
    assert snapshot(ledger.db) == before

    def required() -> dict:
        return {u["login"]: u["totp_required"] for u in json.loads(ledger("user", "list", "--json").out)["users"]}

    assert required() == {"gongdian": False, "lingdao": False}
    assert "服企办经办人（总是）须用动态验证码登录" in ledger("config", "totp").out
    assert ledger("config", "totp", "领导").code == 0
    assert required() == {"gongdian": False, "lingdao": True}
    assert ledger("config", "totp", "部门，领导").code == 0
    assert required() == {"gongdian": True, "lingdao": True}
    r = ledger("user", "add", "jiaoyu", "--role", "dept", "--dept", LEAD)
    assert "并设置动态验证码" in r.out
    assert "totp = 服企办经办人（总是）、部门、领导须用动态验证码登录" in ledger("config", "totp").out
    assert ledger("config", "totp", "-").code == 0
    assert required() == {"gongdian": False, "lingdao": False, "jiaoyu": False}


def test_user_list_disable_reset_and_token(ledger):
    add_user(ledger, "gongdian", "--role", "dept", "--dept", LEAD)
    add_user(ledger, "zhaoxy", "--role", "clerk")
    users = {u["login"]: u for u in json.loads(ledger("user", "list", "--json").out)["users"]}
    assert users["zhaoxy"]["totp_required"] and not users["gongdian"]["totp_required"]
    assert users["gongdian"]["must_change"] and users["gongdian"]["dept"] == LEAD
    token = json.loads(ledger("user", "token", "gongdian", "--json").out)["token"]
    assert token.startswith("lcqy_") and len(token) > 40
    users = {u["login"]: u for u in json.loads(ledger("user", "list", "--json").out)["users"]}
    assert users["gongdian"]["tokens"] == 1 and users["zhaoxy"]["tokens"] == 0
    assert ledger("user", "disable", "gongdian").code == 0
    r = ledger("user", "disable", "gongdian")
    assert r.code == 1 and "已经停用" in r.err
    r = ledger("user", "token", "gongdian")
    assert r.code == 1 and "已停用" in r.err
    r = ledger("user", "reset", "gongdian", "--json")
    assert r.code == 0 and len(json.loads(r.out)["password"]) == 14
    out = ledger("user", "list").out
    assert "待首次登录" in out and "gongdian" in out
    assert ledger("user", "token", "gongdian", "--revoke").out.strip() == "已作废 gongdian 的 0 个令牌。"
    r = ledger("user", "reset", "nobody")
    assert r.code == 1 and "没有用户“nobody”" in r.err


def test_requests_granted_and_declined_from_the_cli(ledger):
    ref = dispatched(ledger)
    c = dept_client(ledger)
    r = post(c, f"/cases/{ref}/extension-request", {"until": "2026-12-04", "reason": "需现场勘查线路"})
    assert r.status_code == 302
    agenda = json.loads(ledger("agenda", "--json").out)["sections"]
    item = next(s for s in agenda if s["key"] == "dept_requests")["items"][0]
    assert item["next"] == "lcqy request grant 1" and "lcqy request deny 1 --reason 理由" in item["note"]
    listed = ledger("request", "list")
    assert "申请延期至 2026-12-04" in listed.out and "需现场勘查线路" in listed.out
    r = ledger("request", "grant", "1")
    assert r.code == 0 and "2026-11-30 → 2026-12-04" in r.out, r.err
    shown = ledger("show", ref).out
    assert "延期" in shown and "2026-12-04" in shown and "已同意" in shown
    r = ledger("request", "grant", "1")
    assert r.code == 1 and "已同意，不能再审核" in r.err
    # A second request, declined with its reason: the department sees it.
    post(c, f"/cases/{ref}/extension-request", {"until": "2026-12-07", "reason": "再延"})
    r = ledger("request", "deny", "2", "--reason", "已延期一次，请按期办结")
    assert r.code == 0
    page = text(c.get(f"/cases/{ref}"))
    assert "未同意" in page and "已延期一次，请按期办结" in page and "已同意" in page
    assert ledger("request", "list").out.strip() == "没有待审核的申请。"
    r = ledger("request", "grant", "x")
    assert r.code == 1 and "应为数字" in r.err


def test_a_return_granted_runs_lcqy_return(ledger):
    ref = dispatched(ledger, on="2026-11-26")
    c = dept_client(ledger)
    r = post(c, f"/cases/{ref}/return-request", {"reason": "增容审批属能源主管部门"})
    assert r.status_code == 302
    r = ledger("request", "grant", "1", "--json")
    assert r.code == 0 and json.loads(r.out)["status"] == "granted"
    show = json.loads(ledger("show", ref, "--json").out)
    assert show["state"] == "registered" and show["dispatches"][0]["status"] == "returned"
    assert show["dispatches"][0]["return_reason"] == "增容审批属能源主管部门"


def test_return_asked_late_is_refused(ledger):
    ref = dispatched(ledger, on="2026-11-23")
    c = dept_client(ledger)
    r = post(c, f"/cases/{ref}/return-request", {"reason": "不属本单位"})
    assert r.status_code == 400 and "签收后1个工作日内" in text(r)


def test_agenda_lists_dispatches_not_signed_for_after_one_working_day(ledger):
    ref = dispatched(ledger, on="2026-11-23")
    dispatched(ledger, on="2026-11-27")  # today: not yet due for 签收
    add_user(ledger, "gongdian", "--role", "dept", "--dept", LEAD)
    sec = {s["key"]: s for s in json.loads(ledger("agenda", "--json").out)["sections"]}
    assert [i["case"] for i in sec["unsigned"]["items"]] == [ref]
    c = dept_client(ledger, "gongdian2")
    assert post(c, f"/cases/{ref}/receipt").status_code == 302
    sec = {s["key"]: s for s in json.loads(ledger("agenda", "--json").out)["sections"]}
    assert sec["unsigned"]["count"] == 0
    out = ledger("show", ref).out
    assert "签收" in out and "临翔供电局 2026-11-27 签收" in out


def test_assisting_department_adds_a_note_shown_to_the_clerk(ledger):
    ref = dispatched(ledger)
    c = dept_client(ledger, "ziran", ASSIST)
    r = post(c, f"/cases/{ref}/notes", {"text": "用地手续已核实，无障碍"})
    assert r.status_code == 302
    assert "区自然资源局：用地手续已核实，无障碍" in ledger("show", ref).out
    # The assisting department may not reply: only the lead does.
    r = post(c, f"/cases/{ref}/reply", {"result": "A", "mode": "书面", "summary": "已办"})
    assert r.status_code == 403 and "只有牵头部门" in text(r)


def test_serve_checks_its_options_and_warns_without_tls(ledger, monkeypatch):
    r = ledger("serve", "--port", "70000")
    assert r.code == 1 and "端口（--port）须在 1 至 65535 之间" in r.err
    started = []

    class Fake:
        effective_port = 8123

        def run(self):
            raise KeyboardInterrupt  # Ctrl-C at once

        def close(self):
            started.append("closed")

    import waitress

    monkeypatch.setattr(waitress, "create_server", lambda app, **kw: started.append(kw) or Fake())
    r = ledger("serve", "--host", "0.0.0.0")
    assert r.code == 0, r.err
    assert "明文 HTTP" in r.out and "反向代理" in r.out and "http://0.0.0.0:8123/" in r.out
    assert "网上办理平台已停止" in r.out and started[0]["host"] == "0.0.0.0" and started[-1] == "closed"
    r = ledger("serve")
    assert "明文 HTTP" not in r.out and "http://127.0.0.1:8123/" in r.out


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_in_order_on_ctrl_c_or_a_stop_even_started_in_the_background(ledger, signum):
    """A server a script starts in the background inherits SIGINT ignored (as `cmd &` does);
    Ctrl-C's SIGINT and a service manager's SIGTERM still stop it in order, with its message."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "lcqy", "--db", str(ledger.db), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    try:
        assert "网上办理平台已启动" in proc.stdout.readline()
        proc.send_signal(signum)
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "网上办理平台已停止" in out, out


def test_a_renamed_department_keeps_its_users_and_cases(ledger):
    ref = dispatched(ledger)
    c = dept_client(ledger)
    r = ledger("dept", "rename", LEAD, "临沧供电局临翔分局")
    assert r.code == 0, r.err
    users = json.loads(ledger("user", "list", "--json").out)["users"]
    assert users[0]["dept"] == "临沧供电局临翔分局"
    page = text(c.get("/cases"))
    assert "临沧供电局临翔分局 · 交办案件" in page and f"/cases/{ref}" in page


def test_check_passes_and_undo_works_after_online_acts(ledger):
    ref = dispatched(ledger, on="2026-11-26")
    c = dept_client(ledger)
    post(c, f"/cases/{ref}/receipt")
    post(c, f"/cases/{ref}/extension-request", {"until": "2026-12-07", "reason": "勘查"})
    post(dept_client(ledger, "ziran", ASSIST), f"/cases/{ref}/notes", {"text": "无意见"})
    assert ledger("request", "grant", "1").code == 0
    assert post(c, f"/cases/{ref}/reply", {"result": "A", "mode": "书面", "summary": "已办"}).status_code == 302
    for args in (["check"], ["check", "--deep"]):
        r = ledger(*args)
        assert r.code == 0, r.out + r.err
    # The clerk may still correct a department's reply as any other.
    r = ledger("undo", ref, "--reason", "答复附件不全，退回重报")
    assert r.code == 0, r.err
    assert json.loads(ledger("show", ref, "--json").out)["state"] == "dispatched"


def test_the_kept_list_follows_every_act(ledger):
    """The workbench's list, kept between requests and brought up to date case by case, equals
    the list read afresh after each act (the clerk's and the department's)."""
    from datetime import date

    from lcqy.acts import online
    from lcqy.acts.context import Ctx
    from lcqy.store.db import Ledger
    from lcqy.web.app import Calendars
    from lcqy.web.cache import DeptCache

    refs = [dispatched(ledger, on=d) for d in ("2026-11-13", "2026-11-17", "2026-11-24", "2026-11-26")]
    c = dept_client(ledger)
    cache, calendars = DeptCache(), Calendars()

    def same() -> list[str]:
        led = Ledger.open(ledger.db)
        try:
            ctx = Ctx(led, date(2026, 11, 27))
            ctx._cal = calendars.get(led)  # as the server keeps it: the same until the office changes it
            with led.reading():
                kept = cache.cases(ctx, LEAD, open_only=True, limit=200)
                fresh = online.dept_cases(ctx, LEAD, as_of=ctx.today)
            names = [d[0] for d in led.conn.execute(online._CASES_SQL.format(extra=""), {"dept": LEAD}).description]
            assert names == online.ROW_NAMES
        finally:
            led.close()
        assert kept == fresh
        return [f"{r['case']}:{r['colour']}" for r in kept]

    assert same() == [f"{refs[0]}:yellow", f"{refs[1]}:yellow", f"{refs[2]}:blue", f"{refs[3]}:"]
    ledger("urge", refs[0], "--no-letter")
    assert same()[0] == f"{refs[0]}:red"
    post(c, f"/cases/{refs[3]}/return-request", {"reason": "不属本单位"})
    ledger("request", "grant", "1")
    post(c, f"/cases/{refs[2]}/reply", {"result": "A", "mode": "书面", "summary": "已办"})
    assert same() == [f"{refs[0]}:red", f"{refs[1]}:yellow"]
    ledger("dispatch", refs[3].split("-")[1], "--dept", LEAD, "--level", "主任", "--approver", "王明")
    assert same()[-1] == f"{refs[3]}:"
    assert ledger("calendar", "set", "2026-11-30", "holiday", "--note", "office").code == 0
    assert len(same()) == 3


# Every dispatch, returned and replaced ones too (a department still opens a case it once held).
DERIVED = """SELECT id, case_id, lead_dept, 'lead', status = 'active' FROM dispatches
             UNION SELECT d.id, d.case_id, j.value, 'assist', d.status = 'active'
             FROM dispatches d, json_each(d.assist) j ORDER BY 1, 3"""
KEPT = "SELECT dispatch_id, case_id, dept, role, active FROM dispatch_depts ORDER BY 1, 3"


def test_each_dispatch_departments_follow_the_sample_and_an_import(run, tmp_path, monkeypatch):
    """dispatch_depts, which the department's list reads, is what the dispatches say: in the
    sample (every act) and after import-ledger, which replays migration 16's work in bulk."""
    import shutil
    from pathlib import Path

    from tests.conftest import INIT

    sample = tmp_path / "sample.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "sample_ledger.db", sample)
    conn = sqlite3.connect(sample)
    derived = conn.execute(DERIVED).fetchall()
    assert conn.execute(KEPT).fetchall() == derived
    assert {active for *_, active in derived} == {0, 1}  # the sample has returned dispatches
    conn.close()
    monkeypatch.setenv("LCQY_DB", str(sample))
    sheet = tmp_path / "sample.xlsx"
    assert run("export-ledger", "-o", str(sheet), "--with-contacts").code == 0
    monkeypatch.setenv("LCQY_DB", str(tmp_path / "new.db"))
    assert run(*INIT).code == 0
    r = run("import-ledger", str(sheet))
    assert r.code == 0, r.err
    conn = sqlite3.connect(tmp_path / "new.db")
    derived = conn.execute(DERIVED).fetchall()
    assert derived and conn.execute(KEPT).fetchall() == derived
    conn.close()
