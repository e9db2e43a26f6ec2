"""Fill the .docx templates (docxtpl) and attach the 登记表 to the 交办单 and 转报单."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path

from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Pt
from docxtpl import DocxTemplate
from jinja2 import meta
from jinja2.exceptions import TemplateError

from lcqy.docs import sandbox
from lcqy.docs.package import finish, save
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
}
NAMES = {
    "register": "企业反映困难问题登记表",
    "dispatch": "企业反映困难问题交办单",
    "escalate": "企业反映困难问题转报单",
    "urge": "催办函",
    "report": "企业反映困难问题办理情况简报",
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
# Placeholders a template MAY use beyond REQUIRED (added here as the forms grow); at render
# time every name the program passes in the context is allowed as well.
OPTIONAL: dict[str, set[str]] = {kind: set() for kind in REQUIRED}
OPTIONAL["report"] = REPORT_OPTIONAL
# Placeholders the program passes as lists: a template's `for` may run over these only (at
# render time, over any value actually passed as a list).
LISTS: set[str] = set(REPORT_LISTS)

# A template is a small file; a bigger one (or a zip bomb) is refused before it is read.
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024
MAX_TEMPLATE_XML = 100 * 1024 * 1024
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


def _append_attachment(main, attachment) -> None:
    """Page break, 附件, then the body of `attachment`, keeping `main`'s page settings.

    Paragraph styles are copied by id; both documents come from the same template set, and a
    style missing from `main` falls back to its Normal style in Word.
    """
    heading = main.add_paragraph()
    heading.add_run().add_break(WD_BREAK.PAGE)
    run = heading.add_run("附件")
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
    tpl = _fill(kind, context, template_dir)
    if kind == "urge":  # on one page where it can be, its 版记 at the foot of the last page
        from lcqy.docs.letter import fit

        fit(tpl.docx)
    if attachment_context is not None:
        if kind not in ("dispatch", "escalate"):
            raise LcqyError(f"{NAMES.get(kind, kind)}不附登记表")
        register = _fill("register", attachment_context, template_dir)
        _append_attachment(tpl.docx, register.docx)
    finish(tpl.docx, NAMES.get(kind, kind), context, today)
    return save(tpl, Path(out_path))
