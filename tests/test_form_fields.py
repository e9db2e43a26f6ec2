"""What the forms' cells show: department lists broken between names, an e-mail never at a
hyphen, the county's 转报编号 and office on the city's forms, the attached 登记表 headed as the
附件 line numbers it; and, through LibreOffice, no name split across lines."""

from __future__ import annotations

import subprocess

import pytest
from docx import Document

from lcqy.docs import fitting
from lcqy.docs.render import annex_heading, render
from tests import print_sweep
from tests.test_docs_render import DISPATCH, REGISTER

SIX = [
    "双江拉祜族佤族布朗族傣族自治县发展和改革局",
    "县住房和城乡建设局",
    "双江拉祜族佤族布朗族傣族自治县人力资源和社会保障局",
    "云南电网有限责任公司临沧双江供电局",
    "临沧市生态环境局双江分局",
    "县工业和信息化局",
]


def _cell_right_of(doc, label: str) -> str:
    for table in doc.tables:
        for row in table.rows:
            cells = row.cells
            for a, b in zip(cells, cells[1:]):
                if a.text == label and b.text != label:
                    return b.text
    raise AssertionError(label)


def test_names_break_between_names():
    width = fitting.span_mm(2, 4)
    text = fitting.name_lines("、".join(SIX), width)
    lines = text.split("\n")
    assert "".join(lines) == "、".join(SIX)
    long = "双江拉祜族佤族布朗族傣族自治县人力资源和社会保障局"  # longer than the cell's line
    for line in lines:
        names = [n for n in line.rstrip("、").split("、") if n]
        assert all(n in SIX or n in long for n in names), line
        assert fitting.line_count(line, width) == 1, line
    # the one name longer than a line breaks after its county, not inside a word
    assert "双江拉祜族佤族布朗族傣族自治县\n人力资源和社会保障局、" in text
    assert fitting.name_lines("县财政局、县林草局", width) == "县财政局、县林草局"  # one line: as it was


def test_dispatch_form_lists_whole_names(tmp_path):
    doc = Document(str(render("dispatch", {**DISPATCH, "assist_depts": "、".join(SIX)}, tmp_path / "d.docx")))
    shown = _cell_right_of(doc, "配合办理部门")
    assert shown == fitting.name_lines(SIX, fitting.span_mm(2, 4)) and "\n" in shown


def test_source_line_on_the_city_forms(tmp_path):
    source = {"source_office": "临翔区服务企业发展领导小组办公室", "source_no": "临翔服企办报（2026）第3号"}
    for kind, context in (("register", REGISTER), ("dispatch", DISPATCH)):
        doc = Document(str(render(kind, {**context, **source}, tmp_path / f"{kind}.docx")))
        lines = [p.text.replace("\n", "") for p in doc.paragraphs]  # lines set by render
        assert "来源：临翔区服务企业发展领导小组办公室，转报编号：临翔服企办报（2026）第3号" in lines, kind
        plain = Document(str(render(kind, context, tmp_path / f"{kind}-own.docx")))
        assert not any(p.text.startswith("来源") for p in plain.paragraphs), kind


def test_attachment_heading_numbered_like_the_list(tmp_path):
    assert annex_heading("附件：1. 企业反映困难问题登记表\n2. 领导批示笺") == "附件1"
    assert annex_heading("附件：企业反映困难问题登记表") == "附件"
    annex = "附件：1. 领导批示笺\n2. 企业反映困难问题登记表"
    doc = Document(
        str(render("dispatch", {**DISPATCH, "annex": annex}, tmp_path / "d.docx", attachment_context=REGISTER))
    )
    heading = next(p for p in doc.paragraphs if p.text.startswith("附件") and "：" not in p.text)
    assert heading.text == "附件2"


def test_email_never_breaks_at_a_hyphen():
    shown = fitting.email_breaks("zhang.xiaoming.procurement@lincang-dianhong-tea.com.cn", fitting.span_mm(4, 4))
    assert "-\u2060" in shown and "-\u200b" not in shown


@pytest.mark.skipif(bool(print_sweep.have_tools()), reason="打印检查需要 LibreOffice 和 poppler")
def test_printed_names_and_address_whole(tmp_path):
    context = {
        **DISPATCH,
        "assist_depts": "、".join(SIX),
        "lead_dept": "县住房和城乡建设局",
    }
    register = {**REGISTER, "email": fitting.email_breaks(print_sweep.EMAIL, fitting.span_mm(4, 4))}
    path = render("dispatch", context, tmp_path / "d.docx", attachment_context=register)
    print_sweep.to_pdf([path], tmp_path)
    text = subprocess.run(["pdftotext", str(path.with_suffix(".pdf")), "-"], capture_output=True, text=True).stdout
    lines = ["".join(line.split()) for line in text.splitlines() if line.strip()]
    for name in SIX:  # never split across two lines, the one too long for a line after its county
        parts = name.split("自治县", 1) if len(name) > 23 else [name]
        assert all(any(part in line for line in lines) for part in parts), name
    assert not any(line.endswith("-") for line in lines)  # the e-mail not cut at a hyphen
    # broken after its dots and the @ only: the hyphened domain whole on its line
    assert any("lincang-dianhong-tea." in line.replace("\u2060", "") for line in lines)


OFFICES = ("临翔服企办", "双江拉祜族佤族布朗族傣族自治县服务企业发展领导小组办公室")


@pytest.mark.skipif(bool(print_sweep.have_tools()), reason="打印检查需要 LibreOffice 和 poppler")
def test_forms_sweep_nothing_split(tmp_path):
    """The 登记表, 交办单 (with its 登记表) and 转报单 for offices of 6 and 20 characters and
    problem texts of 20 to 1000 characters (cut to their cells as the acts cut them, whole on
    the 附页): no date, count, percentage or case number part split where a line ends."""
    from lcqy.acts.papers.forms import fitted
    from tests.test_docs_render import ESCALATE
    from tests.test_report_print import WHOLE

    paths = []
    for office in OFFICES:
        for n in (20, 90, 400, 1000):
            text = print_sweep.problem_text(n)
            register = fitted("register", {**REGISTER, "problem": text, "request": text[: n // 3 + 10]})
            dispatch = fitted("dispatch", {**DISPATCH, "office_name": office, "request": text, "assist_depts": SIX})
            escalate = fitted("escalate", {**ESCALATE, "office_name": office, "suggestion": text})
            stem = f"{len(office)}-{n}"
            paths.append(render("register", register, tmp_path / f"r{stem}.docx"))
            paths.append(render("dispatch", dispatch, tmp_path / f"d{stem}.docx", attachment_context=register))
            paths.append(render("escalate", escalate, tmp_path / f"e{stem}.docx", attachment_context=register))
    print_sweep.to_pdf(paths, tmp_path)
    checked = 0
    for path in paths:
        out = subprocess.run(["pdftotext", str(path.with_suffix(".pdf")), "-"], capture_output=True, text=True)
        lines = ["".join(line.split()) for line in out.stdout.splitlines() if line.strip()]
        for a, b in zip(lines, lines[1:]):
            tail = a[-12:]
            for m in WHOLE.finditer(tail + b[:12]):
                assert not (m.start() < len(tail) < m.end()), (path.name, tail, b[:12])
            checked += 1
    assert checked > 1000
