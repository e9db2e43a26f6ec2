"""The 催办函 on its page: line counting and the page plan (pure), and the letters the CLI writes
read back with python-docx for the short, typical and longest texts. (The printed pages, through
LibreOffice, are checked in test_print_sweep.)"""

from __future__ import annotations

import pytest
from docx import Document
from docx.oxml.ns import qn

from lcqy.docs import letter_fit as lf
from tests import print_sweep

PAGE = 637.8  # 225 mm
PITCH = PAGE / 22


# --- counting lines ---------------------------------------------------------------------------


def test_full_lines_of_chinese():
    assert lf.line_count("字" * 28, 28) == 1
    assert lf.line_count("字" * 29, 28) == 2
    assert lf.line_count("字" * 26, 28, indent_em=2) == 1
    assert lf.line_count("字" * 27, 28, indent_em=2) == 2
    assert lf.line_count("字" * 10 + "\n" + "字" * 10, 28) == 2


def test_a_number_is_not_cut_and_is_set_off_from_chinese():
    # 25 characters then 2026: the number (4 × 0.64 em and a quarter em each side) goes down whole
    assert lf.line_count("字" * 25 + "2026年", 28) == 2
    assert lf.line_count("字" * 22 + "2026年", 28) == 1


def test_closing_mark_takes_the_character_before_it_down():
    # 28 characters fill the line; the 。 may not open the next, so 字 goes down with it and the
    # second line overflows by one
    assert lf.line_count("字" * 28 + "。" + "字" * 27, 28) == 3
    # an opening mark is not left at a line's end
    assert lf.line_count("字" * 27 + "“" + "字" * 27, 28) == 2
    assert lf.line_count("字" * 27 + "“" + "字" * 28, 28) == 3


# --- the page plan ----------------------------------------------------------------------------


