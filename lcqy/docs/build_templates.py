"""Build the .docx templates of the 登记表, 交办单, 转报单 and 催办函.

Usage: ``python -m lcqy.docs.build_templates [OUT_DIR]`` (default: ``templates/`` at the repo root).

The tables reproduce the forms annexed to 临政办发〔2021〕21号 cell for cell. Layout follows
GB/T 9704-2012: A4, margins 37/35/28/26 mm (top/bottom/left/right), title 2号 方正小标宋简体,
text 3号 仿宋_GB2312, table cells and notes 小四 so each form fits one page.

Fonts are written under their official names. Word has no fallback list in the file: where a
machine lacks them, Word substitutes by the font's declared family (方正小标宋简体 → 宋体,
仿宋_GB2312 → 仿宋) and WPS maps them the same way, so the names are kept as issued.

Every placeholder ``{{ name }}`` is a run of its own, so docxtpl finds it whole and a clerk can
move or restyle it in Word without splitting it.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import (
    WD_CELL_VERTICAL_ALIGNMENT,
    WD_ROW_HEIGHT_RULE,
    WD_TABLE_ALIGNMENT,
)
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"

TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
CELL_SIZE = Pt(12)  # 小四

TITLE_STYLE = "Form Title"
CELL_STYLE = "Form Cell"
NOTE_STYLE = "Form Note"

# Grid of the forms: group label | label | value | label | value, 156 mm in all (the GB/T 9704
# text width). Widths hold, in 小四: two characters a line of 企业基本情况, the seven of
# 需要办理或协调, the four of 电子邮箱, and a date such as 2026年11月27日 on one line.
COLUMNS_MM = (14, 34, 43, 21, 44)
CELL_MARGIN_MM = 1.5

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "templates"


# --- fonts and styles -------------------------------------------------------------------------


def set_fonts(rpr_owner, name: str) -> None:
    """Point every script slot of an rPr at `name`.

    `font.name` in python-docx sets only ascii/hAnsi; Chinese text is drawn with the eastAsia
    font, and theme attributes would override all three, so they are removed.
    """
    rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _style(doc: DocumentObject, name: str, font: str, size, align=None):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.font.size = size
    set_fonts(style.element, font)
    if align is not None:
        style.paragraph_format.alignment = align
    return style


def new_document() -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(28)

    # The default template's docDefaults name theme fonts, which outrank the style's own names.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr_default.find(qn("w:rFonts"))
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), BODY_FONT)

    normal = doc.styles["Normal"]
    normal.font.size = BODY_SIZE
    set_fonts(normal.element, BODY_FONT)
    pf = normal.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing = 1.0

    title = _style(doc, TITLE_STYLE, TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.space_after = Pt(12)
    _style(doc, CELL_STYLE, BODY_FONT, CELL_SIZE)
    note = _style(doc, NOTE_STYLE, BODY_FONT, CELL_SIZE)
    note.paragraph_format.line_spacing = Pt(20)
    return doc


def add_run(paragraph, text: str, font: str = BODY_FONT, size=None, bold: bool = False):
    run = paragraph.add_run(text)
    set_fonts(run._r, font)
    if size is not None:
        run.font.size = size
    if bold:
        run.bold = True
    return run


def add_field(paragraph, name: str, font: str = BODY_FONT, size=None):
    """A placeholder in a run of its own."""
    return add_run(paragraph, "{{ " + name + " }}", font, size)


def add_parts(paragraph, parts, size=None) -> None:
    """Text pieces; a piece written as ``{name}`` becomes the placeholder `name`."""
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            add_field(paragraph, part[1:-1], size=size)
        else:
            add_run(paragraph, part, size=size)


def add_title(doc: DocumentObject, text: str):
    p = doc.add_paragraph(style=TITLE_STYLE)
    add_run(p, text, TITLE_FONT, TITLE_SIZE)
    return p


# --- tables -----------------------------------------------------------------------------------


def _cell_margins(table) -> None:
    tbl_pr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        width = 0 if side in ("top", "bottom") else int(Mm(CELL_MARGIN_MM).twips)
        el.set(qn("w:w"), str(width))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tbl_pr.insert_element_before(mar, "w:tblLook", "w:tblCaption", "w:tblDescription")


def _borders(table) -> None:
    """Single 0.5 pt lines on every edge, set on the table so no style is needed."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption")


def _write_cell(cell, content, label: bool) -> None:
    """Label: centred text (a list of lines). Value: a left-aligned placeholder."""
    p = cell.paragraphs[0]
    p.style = CELL_STYLE
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if label:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        lines = content.split("\n")
        for i, line in enumerate(lines):
            run = add_run(p, line, size=CELL_SIZE)
            if i < len(lines) - 1:
                run.add_break()
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        add_field(p, content, size=CELL_SIZE)


