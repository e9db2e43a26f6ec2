"""Build the .docx templates of the 登记表, 交办单, 转报单 and 催办函.

Usage: ``python -m lcqy.docs.build_templates [OUT_DIR]`` (default: ``templates/`` at the repo root).

The tables reproduce the forms annexed to 临政办发〔2021〕21号 cell for cell; page, fonts and
table layout are in `lcqy.docs.typography`.

Every placeholder ``{{ name }}`` is a run of its own, so docxtpl finds it whole and a clerk can
move or restyle it in Word without splitting it.
"""

from __future__ import annotations

import datetime
import sys
import zipfile
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.shared import Pt

from lcqy.docs.build_report import build_report
from lcqy.docs.fitting import EMAIL_PT
from lcqy.docs.letter import build_urge
from lcqy.docs.package import prepare_package
from lcqy.docs.typography import (
    BODY_FONT,
    TITLE_FONT,
    TITLE_STYLE,
    add_annex_line,
    add_head_lines,
    add_more_page,
    add_notes,
    add_source_line,
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


def V(name, c0, c1=None, size=None):
    cell = ("V", name, c0, c0 if c1 is None else c1, 1)
    return cell if size is None else (*cell, Pt(size))


# --- the four documents -----------------------------------------------------------------------

ROW = 10  # mm, one-line rows


def build_register() -> DocumentObject:
    doc = new_document()
    add_title(doc, "企业反映困难问题登记表")
    add_head_lines(doc, [["问题类别：", "{category}"], ["登记编号：", "{reg_no}"]])
    add_source_line(doc)
    build_form_table(
        doc,
        [
            (ROW, [L("企业基本情况", 0, span=5), L("企业名称", 1), V("enterprise", 2, 4)]),
            (ROW, [L("详细地址", 1), V("address", 2, 4)]),
            # the dates in 五号: 2026年11月20日 is wider than the column in 小四 where digits are
            # set in a fallback font, and a date is not broken
            (ROW, [L("反映时间", 1), V("reported_on", 2, size=EMAIL_PT), L("反映形式", 3), V("channel", 4)]),
            (ROW, [L("联系人", 1), V("contact", 2), L("职 务", 3), V("contact_title", 4)]),
            (ROW, [L("联系电话", 1), V("phone", 2), L("电子邮箱", 3), V("email", 4, size=EMAIL_PT)]),
            (40, [L("企业反映问题", 0, span=2), L("主要困难和问题", 1), V("problem", 2, 4)]),
            (25, [L("希望协调解决的具体事项", 1), V("request", 2, 4)]),
            (
                ROW,
                [
                    L("受理情况", 0),
                    L("受理时间", 1),
                    V("accepted_on", 2, size=EMAIL_PT),
                    L("受理人员", 3),
                    V("accepted_by", 4),
                ],
            ),
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
    add_more_page(
        doc,
        ["登记编号：", "{reg_no}"],
        [
            ("address", "详细地址"),
            ("problem", "主要困难和问题"),
            ("request", "希望协调解决的具体事项"),
            ("remarks", "备注"),
        ],
    )
    return doc


def build_dispatch() -> DocumentObject:
    doc = new_document()
    add_title(doc, "企业反映困难问题交办单")
    add_head_lines(doc, [["交办单位（盖章）：", "{office_name}"], ["交办编号：", "{dispatch_no}"]])
    add_source_line(doc)
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
        then=True,
    )
    add_annex_line(doc)
    add_more_page(
        doc,
        ["交办编号：", "{dispatch_no}"],
        [("request", "需要办理或协调解决事项"), ("address", "企业地址"), ("remarks", "备注")],
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
        then=True,
    )
    add_annex_line(doc)
    add_more_page(
        doc,
        ["转报编号：", "{escalate_no}"],
        [
            ("request", "需要帮助协调解决事项"),
            ("address", "企业地址"),
            ("suggestion", "办理建议"),
            ("remarks", "备注"),
        ],
    )
    return doc


RECEIPT_ROW = 11  # mm: the 回执's rows, a little roomier than the forms'


def build_receipt() -> DocumentObject:
    doc = new_document()
    add_title(doc, "企业反映困难问题受理回执")
    add_head_lines(doc, [["受理单位：", "{office_name}"], ["登记编号：", "{reg_no}"]])
    build_form_table(
        doc,
        [
            (RECEIPT_ROW, [L("企业名称", 0, 1), V("enterprise", 2, 4)]),
            (RECEIPT_ROW, [L("问题类别", 0, 1), V("category", 2), L("反映形式", 3), V("channel", 4)]),
            # the dates in 五号, as on the 登记表: 2026年11月27日 is not broken
            (RECEIPT_ROW, [L("反映时间", 0, 1), V("reported_on", 2, size=EMAIL_PT), L("受理时间", 3),
                   V("accepted_on", 4, size=EMAIL_PT)]),  # fmt: skip
            (RECEIPT_ROW, [L("查询码", 0, 1), V("tracking_code", 2, 4)]),
            (RECEIPT_ROW, [L("查询网址", 0, 1), V("track_url", 2, 4)]),
            (RECEIPT_ROW, [L("交办时限", 0, 1), V("dispatch_due", 2, 4)]),
        ],
    )
    add_notes(
        doc,
        [
            "1. 凭查询码和登记的联系电话后四位，可在上述网址随时查询办理进度、交办部门、办理期限和答复，"
            "答复后可在网上评价。",
            "2. 承办部门自收到交办单之日起5个工作日内办结并答复企业；情况特殊的可适当延长，最长不超过15个工作日；"
            "重大复杂问题最长不超过1个月（临政办发〔2021〕21号第十六条）。",
            "3. 查询码相当于密码，请妥善保管，不要告诉无关人员。",
        ],
    )
    return doc


BUILDERS = {
    "register": build_register,
    "dispatch": build_dispatch,
    "escalate": build_escalate,
    "urge": build_urge,
    "report": build_report,  # the monthly 简报, built in lcqy.docs.build_report
    "receipt": build_receipt,  # the 回执 with the 查询码, built in lcqy.docs.receipt
}


def build_all(out_dir: Path | str = DEFAULT_OUT) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, builder in BUILDERS.items():
        path = out / f"{kind}.docx"
        doc = builder()
        prepare_package(doc)
        # Fixed metadata so rebuilding gives the same bytes; filling sets the real ones.
        props = doc.core_properties
        props.author = props.last_modified_by = "服企办"
        props.title = doc.paragraphs[0].text
        props.comments = props.keywords = props.subject = ""
        props.created = props.modified = datetime.datetime(2026, 1, 1)
        props.revision = 1
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
