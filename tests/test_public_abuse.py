"""The enterprise's side is open to anyone: rate limits per address and per phone (429 with a
Chinese message), markup escaped on every page that shows what was typed, sizes capped, papers
never served inline (issue 24)."""

from __future__ import annotations

import io
import json

from tests.test_public_submissions import CODE, REPORT, answer, inbox, report
from tests.web_helpers import LEAD, client, dept_client, post, text

XSS = "<script>alert(1)</script>"


def test_a_hundred_reports_from_one_address_stop_at_the_limit(ledger, monkeypatch):
    monkeypatch.setenv("LCQY_REPORTS_PER_ADDRESS", "20")
    monkeypatch.setenv("LCQY_REPORTS_PER_PHONE", "1000")
    c = client(ledger)
    codes = []
    for i in range(100):
        r = c.post("/api/reports", json={**REPORT, "problem": f"第{i}个问题"}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
        codes.append(r.status_code)
    assert codes[:20] == [201] * 20 and set(codes[20:]) == {429}
    assert "本网络地址提交的反映过多" in r.get_json()["error"]
    assert len(inbox(ledger)) == 20
    # Another address is not held back by that one.
    r = c.post("/api/reports", json={**REPORT, "problem": "别处"}, environ_base={"REMOTE_ADDR": "10.0.0.10"})
    assert r.status_code == 201


def test_one_phone_is_limited_across_addresses_and_the_form_says_so(ledger, monkeypatch):
    monkeypatch.setenv("LCQY_REPORTS_PER_PHONE", "3")
    c = client(ledger)
    for i in range(3):
        r = c.post("/api/reports", json={**REPORT, "problem": f"问题{i}"}, environ_base={"REMOTE_ADDR": f"10.0.1.{i}"})
        assert r.status_code == 201
    r = report(c, problem="第四个问题")
    assert r.status_code == 429 and "这个联系电话提交的反映过多" in text(r)
    assert REPORT["enterprise"] in text(r)  # the form again, with what was typed
    assert len(inbox(ledger)) == 3


def test_markup_is_escaped_on_every_page_that_shows_it(ledger):
    c = client(ledger)
    hostile = {k: f"{v}{XSS}" for k, v in REPORT.items() if k not in ("phone", "email", "category")}
    r = report(c, **hostile, files=[(io.BytesIO(b"<html>" + XSS.encode()), f"{XSS}.html")])
    assert r.status_code == 200, text(r)
    code = CODE.search(text(r))[1]
    # The form sent back with an error keeps every field, escaped.
    bad = report(c, **hostile, phone="x")
    assert bad.status_code == 400 and XSS not in text(bad) and "&lt;script&gt;" in text(bad)
    assert ledger("accept", "1").code == 0
    assert ledger("dispatch", "1", "--dept", LEAD, "--level", "主任", "--approver", "王明").code == 0
    track = text(c.get(f"/track?code={code}&phone4=4321"))
    assert XSS not in track and "&lt;script&gt;alert(1)&lt;/script&gt;" in track
    d = dept_client(ledger)
    page = text(d.get("/cases/2026-1"))
    assert "临沧茶叶加工有限公司" in page and XSS not in page
    assert XSS not in text(d.get("/cases"))
    # The paper goes out as a download only, whatever its name and content.
    show = json.loads(ledger("show", "1", "--json").out)
    n = show["attachments"][0]["n"]
    r = d.get(f"/cases/2026-1/papers/{n}")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in r.headers["Content-Security-Policy"]
    reply = {"result": "B", "mode": "书面", "summary": f"答复{XSS}", "plan": "下月办结", "plan_due": "2026-12-30"}
    assert post(d, "/cases/2026-1/reply", reply).status_code == 302
    track = text(c.get(f"/track?code={code}&phone4=4321"))
    assert XSS not in track and "答复&lt;script&gt;" in track
    v = c.get(f"/api/reports/{code}?phone4=4321").get_json()
    assert v["reply"]["summary"] == f"答复{XSS}"  # JSON carries the text as it is, typed as JSON
    # The clerk's terminal shows a name as typed: rich markup in it is not interpreted.
    r = c.post("/api/reports", json={**REPORT, "enterprise": "[bold]甲[/bold]公司"})
    assert r.status_code == 201
    assert "[bold]甲[/bold]公司" in ledger("inbox").out


def test_sizes_are_capped_before_reading(ledger):
    c = client(ledger)
    page = text(c.get("/report"))
    big = io.BytesIO(b"\0" * (20 * 1024 * 1024 + 1))
    r = c.post(
        "/report", data={**REPORT, **answer(page), "files": (big, "big.pdf")}, content_type="multipart/form-data"
    )
    assert r.status_code == 400 and "20 MiB" in text(r)
    files = [(io.BytesIO(b"%PDF-1"), f"{i}.pdf") for i in range(6)]
    r = c.post("/report", data={**REPORT, **answer(page), "files": files}, content_type="multipart/form-data")
    assert r.status_code == 400 and "最多 5 个" in text(r)
    r = c.post("/api/reports", json={**REPORT, "problem": "长" * 2001})
    assert r.status_code == 400 and "主要困难和问题" in r.get_json()["error"]
    assert inbox(ledger) == []