def build_form_table(doc: DocumentObject, rows) -> None:
    """`rows`: (height_mm, cells); a cell is (kind, text, first_col, last_col, rowspan).

    kind "L" is a label, "V" a value placeholder. A rowspan > 1 merges the cell down.
    """
    table = doc.add_table(rows=len(rows), cols=len(COLUMNS_MM))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    _cell_margins(table)
    tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(int(Mm(sum(COLUMNS_MM)).twips)))
    for col, width in zip(table.columns, COLUMNS_MM, strict=True):
        col.width = Mm(width)

    # Merge first: python-docx moves text on merge, so cells are written afterwards.
    placed = []
    for r, (height, cells) in enumerate(rows):
        row = table.rows[r]
        row.height = Mm(height)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for kind, text, c0, c1, span in cells:
            cell = table.cell(r, c0)
            if c1 > c0 or span > 1:
                cell = cell.merge(table.cell(r + span - 1, c1))
            placed.append((cell, kind, text))

    # Word reads tcW, LibreOffice the grid; both must agree with the fixed widths.
    for tr in table._tbl.tr_lst:
        col = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            tc.width = Mm(sum(COLUMNS_MM[col : col + span]))
            col += span
    for cell, kind, text in placed:
        _write_cell(cell, text, kind == "L")


def L(text, c0, c1=None, span=1):  # short table notation, hence the capitals
    return ("L", text, c0, c0 if c1 is None else c1, span)


def V(name, c0, c1=None):
    return ("V", name, c0, c0 if c1 is None else c1, 1)


def add_head_lines(doc: DocumentObject, lines) -> None:
    for parts in lines:
        p = doc.add_paragraph()
        add_parts(p, parts)
    p.paragraph_format.space_after = Pt(4)  # keeps the last line off the table's top border


def add_notes(doc: DocumentObject, notes) -> None:
    """注：1. … with the later items aligned under the first, as printed under the forms."""
    indent = CELL_SIZE * 2  # width of 注：
    for i, text in enumerate(notes):
        p = doc.add_paragraph(style=NOTE_STYLE)
        p.paragraph_format.left_indent = indent
        if i == 0:
            p.paragraph_format.first_line_indent = -indent
            p.paragraph_format.space_before = Pt(6)
            add_run(p, "注：" + text, size=CELL_SIZE)
        else:
            add_run(p, text, size=CELL_SIZE)


# --- the four documents -----------------------------------------------------------------------

ROW = 10  # mm, one-line rows


def build_register() -> DocumentObject:
    doc = new_document()
    add_title(doc, "企业反映困难问题登记表")
    add_head_lines(doc, [["问题类别：", "{category}"], ["登记编号：", "{reg_no}"]])
    build_form_table(
        doc,
        [
            (ROW, [L("企业基本情况", 0, span=5), L("企业名称", 1), V("enterprise", 2, 4)]),
            (ROW, [L("详细地址", 1), V("address", 2, 4)]),
            (ROW, [L("反映时间", 1), V("reported_on", 2), L("反映形式", 3), V("channel", 4)]),
            (ROW, [L("联系人", 1), V("contact", 2), L("职 务", 3), V("contact_title", 4)]),
            (ROW, [L("联系电话", 1), V("phone", 2), L("电子邮箱", 3), V("email", 4)]),
            (45, [L("企业反映问题", 0, span=2), L("主要困难和问题", 1), V("problem", 2, 4)]),
            (28, [L("希望协调解决的具体事项", 1), V("request", 2, 4)]),
            (ROW, [L("受理情况", 0), L("受理时间", 1), V("accepted_on", 2), L("受理人员", 3), V("accepted_by", 4)]),
            (14, [L("备注", 0), V("remarks", 1, 4)]),
        ],
    )
    add_notes(
        doc,
        [
            (
                "1. 问题类别按政策执行、合同履行、用地审批、用电保障、融资服务、人才服务、"
                "招工用工、项目推动、软环境建设、其它进行分类；"
            ),
            "2. 登记编号统一用：XX服企办收（20XX）第XX号。",
            "3. 反映形式为来电反映、电子邮件、来人来函等。",
        ],
    )
    return doc


def build_dispatch() -> DocumentObject:
    doc = new_document()
    add_title(doc, "企业反映困难问题交办单")
    add_head_lines(doc, [["交办单位（盖章）：", "{office_name}"], ["交办编号：", "{dispatch_no}"]])
    build_form_table(
        doc,
        [
            (40, [L("交办事项", 0, span=4), L("需要办理或协调\n解决事项", 1), V("request", 2, 4)]),
            (ROW, [L("反映企业", 1), V("enterprise", 2, 4)]),
            (ROW, [L("企业地址", 1), V("address", 2, 4)]),
            (ROW, [L("联系人", 1), V("contact", 2), L("联系电话", 3), V("phone", 4)]),
            (
                ROW,
                [L("办理要求", 0, span=2), L("牵头办理部门", 1), V("lead_dept", 2), L("办结时限", 3), V("due_date", 4)],
            ),
            (ROW, [L("配合办理部门", 1), V("assist_depts", 2, 4)]),
            (ROW, [L("签交情况", 0), L("签批领导", 1), V("approver", 2), L("交办日期", 3), V("dispatched_on", 4)]),
            (14, [L("备注", 0), V("remarks", 1, 4)]),
        ],
    )
    add_notes(
        doc,
        [
            "1. 交办编号统一用：XX服企办交（20XX）第XX号；",
            (
                "2. 向承办单位下发《企业反映困难问题交办单》时，必须附服务企业发展领导小组"
                "领导的批示笺和《企业反映困难问题登记表》。"
            ),
        ],
    )
    return doc


