"""The 催办函 (or 督办函) template: a 函 in the GB/T 9704-2012 body layout, 22 lines of 28
characters a page; `fit` sets each filled letter on its page(s) (see lcqy.docs.letter_fit).

The signature block (特此函告 … date) and the 版记 keep with each other and with the last lines
of the body, so no page holds the signature, the date or the 抄送 alone (§7.3.5). The office name
is centred over the date, the date four characters in from the right (§7.3.5.1, sealed letters).
The 版记 (§7.4): 抄送 and 印发机关/印发日期 in 4号 between a thick first and last line and a thin
line between them.
"""

from __future__ import annotations

import math

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from lcqy.docs.typography import BODY_LINE, BODY_SIZE, add_parts, add_title, new_document

TEXT_WIDTH = Mm(156)
IMPRINT_SIZE = Pt(14)  # 4号
THICK, THIN = 8, 6  # eighths of a point: 0.35 mm and 0.25 mm lines, as §7.4 recommends
# 3号 characters condensed by a quarter point: 28 to a 156 mm line, as GB/T 9704 §5.2.2 counts
# them (Word's character grid does the same, but LibreOffice lays that grid out differently).
TRACKING_TWIPS = -5  # twentieths of a point


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


def _letter_defaults(doc: DocumentObject) -> None:
    """Widow and orphan control in the letter's Normal style, as the page fitting counts on."""
    p_pr = doc.styles["Normal"].element.get_or_add_pPr()
    widow = OxmlElement("w:widowControl")
    p_pr.insert_element_before(widow, "w:numPr", "w:pBdr", "w:spacing", "w:ind", "w:jc")


def _condense(doc: DocumentObject) -> None:
    """Every run condensed to 28 characters a line (on the runs: LibreOffice ignores a
    character spacing set on the paragraph style)."""
    for p in doc.paragraphs:
        for run in p.runs:
            spacing = OxmlElement("w:spacing")
            spacing.set(qn("w:val"), str(TRACKING_TWIPS))
            run._r.get_or_add_rPr().insert_element_before(
                spacing, "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:lang"
            )


def build_urge() -> DocumentObject:
    doc = new_document()
    _letter_defaults(doc)

    def para(parts, indent=True, align=None, keep=False, size=None, line=BODY_LINE):
        p = doc.add_paragraph()
        pf = p.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = line
        if indent:  # two condensed characters
            pf.first_line_indent = Pt(2 * (BODY_SIZE.pt + TRACKING_TWIPS / 20))
        if align is not None:
            p.alignment = align
        pf.keep_with_next = keep
        add_parts(p, parts, size=size)
        return p

    title = add_title(doc, "{{ letter_title }}").paragraph_format
    # The title and the blank line under it take two lines of the grid, in exact heights.
    title.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    title.line_spacing = Pt(BODY_LINE.pt * 1.5)
    title.space_after = Pt(BODY_LINE.pt * 0.5)
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
    _condense(doc)
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


# --- setting a filled letter on its page(s) ---------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _chain(paragraph, doc):
    """pPr and rPr owners to read a property from, nearest first: the paragraph, its style and
    the styles it is based on, then Normal."""
    styles = []
    style = paragraph.style
    while style is not None and len(styles) < 10:
        styles.append(style.element)
        style = style.base_style
    normal = doc.styles["Normal"].element
    if normal not in styles:
        styles.append(normal)
    return styles


def _find(owners, path: str):
    for owner in owners:
        el = owner.find(path)
        if el is not None:
            return el
    return None


def _on(owners, tag: str) -> bool:
    el = _find(owners, f"{W}pPr/{qn(tag)}")
    return el is not None and el.get(qn("w:val"), "1") not in ("0", "false", "off")


def _em(paragraph, styles) -> float:
    """Points a full-width character takes in the paragraph: the largest size of its runs,
    less their condensing."""
    sizes, tracks = [], []
    for run in paragraph.runs:
        if not run.text:
            continue
        sz = _find([run._r, *styles], f"{W}rPr/{W}sz")
        sizes.append(int(sz.get(qn("w:val"))) / 2 if sz is not None else BODY_SIZE.pt)
        tr = _find([run._r, *styles], f"{W}rPr/{W}spacing")
        tracks.append(int(tr.get(qn("w:val"))) / 20 if tr is not None else 0.0)
    return max(sizes, default=BODY_SIZE.pt) + min(tracks, default=0.0)


