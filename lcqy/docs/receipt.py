"""The 回执 of a registered report (第八条, issue 24): one page the clerk hands or reads to the
enterprise, whatever channel it came by — the 登记编号, the 查询码 and where to use it, the
dispatch limit. Built into templates/receipt.docx by lcqy.docs.build_templates."""

from __future__ import annotations

from docx.document import Document as DocumentObject

from lcqy.docs.fitting import EMAIL_PT
from lcqy.docs.typography import add_head_lines, add_notes, add_title, build_form_table, new_document

REQUIRED = {
    "office_name", "reg_no", "enterprise", "category", "reported_on", "channel", "accepted_on",
    "tracking_code", "track_url", "dispatch_due",
}  # fmt: skip
ROW = 11  # mm


def build_receipt() -> DocumentObject:
    from lcqy.docs.build_templates import L, V

    doc = new_document()
    add_title(doc, "企业反映困难问题受理回执")
    add_head_lines(doc, [["受理单位：", "{office_name}"], ["登记编号：", "{reg_no}"]])
    build_form_table(
        doc,
        [
            (ROW, [L("企业名称", 0, 1), V("enterprise", 2, 4)]),
            (ROW, [L("问题类别", 0, 1), V("category", 2), L("反映形式", 3), V("channel", 4)]),
            # the dates in 五号, as on the 登记表: 2026年11月27日 is not broken
            (ROW, [L("反映时间", 0, 1), V("reported_on", 2, size=EMAIL_PT), L("受理时间", 3),
                   V("accepted_on", 4, size=EMAIL_PT)]),  # fmt: skip
            (ROW, [L("查询码", 0, 1), V("tracking_code", 2, 4)]),
            (ROW, [L("查询网址", 0, 1), V("track_url", 2, 4)]),
            (ROW, [L("交办时限", 0, 1), V("dispatch_due", 2, 4)]),
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