def _letter(body_lines: int, imprint_lines: int = 2) -> tuple[list[lf.Para], int]:
    """A letter: title (2 lines), body paragraphs, a kept signature block, a 版记."""
    paras = [lf.Para(1, PITCH * 1.5, after=PITCH * 0.5, keep_next=True)]
    paras += [lf.Para(body_lines // 2, PITCH), lf.Para(body_lines - body_lines // 2, PITCH)]
    paras += [lf.Para(2, PITCH, keep_next=True, keep_lines=True)]  # the last body paragraph
    paras += [lf.Para(1, PITCH, keep_next=True) for _ in range(4)]  # 特此函告, blank, office, date
    imprint = len(paras)
    paras += [lf.Para(imprint_lines, PITCH, fixed=2.0, keep_next=True), lf.Para(1, PITCH, fixed=4.0)]
    return paras, imprint


def test_short_letter_keeps_the_standard_lines_and_drops_its_imprint_to_the_foot():
    paras, imprint = _letter(8)  # 2 + 8 + 2 + 4 + 3 = 19 lines
    plan = lf.plan(paras, imprint, PAGE, PITCH)
    assert (plan.scale, plan.pages) == (1.0, 1)
    used = sum(p.height() for p in paras)
    assert plan.spacer == pytest.approx(PAGE - used - lf.SLACK_LINES * PITCH)


def test_longer_letter_is_tightened_to_stay_on_one_page():
    paras, imprint = _letter(14)  # 25 lines: more than 22, fewer than 28
    plan = lf.plan(paras, imprint, PAGE, PITCH)
    assert 22 / 28 <= plan.scale < 1 and plan.pages == 1
    used = sum(p.height(plan.scale) for p in paras) + plan.spacer
    assert PAGE - lf.SLACK_LINES * PITCH - 1 < used <= PAGE - lf.SLACK_LINES * PITCH


def test_letter_beyond_34_lines_goes_to_two_pages_with_its_ending_together():
    paras, imprint = _letter(24)  # 35 lines
    plan = lf.plan(paras, imprint, PAGE, PITCH)
    assert (plan.scale, plan.pages) == (1.0, 2)
    where = lf.place(paras, PAGE)
    # the last body paragraph, signature and 版记 on page 2, the body's first paragraphs on page 1
    assert [w[0] for w in where[3:]] == [1] * (len(paras) - 3)
    assert where[1][0] == 0
    bottom = where[imprint][1] + plan.spacer + sum(p.height() for p in paras[imprint:])
    assert bottom == pytest.approx(PAGE - lf.SLACK_LINES * PITCH)


def test_a_paragraph_splits_leaving_two_lines_each_side():
    # 2 lines left on the page: a 3-line paragraph moves whole (one line would stand alone)
    assert lf.place([lf.Para(20, PITCH), lf.Para(3, PITCH)], PAGE)[1] == (1, 0.0)
    # 4 lines left: a 6-line paragraph leaves 4 and carries 2 over
    paras = [lf.Para(18, PITCH), lf.Para(6, PITCH)]
    assert lf.place(paras + [lf.Para(1, PITCH)], PAGE)[2] == (1, pytest.approx(2 * PITCH))


# --- the letters the CLI writes ---------------------------------------------------------------


def _exact(p) -> float:
    sp = p._p.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
    assert sp is not None and sp.get(qn("w:lineRule")) == "exact", p.text
    return int(sp.get(qn("w:line"))) / 20


@pytest.fixture
def letters(ledger, tmp_path):
    return {name: Document(str(path)) for name, path in print_sweep.build_letters(ledger, tmp_path).items()}


def _body(doc):
    return next(p for p in doc.paragraphs if p.text.startswith("根据"))


def _imprint(doc):
    return next(p for p in doc.paragraphs if p._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:top')}") is not None)


def test_letters_read_back(letters):
    from lcqy.docs.letter import _measure

    pitches = {name: _exact(_body(doc)) for name, doc in letters.items()}
    # one page each, tightened from the standard 22 lines as much as the text needs and never
    # past 34 lines a page (single spacing): the 版记's 4号 lines at 0.8 of the pitch leave the
    # longest (five long 抄送 names, the 专项督办 wording) on one page too
    assert 28.95 > pitches["short"] > pitches["typical"] > pitches["long"] >= pitches["longest"] >= PAGE / 34 - 0.05
    for name, doc in letters.items():
        imprint = next(i for i, p in enumerate(doc.paragraphs) if p is _imprint(doc) or p.text == _imprint(doc).text)
        body, foot = doc.paragraphs[1:imprint], doc.paragraphs[imprint:]
        # every line of the letter has its exact height, scaled alike: the body's, the half line
        # above the 版记 and the 版记's own
        heights = sorted(_exact(p) for p in body)
        assert heights[0] == pytest.approx(pitches[name] / 2, abs=0.1), name
        assert heights[1:] == pytest.approx([pitches[name]] * (len(heights) - 1), abs=0.1), name
        assert [_exact(p) for p in foot] == pytest.approx([pitches[name] * 0.8] * len(foot), abs=0.1), name
        assert _exact(doc.paragraphs[0]) == pytest.approx(pitches[name] * 1.5, abs=0.1)
        # 28 characters a line: every run condensed by a quarter point
        for p in doc.paragraphs:
            for r in p.runs:
                if r.text:
                    assert r._r.find(f"{qn('w:rPr')}/{qn('w:spacing')}").get(qn("w:val")) == "-5"
    for name in letters:
        doc = letters[name]
        total = sum(_measure(p, doc, 442.2).height() for p in doc.paragraphs)
        assert PAGE - PITCH < total <= PAGE, (name, total)
    assert "抄送" not in "".join(p.text for p in letters["short"].paragraphs)
    assert letters["longest"].paragraphs[0].text == "督办函"


def test_own_template_of_free_height_is_left_as_drawn(tmp_path):
    """A clerk's template with a paragraph in single (not exact) spacing: the letter is not
    re-set, since its height cannot be counted."""
    from docx.enum.text import WD_LINE_SPACING

    from lcqy.docs import build_templates, render
    from tests.test_docs_render import URGE

    folder = tmp_path / "own"
    build_templates.build_all(folder)
    doc = Document(str(folder / "urge.docx"))
    doc.paragraphs[2].paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    doc.save(str(folder / "urge.docx"))
    out = Document(str(render.render("urge", {**URGE, "assist_depts": "区财政局"}, tmp_path / "u.docx", folder)))
    assert _imprint(out).paragraph_format.space_before is None
    assert _exact(_body(out)) == pytest.approx(28.95, abs=0.05)


def test_long_office_name_stays_inside_the_margins(tmp_path):
    """An autonomous county's office name (28 characters): the signature ends at the right
    margin instead of running past it, and the 印发 line puts the date under the office."""
    doc = Document(str(print_sweep.build_office_letter(tmp_path)))
    office = print_sweep.LONG_OFFICE
    sign = next(p for p in doc.paragraphs if p.text == "\t" + office)
    (stop,) = sign.paragraph_format.tab_stops
    wide = len(office) * (16 - 0.25)  # 28 condensed 3号 characters
    assert stop.position.pt + wide / 2 <= 442.3
    date = next(p for p in doc.paragraphs if p.text == "\t2026年10月15日")
    # the date stays where the template puts it, 8 characters in from the right
    assert date.paragraph_format.tab_stops[0].position.pt == pytest.approx(442.2 - 8 * 16, abs=0.1)
    assert doc.paragraphs[-1].text == "　" + office + "\n\t2026年10月15日印发"
