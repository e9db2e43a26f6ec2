"""Who sees what on line, and the JSON API: another department's case is 404 on every page and
API route; the enterprise's phone and e-mail reach the lead department only (第四条); a leader
cannot write; uploads are capped; headers forbid framing, sniffing and inline script."""

from __future__ import annotations

import io
import json

from tests.conftest import snapshot
from tests.web_helpers import ASSIST, LEAD, OTHER, add_user, dept_client, dispatched, text

PAGES = ["", "/forms/dispatch", "/forms/register", "/papers/1", "/urges/1"]
POSTS = ["/receipt", "/reply", "/extension-request", "/return-request", "/notes"]


def _token(run, login: str) -> dict:
    r = run("user", "token", login, "--json")
    assert r.code == 0, r.err
    return {"Authorization": "Bearer " + json.loads(r.out)["token"]}


def test_another_department_gets_404_everywhere(ledger):
    ref = dispatched(ledger)
    ledger("attach", ref, str(_paper(ledger)), "--kind", "企业材料")
    ledger("urge", ref, "--no-letter", "--date", "2026-12-01", today="2026-12-01")
    other = dept_client(ledger, "caizheng", OTHER)
    add_user(ledger, "caizheng-api", "--role", "dept", "--dept", OTHER)
    h = _token(ledger, "caizheng-api")
    before = snapshot(ledger.db)
    for page in PAGES:
        r = other.get(f"/cases/{ref}{page}")
        assert r.status_code == 404 and "没有这个" in text(r), page
    token = other.get("/cases")  # a fresh token for the posts
    assert token.status_code == 200 and "临沧南美坚果" not in text(token)
    from tests.web_helpers import csrf

    t = csrf(text(token))
    for act in POSTS:
        r = other.post(f"/cases/{ref}{act}", data={"csrf_token": t, "reason": "x", "text": "x", "until": "2026-12-04"})
        assert r.status_code == 404, act
    assert _api(ledger, "GET", "/api/cases", h).get_json() == {"cases": []}
    r = _api(ledger, "GET", f"/api/cases/{ref}", h)
    assert r.status_code == 404 and r.get_json() == {"error": "没有这个案件，或您无权查看。"}
    for act in POSTS:
        r = _api(ledger, "POST", f"/api/cases/{ref}{act}", h, json={"reason": "x", "text": "x", "until": "2026-12-04"})
        assert r.status_code == 404 and "error" in r.get_json(), act
    assert snapshot(ledger.db) == before
    # A case number that does not exist reads the same as one that is not yours.
    assert _api(ledger, "GET", "/api/cases/2026-99", h).get_json() == {"error": "没有这个案件，或您无权查看。"}
    assert _api(ledger, "GET", "/api/cases/abc", h).status_code == 404


def _paper(run):
    path = run.db.parent / "材料.pdf"
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    return path


_APPS: dict = {}


def _api(run, method: str, url: str, headers: dict, **kw):
    from lcqy.web import create_app

    key = str(run.db)
    if key not in _APPS:
        _APPS[key] = create_app(run.db).test_client()
    return _APPS[key].open(url, method=method, headers=headers, base_url="https://localhost", **kw)


def test_phone_and_email_to_the_lead_department_only(ledger):
    ref = dispatched(ledger)
    lead = dept_client(ledger)
    assist = dept_client(ledger, "ziran", ASSIST)
    assert "0883-2123456" in text(lead.get(f"/cases/{ref}"))
    page = text(assist.get(f"/cases/{ref}"))
    assert "0883-2123456" not in page and "李华" not in page and "临沧南美坚果" in page
    add_user(ledger, "ziran-api", "--role", "dept", "--dept", ASSIST)
    got = _api(ledger, "GET", f"/api/cases/{ref}", _token(ledger, "ziran-api")).get_json()
    assert got["role"] == "assist" and got["phone"] == "" and got["email"] == "" and got["contact"] == ""


