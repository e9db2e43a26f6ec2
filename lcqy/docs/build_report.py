"""Builds templates/report.docx: the monthly 简报 (第十九条), as a template a clerk can edit.

Usage: ``python -m lcqy.docs.build_templates [OUT_DIR]`` builds it with the forms.

Layout after GB/T 9704-2012 as 简报 are printed: a red 版头 (name, 期号, office and date over a
red line), the body in 3号 仿宋 with 黑体 headings, tables in 五号 whose header rows repeat on
every page and whose rows do not split, and the 版记 (报、送, office and 印发日期 between lines,
§7.4) kept together with what precedes it. Only placeholders, `{%p if %}` and `{%tr for %}`
loops over the lists the program passes: the sandbox of lcqy.docs.render allows no more.
"""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from lcqy.docs.typography import BODY_FONT, BODY_LINE, TITLE_FONT, add_parts, add_run, new_document, set_fonts

HEADING_FONT = "黑体"
RED = RGBColor(0xE6, 0x00, 0x12)  # the red of 版头 (GB/T 9704 §7.2)
TABLE_SIZE = Pt(10.5)  # 五号
TABLE_LINE = Pt(15)
REPORT_CELL = "Report Cell"
TEXT_WIDTH_MM = 156
# The 版记 3 mm in from each side of the text block: LibreOffice (7.4) sets a table within about
# 6 mm of the text block's width inline, not floating at the page's foot.
IMPRINT_MM = 150

# (header, placeholder, width mm, alignment) of each table; the loop variable is `r`.
CATEGORY_COLUMNS = [
    ("问题类别", "r.name", 52, "left"),
    ("本月受理", "r.month", 26, "center"),
    ("上月受理", "r.previous_month", 26, "center"),
    ("本年累计", "r.year_to_date", 26, "center"),
    ("占本年比例", "r.share", 26, "center"),
]
DEPT_COLUMNS = [
    # a department's name on one line (区人力资源和社会保障局, eleven characters in 五号), the
    # counts narrow, a rate's 100.0% whole
    ("承办单位", "r.dept", 44, "left"),
    ("交办", "r.dispatched", 10, "center"),
    ("已答复", "r.replies", 12, "center"),
    ("按期办结率", "r.on_time", 18, "center"),
    ("超期未答复", "r.late", 14, "center"),
    ("A类", "r.a", 10, "center"),
    ("B类", "r.b", 10, "center"),
    ("C类", "r.c", 10, "center"),
    ("满意率", "r.satisfaction", 18, "center"),
    ("催办", "r.urges", 10, "center"),
]
LATE_COLUMNS = [
    ("序号", "r.n", 9, "center"),
    ("登记编号", "r.reg_no", 50, "left"),
    ("问题类别", "r.category", 20, "center"),
    ("牵头单位", "r.dept", 37, "left"),
    ("办结时限", "r.due", 24, "center"),
    ("超期工作日", "r.days_late", 16, "center"),
]
LATE_WITH_ENTERPRISE = [
    ("序号", "r.n", 9, "center"),
    ("登记编号", "r.reg_no", 32, "left"),
    ("企业名称", "r.enterprise", 35, "left"),
    ("问题类别", "r.category", 16, "center"),
    ("牵头单位", "r.dept", 28, "left"),
    ("办结时限", "r.due", 23, "center"),
    ("超期工作日", "r.days_late", 13, "center"),
]
# 各县区情况 at a city office: the columns of `lcqy figures` (lcqy.rules.month_figures), in 小五
# (OFFICE_SIZE) so that thirteen columns fit the text width with "100.0%" on one line (16 mm: a
# fallback font's digits are wider than 仿宋's).
OFFICE_COLUMNS = [
    ("单位", "r.name", 24, "left"),
    ("受理", "r.received", 9, "center"),
    ("交办", "r.dispatched", 9, "center"),
    ("转报", "r.escalated", 9, "center"),
    ("答复", "r.replies", 9, "center"),
    ("A类", "r.reply_a", 9, "center"),
    ("B类", "r.reply_b", 9, "center"),
    ("C类", "r.reply_c", 9, "center"),
    ("销号", "r.closed", 9, "center"),
    ("超期未办", "r.late_now", 12, "center"),
    ("按期交办率", "r.on_time_dispatch", 16, "center"),
    ("按期办结率", "r.on_time_completion", 16, "center"),
    ("满意率", "r.satisfaction", 16, "center"),
]
OFFICE_SIZE, OFFICE_LINE = Pt(9), Pt(13)
UNIT_COLUMNS = [
    ("承办单位", "r.dept", 42, "left"),
    ("情形", "r.reason", 114, "left"),
]
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def _border(parent, tag: str, edges: dict[str, tuple[str, int, str]]) -> None:
    """edges: edge -> (val, size in eighths of a point, colour)."""
    box = OxmlElement(tag)
    for edge, (val, size, color) in edges.items():
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), val)
        el.set(qn("w:sz"), str(size))
        el.set(qn("w:space"), "1")
        el.set(qn("w:color"), color)
        box.append(el)
    parent.append(box)


