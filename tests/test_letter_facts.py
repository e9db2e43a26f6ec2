"""What each urge letter says: a 催办函 the missed 办结时限, a 督办函 the reply received and the
date the department promised, or the reason and the 督办时限 of a 专项督办; the 抄送 broken
between names; the 版头; the problem quoted by a phrase, never a fragment."""

from __future__ import annotations

import pytest
from docx import Document

from lcqy.docs import fitting, letter_text, render
from tests.test_docs_render import URGE

MEASURES = "《临沧市企业反映困难问题收集和办理工作办法（试行）》（临政办发〔2021〕21号）"
LEDGER = {
    **URGE,
    "urge_kind": "督办台帐",
    "letter_title": "督办函",
    "letter_no": "临翔服企办督（2026）第3号",
    "reply_on": "2026-10-09",
    "reply_doc_no": "临翔自然资函〔2026〕12号",
    "reply_result": "B",
    "promised_by": "2026-10-30",
    "days_late": 2,
    "basis": f"根据{MEASURES}第十八条，该问题已列入督办台帐，须按承诺的时限办结。",
}
SPECIAL = {
    **LEDGER,
    "urge_kind": "专项督办",
    "reply_result": "A",
    "supervise_reason": "企业不满意，办理不彻底",
    "supervise_set_on": "2026-10-13",
    "supervise_due": "2026-10-20",
    "promised_by": None,
    "days_late": 0,
    "basis": f"根据{MEASURES}第十八条，该问题已列入专项督办。",
}


def _text(path) -> str:
    return "".join(p.text.replace("\n", "") for p in Document(str(path)).paragraphs)  # lines set by fit


def test_reminder_names_the_deadline_and_the_days_late(tmp_path):
    text = _text(render.render("urge", URGE, tmp_path / "u.docx"))
    assert text.startswith("催办函临翔服企办催（2026）第5号")
    assert "交办编号：临翔服企办交（2026）第8号" in text
    assert "办结时限为2026年11月30日。截至目前，该问题已超过办结时限3个工作日，我办尚未收到你单位的办理结果" in text


def test_ledger_letter_names_the_reply_and_the_promised_date(tmp_path):
    text = _text(render.render("urge", LEDGER, tmp_path / "u.docx"))
    assert text.startswith("督办函临翔服企办督（2026）第3号")
    assert (
        "你单位已于2026年10月9日以临翔自然资函〔2026〕12号答复我办，答复为B类（正在解决或列入规划逐步解决），"
        "承诺于2026年10月30日前办结。截至目前，已超过承诺完成时限2个工作日，该问题仍未办结。" in text
    )
    assert "办结结果或最新进展" not in text and "办理结果或最新进展" in text
    # a reply was received and 10-30 is the promise, not the 办结时限
    assert "办结时限为" not in text and "尚未收到你单位的办理结果" not in text


def test_special_letter_names_the_reason_and_its_deadline(tmp_path):
    text = _text(render.render("urge", SPECIAL, tmp_path / "u.docx"))
    assert text.startswith("督办函")
    assert "经回访，企业不满意，办理不彻底。专项督办时限为2026年10月20日。" in text
    assert "截至目前，我办尚未收到你单位重新办理的结果" in text  # not late: no days counted
    assert "办结时限为" not in text and "承诺" not in text


def test_older_context_keeps_to_what_it_knows(tmp_path):
    """A 督办函 context without the new keys (as the acts passed it before): the kind from the
    basis, the promised date from due_date, the reply without a date it does not have."""
    old = {
        k: v
        for k, v in LEDGER.items()
        if k not in ("urge_kind", "reply_on", "reply_doc_no", "reply_result", "promised_by")
    }
    old["due_date"] = "2026年10月30日"
    text = _text(render.render("urge", old, tmp_path / "u.docx"))
    assert "你单位已答复我办，承诺于2026年10月30日前办结" in text
    assert "办结时限为" not in text and "尚未收到你单位的办理结果" not in text
    old["basis"] = SPECIAL["basis"]
    assert letter_text.prepare(old)["urge_kind"] == "专项督办"
    # the title follows the letter's kind whatever was passed
    assert letter_text.prepare({**URGE, "urge_kind": "专项督办"})["letter_title"] == "督办函"
    assert letter_text.prepare({**LEDGER, "urge_kind": "催办"})["letter_title"] == "催办函"


