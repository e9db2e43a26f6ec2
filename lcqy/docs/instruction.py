"""The generated 领导批示笺: the leader's words recorded with `dispatch/escalate --instruction`,
on a page of their own in the forms' typography. Built directly with python-docx (no
template, so no placeholder is ever evaluated): the values are written as plain run text.

The page holds: the 事由 up to its row (the whole matter is on the 登记表 that goes with the
批示笺), and the instruction up to what the page has left; a longer instruction is printed whole
on a 附页, so the table (its rows never split) and the 批示领导 row stay on the first page.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

# Lines (小四, 16 pt apart) the rows hold with the page still one page: 事由 its 40 mm row,
# the instruction its 90 mm row and the page's spare space under the table.
MATTER_LINES = 7
INSTRUCTION_LINES = 18
MATTER_MORE = "……（全文见登记表）"


def cells(values: dict[str, str]) -> tuple[dict[str, str], bool]:
    """The values as the cells show them, and whether the instruction needs its 附页."""
    from lcqy.docs.fitting import fit, span_mm

    out = dict(values)
    out["matter"], _ = fit(values.get("matter", ""), span_mm(2, 4), MATTER_LINES, more=MATTER_MORE)
    out["instruction"], cut = fit(values.get("instruction", ""), span_mm(2, 4), INSTRUCTION_LINES)
    return out, cut


def build(values: dict[str, str]):
    """values: office_name, reg_no, doc_label, doc_no, enterprise, matter, instruction, leader, given_on."""
    from lcqy.docs.build_templates import L, V
    from lcqy.docs.typography import BODY_SIZE, add_run, add_title, build_form_table, new_document

    shown, more = cells(values)
    doc = new_document()
    add_title(doc, "领导批示笺")
    head = doc.add_paragraph()
    head.paragraph_format.left_indent = BODY_SIZE * 3  # a long office name wraps under itself
    head.paragraph_format.first_line_indent = -BODY_SIZE * 3
    add_run(head, "单位：" + values["office_name"])
    build_form_table(
        doc,
        [
            (10, [L("登记编号", 0, 1), V("reg_no", 2, 4)]),
            (10, [L(values["doc_label"], 0, 1), V("doc_no", 2, 4)]),
            (10, [L("反映企业", 0, 1), V("enterprise", 2, 4)]),
            (40, [L("事由", 0, 1), V("matter", 2, 4)]),
            (90, [L("领导批示", 0, 1), V("instruction", 2, 4)]),
            (10, [L("批示领导", 0, 1), V("leader", 2), L("日期", 3), V("given_on", 4)]),
        ],
    )
    # The table was laid out with placeholders; put the values in as plain text.
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    for run in p.runs:
                        t = run.text.strip()
                        if t.startswith("{{") and t.endswith("}}"):
                            run.text = shown.get(t[2:-2].strip(), "")
    if more:
        _more_page(doc, values)
    return doc


def _more_page(doc, values: dict[str, str]) -> None:
    """附页（交办编号：…）, then 领导批示： and the instruction whole, as the forms' 附页."""
    from docx.shared import Pt

    from lcqy.docs.typography import ATTACHMENT_FONT, BODY_SIZE, MORE_LINE, add_run

    head = doc.add_paragraph()
    head.paragraph_format.page_break_before = True
    head.paragraph_format.space_after = Pt(12)
    add_run(head, "附页", ATTACHMENT_FONT, BODY_SIZE)
    add_run(head, f"（{values['doc_label']}：{values['doc_no']}）", size=BODY_SIZE)
    label = doc.add_paragraph()
    label.paragraph_format.keep_with_next = True
    add_run(label, "领导批示：", ATTACHMENT_FONT, BODY_SIZE)
    for line in values["instruction"].split("\n"):
        text = doc.add_paragraph()
        text.paragraph_format.first_line_indent = BODY_SIZE * 2
        text.paragraph_format.line_spacing = MORE_LINE
        add_run(text, line, size=BODY_SIZE)


def write(values: dict[str, str], out: Path, today: date | None = None) -> Path:
    from lcqy.docs.package import finish, prepare_package, save
    from lcqy.docs.render import set_document_lines

    doc = build(values)
    set_document_lines(doc, cells=True)  # no date or number cut at a line's end, as in the forms
    # What every form has: page numbers, the font table's fallbacks, real properties.
    prepare_package(doc)
    finish(doc, "领导批示笺", values, today)
    return save(doc, out)