def _para(doc: DocumentObject, parts, *, indent=True, align=None, keep=False, font=BODY_FONT, size=None):
    p = doc.add_paragraph()
    pf = p.paragraph_format
    pf.line_spacing = BODY_LINE
    if indent:
        pf.first_line_indent = Pt(32)  # two characters of 3号
    if align is not None:
        p.alignment = align
    pf.keep_with_next = keep
    if font == BODY_FONT:
        add_parts(p, parts, size=size)
    else:
        for part in parts:
            add_run(p, part, font, size)
    return p


def _tag(doc: DocumentObject, tag: str):
    """A paragraph holding one docxtpl paragraph tag ({%p if … %}); docxtpl removes it."""
    p = doc.add_paragraph()
    p.paragraph_format.keep_with_next = True
    add_run(p, tag)
    return p


def _heading(doc: DocumentObject, text: str):
    return _para(doc, [text], keep=True, font=HEADING_FONT, size=Pt(16))


def _cell(cell, text: str, align: str, bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.style = REPORT_CELL
    p.alignment = _ALIGN[align]
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    run = add_run(p, text, size=TABLE_SIZE)
    run.bold = bold


def _row_props(row, header: bool = False) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))  # repeated at the top of every page


def _table(doc: DocumentObject, columns, loop: str, total: list[str] | None = None):
    """Header row, the loop over `loop` (docxtpl {%tr %} rows), and a totals row if given."""
    rows = 4 + (1 if total else 0)
    table = doc.add_table(rows=rows, cols=len(columns))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    edge = ("single", 4, "000000")
    _border(tbl_pr, "w:tblBorders", dict.fromkeys(("top", "left", "bottom", "right", "insideH", "insideV"), edge))
    tbl_w = tbl_pr.find(qn("w:tblW"))
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(int(Mm(sum(c[2] for c in columns)).twips)))
    margins = OxmlElement("w:tblCellMar")  # 1 mm each side: the narrow number columns need it
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(Mm(1).twips)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.append(margins)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for col, (_, _, width, _) in zip(table.columns, columns):
        col.width = Mm(width)
    for tr in table._tbl.tr_lst:
        for tc, (_, _, width, _) in zip(tr.tc_lst, columns):
            tc.width = Mm(width)
    head, start, body, end = table.rows[:4]
    _row_props(head, header=True)
    for cell, (title, _, _, _) in zip(head.cells, columns):
        _cell(cell, title, "center", bold=True)
    _cell(start.cells[0], "{%tr for r in " + loop + " %}", "left")
    _row_props(body)
    for cell, (_, field, _, align) in zip(body.cells, columns):
        _cell(cell, "{{ " + field + " }}", align)
    _cell(end.cells[0], "{%tr endfor %}", "left")
    if total:
        _row_props(table.rows[4])
        for cell, text, (_, _, _, align) in zip(table.rows[4].cells, total, columns):
            _cell(cell, text, align if not text.startswith("合") else "center")
    return table


