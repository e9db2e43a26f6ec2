"""Letters as printed (LibreOffice → PDF → pdftotext), at their hardest: an office name of 28
characters (an autonomous county's), six cooperating units in the 抄送, the three kinds of
letter, problem quotes from 20 to 1000 characters of text. One page each, the body before the
signature, the 版记 at the foot, no unit name in the 抄送 and no date, number or percentage
split across lines."""

from __future__ import annotations

import subprocess

import pytest

from lcqy.docs.fitting import brief
from lcqy.docs.render import render
from tests import print_sweep
from tests.test_letter_facts import LEDGER, SPECIAL
from tests.test_report_print import WHOLE

pytestmark = pytest.mark.skipif(
    bool(print_sweep.have_tools()), reason=f"打印检查需要 LibreOffice 和 poppler（缺少 {print_sweep.have_tools()}）"
)

OFFICES = {6: "临翔服企办", 20: "双江拉祜族佤族布朗族傣族自治县服务企业发展领导小组办公室"}
SIX = [
    "双江拉祜族佤族布朗族傣族自治县发展和改革局",
    "双江拉祜族佤族布朗族傣族自治县住房和城乡建设局",
    "双江拉祜族佤族布朗族傣族自治县人力资源和社会保障局",
    "云南电网有限责任公司临沧双江供电局",
    "临沧市生态环境局双江分局",
    "双江拉祜族佤族布朗族傣族自治县工业和信息化局",
]
KINDS = {"催办": {}, "督办台帐": LEDGER, "专项督办": SPECIAL}


def _context(kind: str, office: int, units: int, length: int) -> dict:
    quote, cut = brief(print_sweep.problem_text(length))
    base = {
        "office_name": OFFICES[office],
        "letter_title": "催办函",
        "letter_no": "双江服企办催（2026）第12号",
        "lead_dept": "双江拉祜族佤族布朗族傣族自治县自然资源局",
        "reg_no": "双江服企办收（2026）第108号",
        "dispatch_no": "双江服企办交（2026）第96号",
        "enterprise": print_sweep.ENTERPRISE,
        "dispatched_on": "2026-09-29",
        "due_date": "2026-10-12",
        "days_late": 13,
        "reply_by": "2026-10-20",
        "issued_on": "2026-10-15",
        "basis": "根据《临沧市企业反映困难问题收集和办理工作办法（试行）》（临政办发〔2021〕21号）第十八条规定，"
        "现对该问题进行第1次催办。",
    }
    from lcqy.rules.letters import urge_basis

    own = ("urge_kind", "letter_title", "reply_on", "reply_doc_no", "reply_result", "promised_by")
    own += ("supervise_reason", "supervise_set_on", "supervise_due", "letter_no")
    extra = {k: v for k, v in KINDS[kind].items() if k in own}
    if kind != "催办":  # the sentence the acts write for a 督办, at its length
        extra["basis"] = urge_basis(kind)
    return {
        **base,
        **extra,
        "urge_kind": kind,
        "problem": f"“{quote}”" + ("等" if cut else ""),
        "assist_depts": "，".join(SIX[:units]),
    }


CASES = [
    (kind, office, units, length)
    for kind in KINDS
    for office in OFFICES
    for units in (0, 6)
    for length in (20, 90, 400, 1000)
    if (office, units) != (6, 6) or length in (90, 1000)
]


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    out = tmp_path_factory.mktemp("letters")
    docs = {}
    for case in CASES:
        name = "-".join(str(x) for x in case)
        docs[case] = render("urge", _context(*case), out / f"{name}.docx")
    print_sweep.to_pdf(list(docs.values()), out)
    return {case: path.with_suffix(".pdf") for case, path in docs.items()}


def _lines(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return ["".join(line.split()) for line in text.splitlines() if line.strip()]


def test_one_page_body_before_signature_imprint_at_foot(printed):
    for case, pdf in printed.items():
        assert print_sweep.page_count(pdf) == 1, case
        text = "".join(_lines(pdf))
        assert text.index("特此函告。") < text.rindex("2026年10月15日印发"), case
        assert text.index("我办") < text.index("特此函告。"), case
        page, bottom, block = print_sweep.last_line_bottom(pdf, "印发")
        assert 0 < block - bottom < 28.95, (case, block - bottom)


def test_nothing_split_across_lines(printed):
    for case, pdf in printed.items():
        lines = _lines(pdf)
        for a, b in zip(lines, lines[1:]):
            tail = a[-12:]
            for m in WHOLE.finditer(tail + b[:12]):
                assert not (m.start() < len(tail) < m.end()), (case, tail, b[:12])
        assert not any(line.startswith(tuple("，。、；：？！）》”")) for line in lines), case
        if case[2]:  # every 抄送 name whole on one line, the lines after the first under it
            copy = "".join(lines[next(i for i, x in enumerate(lines) if x.startswith("抄送：")) :])
            assert "抄送：" + "，".join(SIX) + "。" in copy, case
            start = next(i for i, x in enumerate(lines) if x.startswith("抄送："))
            for unit in SIX:
                assert any(unit in x for x in lines[start : start + 8]), (case, unit)


def test_each_letter_says_what_it_is(printed):
    for (kind, *_), pdf in printed.items():
        text = "".join(_lines(pdf))
        if kind == "催办":
            assert "催办函" in text and "办结时限为2026年10月12日" in text
        else:
            assert "督办函" in text and "办结时限为" not in text
            assert "你单位已于2026年10月9日以临翔自然资函〔2026〕12号答复我办" in text
        if kind == "督办台帐":
            assert "承诺于2026年10月30日前办结" in text
        if kind == "专项督办":
            assert "专项督办时限为2026年10月20日。截至目前，已超过督办时限13个工作日，我办尚未收到" in text
