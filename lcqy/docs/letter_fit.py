"""How a 催办函 falls on its pages, and how to set it so the 版记 ends at the foot of the last page
(pure; no docx import).

Every line of the letter has an exact height, so a paragraph's height is its number of lines
times its line pitch. The lines are counted by breaking the text as Word, WPS and LibreOffice do:
CJK characters one by one, a run of Latin letters or digits whole, no closing punctuation at a
line start and no opening one at a line end. Latin widths are counted wide (a fallback font's
digits are wider than 仿宋's half em), with the quarter em that Word and LibreOffice put between
Chinese and Latin text, so a count is never short: a letter that is counted to fit does fit.

The plan (GB/T 9704-2012): the standard 22 lines a page where the letter fits in them; else the
line pitch tightened down to at most 34 lines a page (single spacing) (§7.3.5 allows adjusting line spacing so the
signature stays with the text) where that keeps it on one page; else two pages at the standard
pitch. Either way the space left on the last page goes above the 版记, so its last line is the
last line of the text block (§7.4).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

STANDARD_LINES = 22
# 34 lines a page is an 18.8 pt pitch, Word's single line spacing of 3号 宋体/仿宋 (1.17 em):
# never tighter. It holds a 专项督办 督办函 from an autonomous county with six long names in its
# 抄送, the reply and the reason stated, on one page.
TIGHTEST_LINES = 34
LATIN_EM = 0.64  # the widest fallback digits (DejaVu Sans 0.636 em; 仿宋 has 0.5)
AUTOSPACE_EM = 0.21  # between Chinese and Latin text (LibreOffice 0.2 em, Word less)
# Never set the 版记 closer to the bottom than this fraction of a line: the margin for what the
# count cannot know (a border's thickness, a renderer's rounding).
SLACK_LINES = 0.3

NO_START = set("，。、；：？！）》」』】〕”’…—·,.;:?!)]}%")
NO_END = set("（《「『【〔“‘([{")


def _em(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else LATIN_EM


# What a reader expects whole on one line: dates, numbers with their unit, percentages, the year
# and the number of a case number (临翔服企办收（2026）/第8号 may break between the two). The
# line breaking below never cuts one; a word processor would (LibreOffice breaks between a digit
# and the Chinese character after it, whatever joiner stands between).
WHOLE = re.compile(
    r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日"
    r"|（\d{4}）|〔\d{4}〕\d+号|第\d+[号期次条件]?"
    r"|\d+(?:\.\d+)?(?:%|％|个工作日|个月|件次|件|次|个|期|号|万元|元|年|日|天|份|名|人|家|项|条)"
)


def _tokens(text: str) -> list[tuple[str, float]]:
    """Unbreakable pieces: one CJK character, or a run of Latin letters/digits with the space
    that sets it off from Chinese text beside it; a date, number or percentage (WHOLE) as one."""
    out: list[tuple[str, float]] = []
    word = ""
    for ch in text:
        if _em(ch) < 1 and not ch.isspace():
            word += ch
            continue
        if word:
            out.append((word, len(word) * LATIN_EM + AUTOSPACE_EM * (bool(out) + (_em(ch) == 1))))
            word = ""
        out.append((ch, _em(ch)))
    if word:
        out.append((word, len(word) * LATIN_EM + AUTOSPACE_EM * bool(out)))
    spans = [m.span() for m in WHOLE.finditer(text)]
    if not spans:
        return out
    merged: list[tuple[str, float]] = []
    at, k = 0, 0
    for tok, width in out:
        while k < len(spans) and spans[k][1] <= at:
            k += 1
        inside = k < len(spans) and spans[k][0] <= at and at + len(tok) <= spans[k][1]
        if inside and merged and merged[-1][0] and at > spans[k][0]:
            merged[-1] = (merged[-1][0] + tok, merged[-1][1] + width)
        else:
            merged.append((tok, width))
        at += len(tok)
    return merged


def width_em(text: str) -> float:
    """Width of a one-line text, in ems, counted as line_count counts it."""
    return sum(w for _, w in _tokens(text))


def break_lines(text: str, cap_em: float, indent_em: float = 0.0) -> list[str]:
    """The lines a paragraph of `text` is broken into, in a line `cap_em` ems wide with the first
    line indented: CJK characters one by one, a Latin word or a WHOLE piece whole, no closing
    mark at a line's start and no opening mark at its end. A newline in `text` ends a line."""
    out: list[str] = []
    for n, para in enumerate(text.split("\n")):
        used = indent_em if n == 0 else 0.0  # a line break is not a new paragraph
        line: list[tuple[str, float]] = []
        for tok, width in _tokens(para):
            if used + width > cap_em + 1e-9 and line:
                carry: list[tuple[str, float]] = []
                # A closing mark may not start the line: its predecessor goes down with it (and
                # that one's, when it is a closing mark too: ）： never opens a line either).
                if tok[0] in NO_START:
                    while len(line) > 1:
                        carry.insert(0, line.pop())
                        if carry[0][0][0] not in NO_START:
                            break
                # An opening mark may not end the line.
                while line and line[-1][0][-1] in NO_END and len(line) > 1:
                    carry.insert(0, line.pop())
                out.append("".join(t for t, _ in line))
                line = carry
                used = sum(w for _, w in carry)
            line.append((tok, width))
            used += width
        out.append("".join(t for t, _ in line))
    return out


