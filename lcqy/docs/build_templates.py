"""Build the .docx templates of the 登记表, 交办单, 转报单 and 催办函.

Usage: ``python -m lcqy.docs.build_templates [OUT_DIR]`` (default: ``templates/`` at the repo root).

The tables reproduce the forms annexed to 临政办发〔2021〕21号 cell for cell; page, fonts and
table layout are in `lcqy.docs.typography`.

Every placeholder ``{{ name }}`` is a run of its own, so docxtpl finds it whole and a clerk can
move or restyle it in Word without splitting it.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Pt

from lcqy.docs.typography import (
    BODY_FONT,
    BODY_SIZE,
    TITLE_FONT,
    TITLE_STYLE,
    add_head_lines,
    add_notes,
    add_parts,
    add_title,
    build_form_table,
    new_document,
)

# The font and style names are read by tests and callers from here as well as from typography.
__all__ = [
    "BODY_FONT",
    "BUILDERS",
    "DEFAULT_OUT",
    "TITLE_FONT",
    "TITLE_STYLE",
    "build_all",
    "build_dispatch",
    "build_escalate",
    "build_register",
    "build_urge",
    "main",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "templates"


def L(text, c0, c1=None, span=1):  # short table notation, hence the capitals
    return ("L", text, c0, c0 if c1 is None else c1, span)


def V(name, c0, c1=None):
    return ("V", name, c0, c0 if c1 is None else c1, 1)


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
            "{problem}",
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
    para(["{office_name}"], indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    para(["{issued_on}"], indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    # Cooperating departments get a copy (抄送, at the foot as in the 版记); no line when there are none.
    para(["{%p if assist_depts %}"], indent=False)
    para(["抄送：", "{assist_depts}"], indent=False)
    para(["{%p endif %}"], indent=False)
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