def build_escalate() -> DocumentObject:
    doc = new_document()
    add_title(doc, "企业反映困难问题转报单")
    add_head_lines(doc, [["转报单位（盖章）：", "{office_name}"], ["转报编号：", "{escalate_no}"]])
    build_form_table(
        doc,
        [
            (40, [L("转报事项", 0, span=4), L("需要帮助协调\n解决事项", 1), V("request", 2, 4)]),
            (ROW, [L("反映企业", 1), V("enterprise", 2, 4)]),
            (ROW, [L("企业地址", 1), V("address", 2, 4)]),
            (ROW, [L("联系人", 1), V("contact", 2), L("联系电话", 3), V("phone", 4)]),
            (40, [L("办理建议", 0), V("suggestion", 1, 4)]),
            (ROW, [L("签报情况", 0), L("签批领导", 1), V("approver", 2), L("转报日期", 3), V("escalated_on", 4)]),
            (14, [L("备注", 0), V("remarks", 1, 4)]),
        ],
    )
    add_notes(
        doc,
        [
            "1. 转报编号统一用：XX服企办报（20XX）第XX号；",
            (
                "2. 向市级转报《企业反映困难问题转报单》时，必须附县（区）服务企业发展领导小组"
                "领导的批示笺和《企业反映困难问题登记单》。"
            ),
        ],
    )
    return doc


def build_urge() -> DocumentObject:
    """催办函: a 函 in the GB/T 9704 body layout, 22 lines a page."""
    doc = new_document()
    # 22 lines in the 225 mm text block: exact 28.95 pt line spacing. The standard's 28 characters
    # a line needs Word's character grid (docGrid charSpace), which LibreOffice lays out
    # differently, so it is left out: 3号 gives 27 characters a line in 156 mm.
    body_spacing = Pt(28.95)

    def para(parts, indent=True, align=None, right_chars=0):
        p = doc.add_paragraph()
        pf = p.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = body_spacing
        if indent:
            pf.first_line_indent = BODY_SIZE * 2
        if align is not None:
            p.alignment = align
        if right_chars:
            pf.right_indent = BODY_SIZE * right_chars
        add_parts(p, parts)
        return p

    add_title(doc, "催办函")
    # As in the 信函格式 of GB/T 9704, the reference number sits at the right edge.
    para(["交办编号：", "{dispatch_no}"], indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    para([""], indent=False)
    para(["{lead_dept}", "："], indent=False)
    para(
        [
            "{enterprise}",
            "反映的“",
            "{request}",
            "”问题（登记编号：",
            "{reg_no}",
            "，交办编号：",
            "{dispatch_no}",
            "），已于",
            "{dispatched_on}",
            "交由你单位牵头办理，办结时限为",
            "{due_date}",
            "。截至目前，该问题已超过办结时限",
            "{days_late}",
            "个工作日，我办尚未收到你单位的办理结果。",
        ]
    )
    para(
        [
            (
                "根据《临沧市企业反映困难问题收集和办理工作办法（试行）》"
                "（临政办发〔2021〕21号）第十八条规定，现对该问题进行第"
            ),
            "{urge_count}",
            "次催办。请你单位高度重视，加快办理进度，于",
            "{reply_by}",
            (
                "前将办理结果经主要领导审核后以正式文件报送我办，并面复或书面答复企业；"
                "确有困难暂时无法办结的，请书面说明原因、已采取的措施和办结时限。"
            ),
        ]
    )
    para(["特此函告。"])
    para([""], indent=False)
    para([""], indent=False)
    para(["{office_name}"], indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    para(["{issued_on}"], indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    return doc


BUILDERS = {
    "register": build_register,
    "dispatch": build_dispatch,
    "escalate": build_escalate,
    "urge": build_urge,
}


def build_all(out_dir: Path | str = DEFAULT_OUT) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, builder in BUILDERS.items():
        path = out / f"{kind}.docx"
        doc = builder()
        # Fixed metadata so rebuilding gives the same content to review.
        props = doc.core_properties
        props.author = props.last_modified_by = "服企办"
        props.title = doc.paragraphs[0].text
        props.comments = props.keywords = props.subject = ""
        doc.save(str(path))
        _fix_zip_times(path)
        written.append(path)
    return written


def _fix_zip_times(path: Path) -> None:
    """Rewrite the package with fixed entry times, so a rebuild changes no bytes in git."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for path in build_all(args[0] if args else DEFAULT_OUT):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
