"""Fill the .docx templates (docxtpl) and attach the 登记表 to the 交办单 and 转报单."""

from __future__ import annotations

import copy
import datetime
import re
from pathlib import Path

from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Pt
from docxtpl import DocxTemplate
from jinja2 import meta
from jinja2.exceptions import TemplateError

from lcqy.docs import sandbox
from lcqy.docs.letter_text import KEYS as LETTER_KEYS
from lcqy.docs.package import finish, save
from lcqy.docs.receipt import REQUIRED as RECEIPT_REQUIRED
from lcqy.docs.report_context import OPTIONAL as REPORT_OPTIONAL
from lcqy.docs.report_context import REPORT_LISTS
from lcqy.docs.report_context import REQUIRED as REPORT_REQUIRED
from lcqy.errors import LcqyError


def _default_template_dir() -> Path:
    """templates/ of the source tree; in an installed wheel it ships as lcqy.templates."""
    src = Path(__file__).resolve().parents[2] / "templates"
    if src.is_dir():
        return src
    return Path(__file__).resolve().parents[1] / "templates"


DEFAULT_TEMPLATE_DIR = _default_template_dir()

FILES = {
    "register": "register.docx",
    "dispatch": "dispatch.docx",
    "escalate": "escalate.docx",
    "urge": "urge.docx",
    "report": "report.docx",
    "receipt": "receipt.docx",
}
NAMES = {
    "register": "企业反映困难问题登记表",
    "dispatch": "企业反映困难问题交办单",
    "escalate": "企业反映困难问题转报单",
    "urge": "催办函",
    "report": "企业反映困难问题办理情况简报",
    "receipt": "企业反映困难问题受理回执",
}

REQUIRED: dict[str, set[str]] = {
    "register": {
        "category",
        "reg_no",
        "enterprise",
        "address",
        "reported_on",
        "channel",
        "contact",
        "contact_title",
        "phone",
        "email",
        "problem",
        "request",
        "accepted_on",
        "accepted_by",
        "remarks",
        *("more", "address_full", "problem_full", "request_full", "remarks_full"),
    },
    "dispatch": {
        "office_name",
        "dispatch_no",
        "request",
        "enterprise",
        "address",
        "contact",
        "phone",
        "lead_dept",
        "due_date",
        "assist_depts",
        "approver",
        "dispatched_on",
        "remarks",
        *("annex", "more", "request_full", "address_full", "remarks_full"),
    },
    "escalate": {
        "office_name",
        "escalate_no",
        "request",
        "enterprise",
        "address",
        "contact",
        "phone",
        "suggestion",
        "approver",
        "escalated_on",
        "remarks",
        *("annex", "more", "request_full", "address_full", "suggestion_full", "remarks_full"),
    },
    "urge": {
        "office_name",
        "lead_dept",
        "reg_no",
        "dispatch_no",
        "enterprise",
        "problem",
        "assist_depts",
        "dispatched_on",
        "due_date",
        "days_late",
        "reply_by",
        "issued_on",
        *("letter_title", "letter_no", "basis"),
    },
}

REQUIRED["report"] = REPORT_REQUIRED  # the 简报's placeholders are listed with its context
REQUIRED["receipt"] = RECEIPT_REQUIRED
# Placeholders a template MAY use beyond REQUIRED (added here as the forms grow); at render
# time every name the program passes in the context is allowed as well.
OPTIONAL: dict[str, set[str]] = {kind: set() for kind in REQUIRED}
OPTIONAL["report"] = REPORT_OPTIONAL
OPTIONAL["urge"] = set(LETTER_KEYS)
# A case the city received from a county: the county's office and 转报编号, on the city's forms.
OPTIONAL["register"] = OPTIONAL["dispatch"] = {"source", "source_no", "source_office"}
# Placeholders the program passes as lists: a template's `for` may run over these only (at
# render time, over any value actually passed as a list).
LISTS: set[str] = set(REPORT_LISTS)

