"""The documents as printed: every form and letter for problem texts of 20 to 600 characters,
through LibreOffice to PDF (one conversion for all, about ten seconds), read back page by page.

Skipped, saying what is missing, where LibreOffice or pdftotext is not installed (.ci/run installs
them when it can).
"""

from __future__ import annotations

import re

import pytest

from tests import print_sweep
from tests.conftest import DEPTS, INIT

pytestmark = pytest.mark.skipif(
    bool(print_sweep.have_tools()), reason=f"打印检查需要 LibreOffice 和 poppler（缺少 {print_sweep.have_tools()}）"
)

L = print_sweep.LENGTHS
# A form is one page; a text its cell cannot hold goes whole onto one 附页 (cut from 200
# characters with the sweep's long name and address). The 交办单/转报单 carry the 登记表.
EXPECTED = {
    "register": dict(zip(L, (1, 1, 1, 2, 2, 2))),
    "dispatch": dict(zip(L, (2, 2, 2, 3, 3, 3))),
    "escalate": dict(zip(L, (2, 2, 2, 3, 3, 3))),
    # The letter quotes the problem briefly, so its length does not matter: one page, the
    # line pitch tightened where the long enterprise name needs it.
    "urge": dict.fromkeys(L, 1),
}
OFFICE = "临翔区服务企业发展领导小组办公室"


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """(folder of the PDFs, text of each page per document)."""
    mp = pytest.MonkeyPatch()
    out = tmp_path_factory.mktemp("sweep")
    mp.setenv("LCQY_DB", str(out / "ledger.db"))
    mp.setenv("LCQY_TODAY", "2026-11-27")
    import io
    import sys
    from contextlib import redirect_stderr, redirect_stdout

    from lcqy.cli import main
    from tests.conftest import Result

    def run(*args):
        o, e = io.StringIO(), io.StringIO()
        code = 0
        mp.setattr(sys, "stdin", io.StringIO(""))
        with redirect_stdout(o), redirect_stderr(e):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return Result(code, o.getvalue(), e.getvalue())

    assert run(*INIT).code == 0 and run("dept", "add", *DEPTS).code == 0
    try:
        yield out, print_sweep.render_all(run, out)
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def printed(sweep):
    return sweep[1]


def body(page: str) -> str:
    """A page's text without its page number (— N —)."""
    return re.sub(r"—\d+—", "", page)


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_page_counts_and_numbers(printed, kind):
    counts = {n: len(printed[(kind, n)]) for n in L}
    assert counts == EXPECTED[kind]
    for n in L:
        for i, page in enumerate(printed[(kind, n)], 1):
            assert re.findall(r"—(\d+)—", page) == [str(i)], (kind, n, i, page[-40:])


@pytest.mark.parametrize("kind", ["register", "dispatch", "escalate"])
def test_each_form_on_one_page_with_its_notes(printed, kind):
    title = {
        "register": "企业反映困难问题登记表",
        "dispatch": "企业反映困难问题交办单",
        "escalate": "企业反映困难问题转报单",
    }
    last_note = {
        "register": "3.反映形式为来电反映、电子邮件、来人来函等。",
        "dispatch": "附件：1.企业反映困难问题登记表",
        "escalate": "附件：1.企业反映困难问题登记表",
    }
    for n in L:
        pages = printed[(kind, n)]
        first = pages[0]
        assert first.startswith(title[kind]), (kind, n)
        # the whole table and all its notes on the title's page
        assert "备注" in first and "注：1." in first and last_note[kind] in first, (kind, n)
        if kind != "register":
            reg = pages[1]
            # headed as the 附件 line numbers it (“附件：1. 企业反映困难问题登记表”), issue 20
            assert reg.startswith("附件1企业反映困难问题登记表"), (kind, n)
            assert "备注" in reg and reg.index("3.反映形式为来电反映") > reg.index("备注"), (kind, n)
        cut = "（全文见附页）" in "".join(pages)
        assert cut == (n >= 200), (kind, n)
        if cut:  # the 附页 follows its form and holds the whole text
            assert body(pages[-1]).startswith("附页（登记编号：") and "主要困难和问题：" in pages[-1]
            assert print_sweep.problem_text(n) in "".join(body(p) for p in pages[-1:]), (kind, n)


