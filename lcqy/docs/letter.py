"""The 催办函 (or 督办函) template: a 函 in the GB/T 9704-2012 body layout, 22 lines a page.

The signature block (特此函告 … date) and the 版记 keep with each other and with the last lines
of the body, so no page holds the signature, the date or the 抄送 alone (§7.3.5). The office name
is centred over the date, the date four characters in from the right (§7.3.5.1, sealed letters).
The 版记 (§7.4): 抄送 and 印发机关/印发日期 in 4号 between a thick first and last line and a thin
line between them.
"""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from lcqy.docs.typography import BODY_LINE, BODY_SIZE, add_parts, add_title, new_document

TEXT_WIDTH = Mm(156)
IMPRINT_SIZE = Pt(14)  # 4号
THICK, THIN = 8, 6  # eighths of a point: 0.35 mm and 0.25 mm lines, as §7.4 recommends


def _border(paragraph, top: int | None = None, bottom: int | None = None) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    for edge, size in (("top", top), ("bottom", bottom)):
        if size:
            el = OxmlElement(f"w:{edge}")
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), str(size))
            el.set(qn("w:space"), "1")
            el.set(qn("w:color"), "000000")
            bdr.append(el)
    # pBdr comes before shd/tabs/spacing/ind/jc in CT_PPr
    p_pr.insert_element_before(
        bdr, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:spacing", "w:ind", "w:jc", "w:rPr"
    )


def build_urge() -> DocumentObject:
    doc = new_document()

    def para(parts, indent=True, align=None, keep=False, size=None, line=BODY_LINE):
        p = doc.add_paragraph()
        pf = p.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = line
        if indent:
            pf.first_line_indent = BODY_SIZE * 2
        if align is not None:
            p.alignment = align
        pf.keep_with_next = keep
        add_parts(p, parts, size=size)
        return p

    add_title(doc, "{{ letter_title }}")
    # 22 lines in the 225 mm text block: exact 28.95 pt line spacing. The standard's 28 characters
    # a line needs Word's character grid (docGrid charSpace), which LibreOffice lays out
    # differently, so it is left out: 3号 gives 27 characters a line in 156 mm.
    para(["{letter_no}"], indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(["{lead_dept}", "："], indent=False)
    para(
        [
            "{enterprise}",
            "反映的",
            "{problem}",
            "问题（登记编号：",
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
            "{basis}",
            "请你单位高度重视，加快办理进度，于",
            "{reply_by}",
            "前将办理结果经主要领导审核后以正式文件报送我办，并面复或书面答复企业。",
        ]
    )
    # The last body paragraph is short, whole and kept with the signature: when the letter runs
    # over a page, it moves over with 特此函告, the signature and the 版记, so none of them stands
    # alone (LibreOffice moves a kept paragraph whole, Word its last lines: both hold here).
    last = para(["确有困难暂时无法办结的，请书面说明原因、已采取的措施和办结时限。"], keep=True)
    last.paragraph_format.keep_together = True
    para(["特此函告。"], keep=True)
    para([""], indent=False, keep=True)
    # Office and date share a centre tab 8 characters in from the right: the date (7 characters)
    # ends 4.5 characters in, and an office name of up to 16 characters fits over it.
    centre = TEXT_WIDTH - BODY_SIZE * 8
    for name in ("{office_name}", "{issued_on}"):
        p = para(["\t", name], indent=False, keep=True)
        p.paragraph_format.tab_stops.add_tab_stop(centre, WD_TAB_ALIGNMENT.CENTER)
    para([""], indent=False, keep=True)
    _imprint(doc, para)
    return doc


def _imprint(doc: DocumentObject, para) -> None:
    """版记: the 抄送 line only when there are cooperating departments."""
    right = TEXT_WIDTH - IMPRINT_SIZE  # 印发日期 one character in from the right

    def issued(top: int):
        p = para(["　", "{office_name}", "\t", "{issued_on}", "印发"], indent=False, size=IMPRINT_SIZE)
        p.paragraph_format.tab_stops.add_tab_stop(right, WD_TAB_ALIGNMENT.RIGHT)
        _border(p, top=top, bottom=THICK)

    para(["{%p if assist_depts %}"], indent=False, keep=True)
    copy = para(["　抄送：", "{assist_depts}", "。"], indent=False, keep=True, size=IMPRINT_SIZE)
    _border(copy, top=THICK)
    issued(THIN)
    para(["{%p else %}"], indent=False, keep=True)
    issued(THICK)
    para(["{%p endif %}"], indent=False)
