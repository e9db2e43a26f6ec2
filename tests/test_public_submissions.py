"""Enterprises report, follow and rate their case on line (第八条, issue 24): the report form, the
clerk's inbox/accept/decline, /track with the 查询码 and the phone's last four digits, the online
rating, and the same through /api/reports and the Open311 read views."""

from __future__ import annotations

import io
import json
import re

from tests.web_helpers import LEAD, client, csrf, dept_client, post, text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REPORT = {
    "enterprise": "临沧茶叶加工有限公司",
    "address": "临翔区工业园区8号",
    "contact": "张丽",
    "position": "总经理",
    "phone": "13987654321",
    "email": "zl@example.com",
    "category": "用地审批",
    "problem": "厂房扩建用地手续办理半年未果",
    "request": "请协调自然资源部门加快用地审批",
}
CODE = re.compile(r'id="tracking-code">([0-9A-Z-]{14})<')
DIGITS = "零一二三四五六七八九"


def answer(page: str) -> dict:
    """The form's challenge answered as a person would: the sum of its two numerals."""
    a, b = re.search(r"验证题：(.)加(.)等于几", page).groups()
    return {
        "challenge": str(DIGITS.index(a) + DIGITS.index(b)),
        "challenge_token": re.search(r'name="challenge_token" value="([^"]+)"', page)[1],
        "csrf_token": csrf(page),
    }


def report(c, **over) -> object:
    page = text(c.get("/report"))
    files = over.pop("files", None)
    data = {**REPORT, **answer(page), **over}
    if files:
        data["files"] = files
    return c.post("/report", data=data, content_type="multipart/form-data")


