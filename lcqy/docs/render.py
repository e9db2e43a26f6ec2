"""Fill the .docx templates (docxtpl) and attach the 登记表 to the 交办单 and 转报单."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path

from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Pt
from docxtpl import DocxTemplate
from jinja2 import Environment, meta
from jinja2.exceptions import TemplateError

from lcqy.docs.package import finish
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
}
NAMES = {
    "register": "企业反映困难问题登记表",
    "dispatch": "企业反映困难问题交办单",
    "escalate": "企业反映困难问题转报单",
    "urge": "催办函",
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
    tpl = DocxTemplate(str(path))
    try:
        tpl.init_docx()
    except Exception as exc:  # a broken or non-docx file: zipfile, lxml, docx errors alike
        raise LcqyError(f"模板 {path} 无法打开（不是有效的 .docx 文件）：{exc}") from exc
    return tpl


def _declared(tpl: DocxTemplate, path: Path) -> set[str]:
    """Placeholder names in the body, headers and footers, from the document already loaded."""
    xml = tpl.patch_xml(tpl.get_xml())
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _, part in tpl.get_headers_footers(uri):
            xml += tpl.patch_xml(tpl.get_part_xml(part))
    try:
        return meta.find_undeclared_variables(Environment().parse(xml))
    except TemplateError as exc:
        raise LcqyError(f"模板 {path} 中的占位符写法有误：{exc}") from exc


def _missing(tpl: DocxTemplate, path: Path, kind: str) -> list[str]:
    return sorted(REQUIRED[kind] - _declared(tpl, path))


def check_template(path: Path | str, kind: str) -> list[str]:
    """Placeholder names the template at `path` lacks for `kind` (sorted; empty when complete)."""
    if kind not in REQUIRED:
        raise LcqyError(f"未知的文书类型：{kind}（可选：{'、'.join(REQUIRED)}）")
    path = Path(path)
    if not path.is_file():
        raise LcqyError(f"找不到{NAMES[kind]}模板：{path}")
    return _missing(_open(path), path, kind)


def _clean(kind: str, context: dict) -> dict:
    # Every required name gets a value, so a field left out renders empty rather than failing.
    out = dict.fromkeys(REQUIRED[kind], "")
    for key, value in context.items():
        if value is None:
            out[key] = ""
        elif isinstance(value, datetime.date):
            out[key] = cn_date(value)
        else:
            out[key] = str(value)
    return out


def _fill(kind: str, context: dict, template_dir: Path | str | None) -> DocxTemplate:
    path = template_path(kind, template_dir)
    tpl = _open(path)
    missing = _missing(tpl, path, kind)
    if missing:
        raise LcqyError(f"模板 {path} 缺少占位符：{'、'.join(missing)}")
    try:
        # autoescape: values go into XML, so & and < in a company name must be escaped.
        tpl.render(_clean(kind, context), autoescape=True)
    except TemplateError as exc:
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
) -> Path:
    """Write the filled `kind` document to `out_path`.

    Values are shown as given (None as empty; a date as 2026年11月27日). With
    `attachment_context` the 交办单 or 转报单 carries the filled 登记表 after a page break,
    as the notes under those forms require.
    """
    tpl = _fill(kind, context, template_dir)
    if attachment_context is not None:
        if kind not in ("dispatch", "escalate"):
            raise LcqyError(f"{NAMES.get(kind, kind)}不附登记表")
        register = _fill("register", attachment_context, template_dir)
        _append_attachment(tpl.docx, register.docx)
    finish(tpl.docx, NAMES.get(kind, kind), context)
    out = Path(out_path)
    try:
        tpl.save(str(out))
    except OSError as exc:
        raise LcqyError(f"无法写入 {out}：{exc.strerror or exc}") from exc
    return out