def test_matter_not_repeated_on_dispatch(printed):
    first = printed[("dispatch", 600)][0]
    assert "反映问题：" not in first


def test_letter_signature_never_alone(printed):
    for n in L:
        pages = [body(p) for p in printed[("urge", n)]]
        for page in pages:
            if OFFICE + "2026年10月15日" in page or "抄送：" in page or "特此函告" in page:
                # the block goes with the last body paragraph, and the 版记 with the signature
                assert "确有困难暂时无法办结的" in page, (n, page)
                assert "特此函告。" in page and "抄送：区发展和改革局，区住房和城乡建设局。" in page, (n, page)
                assert page.endswith("2026年10月15日印发"), (n, page)
        # the red 版头 (the office name) over the title: on unless the office prints on its own paper
        assert pages[0].startswith(OFFICE + "催办函临翔服企办催（2026）第")
        assert len(pages) == 1
        quote = "“公司新建茶叶精制加工厂房项目已于2025年3月取得区发展和改革局立项批复”等问题"
        assert (quote in pages[0]) == (n >= 60), n


RIGHT_EDGE = (210 - 26) / 25.4 * 72 + 1  # the text block's right edge, and a point for rounding
# The longest too on one page: the 版记 at 0.8 of the pitch and at most 31 lines a page (issue 20).
LETTER_PAGES = {"short": 1, "typical": 1, "long": 1, "longest": 1}


@pytest.mark.parametrize("name", list(LETTER_PAGES))
def test_letter_pages_and_imprint_at_the_foot(sweep, name):
    """Short, typical and the longest texts (600 characters, the longest enterprise name, five
    long cooperating departments, the 专项督办 wording): one page where it fits, else two; the
    版记 ends within a line of the text block's foot, on the page of the signature."""
    out, printed = sweep
    pdf = out / f"letter-{name}.pdf"
    assert print_sweep.page_count(pdf) == LETTER_PAGES[name]
    assert print_sweep.rightmost(pdf) <= RIGHT_EDGE
    pages = [body(p) for p in printed[("letter", name)]]
    page, bottom, block = print_sweep.last_line_bottom(pdf, "印发")
    assert page == len(pages), name
    assert 0 < block - bottom < 28.95, (name, block - bottom)  # no room for another line under it
    last = pages[-1]
    assert "特此函告。" in last and OFFICE + "2026年" in last and last.endswith("印发")
    # never a signature alone: the last body paragraph opens the last page or precedes it there
    assert "确有困难暂时无法办结的" in last
    if len(pages) > 1:
        assert last.startswith("确有困难暂时无法办结的"), last[:40]
    if name == "longest":  # the 专项督办 letter: its reason and 督办时限, not a 办结时限
        assert pages[0].startswith(OFFICE + "督办函") and "请你单位高度重视" in pages[0]
        assert "专项督办时限为2026年10月20日。" in pages[0]
        assert "办结时限为" not in pages[0]
    assists = print_sweep.LONG_DEPTS[: print_sweep.LETTERS[name][2]]
    if assists:
        assert "抄送：" + "，".join(assists) + "。" in last
    else:
        assert "抄送" not in last


def test_letter_of_the_longest_office_name(sweep):
    """双江拉祜族佤族布朗族傣族自治县服务企业发展领导小组办公室 (28 characters) signs inside the
    margins, its 印发 line puts the date under the office, and the letter keeps to one page with
    its 版记 at the foot."""
    out, printed = sweep
    pdf = out / "letter-office.pdf"
    assert print_sweep.page_count(pdf) == 1
    assert print_sweep.rightmost(pdf) <= RIGHT_EDGE
    page, bottom, block = print_sweep.last_line_bottom(pdf, "印发")
    assert page == 1 and 0 < block - bottom < 28.95
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    office = print_sweep.LONG_OFFICE
    # the 版头, then the signature: the whole name on one line, the date under it; the 印发 line likewise
    assert lines[0] == office and lines.count(office) == 3
    lines = lines[1:]
    sign = lines.index(office)
    assert lines[sign + 1] == "2026 年 10 月 15 日"
    assert lines[-2:-1] == ["2026 年 10 月 15 日印发"] and lines[-3] == office


