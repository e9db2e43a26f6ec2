"""The online platform in a real browser: Debian's chromium driven by Playwright for Python
(`playwright install` downloads its own browser, which an office network cannot). The server is
`lcqy serve` itself, on 127.0.0.1; the clerk's side is the CLI on the same ledger meanwhile.

Screenshots go to $LCQY_SCREENSHOTS when set (else the test's own folder)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.web_helpers import LEAD, OTHER, add_user, dispatched

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} 不存在：浏览器测试跳过（apt-get install -y chromium）"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW_PW = "Chengxin2026ok"


@pytest.fixture(scope="module")
def browser():
    sync = pytest.importorskip("playwright.sync_api", reason="playwright 未安装：浏览器测试跳过")
    with sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


class Server:
    """`lcqy serve` in a child process; started again to move its "today"."""

    def __init__(self, db: Path):
        self.db, self.proc, self.url = db, None, ""

    def start(self, today: str) -> str:
        self.stop()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "LCQY_DB": str(self.db), "LCQY_TODAY": today}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lcqy", "serve", "--port", str(port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        line = self.proc.stdout.readline()
        assert "网上办理平台已启动" in line, line + self.proc.stdout.read()
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
            out, _ = self.proc.communicate(timeout=20)
            assert self.proc.returncode == 0 and "网上办理平台已停止" in out, out
            self.proc = None


@pytest.fixture
def server(ledger):
    s = Server(ledger.db)
    yield s
    s.stop()


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LCQY_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def first_login(page, url: str, login: str, password: str) -> None:
    """By keyboard alone: type, Tab, type, Enter; then the forced password change."""
    page.goto(url + "/login")
    page.focus("#login")  # autofocus, which a phone's browser may not honour
    page.keyboard.type(login)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/password"), page.inner_text("main")
    assert "首次登录须把一次性密码改为您自己的密码" in page.inner_text("main")
    page.fill("#old", password)
    page.fill("#new", NEW_PW)
    page.fill("#again", NEW_PW)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/cases"), page.inner_text("main")


def test_department_end_to_end_in_chromium(browser, ledger, server, tmp_path):
    ref = dispatched(ledger, on="2026-11-23")
    pw = add_user(ledger, "gongdian", "--role", "dept", "--dept", LEAD)
    url = server.start("2026-11-27")
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = ctx.new_page()
    first_login(page, url, "gongdian", pw)
    row = page.locator("table.cases tbody tr").first
    assert "待签收" in row.inner_text() and "剩 1 个工作日" in row.inner_text()
    assert row.get_attribute("class") == "row-blue"
    page.screenshot(path=str(shots(tmp_path) / "workbench-1366.png"), full_page=True)
    # 签收, with the keyboard: focus the button and press Enter.
    page.click(f"a[href='/cases/{ref}']")
    page.focus("text=签收交办单")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=已签收。")
    assert "2026-11-27 已签收" in page.inner_text("dl.facts")
    # An extension asked on line, granted by the clerk in the CLI: the page shows the new date.
    page.fill("#until", "2026-12-04")
    page.fill("#ext-reason", "需现场勘查线路走向")
    page.click("text=提交延期申请")
    page.wait_for_selector("text=延期申请已提交，待服企办审核。")
    assert "待审核" in page.inner_text("main")
    r = ledger("request", "grant", "1")
    assert r.code == 0, r.err
    page.reload()
    assert "2026-12-04，剩 5 个工作日" in page.inner_text("dl.facts") and "已同意" in page.inner_text("main")
    # A B reply with its formal document uploaded as a PDF.
    page.check("input[name=result][value=B]")
    page.fill("#summary", "已制定增容方案，正在改造线路")
    page.fill("#plan", "12月10日前完成线路改造并送电")
    page.fill("#plan_due", "2026-12-10")
    page.fill("#doc_no", "临供电〔2026〕88号")
    page.set_input_files("#file", files=[{"name": "答复函.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.click("text=报送答复")
    page.wait_for_selector("text=答复已报送服企办。")
    assert "答复函.pdf" in page.inner_text("main") and "B类（书面）" in page.inner_text("main")
    show = json.loads(ledger("show", ref, "--json").out)
    assert show["replies"][0]["plan_due"] == "2026-12-10" and show["supervision"] == "ledger"
    agenda = ledger("agenda", "--as-of", "2026-11-27").out
    assert "B类答复 2026-11-27" in agenda
    # At the promised date the clerk's urge writes the 督办函; the department sees and opens it.
    r = ledger("urge", ref, "--no-letter", today="2026-12-11")
    assert r.code == 0, r.err
    url = server.start("2026-12-11")
    page.goto(url + "/cases")
    if "/login" in page.url:  # a new server process: the session cookie still holds
        pytest.fail("the session did not survive a server restart")
    row = page.locator("table.cases tbody tr").first
    assert row.get_attribute("class") == "row-red" and "1 份催办/督办函未阅" in row.inner_text()
    page.click(f"a[href='/cases/{ref}']")
    assert "未阅" in page.inner_text("section[aria-labelledby=urge-h]")
    with page.expect_download() as dl:
        page.click("section[aria-labelledby=urge-h] a")
    assert dl.value.suggested_filename.endswith("督办函.docx")
    page.reload()
    assert "已阅（" in page.inner_text("section[aria-labelledby=urge-h]")
    assert "临翔供电局" in ledger("show", ref).out and "已阅" in ledger("show", ref).out
    # Another department: 404 for that case.
    other = browser.new_context(viewport={"width": 1366, "height": 768})
    op = other.new_page()
    first_login(op, url, "caizheng", add_user(ledger, "caizheng", "--role", "dept", "--dept", OTHER))
    resp = op.goto(url + f"/cases/{ref}")
    assert resp.status == 404 and "没有这个" in op.inner_text("main")
    other.close()
    ctx.close()


def test_phone_screenshot_and_accessibility(browser, ledger, server, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    ref = dispatched(ledger, on="2026-11-13")  # due 11-20: late, and urged below
    dispatched(ledger, on="2026-11-17")  # due 11-24: late
    dispatched(ledger, on="2026-11-24")  # due 12-01: two working days left
    dispatched(ledger, on="2026-11-27")  # due 12-04
    assert ledger("urge", ref, "--no-letter").code == 0
    pw = add_user(ledger, "gongdian", "--role", "dept", "--dept", LEAD)
    lpw = add_user(ledger, "lingdao", "--role", "leader")
    url = server.start("2026-11-27")
    axe = Axe()

    def serious(page) -> list[str]:
        found = axe.run(page).response["violations"]
        return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]

    phone = browser.new_context(viewport={"width": 375, "height": 667}, device_scale_factor=2, is_mobile=True)
    page = phone.new_page()
    page.goto(url + "/login")
    assert serious(page) == []
    first_login(page, url, "gongdian", pw)
    assert serious(page) == []
    page.screenshot(path=str(shots(tmp_path) / "workbench-375.png"), full_page=True)
    rows = page.locator("table.cases tbody tr")
    assert [rows.nth(i).get_attribute("class") for i in range(4)] == ["row-red", "row-yellow", "row-blue", "row-plain"]
    assert "超期 5 个工作日" in rows.nth(0).inner_text() and "剩 2 个工作日" in rows.nth(2).inner_text()
    # Nothing wider than the phone's screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(url + f"/cases/{ref}")
    assert serious(page) == []
    page.screenshot(path=str(shots(tmp_path) / "case-375.png"), full_page=True)
    # Every control is reached by Tab (a radio group is one stop; arrows move inside it).
    expected = set(page.evaluate("""() => {
        const seen = new Set(), out = [];
        document.querySelectorAll('a[href], button, input:not([type=hidden]), textarea, select').forEach((e, i) => {
            e.dataset.tab = i;
            if (e.offsetParent === null) return;
            if (e.type === 'radio') { if (seen.has(e.name)) return; seen.add(e.name); }
            out.push(String(i));
        });
        return out;
    }"""))
    reached = set()
    for _ in range(2 * len(expected)):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.dataset.tab || ''"))
    assert expected <= reached, expected - reached
    phone.close()
    desk = browser.new_context(viewport={"width": 1366, "height": 768})
    lp = desk.new_page()
    first_login_leader = lp
    first_login_leader.goto(url + "/login")
    lp.fill("#login", "lingdao")
    lp.fill("#password", lpw)
    with lp.expect_navigation():
        lp.keyboard.press("Enter")
    lp.fill("#old", lpw)
    lp.fill("#new", NEW_PW)
    lp.fill("#again", NEW_PW)
    with lp.expect_navigation():
        lp.keyboard.press("Enter")
    assert lp.url.endswith("/leaders"), lp.inner_text("main")
    assert "承办单位" in lp.inner_text("main") and serious(lp) == []
    lp.screenshot(path=str(shots(tmp_path) / "leaders-1366.png"), full_page=True)
    lp.goto(url + f"/cases/{ref}")
    assert serious(lp) == [] and "签收交办单" not in lp.inner_text("main")  # leaders only read
    desk.close()
