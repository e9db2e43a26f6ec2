"""The 汇总 sheet's note rows: a date or a number is never cut between two rows."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from lcqy.xlsx.styles import text_width
from lcqy.xlsx.summary import note_lines

MADE = "制表单位：双江拉祜族佤族布朗族傣族自治县服务企业发展领导小组办公室　　制表日期：2026年11月20日"


def test_the_date_of_the_made_line_stays_whole_at_every_width():
    for width in range(24, 110):
        lines = note_lines(MADE, width)
        assert "".join(lines).replace("　", "") == MADE.replace("　", "")
        assert any("2026年11月20日" in line for line in lines), (width, lines)
        assert all(text_width(line) <= width for line in lines), (width, lines)


@given(
    st.lists(st.sampled_from(["办理", "企业", "2026年3月5日", "12345", "、", "　", "A类"]), min_size=1, max_size=40),
    st.integers(min_value=14, max_value=80),
)
def test_no_token_is_split_and_nothing_is_lost(parts, width):
    text = "".join(parts)
    lines = note_lines(text, width)
    assert "".join(lines).replace("　", "") == text.replace("　", "")
    # Each break, found in the text: two digits (a number, a date's year) meet there only where
    # a space stood between them, which the break took the place of.
    at = 0
    for prev, line in zip(lines, lines[1:]):
        at = text.index(prev, at) + len(prev)
        start = text.index(line, at)
        assert not (re.search(r"\d$", prev) and re.match(r"^\d", line) and start == at), (prev, line)
        at = start
