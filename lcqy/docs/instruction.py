"""The generated 领导批示笺: the leader's words recorded with `dispatch/escalate --instruction`,
on a page of their own in the forms' typography. Built directly with python-docx (no
template, so no placeholder is ever evaluated): the values are written as plain run text."""

from __future__ import annotations

from pathlib import Path


def build(values: dict[str, str]):
    """values: office_name, reg_no, doc_label, doc_no, enterprise, matter, instruction, leader, given_on."""
    from lcqy.docs.build_templates import L, V
    from lcqy.docs.typography import add_run, add_title, build_form_table, new_document

    doc = new_document()
    add_title(doc, "领导批示笺")
    head = doc.add_paragraph()
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
                            run.text = values.get(t[2:-2].strip(), "")
    return doc


def write(values: dict[str, str], out: Path) -> Path:
    from lcqy.docs.package import finish, prepare_package, save

    doc = build(values)
    # What every form has: page numbers, the font table's fallbacks, real properties.
    prepare_package(doc)
    finish(doc, "领导批示笺", values)
    return save(doc, out)
