"""Tables of figures (stats, figures, report) laid out for the output's width, and Chinese text
wrapped by the usual line-breaking rules (help texts too)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TextIO

from lcqy.cli._rows import GAP, cells, pad, rule_char, terminal_width

# Characters a line may not start with, and ones it may not end with (the usual Chinese line
# breaking rules): a break before one of the first moves the character before it down too.
NO_START = set("，。、；：！？）》」』】〕〉”’…%％·・")
NO_END = set("（《「『【〔〈“‘")
_COUNTERS = set("号年月日时件次个期条天")
_WORD = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.%-_/:@+#")


def _units(text: str) -> list[str]:
    """The pieces a line may break between: a run of Latin letters and digits (a number, a
    date, a percentage, an e-mail) is one piece, any other character its own."""
    out: list[str] = []
    for ch in text:
        if out and ((ch in _WORD and out[-1][-1] in _WORD) or (ch in _COUNTERS and out[-1][-1].isdigit())):
            out[-1] += ch  # a counter keeps to its number: 第97号, 2026年, 3件
        else:
            out.append(ch)
    return out


def line_spans(text: str, width: int) -> list[tuple[int, int]]:
    """Where each line of `text` starts and ends when it is wrapped at `width` cells: broken
    between pieces, never before ，。、 or a closing mark, never after an opening one; a piece
    longer than a line is cut; the text's own line ends are kept."""
    width = max(width, 2)
    spans: list[tuple[int, int]] = []
    pos = 0
    for para in text.split("\n"):
        units: list[tuple[int, int, int, str]] = []  # start, end, cells, text
        at = pos
        for u in _units(para):
            for piece in u if cells(u) > width else (u,):
                units.append((at, at + len(piece), cells(piece), piece))
                at += len(piece)
        line: list[int] = []
        used = 0

        def close(idx: list[int], units: list = units) -> None:
            a, b = units[idx[0]][0], units[idx[-1]][1]
            while b > a and text[b - 1] == " ":
                b -= 1
            spans.append((a, b))

        for k, (_, _, w, u) in enumerate(units):
            if u == " " and not line:
                continue  # no line starts with a space
            if used + w > width and line:
                carry: list[int] = []
                # A closing mark moved down takes the piece before it too: ）。 never starts a line.
                while len(line) > 1 and (carry and units[carry[0]][3][0] in NO_START or not carry and u[0] in NO_START):
                    carry.insert(0, line.pop())
                while len(line) > 1 and units[line[-1]][3][-1] in NO_END:
                    carry.insert(0, line.pop())
                if sum(units[i][2] for i in carry) + w > width:  # moving down would not fit either
                    line, carry = line + carry, []
                close(line)
                line, used = carry, sum(units[i][2] for i in carry)
                if u == " " and not line:
                    continue
            line.append(k)
            used += w
        if line:
            close(line)
        else:
            spans.append((pos, pos))
        pos += len(para) + 1
    return spans


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells (see line_spans)."""
    return [text[a:b] for a, b in line_spans(text, width)]


def narrowest(text: str) -> int:
    """The fewest cells `text` can be wrapped into without cutting a piece."""
    return max((cells(u) for u in _units(text) if u != " "), default=0)


def output_width() -> int:
    """The width tables of figures are laid out for: the terminal's, or when written to a pipe
    or a file COLUMNS, else 80 (what a terminal window or a printed page shows)."""
    width = terminal_width()
    if width is None:
        try:
            width = int(os.environ.get("COLUMNS", ""))
        except ValueError:
            width = 80
    return max(width, 20)


def _is_figure(value: str) -> bool:
    return bool(value) and (value == "—" or all(ch in "0123456789.%-≈" for ch in value))


def figures_table(
    title: str | None, heads: Sequence[str], rows: Sequence[Sequence[object]], *, caption: str | None = None
) -> None:
    """A table of figures, one record a row when it fits the width, else one record a block.

    Wide: every cell on one line, figures aligned right. Narrow (a wide table at 80 columns):
    the first column names the record on a line of its own; its figures follow as
    "label value" pairs in aligned columns, and a longer text on a line of its own, wrapped.
    No cell is ever cut or folded, so each figure stays whole and can be found in the text."""
    out = sys.stdout
    width = output_width()
    body = [["" if v is None else str(v) for v in r] for r in rows]
    for line in wrap(title, width) if title else []:
        out.write(line + "\n")
    natural = [max([cells(h)] + [cells(r[i]) for r in body]) for i, h in enumerate(heads)]
    right = [i > 0 and all(_is_figure(r[i]) or not r[i] for r in body) for i in range(len(heads))]
    if sum(natural) + len(GAP) * (len(heads) - 1) <= width:
        last = len(heads) - 1

        def line(values: Sequence[str]) -> str:
            return GAP.join(
                v if i == last and not right[i] else pad(v, natural[i], right[i]) for i, v in enumerate(values)
            ).rstrip()

        out.write(line(list(heads)) + "\n")
        out.write(GAP.join(rule_char() * w for w in natural) + "\n")
        for r in body:
            out.write(line(r) + "\n")
    else:
        _blocks(out, heads, body, right, width)
    for line in wrap(caption, width) if caption else []:
        out.write(line + "\n")
    out.write("\n")  # tables printed one after another stay apart


def _blocks(out: TextIO, heads: Sequence[str], body: list[list[str]], right: list[bool], width: int) -> None:
    indent = "  "
    room = width - len(indent)
    short = [i for i in range(1, len(heads)) if right[i]]
    label_w = max((cells(heads[i]) for i in short), default=0)
    value_w = max((cells(r[i]) for r in body for i in short), default=0)
    pair_w = label_w + 1 + value_w
    per_line = max(1, (room + len(GAP)) // (pair_w + len(GAP)))
    for r in body:
        out.write("\n".join(wrap(r[0] or "—", width)) + "\n")
        pairs = [pad(heads[i], label_w) + " " + pad(r[i], value_w, True) for i in short]
        for k in range(0, len(pairs), per_line):
            out.write(indent + GAP.join(pairs[k : k + per_line]).rstrip() + "\n")
        for i in range(1, len(heads)):
            if not right[i] and r[i]:
                for line in wrap(f"{heads[i]}：{r[i]}", room):
                    out.write(indent + line + "\n")