def _scales(pdf) -> list[float]:
    """Print scale of each ledger page: the header 登记编号 is four 11 pt full-width characters."""
    import subprocess

    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    found = []
    for page in xml.split("<page ")[1:]:
        m = re.search(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">登记编号</word>', page)
        if m:
            found.append((float(m[2]) - float(m[1])) / 44)
    return found


def test_ledger_prints_at_seventy_percent(tmp_path, monkeypatch):
    """The sample ledger (102 cases, every category) on A3, and with --paper A4 on A4."""
    import shutil
    import subprocess

    from lcqy.cli import main

    db = tmp_path / "sample.db"
    shutil.copy(print_sweep.SAMPLE, db)
    monkeypatch.setenv("LCQY_DB", str(db))
    monkeypatch.setenv("LCQY_TODAY", "2026-11-27")
    for name, extra in (("a3.xlsx", []), ("a4.xlsx", ["--paper", "A4"])):
        try:
            main(["export-ledger", "-o", str(tmp_path / name), *extra])
        except SystemExit as exc:
            assert exc.code in (0, None)
    print_sweep.to_pdf([tmp_path / "a3.xlsx", tmp_path / "a4.xlsx"], tmp_path)
    for name, width in (("a3", 1190.55), ("a4", 841.89)):
        pdf = tmp_path / f"{name}.pdf"
        sizes = subprocess.run(["pdfinfo", "-f", "2", "-l", "2", str(pdf)], capture_output=True, text=True).stdout
        assert f"{width} x" in sizes, sizes  # landscape
        scales = _scales(pdf)
        assert len(scales) >= 10, name  # a page or more per category
        assert min(scales) >= 0.70, (name, scales)


LABELS = {
    "register": ("企业名称", "详细地址", "联系电话", "主要困难和问题", "希望协调解决的", "受理时间", "备注"),
    "dispatch": ("需要办理或协调", "反映企业", "企业地址", "牵头办理部门", "配合办理部门", "签批领导", "备注"),
    "escalate": ("需要帮助协调", "反映企业", "企业地址", "联系电话", "办理建议", "签批领导", "备注"),
}


@pytest.mark.parametrize("kind", list(LABELS))
def test_longest_forms_keep_their_table_on_one_page(printed, kind):
    """Every field at its longest (600-character problem, 200-character request, long address,
    title, extension number, e-mail, remarks, five long cooperating departments): the table with
    all its rows, its notes and its 附件 lines on the first page; the cut texts whole on the 附页,
    no heading of the 附页 left at a page's foot."""
    pages = [body(p) for p in printed[("longest", kind)]]
    first = pages[0]
    for label in LABELS[kind]:
        assert label in first, (kind, label)
    assert "0883-2123456" in first and "转8012" in first  # broken before 转, not in the number
    if kind != "register":
        assert "附件：1.企业反映困难问题登记表2.领导批示笺" in first
        assert "临沧市生态环境局临翔分局、临沧市临翔区自然资源局" in first or kind == "escalate"
    more = "".join(p for p in pages if p.startswith("附页（"))
    rest = "".join(pages[pages.index(next(p for p in pages if p.startswith("附页（"))) :])
    assert more.startswith("附页（") and "（全文见附页）" in first
    for text in (print_sweep.LONGEST["request"], print_sweep.LONGEST["remarks"]):
        assert "".join(text.split()) in rest, kind
    for page in pages:
        assert not page.endswith(("：", "事项：", "备注：")), (kind, page[-30:])


def test_instruction_page(printed):
    """The 批示笺: the matter cut to its row (the 登记表 goes with it), a leader's realistic
    instruction whole in its cell; one far longer carried whole on a 附页, the table on page 1."""
    (page,) = [body(p) for p in printed[("longest", "instruction")]]
    assert page.startswith("领导批示笺") and "……（全文见登记表）" in page
    assert "".join(print_sweep.LONGEST["instruction"].split()) in page
    assert "批示领导" in page and "欧阳建国日期2026年9月29日" in page
    first, more = (body(p) for p in printed[("longest", "instruction-escalate")])
    assert "批示领导" in first and "欧阳建国日期2026年9月29日" in first and "（全文见附页）" in first
    assert more.startswith("附页（转报编号：临翔服企办报（2026）第") and "领导批示：" in more
    assert "".join(print_sweep.LONG_INSTRUCTION.split()) in more