def inbox(run) -> list[dict]:
    r = run("inbox", "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)["submissions"]


def test_report_form_gives_a_code_and_nothing_enters_the_ledger_until_accepted(ledger):
    c = client(ledger)
    page = text(c.get("/report"))
    for said in ("诉讼、仲裁、行政复议", "国家秘密", "第四条", 'type="tel"', 'type="email"', 'name="website"'):
        assert said in page
    r = report(c, files=[(io.BytesIO(PDF), "营业执照.pdf")])
    assert r.status_code == 200, text(r)
    code = CODE.search(text(r))[1]
    assert "服企办将先与贵企业电话核实" in text(r)
    assert json.loads(ledger("list", "--json").out) == []  # not in the numbered ledger yet
    (sub,) = inbox(ledger)
    assert sub["enterprise"] == REPORT["enterprise"] and sub["papers"] == 1 and sub["contact_title"] == "总经理"
    # Waiting: the enterprise sees 待核实 with its code and the right digits.
    page = text(c.get(f"/track?code={code}&phone4=4321"))
    assert "待核实" in page and REPORT["problem"] in page
    r = ledger("accept", str(sub["id"]), "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["reg_no"] == "临翔服企办收（2026）第1号" and out["tracking_code"] == code and out["papers"] == 1
    show = json.loads(ledger("show", "1", "--json").out)
    assert show["channel"] == "网上反映" and show["reported_on"] == "2026-11-27"
    assert [a["name"] for a in show["attachments"]] == ["营业执照.pdf"]
    assert inbox(ledger) == []
    page = text(c.get(f"/track?code={code.lower().replace('-', ' ')}&phone4=4321"))
    assert "已受理" in page and "临翔服企办收（2026）第1号" in page
    r = ledger("accept", str(sub["id"]))
    assert r.code == 1 and "已受理" in r.err


def test_bad_fields_are_named_and_nothing_is_stored(ledger):
    c = client(ledger)
    for over, said in [
        ({"phone": "12345"}, "联系电话"),
        ({"category": "其他类"}, "问题类别"),
        ({"problem": ""}, "主要困难和问题"),
        ({"challenge": "99"}, "验证题"),
        ({"challenge_token": "forged"}, "验证题已过期"),
    ]:
        r = report(c, **over)
        assert r.status_code == 400 and said in text(r), (over, text(r))
        assert REPORT["enterprise"] in text(r)  # what was typed stays in the form
    r = report(c, website="http://spam.example")  # the honeypot
    assert r.status_code == 400
    assert inbox(ledger) == []


def test_decline_shows_the_reason_to_the_enterprise_and_accept_into_merges(ledger):
    c = client(ledger)
    code = CODE.search(text(report(c)))[1]
    code2 = CODE.search(text(report(c, problem="另一个问题：供电不稳")))[1]
    first, second = inbox(ledger)
    assert ledger("decline", str(first["id"]), "--reason", "经电话核实，属于已起诉的合同纠纷").code == 0
    page = text(c.get(f"/track?code={code}&phone4=4321"))
    assert "未受理" in page and "已起诉的合同纠纷" in page
    assert ledger("decline", str(first["id"]), "--reason", "x").code == 1
    r = ledger("decline", str(second["id"]))
    assert r.code == 2  # --reason is required
    # An open case of the same enterprise: the inbox flags it and accept --into merges.
    from tests.conftest import register_args

    assert ledger("register", *register_args(enterprise=REPORT["enterprise"])).code == 0
    (waiting,) = inbox(ledger)
    assert waiting["duplicates"][0]["reg_no"] == "临翔服企办收（2026）第1号"
    plain = ledger("inbox").out
    assert f"lcqy accept {second['id']} --into 1" in plain
    r = ledger("accept", str(second["id"]), "--into", "1")
    assert r.code == 0 and "并入" in r.out
    assert json.loads(ledger("list", "--json").out)[0]["reg_seq"] == 1  # no second case
    page = text(c.get(f"/track?code={code2}&phone4=4321"))
    assert "临翔服企办收（2026）第1号" in page


def test_identical_submissions_the_same_day_are_folded(ledger):
    c = client(ledger)
    codes = {CODE.search(text(report(c)))[1] for _ in range(3)}
    assert len(codes) == 1 and len(inbox(ledger)) == 1


def test_track_online_rating_unsatisfied_goes_to_special_supervision(ledger):
    c = client(ledger)
    code = CODE.search(text(report(c)))[1]
    assert ledger("accept", "1").code == 0
    r = ledger("dispatch", "1", "--dept", LEAD, "--level", "主任", "--approver", "王明")
    assert r.code == 0, r.err
    page = text(c.get(f"/track?code={code}&phone4=4321"))
    assert "已交办" in page and LEAD in page and "还有 5 个工作日" in page
    d = dept_client(ledger)
    assert post(d, "/cases/2026-1/receipt").status_code == 302
    assert "办理中" in text(c.get(f"/track?code={code}&phone4=4321"))
    reply = {"result": "A", "mode": "书面", "summary": "已完成用地预审", "doc_no": "临自然〔2026〕5号"}
    reply["file"] = (io.BytesIO(PDF), "答复.pdf")
    assert post(d, "/cases/2026-1/reply", reply, content_type="multipart/form-data").status_code == 302
    page = text(c.get(f"/track?code={code}&phone4=4321"))
    assert "已答复" in page and "已完成用地预审" in page and "已经解决或基本解决" in page
    assert 'name="satisfaction"' in page
    token = csrf(page)
    r = c.post(
        "/track/rate",
        data={"code": code, "phone4": "4321", "satisfaction": "不满意", "comment": "审批仍未下达", "csrf_token": token},
    )
    assert r.status_code == 303
    page = text(c.get(r.headers["Location"]))
    assert "已收到您的评价" in page and "您的评价：不满意" in page and 'name="satisfaction"' not in page
    show = json.loads(ledger("show", "1", "--json").out)
    assert show["supervision"] == "special"
    assert show["followups"][-1]["method"] == "网上评价" and show["followups"][-1]["note"] == "审批仍未下达"
    agenda = ledger("agenda").out
    assert "专项督办" in agenda
    # Once per reply.
    r = c.post("/track/rate", data={"code": code, "phone4": "4321", "satisfaction": "满意", "csrf_token": token})
    assert r.status_code == 409 and "已经评价过" in text(r)


def test_every_case_has_a_code_printed_by_register(ledger):
    from tests.conftest import register_args

    r = ledger("register", *register_args())
    m = re.search(r"查询码：([0-9A-Z-]{14})", r.out)
    assert m, r.out
    c = client(ledger)
    page = text(c.get(f"/track?code={m[1]}&phone4=3456"))  # REG's phone 0883-2123456
    assert "已受理" in page and "临翔服企办收（2026）第1号" in page
    code = json.loads(ledger("register", *register_args(problem="另一问题"), "--json").out)["tracking_code"]
    assert code != m[1]


def test_wrong_digits_show_nothing_and_ten_lock_the_code(ledger):
    c = client(ledger)
    code = CODE.search(text(report(c)))[1]
    r = c.get(f"/track?code={code}&phone4=0000")
    assert r.status_code == 404 and REPORT["enterprise"] not in text(r) and "查不到" in text(r)
    for _ in range(9):
        assert c.get(f"/api/reports/{code}?phone4=1111").status_code == 404
    r = c.get(f"/track?code={code}&phone4=4321")  # the right digits, too late
    assert r.status_code == 429 and "暂停查询" in text(r) and REPORT["enterprise"] not in text(r)
    r = c.get(f"/api/reports/{code}?phone4=4321")
    assert r.status_code == 429 and "暂停查询" in r.get_json()["error"]
    r = c.get("/track?code=abc&phone4=12")
    assert r.status_code == 400 and "查询码须为" in text(r)


def test_api_report_track_evaluate_and_open311(ledger):
    c = client(ledger)
    body = {**REPORT, "phone": "0883-2123456"}
    r = c.post("/api/reports", json=body)
    assert r.status_code == 201, r.get_json()
    code = r.get_json()["tracking_code"]
    assert c.post("/api/reports", json=body).get_json() == {"tracking_code": code, "folded": True}
    r = c.post("/api/reports", json={**body, "phone": "x"})
    assert r.status_code == 400 and "联系电话" in r.get_json()["error"]
    r = c.post("/api/reports", data="[1]", content_type="application/json")
    assert r.status_code == 400 and "JSON 对象" in r.get_json()["error"]
    r = c.post("/api/reports", data={**body, "files": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 201  # multipart with papers (a different submission: it has a paper)
    v = c.get(f"/api/reports/{code}?phone4=3456").get_json()
    assert v["status"] == "待核实" and v["tracking_code"] == code and "phone" not in v and "contact" not in v
    r = c.post(f"/api/reports/{code}/evaluation", json={"phone4": "3456", "satisfaction": "满意"})
    assert r.status_code == 409 and "答复后" in r.get_json()["error"]
    assert ledger("accept", "1").code == 0
    assert ledger("dispatch", "1", "--dept", LEAD, "--level", "主任", "--approver", "王明").code == 0
    r = ledger("reply", "1", "--result", "A", "--mode", "面复", "--summary", "已协调解决")
    assert r.code == 0, r.err
    r = c.post(f"/api/reports/{code}/evaluation", json={"phone4": "3456", "satisfaction": "很好"})
    assert r.status_code == 400 and "满意度" in r.get_json()["error"]
    r = c.post(f"/api/reports/{code}/evaluation", json={"phone4": "3456", "satisfaction": "满意"})
    assert r.status_code == 201 and r.get_json()["satisfaction"] == "满意"
    assert ledger("close", "1").code == 0  # A and 满意: the online rating lets the clerk 销号
    assert c.get(f"/api/reports/{code}?phone4=3456").get_json()["status"] == "已销号"
    services = c.get("/open311/v2/services.json").get_json()
    assert [s["service_name"] for s in services][:2] == ["政策执行", "合同履行"] and len(services) == 10
    (req,) = c.get("/open311/v2/requests/2026-1.json").get_json()
    assert req["service_request_id"] == "2026-1" and req["status"] == "closed" and req["agency_responsible"] == LEAD
    assert req["service_name"] == "用地审批" and not {"enterprise", "phone", "contact"} & set(req)
    assert c.get("/open311/v2/requests/2026-99.json").status_code == 404
    assert "error" in c.get("/open311/v2/requests/x.json").get_json()


def test_agenda_lists_submissions_waiting_more_than_one_working_day(ledger):
    c = client(ledger)
    report(c)  # Friday 2026-11-27
    sec = {s["key"]: s for s in json.loads(ledger("agenda", "--json", today="2026-11-30").out)["sections"]}
    assert sec["online"]["count"] == 0  # Monday: one working day
    sec = {s["key"]: s for s in json.loads(ledger("agenda", "--json", today="2026-12-01").out)["sections"]}
    assert sec["online"]["count"] == 1 and sec["online"]["items"][0]["next"].startswith("lcqy accept 1")
    out = ledger("agenda", today="2026-12-01").out
    assert "网上反映超过1个工作日未核实处理" in out and REPORT["enterprise"][:6] in out
    assert ledger("accept", "1", today="2026-12-01").code == 0
    sec = {s["key"]: s for s in json.loads(ledger("agenda", "--json", today="2026-12-01").out)["sections"]}
    assert sec["online"]["count"] == 0


def test_enterprise_adds_information_seen_in_agenda_and_show(ledger):
    c = client(ledger)
    code = CODE.search(text(report(c)))[1]
    page = text(c.get(f"/track?code={code}&phone4=4321"))
    data = {"code": code, "phone4": "4321", "text": "补充：已取得规划许可", "csrf_token": csrf(page)}
    r = c.post(
        "/track/add", data={**data, "files": (io.BytesIO(PDF), "规划许可.pdf")}, content_type="multipart/form-data"
    )
    assert r.status_code == 303
    assert "已收到您补充的情况" in text(c.get(r.headers["Location"]))
    (sub,) = inbox(ledger)
    assert sub["notes"] == 1 and sub["papers"] == 1
    sec = {s["key"]: s for s in json.loads(ledger("agenda", "--json", today="2026-11-30").out)["sections"]}
    assert sec["enterprise_added"]["items"][0]["next"] == "lcqy inbox"
    assert ledger("accept", "1").code == 0
    show = ledger("show", "1").out
    assert "企业补充：补充：已取得规划许可" in show and "规划许可.pdf" in show
    # On the case: entered in its history with the paper attached, listed in agenda next morning.
    r = c.post("/track/add", data={**data, "text": "又补充一份", "files": (io.BytesIO(PDF + b"2"), "图纸.pdf")})
    assert r.status_code == 303
    show = json.loads(ledger("show", "1", "--json").out)
    assert [a["name"] for a in show["attachments"]] == ["规划许可.pdf", "图纸.pdf"]
    assert "又补充一份" in ledger("show", "1").out
    sec = {s["key"]: s for s in json.loads(ledger("agenda", "--json", today="2026-11-30").out)["sections"]}
    assert [i["next"] for i in sec["enterprise_added"]["items"]] == ["lcqy inbox", "lcqy show 1"]
    sec = {s["key"]: s for s in json.loads(ledger("agenda", "--json", today="2026-12-02").out)["sections"]}
    assert sec["enterprise_added"]["count"] == 0
    # The enterprise's addition (12-02) holds no later entry of an earlier act (12-01) back.
    ledger("agenda", today="2026-12-02")
    assert c.post("/track/add", data={**data, "text": "第三次补充"}).status_code == 303
    r = ledger("dispatch", "1", "--dept", LEAD, "--level", "主任", "--approver", "王明", "--date", "2026-12-01")
    assert r.code == 0, r.err
    r = c.post("/track/add", data={**data, "text": ""})
    assert r.status_code == 400 and "补充情况" in text(r)


def test_a_merged_duplicate_opens_with_its_own_phone_and_shows_the_case_it_joined(ledger):
    from tests.conftest import register_args

    assert ledger("register", *register_args()).code == 0
    dup = json.loads(ledger("register", *register_args(phone="13911112222", problem="再次反映"), "--json").out)
    assert ledger("merge", "2", "--into", "1").code == 0
    c = client(ledger)
    page = text(c.get(f"/track?code={dup['tracking_code']}&phone4=2222"))
    assert "临翔服企办收（2026）第1号" in page and "已受理" in page
    assert c.get(f"/track?code={dup['tracking_code']}&phone4=3456").status_code == 404


def test_the_front_page_is_the_report_form_for_a_visitor(ledger):
    c = client(ledger)
    r = c.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/report")
    page = text(c.get("/report"))
    assert 'href="/login"' in page and 'href="/track"' in page
