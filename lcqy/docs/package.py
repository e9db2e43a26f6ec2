"""The parts of a .docx beside its text: page numbers, the font table, compatibility settings and
document properties.

Page numbers follow GB/T 9704-2012 §7.5: 4号 半角 宋体 Arabic numerals between two 一字线
(“— 1 —”), 7 mm under the text block, odd pages right and even pages left, one character in
from the edge.
"""

from __future__ import annotations

import datetime
import errno
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from lcqy.errors import LcqyError

PAGE_FONT = "宋体"
PAGE_SIZE = Pt(14)  # 4号
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"

# Font-table entries for the Chinese fonts the documents name. Word and WPS read w:altName when
# the font is missing: Windows ships 仿宋 and 宋体, not 仿宋_GB2312 or 方正小标宋简体. Charset 86
# is GB2312; panose and signatures are those of the fonts themselves.
_SIG_CJK = 'w:usb0="00000001" w:usb1="080E0000" w:usb2="00000010" w:usb3="00000000" w:csb0="00040000" w:csb1="00000000"'
FONTS = (
    ("仿宋_GB2312", "仿宋", "02010609030101010101", "modern", "fixed", _SIG_CJK),
    ("方正小标宋简体", "宋体", "02000000000000000000", "auto", "variable", _SIG_CJK),
    ("黑体", "SimHei", "02010609060101010101", "modern", "fixed", _SIG_CJK),
    (
        "宋体",
        "SimSun",
        "02010600030101010101",
        "auto",
        "variable",
        'w:usb0="00000003" w:usb1="288F0000" w:usb2="00000016" w:usb3="00000000" w:csb0="00040001" w:csb1="00000000"',
    ),
    ("仿宋", "FangSong", "02010609060101010101", "modern", "fixed", _SIG_CJK),
)

APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>Normal.dotm</Template><TotalTime>0</TotalTime><Application>lcqy</Application>"
    "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
    "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def _part(doc: DocumentObject, name: str):
    return next(p for p in doc.part.package.iter_parts() if p.partname == name)


def _font_table(doc: DocumentObject) -> None:
    part = _part(doc, "/word/fontTable.xml")
    root = parse_xml(part.blob)
    for font in root.findall(qn("w:font")):
        if font.get(qn("w:name")).startswith("ＭＳ"):  # the default template's Japanese fonts
            root.remove(font)
    for i, (name, alt, panose, family, pitch, sig) in enumerate(FONTS):
        root.insert(
            i,
            parse_xml(
                f'<w:font xmlns:w="{W}" w:name="{name}"><w:altName w:val="{alt}"/>'
                f'<w:panose1 w:val="{panose}"/><w:charset w:val="86"/><w:family w:val="{family}"/>'
                f'<w:pitch w:val="{pitch}"/><w:sig {sig}/></w:font>'
            ),
        )
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _settings(doc: DocumentObject) -> None:
    """Word 2013+ layout (no 兼容模式), no preview picture, Chinese theme fonts, and separate
    odd and even footers for the page numbers."""
    settings = doc.settings.element
    for el in settings.findall(qn("w:savePreviewPicture")):
        settings.remove(el)
    for el in settings.iter(qn("w:compatSetting")):
        if el.get(qn("w:name")) == "compatibilityMode":
            el.set(qn("w:val"), "15")
    lang = settings.find(qn("w:themeFontLang"))
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    doc.settings.odd_and_even_pages_header_footer = True


def _clean_package(doc: DocumentObject) -> None:
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype == THUMBNAIL:  # the default template's picture of an empty page
            pkg.rels.pop(rid)
    _part(doc, "/docProps/app.xml")._blob = APP_XML.encode("utf-8")


def _page_number(paragraph) -> None:
    """“— N —” with N a PAGE field."""

    def run(text=None):
        r = paragraph.add_run(text)
        rpr = r._r.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), PAGE_FONT)
        r.font.size = PAGE_SIZE
        return r

    def field_char(kind):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run()._r.append(el)

    run("— ")
    field_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run()._r.append(instr)
    field_char("separate")
    run("1")
    field_char("end")
    run(" —")


def add_page_numbers(doc: DocumentObject) -> None:
    for section in doc.sections:
        # The footer's top 7 mm under the 35 mm bottom margin: one 4号 line above 23 mm.
        section.footer_distance = Mm(23)
        for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
            p = footer.paragraphs[0]
            pf = p.paragraph_format
            pf.space_before = pf.space_after = Pt(0)
            pf.line_spacing = Pt(16)
            if odd:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                pf.right_indent = PAGE_SIZE
            else:
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT
                pf.left_indent = PAGE_SIZE
            _page_number(p)


def prepare_package(doc: DocumentObject) -> None:
    """Everything a template needs beyond its text (run by the template builder)."""
    add_page_numbers(doc)
    _font_table(doc)
    _settings(doc)
    _clean_package(doc)


def set_properties(doc: DocumentObject, title: str, author: str, today: datetime.date) -> None:
    """Title, the office as author, created and saved today (LCQY_TODAY), first revision."""
    props = doc.core_properties
    stamp = datetime.datetime.combine(today, datetime.time(0, 0))
    props.title = title
    props.author = props.last_modified_by = author
    props.created = props.modified = stamp
    props.revision = 1


def finish(doc: DocumentObject, name: str, context: dict, today: datetime.date | None = None) -> None:
    """Real properties of a filled document: its name and number, the office, and the day it
    is written (the act's today; the clock's only for a document written outside a ledger)."""
    number = next((context[k] for k in ("letter_no", "dispatch_no", "escalate_no", "reg_no") if context.get(k)), "")
    title = " ".join(str(x) for x in (context.get("letter_title") or name, number) if x)
    set_properties(doc, title, str(context.get("office_name") or ""), today or datetime.date.today())


def save(doc, out: Path) -> Path:
    """Write a finished document (a python-docx Document or a DocxTemplate)."""
    try:
        doc.save(str(out))
    except OSError as exc:
        why = "磁盘空间不足" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else (exc.strerror or exc)
        raise LcqyError(f"无法写入 {out}：{why}") from exc
    return out
