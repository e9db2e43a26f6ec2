"""What the forms print at their longest, read back with python-docx: the 批示笺's cut cells and
附页, the 附件 lines, a long extension number, a number never cut by the cell fitting."""

from __future__ import annotations

from docx import Document

from lcqy.docs import fitting, instruction
from tests import print_sweep

VALUES = {
    "office_name": "临翔区服务企业发展领导小组办公室",
    "reg_no": "临翔服企办收（2026）第17号",
    "doc_label": "交办编号",
    "doc_no": "临翔服企办交（2026）第11号",
    "enterprise": print_sweep.ENTERPRISE,
    "matter": print_sweep.LONGEST["request"],
    "instruction": print_sweep.LONGEST["instruction"],
    "leader": "欧阳建国",
    "given_on": "2026年9月29日",
}


def _cells(doc) -> dict[str, str]:
    """Label → value of the 批示笺's table."""
    out = {}
    for row in doc.tables[0].rows:
        cells = list(dict.fromkeys(c._tc for c in row.cells))
        texts = [next(c for c in row.cells if c._tc is tc).text for tc in cells]
        out.update(zip(texts[::2], texts[1::2], strict=False))
    return out


def test_instruction_in_its_cell_and_matter_cut_to_its_row():
    doc = instruction.build(VALUES)
    cells = _cells(doc)
    assert cells["领导批示"] == VALUES["instruction"]  # a realistic instruction whole
    matter = cells["事由"]
    assert matter.endswith("……（全文见登记表）") and VALUES["matter"].startswith(matter[: -len("……（全文见登记表）")])
    assert fitting.line_count(matter, fitting.span_mm(2, 4)) <= instruction.MATTER_LINES
    assert not any(p.text.startswith("附页") for p in doc.paragraphs)


def test_instruction_too_long_for_the_page_goes_whole_to_a_more_page():
    words = print_sweep.LONG_INSTRUCTION
    doc = instruction.build({**VALUES, "instruction": words})
    shown = _cells(doc)["领导批示"]
    assert shown.endswith(fitting.MORE)
    assert fitting.line_count(shown, fitting.span_mm(2, 4)) <= instruction.INSTRUCTION_LINES
    texts = [p.text for p in doc.paragraphs]
    head = next(i for i, t in enumerate(texts) if t.startswith("附页"))
    assert texts[head] == "附页（交办编号：临翔服企办交（2026）第11号）"
    assert doc.paragraphs[head].paragraph_format.page_break_before
    assert texts[head + 1] == "领导批示："
    assert texts[head + 2 :] == words.split("\n")  # whole, a paragraph per paragraph


def test_extension_number_breaks_before_zhuan():
    assert fitting.phone_breaks("0883-2123456转8012", fitting.span_mm(2, 2)) == "0883-2123456\n转8012"
    assert fitting.phone_breaks("13908831234", fitting.span_mm(2, 2)) == "13908831234"
    assert fitting.phone_breaks("0883-2123456", fitting.span_mm(4, 4)) == "0883-2123456"


def test_a_number_at_a_cells_line_end_is_counted_on_the_next_line():
    width = fitting.span_mm(2, 4)  # 23 characters a line
    cap = fitting.per_line(width)
    assert fitting.line_count("字" * cap, width) == 1
    assert fitting.line_count("字" * (cap - 2) + "12345", width) == 2  # 12345 is not split


def test_annex_items_one_a_line_under_the_first(ledger, tmp_path, monkeypatch):
    from tests.conftest import register_args

    monkeypatch.chdir(tmp_path)
    assert ledger("register", *register_args(phone="0883-2123456转8012"), "--date", "2026-09-28").code == 0
    r = ledger(
        "dispatch", "1", "--dept", "临翔供电局", "--approver", "李明", "--level", "主任",
        "--instruction", "请尽快办理。", "--date", "2026-09-29",
    )  # fmt: skip
    assert r.code == 0, r.err
    (tmp_path / "合同.pdf").write_bytes(b"%PDF-1.4")
    assert ledger("attach", "1", str(tmp_path / "合同.pdf")).code == 0
    assert ledger("form", "dispatch", "1", "-o", "d.docx").code == 0
    doc = Document(str(tmp_path / "d.docx"))
    annex = next(p for p in doc.paragraphs if p.text.startswith("附件："))
    assert annex.text == "附件：1. 企业反映困难问题登记表\n2. 领导批示笺\n3. 合同.pdf"
    pf = annex.paragraph_format
    assert pf.left_indent.pt == 36 and pf.first_line_indent.pt == -36  # hangs by 附件：
    phones = [c.text for t in doc.tables for row in t.rows for c in row.cells if "2123456" in c.text]
    assert set(phones) == {"0883-2123456\n转8012"}  # on the 交办单 and on its 登记表
