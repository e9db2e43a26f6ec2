"""The online platform end to end through its HTTP interface (Flask's test client): sign-in,
the department's acts, the clerk's CLI on the same ledger, and the leaders' page."""

from __future__ import annotations

import io
import json
import re
import sqlite3

import pyotp

from tests.web_helpers import (
    LEAD,
    add_user,
    client,
    csrf,
    dept_client,
    dispatched,
    post,
    sign_in,
    text,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_first_login_forces_a_new_password(ledger):
    pw = add_user(ledger, "gongdian", "--role", "dept", "--dept", LEAD)
    c = client(ledger)
    page = text(c.get("/login"))
    r = c.post("/login", data={"login": "gongdian", "password": "wrong", "csrf_token": csrf(page)})
    assert r.status_code == 401 and "登录名或密码不对" in text(r)
    r = c.post("/login", data={"login": "gongdian", "password": pw, "csrf_token": csrf(page)})
    assert r.headers["Location"].endswith("/password")
    assert c.get("/cases").headers["Location"].endswith("/password")  # nothing else before the change
    token = csrf(text(c.get("/password")))
    for new, said in [("short1", "至少 10 位"), ("abcdefghijkl", "字母和数字"), ("gongdian2026x", "登录名")]:
        r = c.post("/password", data={"old": pw, "new": new, "again": new, "csrf_token": token})
        assert r.status_code == 400 and said in text(r)
    r = c.post("/password", data={"old": pw, "new": "Chengxin2026ok", "again": "Chengxin2026ok", "csrf_token": token})
    assert r.headers["Location"].endswith("/")
    assert c.get("/cases").status_code == 200
    # The one-time password no longer works; the chosen one does.
    c2 = client(ledger)
    r = c2.post("/login", data={"login": "gongdian", "password": pw, "csrf_token": csrf(text(c2.get("/login")))})
    assert r.status_code == 401
    assert sign_in(c2, "gongdian", "Chengxin2026ok", new=None).headers["Location"].endswith("/")


def test_login_is_throttled_per_account(ledger):
    from lcqy.web.throttle import THROTTLE

    add_user(ledger, "caizheng", "--role", "dept", "--dept", "区财政局")
    c = client(ledger)
    token = csrf(text(c.get("/login")))
    codes = [
        c.post("/login", data={"login": "caizheng", "password": f"x{i}", "csrf_token": token}).status_code
        for i in range(6)
    ]
    assert codes == [401] * 5 + [429]
    assert "分钟后再试" in text(c.post("/login", data={"login": "caizheng", "password": "y", "csrf_token": token}))
    THROTTLE.clear("caizheng")


def test_clerk_needs_a_second_factor(ledger):
    pw = add_user(ledger, "zhaoxy", "--role", "clerk")
    c = client(ledger)
    r = sign_in(c, "zhaoxy", pw)
    assert r.headers["Location"].endswith("/totp/setup")
    page = text(c.get("/totp/setup"))
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page)[1]
    assert 'src="data:image/svg+xml' in page  # the QR code, from lcqy itself
    r = c.post("/totp/setup", data={"code": "000000", "csrf_token": csrf(page)})
    assert r.status_code == 400 and "动态验证码不对" in text(r)
    r = c.post("/totp/setup", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf(page)})
    assert r.status_code == 302
    assert c.get("/leaders").status_code == 200
    # The next sign-in asks for the code before anything.
    c2 = client(ledger)
    r = sign_in(c2, "zhaoxy", "Chengxin2026ok", new=None)
    assert r.headers["Location"].endswith("/totp")
    assert c2.get("/leaders").headers["Location"].endswith("/totp")
    page = text(c2.get("/totp"))
    assert c2.post("/totp", data={"code": "123456", "csrf_token": csrf(page)}).status_code == 401
    assert c2.post("/totp", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf(page)}).status_code == 302
    assert "2026-11 企业反映问题办理情况" in text(c2.get("/leaders"))


