"""Typography and table layout of the forms: page, fonts, paragraph styles and form tables.

Layout follows GB/T 9704-2012: A4, margins 37/35/28/26 mm (top/bottom/left/right), title 2号
方正小标宋简体, text 3号 仿宋_GB2312, table cells and notes 小四 so each form fits one page.

Fonts are written under their official names. Word has no fallback list in the file: where a
machine lacks them, Word substitutes by the font's declared family (方正小标宋简体 → 宋体,
仿宋_GB2312 → 仿宋) and WPS maps them the same way, so the names are kept as issued.
"""

from __future__ import annotations

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import (
    WD_CELL_VERTICAL_ALIGNMENT,
    WD_ROW_HEIGHT_RULE,
    WD_TABLE_ALIGNMENT,
)
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from lcqy.docs.fitting import CELL_LINE_PT, CELL_MARGIN_MM, COLUMNS_MM

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"

TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
CELL_SIZE = Pt(12)  # 小四
# GB/T 9704: 22 lines in the 225 mm text block, so exact 28.95 pt.
BODY_LINE = Pt(28.95)
MORE_LINE = Pt(24)
ATTACHMENT_FONT = "黑体"  # 附件, 附页 and their headings

TITLE_STYLE = "Form Title"
CELL_STYLE = "Form Cell"
NOTE_STYLE = "Form Note"

