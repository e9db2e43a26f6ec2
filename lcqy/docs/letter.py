"""The 催办函 (or 督办函) template: a 函 in the GB/T 9704-2012 body layout, 22 lines of 28
characters a page; `fit` sets each filled letter on its page(s) (see lcqy.docs.letter_fit).

The signature block (特此函告 … date) and the 版记 keep with each other and with the last lines
of the body, so no page holds the signature, the date or the 抄送 alone (§7.3.5). The office name
is centred over the date, the date four characters in from the right (§7.3.5.1, sealed letters).
The 版记 (§7.4): 抄送 and 印发机关/印发日期 in 4号 between a thick first and last line and a thin
line between them.
"""

from __future__ import annotations

import copy
import math

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt

from lcqy.docs.typography import BODY_LINE, BODY_SIZE, add_parts, add_title, new_document

TEXT_WIDTH = Mm(156)
SPARE_EM = 0.5  # left free at the end of each line set here (set_lines)
IMPRINT_SIZE = Pt(14)  # 4号
# The 版记's lines at 0.8 of the body's pitch: 4号 text needs no more, and the lines it saves keep
# a letter with six long 抄送 names on its page.
IMPRINT_LINE = Pt(round(BODY_LINE.pt * 0.8, 2))
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
    # No punctuation hanging into the right margin (LibreOffice's default for Chinese text): the
    # text block is 156 mm, and the line count assumes every character inside it.
    hang = OxmlElement("w:overflowPunct")
    hang.set(qn("w:val"), "0")
    p_pr.insert_element_before(hang, "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:spacing", "w:ind", "w:jc")


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

    def tag(text):
        return para([text], indent=False, keep=True)

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
    case = [
        "{enterprise}",
        "反映的",
        "{problem}",
        "问题（登记编号：",
        "{reg_no}",
        "，交办编号：",
        "{dispatch_no}",
        "）",
    ]
    # Each letter states what the ledger knows of its case (lcqy.docs.letter_text): a 催办函 the
    # 办结时限 passed without a reply; a 督办函 the reply received and the date it promised, or
    # the reason and the 督办时限 of a 专项督办.
    tag('{%p if urge_kind == "督办台帐" %}')
    para(
        [
            *case, "，", "{reply_text}", "，承诺于", "{promised_by}", "前办结。",
            "{% if is_late %}", "截至目前，已超过承诺完成时限", "{days_late}", "个工作日，",
            "{% else %}", "截至目前，", "{% endif %}", "该问题仍未办结。",
        ]
    )  # fmt: skip
    para(
        [
            "{basis}", "请你单位按照承诺加快办理，于", "{reply_by}",
            "前将办理结果或最新进展以正式文件报送我办，办结后及时答复企业。",
        ]
    )  # fmt: skip
    last_ledger = para(["确有困难不能按承诺时限办结的，请书面说明原因、已采取的措施和新的办结时限。"], keep=True)
    tag('{%p elif urge_kind == "专项督办" %}')
    para(
        [
            *case, "，", "{reply_text}", "。", "{% if supervise_reason %}", "经回访，", "{supervise_reason}",
            "。", "{% endif %}", "专项督办时限为", "{supervise_due}", "。",
            "{% if is_late %}", "截至目前，已超过督办时限", "{days_late}", "个工作日，",
            "{% else %}", "截至目前，", "{% endif %}", "我办尚未收到你单位重新办理的结果。",
        ]
    )  # fmt: skip
    para(
        [
            "{basis}", "请你单位高度重视，于", "{reply_by}",
            "前将重新办理的结果经主要领导审核后以正式文件报送我办，并面复或书面答复企业。",
        ]
    )  # fmt: skip
    last_special = para(["确有困难暂时无法办结的，请书面说明原因、已采取的措施和办结时限。"], keep=True)
    tag("{%p else %}")
    para(
        [
            *case, "，已于", "{dispatched_on}", "交由你单位牵头办理，办结时限为", "{due_date}",
            "。截至目前，该问题已超过办结时限", "{days_late}", "个工作日，我办尚未收到你单位的办理结果。",
        ]
    )  # fmt: skip
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
    tag("{%p endif %}")
    for p in (last, last_ledger, last_special):
        p.paragraph_format.keep_together = True
    para(["特此函告。"], keep=True)
    para([""], indent=False, keep=True)
    # Office and date share a centre tab 8 characters in from the right: the date (7 characters)
    # ends 4.5 characters in, and an office name of up to 16 characters fits over it.
    centre = TEXT_WIDTH - BODY_SIZE * 8
    for name in ("{office_name}", "{issued_on}"):
        p = para(["\t", name], indent=False, keep=True)
        p.paragraph_format.tab_stops.add_tab_stop(centre, WD_TAB_ALIGNMENT.CENTER)
    # Half a line at least between the date and the 版记: the page's spare room goes above the
    # 版记 besides (fit), so a full line here would only push a tight letter onto a second page.
    para([""], indent=False, keep=True, line=Pt(round(BODY_LINE.pt / 2, 2)))
    _imprint(doc, para)
    _condense(doc)
    return doc