# A template is a small file; a bigger one (or a zip bomb) is refused before it is read.
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024
MAX_TEMPLATE_XML = 100 * 1024 * 1024
# The text docxtpl renders (body, headers, footers, footnotes): a form is a few hundred kB; a
# template of megabytes of text takes seconds at every use (5 MB: 14 s) and is no form.
MAX_TEMPLATE_SOURCE = 2 * 1024 * 1024
# docxtpl renders these core properties as templates too.
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"

# GB/T 9704: the word 附件 heads the attachment page in 3号 黑体.
ATTACHMENT_FONT = "黑体"


def cn_date(d: datetime.date | None) -> str:
    """2026年11月27日, no zero padding, as dates are written in official documents."""
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日"


def template_path(kind: str, template_dir: Path | str | None = None) -> Path:
    if kind not in FILES:
        raise LcqyError(f"未知的文书类型：{kind}（可选：{'、'.join(FILES)}）")
    path = Path(template_dir or DEFAULT_TEMPLATE_DIR) / FILES[kind]
    if not path.is_file():
        raise LcqyError(f"找不到{NAMES[kind]}模板：{path}")
    return path


def _open(path: Path) -> DocxTemplate:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise LcqyError(f"模板 {path} 无法打开（不是有效的 .docx 文件）：{exc}") from exc
    if path.stat().st_size > MAX_TEMPLATE_BYTES or unpacked > MAX_TEMPLATE_XML:
        raise LcqyError(f"模板 {path} 过大（解压后 {unpacked // 1048576} MB），不像是一份表格模板。")
    tpl = DocxTemplate(str(path))
    try:
        tpl.init_docx()
    except Exception as exc:  # a broken or non-docx file: zipfile, lxml, docx errors alike
        raise LcqyError(f"模板 {path} 无法打开（不是有效的 .docx 文件）：{exc}") from exc
    return tpl


def _sources(tpl: DocxTemplate) -> tuple[str, list[str]]:
    """What docxtpl will render: (body, headers and footers as one text) and the other
    parts it renders as well (footnotes, core properties), each as Jinja source."""
    xml = tpl.patch_xml(tpl.get_xml())
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _, part in tpl.get_headers_footers(uri):
            xml += tpl.patch_xml(tpl.get_part_xml(part))
    others = [getattr(tpl.docx.core_properties, p) or "" for p in PROPERTIES]
    for part in tpl.docx.part.package.parts:
        if part.content_type == FOOTNOTES:
            blob = part.blob
            others.append(tpl.patch_xml(blob.decode("utf-8") if isinstance(blob, bytes) else blob))
    return xml, others


def _vet(tpl: DocxTemplate, path: Path, kind: str, context: dict | None = None) -> list[str]:
    """Refuse a template that uses anything but placeholders and simple loops/conditions
    (naming the file and the construct); return the REQUIRED names it lacks."""
    names = REQUIRED[kind] | OPTIONAL.get(kind, set()) | set(context or ())
    if context is None:
        lists = {n: n in LISTS for n in names}
    else:
        lists = {k: isinstance(v, list) for k, v in context.items()}
    body, others = _sources(tpl)
    size = len(body) + sum(len(o) for o in others)
    if size > MAX_TEMPLATE_SOURCE:
        raise LcqyError(
            f"模板 {path.name}（{path.parent}）的文字过多（约 {size // 1024} KB，最多 "
            f"{MAX_TEMPLATE_SOURCE // 1048576} MB），不像是一份{NAMES.get(kind, '文书')}模板。"
        )
    try:
        for source in (body, *others):
            sandbox.check_source(source, names, lists)
        declared = meta.find_undeclared_variables(sandbox.environment().parse(body))
    except sandbox.Refused as exc:
        raise LcqyError(
            f"模板 {path.name}（{path.parent}）含有不允许的写法：{exc}。"
            "模板只能填写占位符（如 {{ enterprise }}）和简单的 for/if 判断，不能调用函数、运算或取属性。"
        ) from None
    except TemplateError as exc:
        raise LcqyError(f"模板 {path} 中的占位符写法有误：{exc}") from None
    return sorted(REQUIRED[kind] - declared)