CELL_LINE = Pt(CELL_LINE_PT)  # exact, so a cell's height depends on its lines only


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
    # Chinese text in Chinese, so that Word and WPS apply Chinese punctuation and line-breaking
    # rules; Latin text (e-mail addresses, numbers) in English, which breaks it between words
    # only (as Chinese, LibreOffice breaks an address at any letter).
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")

    normal = doc.styles["Normal"]
    normal.font.size = BODY_SIZE
    set_fonts(normal.element, BODY_FONT)
    pf = normal.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing = 1.0

    title = _style(doc, TITLE_STYLE, TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.space_after = Pt(8)
    title.paragraph_format.keep_with_next = True
    # Every cell line keeps with the next, so a form's rows stay with each other and its notes.
    cell = _style(doc, CELL_STYLE, BODY_FONT, CELL_SIZE)
    cell.paragraph_format.line_spacing = CELL_LINE
    cell.paragraph_format.keep_with_next = True
    note = _style(doc, NOTE_STYLE, BODY_FONT, CELL_SIZE)
    note.paragraph_format.line_spacing = Pt(18)
    note.paragraph_format.keep_together = True
    return doc


def add_run(paragraph, text: str, font: str = BODY_FONT, size=None):
    run = paragraph.add_run(text)
    set_fonts(run._r, font)
    if size is not None:
        run.font.size = size
    return run


def add_field(paragraph, name: str, size=None):
    """A placeholder in a run of its own."""
    return add_run(paragraph, "{{ " + name + " }}", size=size)


def add_parts(paragraph, parts, size=None) -> None:
    """Text pieces; a piece written as ``{name}`` becomes the placeholder `name`."""
    for part in parts:
        if part.startswith("{%"):  # a docxtpl tag, e.g. {%p if x %}: written as it stands
            add_run(paragraph, part, size=size)
        elif part.startswith("{") and part.endswith("}"):
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


def _write_cell(cell, content, label: bool, size=CELL_SIZE) -> None:
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
        add_field(p, content, size=size)


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
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.insert(0, OxmlElement("w:cantSplit"))
        for kind, text, c0, c1, span, *size in cells:
            cell = table.cell(r, c0)
            if c1 > c0 or span > 1:
                cell = cell.merge(table.cell(r + span - 1, c1))
            placed.append((cell, kind, text, size[0] if size else CELL_SIZE))

    # Word reads tcW, LibreOffice the grid; both must agree with the fixed widths.
    for tr in table._tbl.tr_lst:
        col = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            tc.width = Mm(sum(COLUMNS_MM[col : col + span]))
            col += span
    for cell, kind, text, size in placed:
        _write_cell(cell, text, kind == "L", size)


def add_head_lines(doc: DocumentObject, lines) -> None:
    """Lines above the table, a label then its value; a value too long for its line (an
    autonomous county's office name) wraps under itself, the line hanging by the label."""
    for parts in lines:
        p = doc.add_paragraph()
        p.paragraph_format.keep_with_next = True
        if not parts[0].startswith("{"):
            p.paragraph_format.left_indent = BODY_SIZE * len(parts[0])
            p.paragraph_format.first_line_indent = -BODY_SIZE * len(parts[0])
        add_parts(p, parts)
    p.paragraph_format.space_after = Pt(4)  # keeps the last line off the table's top border


def add_source_line(doc: DocumentObject) -> None:
    """来源：the county office and its 转报编号, above the table of a form for a case the city
    received from a county (only when `source` is set); hanging by the width of 来源：."""
    add_run(doc.add_paragraph(), "{%p if source %}")
    p = doc.add_paragraph()
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.left_indent = BODY_SIZE * 3
    p.paragraph_format.first_line_indent = -BODY_SIZE * 3
    p.paragraph_format.space_after = Pt(4)
    add_parts(p, ["来源：", "{source}"])
    add_run(doc.add_paragraph(), "{%p endif %}")


def add_notes(doc: DocumentObject, notes, then=False) -> None:
    """注：1. … with the later items aligned under the first, as printed under the forms; kept
    together (and with what follows when `then`)."""
    indent = CELL_SIZE * 2  # width of 注：
    for i, text in enumerate(notes):
        p = doc.add_paragraph(style=NOTE_STYLE)
        p.paragraph_format.keep_with_next = then or i < len(notes) - 1
        p.paragraph_format.left_indent = indent
        if i == 0:
            p.paragraph_format.first_line_indent = -indent
            p.paragraph_format.space_before = Pt(6)
            add_run(p, "注：" + text, size=CELL_SIZE)
        else:
            add_run(p, text, size=CELL_SIZE)


def add_annex_line(doc: DocumentObject) -> None:
    """The 附件 line under a form's notes (``{{ annex }}``: what goes with the form, one item a
    line, each under the first: the paragraph hangs by the width of 附件：)."""
    p = doc.add_paragraph(style=NOTE_STYLE)
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.left_indent = CELL_SIZE * 3
    p.paragraph_format.first_line_indent = -CELL_SIZE * 3
    add_field(p, "annex", size=CELL_SIZE)


def _block_tag(doc: DocumentObject, tag: str) -> None:
    add_run(doc.add_paragraph(), tag)


def add_more_page(doc: DocumentObject, ref_parts, fields) -> None:
    """The 附页 carrying whole the texts a cell had to cut: shown only when `more` is set, one
    section per field whose ``<name>_full`` is set. `fields`: (name, label)."""
    _block_tag(doc, "{%p if more %}")
    head = doc.add_paragraph()
    head.paragraph_format.page_break_before = True
    head.paragraph_format.space_after = Pt(12)
    add_run(head, "{{ more }}", ATTACHMENT_FONT, BODY_SIZE)  # 附页
    add_run(head, "（", size=BODY_SIZE)
    add_parts(head, ref_parts, size=BODY_SIZE)
    add_run(head, "）", size=BODY_SIZE)
    for name, label in fields:
        _block_tag(doc, "{%p if " + name + "_full %}")
        p = doc.add_paragraph()
        p.paragraph_format.keep_with_next = True
        add_run(p, label + "：", ATTACHMENT_FONT, BODY_SIZE)
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = BODY_SIZE * 2
        p.paragraph_format.line_spacing = MORE_LINE  # a problem of 600 characters on one page
        p.paragraph_format.space_after = Pt(12)
        add_field(p, name + "_full", size=BODY_SIZE)
        _block_tag(doc, "{%p endif %}")
    _block_tag(doc, "{%p endif %}")
