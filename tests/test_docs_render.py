"""The .docx templates and their filling: values in the right cells, page settings, fonts."""

from __future__ import annotations

import datetime
import shutil
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from lcqy.docs import build_templates, render
from lcqy.errors import LcqyError

LONG_PROBLEM = (
    "公司新建茶叶精制加工厂房项目已于2025年3月取得县发展和改革局立项批复，"
    "用地报批材料已于2025年8月提交县自然资源局，至今未进入组卷报批程序。"
    * 12
    + "\n项目原定2026年4月开工，现因用地手续未办结无法开工，已影响订单交付。"
)

REGISTER = {
    "category": "用地审批",
    "reg_no": "临翔服企办收（2026）第12号",
    "enterprise": "临沧市临翔区滇红茶叶有限公司",
    "address": "临沧市临翔区南美乡多依村茶叶加工园区3号",
    "reported_on": "2026年11月20日",
    "channel": "来人来函",
    "contact": "李建华",
    "contact_title": "总经理",
    "phone": "0883-2123456",
    "email": "lijianhua@dianhongtea.example.cn",
    "problem": LONG_PROBLEM,
    "request": "请协调县自然资源局加快用地组卷报批，明确办理时限。",
    "accepted_on": datetime.date(2026, 11, 20),
    "accepted_by": "张明",
    "remarks": None,
}

DISPATCH = {
    "office_name": "临翔区服务企业发展领导小组办公室",
    "dispatch_no": "临翔服企办交（2026）第8号",
    "request": "请协调县自然资源局加快用地组卷报批，明确办理时限。",
    "enterprise": "临沧市临翔区滇红茶叶有限公司",
    "address": "临沧市临翔区南美乡多依村茶叶加工园区3号",
    "contact": "李建华",
    "phone": "0883-2123456",
    "lead_dept": "临翔区自然资源局",
    "due_date": "2026年11月30日",
    "assist_depts": "临翔区发展和改革局、临翔区林业和草原局",
    "approver": "王强",
    "dispatched_on": "2026年11月23日",
    "remarks": "",
}

ESCALATE = {
    "office_name": "临翔区服务企业发展领导小组办公室",
    "escalate_no": "临翔服企办报（2026）第2号",
    "request": "请市级协调解决项目用地指标。",
    "enterprise": "临沧市临翔区滇红茶叶有限公司 & 合作社<联营>",
    "address": "临沧市临翔区南美乡多依村茶叶加工园区3号",
    "contact": "李建华",
    "phone": None,
    "suggestion": "建议市自然资源和规划局统筹用地指标，指导县级加快组卷。",
    "approver": "王强",
    "escalated_on": "2026年11月24日",
    "remarks": "县级已协调两次",
}

URGE = {
    "office_name": "临翔区服务企业发展领导小组办公室",
    "lead_dept": "临翔区自然资源局",
    "reg_no": "临翔服企办收（2026）第12号",
    "dispatch_no": "临翔服企办交（2026）第8号",
    "enterprise": "临沧市临翔区滇红茶叶有限公司",
    "request": "加快用地组卷报批",
    "dispatched_on": "2026年11月23日",
    "due_date": "2026年11月30日",
    "days_late": 3,
    "urge_count": 2,
    "reply_by": "2026年12月8日",
    "issued_on": "2026年12月3日",
    "letter_title": "催办函",
    "letter_no": "临翔服企办催（2026）第5号",
    "basis": "根据《临沧市企业反映困难问题收集和办理工作办法（试行）》（临政办发〔2021〕21号）第十八条规定，"
    "现对该问题进行第2次催办。",
}


@pytest.fixture(scope="module")
def tpl_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("templates")
    build_templates.build_all(out)
    return out


def norm(text: str) -> str:
    return "".join(text.split())


def value_right_of(table, label: str) -> str:
    """Text of the first distinct cell right of the cell labelled `label`."""
    for row in table.rows:
        cells = row.cells
        for i, cell in enumerate(cells):
            if norm(cell.text) == norm(label):
                for other in cells[i + 1 :]:
                    if other._tc is not cell._tc:
                        return other.text
                raise AssertionError(f"nothing right of {label}")
    raise AssertionError(f"no cell {label}")