def _smaller(table, size, line) -> None:
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.line_spacing = line
                for run in p.runs:
                    run.font.size = size


def _head(doc: DocumentObject) -> None:
    """版头: the red name, 期号, then office (left) and date (right) over a red line."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.space_after = Pt(10)
    p.paragraph_format.keep_with_next = True
    run = add_run(p, "企业反映困难问题办理情况简报", TITLE_FONT, Pt(30))
    run.font.color.rgb = RED
    p = _para(doc, ["第", "{issue_no}", "期"], indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)
    p.paragraph_format.space_after = Pt(6)
    # head_break: a line break when the office's name and the date cannot share the line, so the
    # date moves down whole rather than break (lcqy.docs.report_context)
    p = _para(doc, ["{office_name}", "{head_break}", "\t", "{issued_on}"], indent=False, keep=True, size=Pt(14))
    tabs = p.paragraph_format.tab_stops
    tabs.add_tab_stop(Mm(TEXT_WIDTH_MM), alignment=2)  # right-aligned at the text edge
    p.paragraph_format.space_after = Pt(8)
    _border(p._p.get_or_add_pPr(), "w:pBdr", {"bottom": ("single", 18, "E60012")})


def _title(doc: DocumentObject) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(16)
    p.paragraph_format.space_after = Pt(12)
    p.paragraph_format.keep_with_next = True
    add_run(p, "{{ month_label }}", TITLE_FONT, Pt(22))
    add_run(p, "企业反映困难问题办理情况", TITLE_FONT, Pt(22))


def _float_to_foot(table) -> None:
    """Float the table at the foot of the text block of the page it falls on (a floating table,
    anchored to the bottom margin, text above it): the 版记 ends the last page whatever the length
    of the text, as GB/T 9704 §7.4 wants, with no blank lines to count."""
    tbl_pr = table._tbl.tblPr
    pos = OxmlElement("w:tblpPr")
    for k, v in (
        ("w:leftFromText", "0"),
        ("w:rightFromText", "0"),
        ("w:topFromText", "170"),  # 3 mm between the text and the 版记's first line
        ("w:bottomFromText", "0"),
        ("w:vertAnchor", "margin"),
        ("w:horzAnchor", "margin"),
        ("w:tblpXSpec", "center"),
        ("w:tblpYSpec", "bottom"),
    ):
        pos.set(qn(k), v)
    tbl_pr.insert(1 if tbl_pr.find(qn("w:tblStyle")) is not None else 0, pos)
    overlap = OxmlElement("w:tblOverlap")
    overlap.set(qn("w:val"), "never")
    pos.addnext(overlap)


def _imprint(doc: DocumentObject) -> None:
    """版记 (GB/T 9704 §7.4): 报、送、发 then the office (left) and 印发日期 (right), between lines,
    one character in from each end, kept together, at the foot of the last page; the 印数 under
    it. The 发 line and the 印数 only when the context has them."""
    rows = [
        ("line", ["报：", "{report_to}"]),
        ("tag", "{%tr if send_to %}"),
        ("line", ["发：", "{send_to}"]),
        ("tag", "{%tr endif %}"),
        ("line", ["送：", "{copy_to}"]),
        # imprint_break: the date under the office when the two cannot share the line
        ("issued", ["{office_name}", "{imprint_break}", "\t", "{issued_on}", "印发"]),
        ("tag", "{%tr if copies %}"),
        ("copies", ["（共印", "{copies}", "份）"]),
        ("tag", "{%tr endif %}"),
    ]
    table = doc.add_table(rows=len(rows), cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(int(Mm(IMPRINT_MM).twips)))
    thick, thin = ("single", 8, "000000"), ("single", 4, "000000")
    # the last rule is the 印发 row's own, so the 印数 under it stands outside the 版记's lines
    _border(tbl_pr, "w:tblBorders", {"top": thick, "insideH": thin})
    margins = OxmlElement("w:tblCellMar")  # none: the text's place is set by its indents
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "0")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.append(margins)
    table.columns[0].width = Mm(IMPRINT_MM)
    em = Pt(14)  # 4号: one character in from each end (§7.4)
    for i, (kind, parts) in enumerate(rows):
        row = table.rows[i]
        row.cells[0].width = Mm(IMPRINT_MM)
        _row_props(row)
        p = row.cells[0].paragraphs[0]
        if kind == "tag":
            add_run(p, parts)
            continue
        pf = p.paragraph_format
        pf.line_spacing = Pt(22)
        pf.keep_with_next = kind != "copies"
        pf.left_indent, pf.right_indent = em, em
        if kind == "line":  # a list that wraps goes on under its first name (§7.4.2)
            pf.left_indent, pf.first_line_indent = em * 3, -em * 2
        elif kind == "issued":
            pf.tab_stops.add_tab_stop(Mm(IMPRINT_MM) - em, alignment=2)  # right-aligned
            pf.right_indent = 0
            _border(row.cells[0]._tc.get_or_add_tcPr(), "w:tcBorders", {"bottom": thick})
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        add_parts(p, parts, size=Pt(14))
    _float_to_foot(table)
    # the paragraph the floating table is anchored to (Word and LibreOffice need one after it)
    anchor = doc.add_paragraph()
    anchor.paragraph_format.line_spacing = Pt(1)


def build_report() -> DocumentObject:
    doc = new_document()
    cell = doc.styles.add_style(REPORT_CELL, 1)  # paragraph style
    cell.base_style = doc.styles["Normal"]
    cell.font.size = TABLE_SIZE
    set_fonts(cell.element, BODY_FONT)
    cell.paragraph_format.line_spacing = TABLE_LINE

    _head(doc)
    _title(doc)

    _heading(doc, "一、总体情况")
    _tag(doc, "{%p for s in overview %}")
    _para(doc, ["{s}"])
    _tag(doc, "{%p endfor %}")

    # At a city office: each county's month beside the city's own, and the city-wide total.
    _tag(doc, "{%p if has_offices %}")
    _para(doc, ["{offices_text}"], keep=True)
    _smaller(_table(doc, OFFICE_COLUMNS, "offices"), OFFICE_SIZE, OFFICE_LINE)
    _tag(doc, "{%p endif %}")

    _heading(doc, "二、分类情况")
    _para(doc, ["{category_text}"], keep=True)
    _table(doc, CATEGORY_COLUMNS, "categories", ["合计", "{{ total_month }}", "{{ total_previous }}",
                                                  "{{ total_year }}", "100%"])  # fmt: skip
    _para(doc, ["{channel_text}"])

    _heading(doc, "三、承办单位办理情况")
    _para(doc, ["{dept_text}"], keep=True)
    _tag(doc, "{%p if has_depts %}")
    _table(doc, DEPT_COLUMNS, "depts")
    _tag(doc, "{%p endif %}")

    _heading(doc, "四、超期未办结问题")
    _para(doc, ["{late_text}"], keep=True)
    _tag(doc, "{%p if has_late %}")
    _tag(doc, "{%p if with_enterprises %}")
    _table(doc, LATE_WITH_ENTERPRISE, "late")
    _tag(doc, "{%p else %}")
    _table(doc, LATE_COLUMNS, "late")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endif %}")

    _heading(doc, "五、需通报的承办单位")
    _para(doc, ["{units_text}"], keep=True)
    _tag(doc, "{%p if has_units %}")
    _table(doc, UNIT_COLUMNS, "units")  # its rows flow across pages like the other tables'
    _tag(doc, "{%p endif %}")

    # The 版记 floats at the foot of the page this line ends (_float_to_foot).
    p = _para(doc, ["（本期数字截至", "{as_of}", "，依据台帐统计。）"], size=Pt(14))
    p.paragraph_format.space_before = Pt(8)
    p.paragraph_format.space_after = Pt(16)
    _imprint(doc)
    return doc