def _imprint(doc: DocumentObject, para) -> None:
    """版记 (§7.4), one character in from each side: the 抄送 line only when there are
    cooperating departments, its names broken between names and every continuation line under
    the first (lcqy.docs.letter_text.copy_lines); then 印发机关 and 印发日期."""
    em = Pt(IMPRINT_SIZE.pt + TRACKING_TWIPS / 20)
    right = TEXT_WIDTH - em  # 印发日期 one character in from the right

    def issued(top: int):
        p = para(
            ["　", "{office_name}", "\t", "{issued_on}", "印发"], indent=False, size=IMPRINT_SIZE, line=IMPRINT_LINE
        )
        p.paragraph_format.tab_stops.add_tab_stop(right, WD_TAB_ALIGNMENT.RIGHT)
        p.paragraph_format.keep_together = True  # office and date on one page, if on two lines
        _border(p, top=top, bottom=THICK)

    para(["{%p if assist_depts %}"], indent=False, keep=True)
    copy = para(["　抄送：", "{assist_depts}", "。"], indent=False, keep=True, size=IMPRINT_SIZE, line=IMPRINT_LINE)
    # 　抄送： hangs: the lines after the first start under the first name (§7.4.2)
    copy.paragraph_format.left_indent = Emu(em * 4)
    copy.paragraph_format.first_line_indent = Emu(-em * 4)
    copy.paragraph_format.right_indent = em
    copy.paragraph_format.keep_together = True
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


def geometry(paragraph, doc, width_pt: float) -> tuple[float, float]:
    """(ems a line of the paragraph holds, ems its first line is indented), from its indents and
    the size of its text."""
    owners = [paragraph._p, *_chain(paragraph, doc)]

    def attr(name):
        el = _find(owners, f"{W}pPr/{W}ind[@{qn(name)}]")
        return int(el.get(qn(name))) / 20 if el is not None else 0.0

    em = _em(paragraph, owners[1:])
    first = attr("w:firstLine") - attr("w:hanging")
    return (width_pt - attr("w:left") - attr("w:right")) / em, first / em


def set_lines(paragraph, doc, width_pt: float, justify: bool = True) -> None:
    """Break a paragraph of running text into lines here, as lcqy.docs.letter_fit counts them,
    so no date, number or percentage is cut at a line's end (LibreOffice and Word would cut
    2026年10月10日 or 19件 where the line ends); the lines are justified. A paragraph holding a
    tab or a line break of its own is left as it is."""
    from lcqy.docs.letter_fit import break_lines

    text = paragraph.text
    if not text.strip() or "\t" in text or "\n" in text:
        return
    cap, first = geometry(paragraph, doc, width_pt)
    # Half a character to spare on every line: a line set full to the count may still be a shade
    # too long for the renderer (its spacing around Latin text), which would then push a single
    # character onto a line of its own.
    lines = break_lines(text, cap - SPARE_EM, first)
    if len(lines) < 2 or "".join(lines) != text:
        return
    cuts, at = [], 0
    for line in lines[:-1]:
        at += len(line)
        cuts.append(at)
    pos = 0
    for t in list(paragraph._p.iter(qn("w:t"))):
        value = t.text or ""
        start, end = pos, pos + len(value)
        pos = end
        run = t.getparent()
        if start in cuts and start > 0:
            # a break between two runs is a run of its own, so each run keeps its value whole
            br_run = OxmlElement("w:r")
            r_pr = run.find(qn("w:rPr"))
            if r_pr is not None:
                br_run.append(copy.deepcopy(r_pr))
            br_run.append(OxmlElement("w:br"))
            run.addprevious(br_run)
        inside = [c - start for c in cuts if start < c < end]
        if not inside:
            continue
        pieces, last = [], 0
        for c in inside:
            pieces.append(value[last:c])
            last = c
        pieces.append(value[last:])
        t.text = pieces[0]
        anchor = t
        for piece in pieces[1:]:
            br = OxmlElement("w:br")
            anchor.addnext(br)
            anchor = br
            if piece:
                nt = OxmlElement("w:t")
                nt.set(qn("xml:space"), "preserve")
                nt.text = piece
                anchor.addnext(nt)
                anchor = nt
    if justify:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


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
    """Set a filled letter on its page(s): one page where it fits at 22 to 34 lines a page,
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
    if any(_measure(p, doc, width) is None for p in paragraphs):
        return
    imprint = next(
        (i for i, p in enumerate(paragraphs) if i > 0 and p._p.find(f"{W}pPr/{W}pBdr/{W}top") is not None),
        -1,
    )
    for p in paragraphs[1 : imprint if imprint > 0 else None]:  # the text, not the title or 版记
        set_lines(p, doc, width)
    paras = [_measure(p, doc, width) for p in paragraphs]
    if not paragraphs:
        return
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


# --- the 版头 ----------------------------------------------------------------------------------

LETTERHEAD_PT = 26.0  # the office's name, at most; smaller where a long name needs it


def add_letterhead(doc: DocumentObject, office: str) -> None:
    """The office's name in red 小标宋 over a red line, in the first page's header (GB/T 9704
    §10.1: in a letter the 版头 stands in the top margin, above the text block, so the page's
    22 lines are not touched). One line whatever the name's length; the page number stays on
    the first page as on the others. Left out (letterhead off) for pre-printed paper."""
    from docx.shared import RGBColor

    from lcqy.docs.build_report import RED
    from lcqy.docs.letter_fit import width_em
    from lcqy.docs.typography import TITLE_FONT, add_run

    section = doc.sections[0]
    section.different_first_page_header_footer = True
    section.header_distance = Mm(18)
    header = section.first_page_header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    size = min(LETTERHEAD_PT, math.floor(TEXT_WIDTH.pt / max(width_em(office), 1) * 10) / 10 - 0.5)
    pf = p.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(max(size * 1.25, 20))
    run = add_run(p, office, TITLE_FONT, Pt(size))
    run.font.color.rgb = RGBColor.from_string(str(RED))
    bdr = OxmlElement("w:pBdr")
    el = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", str(RED))):
        el.set(qn(k), v)
    bdr.append(el)
    p._p.get_or_add_pPr().insert_element_before(bdr, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr")
    # the page number of the first page, as the template's odd pages have it
    first = section.first_page_footer
    first.is_linked_to_previous = False
    for el in list(first._element):
        first._element.remove(el)
    for el in section.footer._element:
        first._element.append(copy.deepcopy(el))