def check_template(path: Path | str, kind: str) -> list[str]:
    """Placeholder names the template at `path` lacks for `kind` (sorted; empty when complete).
    A template using anything beyond placeholders and simple loops/conditions is refused."""
    if kind not in REQUIRED:
        raise LcqyError(f"未知的文书类型：{kind}（可选：{'、'.join(REQUIRED)}）")
    path = Path(path)
    if not path.is_file():
        raise LcqyError(f"找不到{NAMES[kind]}模板：{path}")
    return _vet(_open(path), path, kind)


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return cn_date(value)
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _value(v) for k, v in value.items()}
    return str(value)


def _clean(kind: str, context: dict) -> dict:
    # Every required name gets a value, so a field left out renders empty rather than failing.
    out: dict = dict.fromkeys(REQUIRED[kind], "")
    out.update({key: _value(value) for key, value in context.items()})
    # A date in the text reads 2026年10月10日; table rows (lists) keep their compact 2026-10-10.
    for key, value in out.items():
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            try:
                out[key] = cn_date(datetime.date.fromisoformat(value))
            except ValueError:
                pass
    return out


# Templates opened and checked ahead (preload), by path, with the file's (mtime, size).
_READY: dict[Path, tuple[tuple[int, int], DocxTemplate]] = {}


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def preload(kind: str, template_dir: Path | str | None = None) -> None:
    """Open and check the `kind` template now (before a write transaction), so that filling
    it later, inside the transaction, costs only the rendering."""
    path = template_path(kind, template_dir)
    tpl = _open(path)
    if missing := _vet(tpl, path, kind):
        raise LcqyError(f"模板 {path} 缺少占位符：{'、'.join(missing)}")
    _READY[path] = (_stamp(path), tpl)


def _fill(kind: str, context: dict, template_dir: Path | str | None) -> DocxTemplate:
    path = template_path(kind, template_dir)
    stamp, tpl = _READY.pop(path, (None, None))
    if tpl is None or stamp != _stamp(path):
        tpl = _open(path)
    values = _clean(kind, context)
    # Checked again at every use: the file may have changed since `config templates`.
    missing = _vet(tpl, path, kind, values)
    if missing:
        raise LcqyError(f"模板 {path} 缺少占位符：{'、'.join(missing)}")
    try:
        tpl.render(values, jinja_env=sandbox.environment(), autoescape=True)
    except Exception as exc:  # the template is outside data: any failure is its fault, not ours
        raise LcqyError(f"模板 {path} 无法填写：{exc}") from exc
    return tpl


def annex_heading(annex: str, name: str = NAMES["register"]) -> str:
    """附件 with the number the 附件 line gives the attached form (附件1 for “附件：1. 企业反映
    困难问题登记表”), so the page is headed as the list numbers it; 附件 alone when the list
    does not number its items."""
    m = re.search(r"(\d+)[.．、]\s*" + re.escape(name), annex or "")
    return f"附件{m[1]}" if m else "附件"


def _append_attachment(main, attachment, heading_text: str = "附件") -> None:
    """Page break, the 附件 heading, then the body of `attachment`, keeping `main`'s page
    settings.

    Paragraph styles are copied by id; both documents come from the same template set, and a
    style missing from `main` falls back to its Normal style in Word.
    """
    heading = main.add_paragraph()
    heading.add_run().add_break(WD_BREAK.PAGE)
    run = heading.add_run(heading_text)
    run.font.size = Pt(16)
    rfonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), ATTACHMENT_FONT)

    body = main.element.body
    sect_pr = body.find(qn("w:sectPr"))
    for element in attachment.element.body:
        if element.tag == qn("w:sectPr"):
            continue
        copied = copy.deepcopy(element)
        if sect_pr is not None:
            sect_pr.addprevious(copied)
        else:
            body.append(copied)