SIX = [
    "双江拉祜族佤族布朗族傣族自治县发展和改革局",
    "双江拉祜族佤族布朗族傣族自治县住房和城乡建设局",
    "云南电网有限责任公司临沧双江供电局",
    "临沧市生态环境局双江分局",
    "县财政局",
    "县林草局",
]


def test_copy_lines_break_between_names_only():
    lines = letter_text.copy_lines(SIX).split("\n")
    assert "".join(lines) == "，".join(SIX) + "。"
    for line in lines:  # every line whole names, each ending with its mark
        assert line.endswith(("，", "。")) and all(n in "".join(lines) for n in SIX)
        assert letter_text.width_em(line) <= (442.2 - 2 * 13.75) / 13.75 - 3
    assert lines[-1] == "临沧市生态环境局双江分局，县财政局，县林草局。"  # short names share a line


def test_copy_line_hangs_under_the_first_name(tmp_path):
    doc = Document(str(render.render("urge", {**URGE, "assist_depts": "，".join(SIX)}, tmp_path / "u.docx")))
    copy = next(p for p in doc.paragraphs if "抄送：" in p.text)
    assert copy.text == "　抄送：" + letter_text.copy_lines(SIX)
    pf = copy.paragraph_format
    # the continuation lines start four characters in: one blank, then 抄送：
    assert pf.left_indent.pt == pytest.approx(4 * 13.75) and pf.first_line_indent.pt == pytest.approx(-4 * 13.75)


def test_letterhead_on_by_default_off_for_preprinted_paper(tmp_path):
    on = Document(str(render.render("urge", URGE, tmp_path / "on.docx")))
    section = on.sections[0]
    assert section.different_first_page_header_footer
    head = section.first_page_header.paragraphs[0]
    assert head.text == URGE["office_name"] and str(head.runs[0].font.color.rgb) == "E60012"
    assert "PAGE" in section.first_page_footer._element.xml  # the first page keeps its number
    off = Document(str(render.render("urge", {**URGE, "letterhead": ""}, tmp_path / "off.docx")))
    assert not off.sections[0].different_first_page_header_footer
    # the name of an autonomous county's office stays on one line: smaller type, not a wrap
    long = "双江拉祜族佤族布朗族傣族自治县服务企业发展领导小组办公室"
    doc = Document(str(render.render("urge", {**URGE, "office_name": long}, tmp_path / "l.docx")))
    run = doc.sections[0].first_page_header.paragraphs[0].runs[0]
    assert run.font.size.pt * len(long) <= 442.2


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        # a first clause that is only an opening (根据《…》，) is not the quote
        (
            "根据《云南省支持工业企业稳增长若干措施》，企业应享受技术改造补贴和稳岗补贴共计120万元，但至今未兑现。",
            "根据《云南省支持工业企业稳增长若干措施》，企业应享受技术改造补贴",
        ),
        # no cut inside a number, a title or before a unit
        (
            "企业2026年新上的生产线需要增容至800千伏安以上并且要求供电部门在三十个工作日内出具方案",
            "企业2026年新上的生产线需要增容至800千伏安以上",
        ),
        (
            "企业申请的《临沧市临翔区工业园区标准厂房租金减免政策实施细则（2026年修订版）》规定的补贴未兑现",
            "企业申请的",
        ),
    ],
)
def test_problem_quoted_by_a_phrase(text, quote):
    assert fitting.brief(text) == (quote, True)


def test_iso_dates_in_a_document_read_as_chinese_dates(tmp_path):
    text = _text(render.render("urge", {**URGE, "due_date": "2026-10-10"}, tmp_path / "u.docx"))
    assert "办结时限为2026年10月10日。" in text and "2026-10-10" not in text