def _settle_tabs(paragraph, doc, width_pt: float) -> None:
    """Keep a tabbed line inside the margins, whatever the names in it: an office name centred
    over the date that would run past the right margin ends at it instead (a long county name,
    such as an autonomous county's); a 印发 line whose office and date cannot share a line puts
    the date under the office, still at the right."""
    from docx.enum.text import WD_TAB_ALIGNMENT

    from lcqy.docs.letter_fit import width_em

    tabs = [t for t in paragraph._p.iter(qn("w:tab")) if t.getparent().tag == qn("w:r")]
    stops = paragraph.paragraph_format.tab_stops
    if len(tabs) != 1 or len(stops) != 1:
        return
    em = _em(paragraph, _chain(paragraph, doc))
    before, _, after = paragraph.text.partition("\t")
    stop = stops[0]
    where, wide = stop.position.pt, width_em(after) * em
    if stop.alignment == WD_TAB_ALIGNMENT.CENTER and not before.strip() and where + wide / 2 > width_pt:
        stops.clear_all()
        stops.add_tab_stop(Pt(max(wide / 2, width_pt - wide / 2)), WD_TAB_ALIGNMENT.CENTER)
    elif stop.alignment == WD_TAB_ALIGNMENT.RIGHT and (width_em(before) + 1) * em + wide > where:
        tabs[0].addprevious(OxmlElement("w:br"))


def _measure(paragraph, doc, width_pt: float):
    """A letter_fit.Para for `paragraph`, or None when its height is not fixed (no exact line
    spacing: a clerk's own layout, which is left as it is)."""
    from lcqy.docs.letter_fit import Para, line_count

    owners = [paragraph._p, *_chain(paragraph, doc)]
    spacing = _find(owners, f"{W}pPr/{W}spacing[@{W}line]")  # the nearest line spacing set
    if spacing is None or spacing.get(qn("w:lineRule")) != "exact":
        return None
    pitch = int(spacing.get(qn("w:line"))) / 20

    def attr(path, name, default=0.0):
        el = _find(owners, path)
        return int(el.get(qn(name))) / 20 if el is not None and el.get(qn(name)) else default

    before = attr(f"{W}pPr/{W}spacing[@{W}before]", "w:before")
    after = attr(f"{W}pPr/{W}spacing[@{W}after]", "w:after")
    left = attr(f"{W}pPr/{W}ind[@{W}left]", "w:left")
    right = attr(f"{W}pPr/{W}ind[@{W}right]", "w:right")
    first = attr(f"{W}pPr/{W}ind[@{W}firstLine]", "w:firstLine")
    em = _em(paragraph, owners[1:])
    cap = (width_pt - left - right) / em
    # a tabbed line (signature, 印发 line) is one line each, as _settle_tabs has set it
    lines = line_count(paragraph.text.replace("\t", ""), cap, first / em)
    fixed = 0.0
    for edge in ("top", "bottom"):
        b = _find(owners, f"{W}pPr/{W}pBdr/{qn('w:' + edge)}")
        if b is not None and b.get(qn("w:val")) not in (None, "nil", "none"):
            fixed += int(b.get(qn("w:space"), "0")) + int(b.get(qn("w:sz"), "0")) / 8
    return Para(
        lines,
        pitch,
        before,
        after,
        fixed,
        keep_next=_on(owners, "w:keepNext"),
        keep_lines=_on(owners, "w:keepLines"),
        page_break_before=_on(owners, "w:pageBreakBefore"),
    )


def fit(doc: DocumentObject) -> None:
    """Set a filled letter on its page(s): one page where it fits at 22 to 28 lines a page,
    and the 版记 (from the first paragraph ruled above) at the foot of the last page. A letter
    laid out otherwise (a table, a paragraph of free height) is left as it is."""
    from lcqy.docs.letter_fit import STANDARD_LINES, plan

    body = doc.element.body
    if body.find(qn("w:tbl")) is not None:
        return
    section = doc.sections[-1]
    page = (section.page_height - section.top_margin - section.bottom_margin) / 12700
    width = (section.page_width - section.left_margin - section.right_margin) / 12700
    paragraphs = doc.paragraphs
    for p in paragraphs:
        _settle_tabs(p, doc, width)
    paras = [_measure(p, doc, width) for p in paragraphs]
    if not paragraphs or any(p is None for p in paras):
        return
    imprint = next(
        (i for i, p in enumerate(paragraphs) if i > 0 and p._p.find(f"{W}pPr/{W}pBdr/{W}top") is not None),
        -1,
    )
    result = plan(paras, imprint, page, page / STANDARD_LINES)
    k = result.scale
    for i, (p, m) in enumerate(zip(paragraphs, paras, strict=True)):
        pf = p.paragraph_format  # set on the paragraph itself, whatever its style says
        spacer = result.spacer if i == imprint else 0.0
        if k != 1.0:
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(round(m.pitch * k, 2))
        if k != 1.0 or spacer:
            # rounded down, so the letter is never taller than planned
            pf.space_before = Pt(math.floor((m.before * k + spacer) * 10) / 10)
            pf.space_after = Pt(math.floor(m.after * k * 10) / 10)