def set_document_lines(doc, cells: bool) -> None:
    """Set the lines of the running text (and, with `cells`, of the forms' value cells, which
    are left-aligned) as lcqy.docs.letter_fit breaks them, so no date, number or percentage is
    cut at a line's end. Centred and right-aligned text (titles, labels) is left as it is."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from lcqy.docs.fitting import CELL_MARGIN_MM
    from lcqy.docs.letter import set_lines

    still = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT)
    section = doc.sections[-1]
    width = (section.page_width - section.left_margin - section.right_margin) / 12700
    for p in doc.paragraphs:
        if p.alignment not in still:
            set_lines(p, doc, width)
    if not cells:
        return
    margins = 2 * CELL_MARGIN_MM * 72 / 25.4
    # A merged cell comes once for each grid position it covers; its element is kept here, so
    # that its id cannot be reused by another cell's (an id alone would skip cells at random).
    seen: dict[int, object] = {}
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                if id(cell._tc) in seen or cell.width is None:
                    continue
                seen[id(cell._tc)] = cell._tc
                for p in cell.paragraphs:
                    if p.alignment not in still:
                        set_lines(p, doc, cell.width.pt - margins, justify=False)


# Department lists in the forms, with the grid columns their cell spans (lcqy.docs.fitting).
DEPT_LISTS = {"dispatch": {"assist_depts": (2, 4)}}


def _form_values(kind: str, context: dict) -> dict:
    """A form's values as its cells print them: a list of departments too long for one line
    broken between names, never inside one (“县住房和城乡建设/局”); the source of a case the
    city received (source_office, source_no) as one 来源 line."""
    from lcqy.docs.fitting import name_lines, span_mm

    out = dict(context)
    for key, (c0, c1) in DEPT_LISTS.get(kind, {}).items():
        value = out.get(key)
        if value:
            out[key] = name_lines(value if isinstance(value, list | tuple) else str(value), span_mm(c0, c1))
    if kind in ("register", "dispatch") and out.get("source_no"):
        office = str(out.get("source_office") or "")
        out["source"] = (office + "，" if office else "") + "转报编号：" + str(out["source_no"])
    return out


def render(
    kind: str,
    context: dict,
    out_path: Path | str,
    template_dir: Path | str | None = None,
    attachment_context: dict | None = None,
    today: datetime.date | None = None,
) -> Path:
    """Write the filled `kind` document to `out_path`.

    Values are shown as given (None as empty; a date as 2026年11月27日). With
    `attachment_context` the 交办单 or 转报单 carries the filled 登记表 after a page break,
    as the notes under those forms require.
    """
    if kind == "urge":  # what the letter says follows from its kind (lcqy.docs.letter_text)
        from lcqy.docs.letter_text import prepare

        context = prepare(context)
    context = _form_values(kind, context)
    tpl = _fill(kind, context, template_dir)
    if kind == "urge":  # on one page where it can be, its 版记 at the foot of the last page
        from lcqy.docs.letter import add_letterhead, fit

        fit(tpl.docx)
        if context["letterhead"]:
            add_letterhead(tpl.docx, str(context.get("office_name") or ""))
    if kind != "urge":  # no date, number or percentage cut at a line's end (the letter: fit)
        # The 简报's table cells (names, counts, rates in narrow columns) are left to the word
        # processor, which keeps a department's name on one line where lcqy's count would cut it.
        set_document_lines(tpl.docx, cells=kind != "report")
    if attachment_context is not None:
        if kind not in ("dispatch", "escalate"):
            raise LcqyError(f"{NAMES.get(kind, kind)}不附登记表")
        register = _fill("register", _form_values("register", attachment_context), template_dir)
        set_document_lines(register.docx, cells=True)
        _append_attachment(tpl.docx, register.docx, annex_heading(str(context.get("annex") or "")))
    finish(tpl.docx, NAMES.get(kind, kind), context, today)
    return save(tpl, Path(out_path))