def all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def assert_clean(path):
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    doc = Document(str(path))
    text = all_text(doc)
    for bad in ("{{", "}}", "{%", "None"):
        assert bad not in text
        assert bad not in xml
    return doc


def assert_page(doc):
    # The file stores twips, so Mm(37) comes back rounded to the twip: compare in twips.
    for section in doc.sections:
        assert section.page_width.twips == Mm(210).twips
        assert section.page_height.twips == Mm(297).twips
        assert section.top_margin.twips == Mm(37).twips
        assert section.bottom_margin.twips == Mm(35).twips
        assert section.left_margin.twips == Mm(28).twips
        assert section.right_margin.twips == Mm(26).twips


def east_asia(run) -> str | None:
    rpr = run._r.rPr
    if rpr is None or rpr.rFonts is None:
        return None
    return rpr.rFonts.get(qn("w:eastAsia"))


def runs_with_any(doc):
    runs = [r for p in doc.paragraphs for r in p.runs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                runs.extend(r for p in cell.paragraphs for r in p.runs)
    return runs


def runs_with(doc, text: str):
    return [r for r in runs_with_any(doc) if r.text == text]


def assert_value_fonts(doc, values):
    for value in values:
        found = runs_with(doc, value)
        assert found, value
        assert all(east_asia(r) == build_templates.BODY_FONT for r in found), value


def assert_title(doc, title: str):
    first = doc.paragraphs[0]
    assert first.text == title
    assert all(east_asia(r) == build_templates.TITLE_FONT for r in first.runs)
    style_fonts = first.style.element.rPr.rFonts
    assert style_fonts.get(qn("w:eastAsia")) == build_templates.TITLE_FONT


def test_cn_date():
    assert render.cn_date(datetime.date(2026, 11, 27)) == "2026年11月27日"
    assert render.cn_date(datetime.date(2026, 1, 5)) == "2026年1月5日"
    assert render.cn_date(None) == ""


def test_templates_declare_exactly_what_is_required(tpl_dir):
    for kind in render.REQUIRED:
        assert render.check_template(tpl_dir / f"{kind}.docx", kind) == []


def test_placeholders_sit_in_single_runs(tpl_dir):
    for kind in render.REQUIRED:
        doc = Document(str(tpl_dir / f"{kind}.docx"))
        texts = {r.text for r in runs_with_any(doc)}
        for name in render.REQUIRED[kind]:
            assert "{{ " + name + " }}" in texts, (kind, name)


def test_register(tpl_dir, tmp_path):
    out = render.render("register", REGISTER, tmp_path / "r.docx", tpl_dir)
    doc = assert_clean(out)
    assert_page(doc)
    assert_title(doc, "企业反映困难问题登记表")
    assert doc.paragraphs[1].text == "问题类别：用地审批"
    assert doc.paragraphs[2].text == "登记编号：临翔服企办收（2026）第12号"
    (table,) = doc.tables
    assert value_right_of(table, "企业名称") == REGISTER["enterprise"]
    assert value_right_of(table, "详细地址") == REGISTER["address"]
    assert value_right_of(table, "反映时间") == "2026年11月20日"
    assert value_right_of(table, "反映形式") == "来人来函"
    assert value_right_of(table, "联系人") == "李建华"
    assert value_right_of(table, "职务") == "总经理"
    assert value_right_of(table, "联系电话") == "0883-2123456"
    assert value_right_of(table, "电子邮箱") == REGISTER["email"]
    assert value_right_of(table, "主要困难和问题") == LONG_PROBLEM
    # Set in lines by lcqy (set_document_lines), the closing 。 never opening a line.
    request = value_right_of(table, "希望协调解决的具体事项")
    assert request.replace("\n", "") == REGISTER["request"]
    assert request.split("\n")[1:] == ["限。"], request
    assert value_right_of(table, "受理时间") == "2026年11月20日"  # a date object, formatted
    assert value_right_of(table, "受理人员") == "张明"
    assert value_right_of(table, "备注") == ""
    # The group labels span their rows, and the first column is the group column.
    assert value_right_of(table, "企业基本情况") == "企业名称"
    col0 = {c._tc for c in table.column_cells(0)[:5]}
    assert len(col0) == 1
    assert_value_fonts(doc, ["临沧市临翔区滇红茶叶有限公司", "0883-2123456", "张明"])
    text = all_text(doc)
    assert "注：1. 问题类别按政策执行、合同履行、用地审批" in text
    assert "2. 登记编号统一用：XX服企办收（20XX）第XX号。" in text
    assert "3. 反映形式为来电反映、电子邮件、来人来函等。" in text


def test_table_widths_fill_text_width(tpl_dir):
    doc = Document(str(tpl_dir / "register.docx"))
    (table,) = doc.tables
    assert abs(sum(c.width for c in table.columns) - Mm(156)) < Mm(0.1)


def test_dispatch_with_attachment(tpl_dir, tmp_path):
    out = render.render("dispatch", DISPATCH, tmp_path / "d.docx", tpl_dir, attachment_context=REGISTER)
    doc = assert_clean(out)
    assert_page(doc)
    assert len(doc.sections) == 1
    assert_title(doc, "企业反映困难问题交办单")
    assert "交办单位（盖章）：临翔区服务企业发展领导小组办公室" in all_text(doc)
    assert "交办编号：临翔服企办交（2026）第8号" in all_text(doc)
    main, attached = doc.tables
    assert norm(value_right_of(main, "需要办理或协调解决事项")) == norm(DISPATCH["request"])
    assert value_right_of(main, "反映企业") == DISPATCH["enterprise"]
    assert value_right_of(main, "企业地址") == DISPATCH["address"]
    assert value_right_of(main, "联系人") == "李建华"
    assert value_right_of(main, "联系电话") == "0883-2123456"
    assert value_right_of(main, "牵头办理部门") == "临翔区自然资源局"
    assert value_right_of(main, "办结时限") == "2026年11月30日"
    assert value_right_of(main, "配合办理部门") == DISPATCH["assist_depts"]
    assert value_right_of(main, "签批领导") == "王强"
    assert value_right_of(main, "交办日期") == "2026年11月23日"
    assert value_right_of(main, "备注") == ""
    assert "1. 交办编号统一用：XX服企办交（20XX）第XX号；" in all_text(doc)

    # After the main form: a page break, 附件, then the filled 登记表.
    body = list(doc.element.body)
    heading = next(p for p in doc.paragraphs if p.text.strip() == "附件")
    assert heading._p.xpath('.//w:br[@w:type="page"]')
    i_heading = body.index(heading._p)
    assert body.index(main._tbl) < i_heading < body.index(attached._tbl)
    assert body[-1].tag == qn("w:sectPr")
    titles = [p.text for p in doc.paragraphs if p.style.name == build_templates.TITLE_STYLE]
    assert titles == ["企业反映困难问题交办单", "企业反映困难问题登记表"]
    assert value_right_of(attached, "企业名称") == REGISTER["enterprise"]
    assert value_right_of(attached, "主要困难和问题") == LONG_PROBLEM
    assert "登记编号：临翔服企办收（2026）第12号" in all_text(doc)
    assert "3. 反映形式为来电反映、电子邮件、来人来函等。" in all_text(doc)


def test_escalate_escapes_and_blanks(tpl_dir, tmp_path):
    out = render.render("escalate", ESCALATE, tmp_path / "e.docx", tpl_dir, attachment_context=REGISTER)
    doc = assert_clean(out)
    assert_page(doc)
    assert_title(doc, "企业反映困难问题转报单")
    main = doc.tables[0]
    assert value_right_of(main, "反映企业") == "临沧市临翔区滇红茶叶有限公司 & 合作社<联营>"
    assert value_right_of(main, "联系电话") == ""
    assert value_right_of(main, "办理建议") == ESCALATE["suggestion"]
    assert value_right_of(main, "转报日期") == "2026年11月24日"
    assert value_right_of(main, "备注") == "县级已协调两次"
    assert len(doc.tables) == 2
    assert "《企业反映困难问题登记单》" in all_text(doc)


def test_urge_letter(tpl_dir, tmp_path):
    out = render.render("urge", URGE, tmp_path / "u.docx", tpl_dir)
    doc = assert_clean(out)
    assert_page(doc)
    assert_title(doc, "催办函")
    # the body's lines are set in the letter (no date or number cut): read each paragraph whole
    text = "\n".join(p.text.replace("\n", "") for p in doc.paragraphs)
    assert "临翔区自然资源局：" in text
    assert "超过办结时限3个工作日" in text
    assert "第2次催办" in text
    assert "于2026年12月8日前" in text
    assert doc.paragraphs[1].text == "临翔服企办催（2026）第5号"
    # signature and date share one centre tab; the 版记 has no 抄送 without cooperating departments
    sign = [p for p in doc.paragraphs if p.text.startswith("\t")]
    assert [p.text for p in sign] == ["\t临翔区服务企业发展领导小组办公室", "\t2026年12月3日"]
    stops = [[(t.position, t.alignment) for t in p.paragraph_format.tab_stops] for p in sign]
    assert stops[0] == stops[1] and len(stops[0]) == 1
    assert doc.paragraphs[-1].text == "　临翔区服务企业发展领导小组办公室\t2026年12月3日印发"
    assert "抄送" not in text
    assert_value_fonts(doc, ["临翔区自然资源局", "3", "2026年12月8日"])


def test_urge_letter_copies_and_keeps_together(tpl_dir, tmp_path):
    out = render.render("urge", {**URGE, "assist_depts": "区财政局，区林业和草原局"}, tmp_path / "u.docx", tpl_dir)
    doc = Document(str(out))
    paras = doc.paragraphs
    assert paras[-2].text == "　抄送：区财政局，区林业和草原局。"
    assert paras[-2].runs[-1].font.size.pt == 14  # 4号
    first_kept = next(i for i, p in enumerate(paras) if p.text.startswith("确有困难"))
    # from the last body paragraph to the 版记 every paragraph keeps with the next
    assert all(p.paragraph_format.keep_with_next for p in paras[first_kept:-1])
    assert paras[first_kept + 1].text.strip() == "特此函告。"


def test_all_empty_context_renders_blank_form(tpl_dir, tmp_path):
    out = render.render("register", {}, tmp_path / "blank.docx", tpl_dir)
    doc = assert_clean(out)
    assert value_right_of(doc.tables[0], "企业名称") == ""


def test_check_template_reports_removed_placeholder(tpl_dir, tmp_path):
    src = Document(str(tpl_dir / "dispatch.docx"))
    for run in runs_with_any(src):
        if run.text == "{{ lead_dept }}":
            run.text = ""
    broken = tmp_path / "custom"
    broken.mkdir()
    src.save(str(broken / "dispatch.docx"))
    assert render.check_template(broken / "dispatch.docx", "dispatch") == ["lead_dept"]
    with pytest.raises(LcqyError, match="缺少占位符：lead_dept"):
        render.render("dispatch", DISPATCH, tmp_path / "x.docx", broken)


def test_missing_template_is_a_clear_error(tmp_path):
    with pytest.raises(LcqyError, match="找不到企业反映困难问题交办单模板"):
        render.render("dispatch", DISPATCH, tmp_path / "x.docx", tmp_path)


def test_missing_attachment_template(tpl_dir, tmp_path):
    only = tmp_path / "only"
    only.mkdir()
    shutil.copy(tpl_dir / "dispatch.docx", only)
    with pytest.raises(LcqyError, match="找不到企业反映困难问题登记表模板"):
        render.render("dispatch", DISPATCH, tmp_path / "x.docx", only, REGISTER)


def test_not_a_docx(tmp_path):
    (tmp_path / "urge.docx").write_text("not a document")
    with pytest.raises(LcqyError, match="无法打开"):
        render.render("urge", URGE, tmp_path / "x.docx", tmp_path)


def test_unwritable_output(tpl_dir, tmp_path):
    with pytest.raises(LcqyError, match="无法写入"):
        render.render("urge", URGE, tmp_path / "no" / "such" / "dir" / "u.docx", tpl_dir)


def test_unknown_kind(tmp_path):
    with pytest.raises(LcqyError, match="未知的文书类型"):
        render.render("memo", {}, tmp_path / "x.docx")


def test_committed_templates_match_builder(tpl_dir):
    """templates/ at the repo root holds what the builder makes (rebuild after changes)."""
    committed = build_templates.DEFAULT_OUT
    for kind in render.REQUIRED:
        path = committed / f"{kind}.docx"
        assert path.is_file(), path
        # byte for byte: fixed properties and zip entry times make a rebuild reproducible
        assert path.read_bytes() == (tpl_dir / f"{kind}.docx").read_bytes(), kind