def test_api_acts_with_a_bearer_token(ledger):
    ref = dispatched(ledger, on="2026-11-26")
    add_user(ledger, "gongdian-oa", "--role", "dept", "--dept", LEAD)
    h = _token(ledger, "gongdian-oa")
    assert _api(ledger, "GET", "/api/cases", {}).status_code == 401
    assert _api(ledger, "GET", "/api/cases", {"Authorization": "Bearer nope"}).get_json()["error"].startswith("未认证")
    cases = _api(ledger, "GET", "/api/cases", h).get_json()["cases"]
    assert [(c["case"], c["role"], c["due"], c["dispatch_no"]) for c in cases] == [
        (ref, "lead", "2026-12-03", "临翔服企办交（2026）第1号")
    ]
    r = _api(ledger, "POST", f"/api/cases/{ref}/receipt", h)
    assert r.status_code == 201 and r.get_json()["signed_on"] == "2026-11-27"
    r = _api(ledger, "POST", f"/api/cases/{ref}/receipt", h)
    assert r.status_code == 400 and "已于 2026-11-27 签收" in r.get_json()["error"]
    r = _api(ledger, "POST", f"/api/cases/{ref}/reply", h, json={"result": "D", "mode": "书面", "summary": "x"})
    assert r.status_code == 400 and "办理结果（--result）" in r.get_json()["error"]
    r = _api(ledger, "POST", f"/api/cases/{ref}/reply", h, data="not json", content_type="application/json")
    assert r.status_code == 400 and "JSON 对象" in r.get_json()["error"]
    r = _api(ledger, "POST", f"/api/cases/{ref}/extension-request", h, json={"until": "2026-12-08", "reason": "勘查"})
    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    r = _api(ledger, "POST", f"/api/cases/{ref}/return-request", h, json={"reason": "不属本单位"})
    assert r.status_code == 201 and r.get_json()["kind"] == "return"
    r = _api(ledger, "POST", f"/api/cases/{ref}/notes", h, json={"text": "x"})
    assert r.status_code == 403 and "配合部门" in r.get_json()["error"]
    data = {"result": "A", "mode": "书面", "summary": "已接电", "doc_no": "临供电〔2026〕90号",
            "file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "答复函.pdf")}  # fmt: skip
    r = _api(ledger, "POST", f"/api/cases/{ref}/reply", h, data=data, content_type="multipart/form-data")
    assert r.status_code == 201 and r.get_json()["attachment"] == "答复函.pdf" and r.get_json()["late"] == 0
    got = _api(ledger, "GET", f"/api/cases/{ref}", h).get_json()
    assert got["state"] == "replied" and got["replies"][0]["doc_no"] == "临供电〔2026〕90号"
    assert [q["kind"] for q in got["requests"]] == ["extension", "return"]
    # Revoked: the token stops working at once.
    ledger("user", "token", "gongdian-oa", "--revoke")
    assert _api(ledger, "GET", "/api/cases", h).status_code == 401


def test_a_leader_cannot_write_through_the_api(ledger):
    ref = dispatched(ledger)
    add_user(ledger, "lingdao", "--role", "leader")
    h = _token(ledger, "lingdao")
    assert _api(ledger, "GET", "/api/cases", h).status_code == 403  # cases are listed per department
    before = snapshot(ledger.db)
    for act in POSTS:
        r = _api(ledger, "POST", f"/api/cases/{ref}{act}", h, json={"reason": "x"})
        assert r.status_code == 403 and "领导只能查看" in r.get_json()["error"], act
    assert snapshot(ledger.db) == before
    assert _api(ledger, "GET", f"/api/cases/{ref}", h).get_json()["reg_no"] == "临翔服企办收（2026）第1号"


def test_headers_csrf_and_upload_cap(ledger):
    ref = dispatched(ledger)
    c = dept_client(ledger)
    r = c.get("/cases")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"
    assert "<script" not in text(r) and " style=" not in text(r)
    before = snapshot(ledger.db)
    r = c.post(f"/cases/{ref}/receipt", data={})  # no CSRF token
    assert r.status_code == 400 and "防伪校验未通过" in text(r)
    from tests.web_helpers import csrf

    token = csrf(text(c.get(f"/cases/{ref}")))
    big = io.BytesIO(b"%PDF" + b"0" * (50 * 1024 * 1024))
    r = c.post(f"/cases/{ref}/reply", data={"csrf_token": token, "result": "A", "mode": "书面", "summary": "x",
                                           "file": (big, "大.pdf")}, content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 413 and "50 MiB" in text(r)
    assert snapshot(ledger.db) == before
    # Static files are lcqy's own.
    assert c.get("/static/style.css").status_code == 200