def line_count(text: str, cap_em: float, indent_em: float = 0.0) -> int:
    """Lines a paragraph of `text` takes in a line `cap_em` ems wide, the first line indented."""
    return len(break_lines(text, cap_em, indent_em))


@dataclass
class Para:
    """One paragraph as laid out: `lines` of `pitch` points, `before`/`after` spacing that
    scales with the pitch, `fixed` points that do not (border lines)."""

    lines: int
    pitch: float
    before: float = 0.0
    after: float = 0.0
    fixed: float = 0.0
    keep_next: bool = False
    keep_lines: bool = False
    page_break_before: bool = False

    def height(self, k: float = 1.0) -> float:
        return k * (self.lines * self.pitch + self.before + self.after) + self.fixed


def place(paras: list[Para], page: float, k: float = 1.0) -> list[tuple[int, float]]:
    """(page index, top offset) of each paragraph's first line, flowing as Word and
    LibreOffice do: a chain of keep-with-next paragraphs moves whole to the next page when it
    does not fit; a paragraph kept together moves whole; another one splits, leaving at least
    two lines on each page (widow and orphan control)."""
    out: list[tuple[int, float]] = []
    pg, pos = 0, 0.0
    i = 0
    while i < len(paras):
        p = paras[i]
        if p.page_break_before and pos > 0:
            pg, pos = pg + 1, 0.0
        # the chain this paragraph heads (itself and what it keeps with)
        j = i
        while j < len(paras) - 1 and paras[j].keep_next:
            j += 1
        chain = sum(q.height(k) for q in paras[i : j + 1])
        if pos > 0 and pos + chain > page + 1e-6 and chain <= page and (p.keep_next or p.keep_lines):
            pg, pos = pg + 1, 0.0
        h = p.height(k)
        if pos + h <= page + 1e-6:
            out.append((pg, pos))
            pos += h
        elif p.keep_lines or p.lines < 4:
            pg, pos = pg + 1, 0.0
            out.append((pg, pos))
            pos = h
        else:
            line = k * p.pitch
            room = int((page - pos - k * p.before - p.fixed) // line)
            first = min(room, p.lines - 2)
            if first < 2:
                pg, pos = pg + 1, 0.0
                out.append((pg, pos))
                pos = h
            else:
                out.append((pg, pos))
                rest = p.lines - first
                pg, pos = pg + 1, rest * line + k * p.after
        i += 1
    return out


@dataclass
class Plan:
    scale: float  # line pitch and paragraph spacing are multiplied by this
    spacer: float  # points added above the 版记
    pages: int


def plan(paras: list[Para], imprint: int, page: float, pitch: float) -> Plan:
    """How to set a letter whose 版记 starts at paragraph `imprint` (-1: it has none) on pages
    `page` points high, whose standard line `pitch` is page / 22."""
    needed = sum(p.height() for p in paras)
    fixed = sum(p.fixed for p in paras)
    slack = SLACK_LINES * pitch
    k = 1.0
    if needed + slack > page:
        k_min = STANDARD_LINES / TIGHTEST_LINES
        k = (page - slack - fixed) / (needed - fixed)
        if k < k_min:
            k = 1.0
        else:
            k = math.floor(k * 1000) / 1000  # a shade under, never over
    where = place(paras, page, k)
    pages = where[-1][0] + 1 if where else 1
    spacer = 0.0
    if 0 <= imprint < len(paras):
        pg, top = where[imprint]
        bottom = top + sum(p.height(k) for p in paras[imprint:])
        if all(w[0] == pg for w in where[imprint:]):
            spacer = max(0.0, page - slack - bottom)
    return Plan(k, spacer, pages)