def test_the_office_asks_departments_for_a_second_factor_at_once(ledger):
    """`config totp 部门` in the CLI holds for a department user already signed in on line: the
    next page asks for the code; leaders are not asked until the office names them too."""
    c = dept_client(ledger)
    leader = client(ledger)
    sign_in(leader, "lingdao", add_user(ledger, "lingdao", "--role", "leader"))
    assert c.get("/cases").status_code == 200
    r = ledger("config", "totp", "部门")
    assert r.code == 0 and "totp = 服企办经办人（总是）、部门须用动态验证码登录" in r.out
    assert c.get("/cases").headers["Location"].endswith("/totp/setup")
    assert leader.get("/leaders").status_code == 200
    page = text(c.get("/totp/setup"))
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page)[1]
    assert post(c, "/totp/setup", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert c.get("/cases").status_code == 200
    assert ledger("config", "totp", "-").code == 0
    assert leader.get("/leaders").status_code == 200


def test_sign_reply_b_with_its_document_then_urge_and_read(ledger):
    ref = dispatched(ledger, on="2026-11-23")
    c = dept_client(ledger)
    page = text(c.get("/cases"))
    assert "待签收" in page and "剩 1 个工作日" in page and 'class="row-blue"' in page
    assert post(c, f"/cases/{ref}/receipt").status_code == 302
    assert "2026-11-27 已签收" in text(c.get(f"/cases/{ref}"))
    # A B reply without its promised date is refused with lcqy reply's message; nothing recorded.
    bad = {"result": "B", "mode": "书面", "summary": "已制定增容方案", "plan": "12月底前完成线路改造"}
    r = post(c, f"/cases/{ref}/reply", bad)
    assert r.status_code == 400 and "--plan-due" in text(r) and "已制定增容方案" in text(r)
    good = {**bad, "plan_due": "2026-12-10", "doc_no": "临供电〔2026〕88号", "file": (io.BytesIO(PDF), "答复.pdf")}
    r = post(c, f"/cases/{ref}/reply", good, content_type="multipart/form-data")
    assert r.status_code == 302, text(r)
    show = json.loads(ledger("show", ref, "--json").out)
    assert show["state"] == "replied" and show["supervision"] == "ledger"
    assert show["replies"][0]["result"] == "B" and show["replies"][0]["plan_due"] == "2026-12-10"
    reply_event = next(e for e in show["events"] if e["action"] == "reply")
    assert reply_event["actor"] == "gongdian（临翔供电局，网上）"
    papers = json.loads(ledger("attachments", ref, "--json").out)
    papers = papers.get("attachments", papers) if isinstance(papers, dict) else papers
    assert [(p["name"], p["kind"], p["size"]) for p in papers] == [("答复.pdf", "答复文件", len(PDF))]
    # The paper downloads as a download, with safe headers.
    r = c.get(f"/cases/{ref}/papers/1")
    assert r.data == PDF and r.headers["Content-Disposition"].startswith("attachment;")
    assert r.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in r.headers["Content-Security-Policy"]
    # At the promised date the clerk urges: a 督办函, shown to the department, 已阅 when opened.
    r = ledger("urge", ref, "--no-letter", today="2026-12-11")
    assert r.code == 0, r.err
    # (LCQY_TODAY is now 2026-12-11 for the server too.)
    page = text(c.get(f"/cases/{ref}"))
    assert "督办函" in page and "未阅" in page
    assert "1 份催办/督办函未阅" in text(c.get("/cases"))
    uid = re.search(rf"/cases/{ref}/urges/(\d+)", page)[1]
    r = c.get(f"/cases/{ref}/urges/{uid}")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    assert "attachment;" in r.headers["Content-Disposition"] and "%E7%9D%A3%E5%8A%9E%E5%87%BD" in r.headers[
        "Content-Disposition"
    ]  # 督办函
    assert "已阅（" in text(c.get(f"/cases/{ref}"))
    # The department's copy says what the clerk's `lcqy form urge` says: the reply received and
    # the promised date, under the 督 number.
    online_text = _docx_text(r.data)
    assert "临供电〔2026〕88号" in online_text and "2026年12月10日" in online_text, online_text
    assert "督（2026）第1号" in online_text
    out = ledger("show", ref).out
    assert "已阅" in out and "临翔供电局" in out
    c.get(f"/cases/{ref}/urges/{uid}")  # opened again: still one 已阅
    conn = sqlite3.connect(ledger.db)
    assert conn.execute("SELECT count(*) FROM urge_reads").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM events WHERE action = 'urge-read'").fetchone()[0] == 1


def test_extension_granted_in_the_cli_shows_the_new_date(ledger):
    ref = dispatched(ledger, on="2026-11-23")
    c = dept_client(ledger)
    for until, said in [("2026-12-05", "休息日"), ("2026-11-27", "须晚于当前时限"), ("2027-02-01", "延期最长")]:
        r = post(c, f"/cases/{ref}/extension-request", {"until": until, "reason": "勘查"})
        assert r.status_code == 400 and said in text(r), (until, text(r)[-800:])
    assert post(c, f"/cases/{ref}/extension-request", {"until": "2026-12-04", "reason": "勘查"}).status_code == 302
    assert "待审核" in text(c.get(f"/cases/{ref}"))
    r = post(c, f"/cases/{ref}/extension-request", {"until": "2026-12-07", "reason": "再"})
    assert r.status_code == 400 and "待审核的延期申请" in text(r)
    assert ledger("request", "grant", "1").code == 0
    page = text(c.get(f"/cases/{ref}"))
    assert "2026-12-04，剩 5 个工作日" in page and "原 2026-11-30，已延期" in page and "已同意" in page


def test_sessions_end_on_disable_reset_and_idle(ledger, monkeypatch):
    c = dept_client(ledger)
    assert c.get("/cases").status_code == 200
    assert ledger("user", "disable", "gongdian").code == 0
    assert c.get("/cases").headers["Location"].endswith("/login")
    ledger("user", "reset", "gongdian")
    c = client(ledger)
    pw = json.loads(ledger("user", "reset", "gongdian", "--json").out)["password"]
    sign_in(c, "gongdian", pw, new="Chengxin2026ok")
    assert c.get("/cases").status_code == 200
    import time

    import lcqy.web.auth as auth

    later = time.time() + 31 * 60
    monkeypatch.setattr(auth.time, "time", lambda: later)
    assert c.get("/cases").headers["Location"].endswith("/login")


def test_session_cookie_flags(ledger):
    pw = add_user(ledger, "gongdian", "--role", "dept", "--dept", LEAD)
    c = client(ledger)
    page = text(c.get("/login"))
    r = c.post("/login", data={"login": "gongdian", "password": pw, "csrf_token": csrf(page)})
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Expires=" in cookie


def test_leaders_read_only(ledger):
    ref = dispatched(ledger)
    c = client(ledger)
    sign_in(c, "lingdao", add_user(ledger, "lingdao", "--role", "leader"))
    page = text(c.get("/leaders"))
    assert "承办单位" in page and "需通报的承办单位" in page and "尚未印发" in page
    assert "2026-11 企业反映问题办理情况" in page and "临翔供电局" in page
    assert c.get(f"/cases/{ref}").status_code == 200  # leaders read every case
    token = csrf(text(c.get(f"/cases/{ref}")))
    for act in ("receipt", "reply", "extension-request", "return-request", "notes"):
        assert c.post(f"/cases/{ref}/{act}", data={"csrf_token": token, "reason": "x"}).status_code == 404
    assert c.get("/cases").status_code == 404  # the workbench is a department's
    ledger("report", "--month", "2026-11", "-o", str(ledger.db.parent / "jb.docx"))
    r = c.get("/leaders/bulletin/2026-11")
    assert r.status_code == 200 and r.data[:2] == b"PK" and "attachment;" in r.headers["Content-Disposition"]


def _docx_text(data: bytes) -> str:
    import docx

    doc = docx.Document(io.BytesIO(data))
    return "".join(p.text for p in doc.paragraphs).replace("\n", "")


def test_special_supervision_letter_online_names_the_reason_and_deadline(ledger):
    """A 专项督办 督办函 downloaded by the department carries what the clerk set with `supervise`."""
    ref = dispatched(ledger, on="2026-11-23")
    for args in (
        ("reply", ref, "--result", "A", "--mode", "书面", "--summary", "已完成增容接电", "--date", "2026-11-25"),
        ("followup", ref, "--method", "电话回询", "--satisfaction", "不满意", "--date", "2026-11-26"),
        ("supervise", ref, "--until", "2026-12-02", "--reason", "企业反映接电后仍频繁停电", "--date", "2026-11-26"),
        ("urge", ref, "--no-letter", "--date", "2026-12-04"),
    ):
        r = ledger(*args, today="2026-12-04")
        assert r.code == 0, (args, r.err)
    c = dept_client(ledger)
    page = text(c.get(f"/cases/{ref}"))
    uid = re.search(rf"/cases/{ref}/urges/(\d+)", page)[1]
    r = c.get(f"/cases/{ref}/urges/{uid}")
    assert r.status_code == 200, text(r)
    letter = _docx_text(r.data)
    assert "企业反映接电后仍频繁停电" in letter and "2026年12月2日" in letter, letter
