"""The enterprise's side in a real browser (Debian's chromium, Playwright), on `lcqy serve`:
at 375×667 an enterprise reports with a paper, the clerk accepts it in the CLI and dispatches,
the department replies on line, the enterprise's /track page shows the reply, it rates 不满意,
and agenda shows the case under 专项督办. axe-core on the report, receipt and track pages at
phone and desktop sizes; the form filled and sent by keyboard alone.

Screenshots go to $LCQY_SCREENSHOTS when set (else the test's own folder)."""

from __future__ import annotations

import json
import re

import pytest

from tests.test_public_submissions import DIGITS, REPORT
from tests.test_web_browser import CHROMIUM, PDF, browser, first_login, server, shots  # noqa: F401 - fixtures
from tests.web_helpers import LEAD, add_user

pytestmark = pytest.mark.skipif(not __import__("os").path.exists(CHROMIUM), reason=f"{CHROMIUM} 不存在")
PHONE = {"viewport": {"width": 375, "height": 667}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 768}}


def serious(axe, page) -> list[str]:
    found = axe.run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


def solve(page) -> str:
    a, b = re.search(r"验证题：(.)加(.)等于几", page.inner_text("label[for=challenge]")).groups()
    return str(DIGITS.index(a) + DIGITS.index(b))


def fill_by_keyboard(page, values: dict) -> None:
    """Tab from field to field and type, as a person with no mouse does; the category chosen with
    the arrow keys; the form sent with Enter on its button."""
    page.focus("#enterprise")
    for key in ("enterprise", "address", "contact", "position", "phone", "email"):
        assert page.evaluate("document.activeElement.id") == key
        page.keyboard.type(values[key])
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "category"
    from lcqy.rules.constants import CATEGORIES

    for _ in range(CATEGORIES.index(values["category"]) + 1):
        page.keyboard.press("ArrowDown")
    assert page.eval_on_selector("#category", "e => e.value") == values["category"]
    for key in ("problem", "request"):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == key
        page.keyboard.type(values[key])
    page.keyboard.press("Tab")  # the file input: skipped
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "challenge"  # the honeypot is not a stop
    page.keyboard.type(solve(page))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_enterprise_reports_follows_and_rates_on_a_phone(browser, ledger, server, tmp_path):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    axe, folder = Axe(), shots(tmp_path)
    url = server.start("2026-11-27")
    phone = browser.new_context(locale="zh-CN", **PHONE)
    page = phone.new_page()
    page.goto(url + "/report")
    assert serious(axe, page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for key in ("enterprise", "address", "contact", "position", "phone", "email", "problem", "request"):
        page.fill(f"#{key}", REPORT[key])
    page.select_option("#category", REPORT["category"])
    page.set_input_files("#files", files=[{"name": "用地预审材料.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.fill("#challenge", solve(page))
    page.screenshot(path=str(folder / "report-375.png"), full_page=True)
    with page.expect_navigation():
        page.click("text=提交反映")
    code = page.inner_text("#tracking-code")
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert serious(axe, page) == [] and page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(folder / "receipt-375.png"), full_page=True)
    # The clerk verifies and accepts in the CLI, then dispatches.
    (sub,) = json.loads(ledger("inbox", "--json").out)["submissions"]
    assert sub["papers"] == 1
    assert ledger("accept", str(sub["id"])).code == 0
    assert ledger("dispatch", "1", "--dept", LEAD, "--level", "主任", "--approver", "王明").code == 0
    # The department signs and replies on line.
    desk = browser.new_context(locale="zh-CN", **DESK)
    dp = desk.new_page()
    first_login(dp, url, "gongdian", add_user(ledger, "gongdian", "--role", "dept", "--dept", LEAD))
    dp.click("a[href='/cases/2026-1']")
    dp.click("text=签收交办单")
    dp.wait_for_selector("text=已签收。")
    dp.check("input[name=result][value=A]")
    dp.fill("#summary", "已完成用地预审，建设用地批复待省厅下达")
    dp.fill("#doc_no", "临自然〔2026〕5号")
    dp.click("text=报送答复")
    dp.wait_for_selector("text=答复已报送服企办。")
    desk.close()
    # The enterprise follows its case with the code and its phone's last four digits.
    page.goto(url + "/track")
    page.fill("#code", code)
    page.fill("#phone4", REPORT["phone"][-4:])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    main = page.inner_text("main")
    assert "已答复" in main and "已完成用地预审" in main and LEAD in main and "临翔服企办交（2026）第1号" in main
    assert serious(axe, page) == [] and page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(folder / "track-375.png"), full_page=True)
    page.check("input[name=satisfaction][value=不满意]")
    page.fill("#comment", "批复仍未下达，影响开工")
    with page.expect_navigation():
        page.click("text=提交评价")
    assert "已收到您的评价" in page.inner_text("main") and "您的评价：不满意" in page.inner_text("main")
    show = json.loads(ledger("show", "1", "--json").out)
    assert show["supervision"] == "special" and show["followups"][-1]["method"] == "网上评价"
    agenda = ledger("agenda").out
    assert "专项督办" in agenda and "临沧茶叶加工有限公司"[:6] in agenda
    phone.close()


def test_report_form_by_keyboard_alone_and_axe_on_the_desktop(browser, ledger, server, tmp_path):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    url = server.start("2026-11-27")
    desk = browser.new_context(locale="zh-CN", **DESK)
    page = desk.new_page()
    page.goto(url + "/report")
    assert serious(axe, page) == []
    fill_by_keyboard(page, {**REPORT, "category": "融资服务"})
    code = page.inner_text("#tracking-code")
    assert serious(axe, page) == []
    page.screenshot(path=str(shots(tmp_path) / "receipt-1366.png"), full_page=True)
    (sub,) = json.loads(ledger("inbox", "--json").out)["submissions"]
    assert sub["category"] == "融资服务" and sub["enterprise"] == REPORT["enterprise"]
    page.goto(url + f"/track?code={code}&phone4=4321")
    assert "待核实" in page.inner_text("main") and serious(axe, page) == []
    page.goto(url + f"/track?code={code}&phone4=0000")
    assert "查不到" in page.inner_text("main") and serious(axe, page) == []
    desk.close()
