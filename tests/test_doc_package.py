"""What a document carries beside its text (fonts, compatibility, properties, page numbers), the
urge letter's own number, the fitting of long texts, and no form for a voided case."""

from __future__ import annotations

import datetime
import json
import sqlite3
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from lcqy.docs import fitting
from tests.conftest import register_args, snapshot

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _dispatched(ledger, n=1):
    for _ in range(n):
        assert (
            ledger("register", *register_args(email="lijianhua@dianhongtea.example.cn"), "--date", "2026-09-28").code
            == 0
        )
    for i in range(1, n + 1):
        r = ledger(
            "dispatch", str(i), "--dept", "临翔供电局", "--assist", "区财政局", "--approver", "李明",
            "--level", "副组长", "--date", "2026-09-29",
        )  # fmt: skip
        assert r.code == 0, r.err


def test_urge_letters_numbered_in_their_own_sequence(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _dispatched(ledger, 2)
    numbers = []
    for case, day in (("1", "2026-10-15"), ("2", "2026-10-16"), ("1", "2026-10-20")):
        r = ledger("urge", case, "--date", day, "--json")
        assert r.code == 0, r.err
        doc = docx.Document(tmp_path / json.loads(r.out)["letter"])
        numbers.append(doc.paragraphs[1].text)
    assert numbers == [f"临翔服企办催（2026）第{i}号" for i in (1, 2, 3)]
    # an urge without a letter still takes its number (the letter can be made later with form urge)
    assert ledger("urge", "2", "--date", "2026-10-21", "--no-letter").code == 0
    assert ledger("form", "urge", "2", "-o", "late.docx").code == 0
    assert docx.Document(tmp_path / "late.docx").paragraphs[1].text == "临翔服企办催（2026）第4号"
    conn = sqlite3.connect(ledger.db)
    rows = conn.execute("SELECT letter_no FROM urges ORDER BY id").fetchall()
    assert [r[0][-3:] for r in rows] == ["第1号", "第2号", "第3号", "第4号"]
    assert ledger("check").code == 0  # the 催 sequence is gapless like the others


def test_refused_urge_takes_no_number(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _dispatched(ledger)
    before = snapshot(ledger.db)
    r = ledger("urge", "1", "--date", "2026-10-09")  # not yet late
    assert r.code == 1 and "尚未超期" in r.err
    assert snapshot(ledger.db) == before


def test_voided_case_has_no_forms(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ledger("register", *register_args(), "--date", "2026-09-28").code == 0
    assert ledger("void", "1", "--reason", "重复登记").code == 0
    r = ledger("form", "register", "1")
    assert r.code == 1
    assert "已作废" in r.err and "重复登记" in r.err and "登记表" in r.err
    assert not list(tmp_path.glob("*.docx"))


def test_package_fonts_compat_properties_page_numbers(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _dispatched(ledger)
    r = ledger("form", "dispatch", "1", "-o", "d.docx", today="2026-10-08")
    assert r.code == 0, r.err
    z = zipfile.ZipFile(tmp_path / "d.docx")
    fonts = docx.oxml.parse_xml(z.read("word/fontTable.xml"))
    alt = {
        f.get(qn("w:name")): (f.find(qn("w:altName")).get(qn("w:val")), f.find(qn("w:charset")).get(qn("w:val")))
        for f in fonts.findall(qn("w:font"))
        if f.find(qn("w:altName")) is not None
    }
    assert alt["仿宋_GB2312"] == ("仿宋", "86")
    assert alt["方正小标宋简体"] == ("宋体", "86")
    assert alt["黑体"][1] == "86"
    settings = z.read("word/settings.xml").decode()
    assert 'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"' in settings
    assert 'w:eastAsia="zh-CN"' in settings and "ja-JP" not in settings
    assert "<w:evenAndOddHeaders/>" in settings
    assert not [n for n in z.namelist() if "thumbnail" in n]
    assert "Macintosh" not in z.read("docProps/app.xml").decode()

    doc = docx.Document(tmp_path / "d.docx")
    props = doc.core_properties
    assert props.title == "企业反映困难问题交办单 临翔服企办交（2026）第1号"
    assert props.author == "临翔区服务企业发展领导小组办公室"
    assert props.created.date() == datetime.date(2026, 10, 8) == props.modified.date()

    section = doc.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        p = footer.paragraphs[0]
        assert p.alignment is not None and p.alignment.name.lower() == align
        assert p.text.replace("1", "N") == "— N —"
        assert " PAGE " in p._p.xml
        assert {r.font.size.pt for r in p.runs} == {14.0}
        assert {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in p.runs} == {"宋体"}


def test_dispatch_matter_is_the_request_alone(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _dispatched(ledger)
    assert ledger("form", "dispatch", "1", "-o", "d.docx").code == 0
    text = "\n".join(c.text for t in docx.Document(tmp_path / "d.docx").tables for row in t.rows for c in row.cells)
    assert "反映问题：" not in text
    assert "请协调供电部门尽快完成增容接电" in text
    # the attached 登记表's e-mail may break after the @ only
    assert "lijianhua@\u200bdianhongtea.example.cn" in text


@pytest.mark.parametrize(
    ("text", "quote", "more"),
    [
        ("新上生产线需增容至800千伏安，报装后迟迟未接电", "新上生产线需增容至800千伏安，报装后迟迟未接电", False),
        ("用地指标不足。项目无法开工，影响订单。", "用地指标不足", True),
        (
            "公司新建茶叶精制加工厂房项目已于2025年3月取得区发展和改革局立项批复，用地报批材料已于同年8月提交。",
            "公司新建茶叶精制加工厂房项目已于2025年3月取得区发展和改革局立项批复",
            True,
        ),
        ("一" * 60, "一" * 40, True),
    ],
)
def test_brief_quote(text, quote, more):
    assert fitting.brief(text) == (quote, more)


def test_fit_cuts_with_mark_and_keeps_short_text():
    width = fitting.span_mm(2, 4)
    assert fitting.fit("短文本", width, 2) == ("短文本", False)
    shown, cut = fitting.fit("字" * 500, width, 7)
    assert cut and shown.endswith(fitting.MORE)
    assert fitting.line_count(shown, width) == 7
    assert fitting.line_count(shown[: -len(fitting.MORE)] + "字" * 30 + fitting.MORE, width) > 7


def test_email_breaks():
    width = fitting.span_mm(4, 4)
    assert fitting.email_breaks("li@a.cn", width) == "li@a.cn"
    assert fitting.email_breaks("lijianhua@dianhongtea.example.cn", width) == "lijianhua@\u200bdianhongtea.example.cn"
    long = fitting.email_breaks("zhang.xiaoming.procurement@lincang-dianhong-tea.com.cn", width)
    # the address itself, with break chances (after @ and dots) and joiners after hyphens only:
    # a line never ends at a hyphen, which would read as a word hyphenated (issue 20)
    assert long.replace("\u200b", "").replace("\u2060", "") == "zhang.xiaoming.procurement@lincang-dianhong-tea.com.cn"
    assert "-\u200b" not in long and long.count("-\u2060") == 2
    assert "procurement@\u200b" in long and "zhang.\u200b" in long
