"""Long lists (list, overdue) printed in O(rows): plain aligned columns, wide-character aware.

On a terminal the columns fit its width: the free-text columns share what the others leave and
are cut with …, and when even that is too narrow the least useful columns are left out first.
To a pipe or a file every cell is written whole, aligned with spaces, one case a line, so that
grep, sort and cut work on it. JSON goes out as a streamed array, one record a line.
"""

from __future__ import annotations

import codecs
import gc
import re
import shutil
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice, repeat
from operator import add, rshift, sub
from typing import TextIO


class _CharCells(dict):
    """Terminal cells of each character met, looked up at C speed (str -> map -> sum): East
    Asian wide and full-width characters take two, combining marks and invisible format
    characters none."""

    def __missing__(self, ch: str) -> int:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            got = 0
        else:
            got = 2 if unicodedata.east_asian_width(ch) in self.wide else 1
        self[ch] = got
        return got

    wide = "WF"


_char_cells = _CharCells()
_widths: dict[str, int] = {}
# Characters whose cells are (UTF-8 bytes + 1) / 2: the one-byte ones and the wide ones of three
# bytes (CJK, full-width marks), and characters known not to be. A column of the first kind is
# measured a row at a time by C loops (each text's bytes against its characters), not a
# character at a time in Python: an enterprise column holds a distinct name a row.
_EVEN: set[str] = set()
_ODD: set[str] = set()
# A character other than ASCII and the blocks of wide characters of three UTF-8 bytes names are
# written in (CJK punctuation, kana, CJK ideographs, Hangul, full-width forms); every character
# of these blocks is wide whatever the console (tests/test_rows_widths.py goes through them).
WIDE_BLOCKS = (
    (0x3000, 0x3029), (0x3030, 0x303E), (0x3041, 0x3096), (0x309B, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
    (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFF01, 0xFF60), (0xFFE0, 0xFFE6),
)  # fmt: skip
_NOT_PLAIN = "[^\x00-\x7f" + "".join(f"{chr(a)}-{chr(b)}" for a, b in WIDE_BLOCKS) + "]"
GAP = "  "
# Code pages whose consoles draw East Asian "ambiguous" characters (… “ ” ─ ①) two cells wide.
_WIDE_AMBIGUOUS = {"gbk", "gb2312", "gb18030", "big5", "big5hkscs", "cp932", "shift_jis", "euc_jp", "cp949", "euc_kr"}


def legacy_cjk(stream: object) -> bool:
    """The stream writes a CJK code page (GBK on a zh-CN Windows console), not UTF-8."""
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name in _WIDE_AMBIGUOUS
    except LookupError:
        return False


def set_ambiguous_wide(wide: bool) -> None:
    """Count ambiguous-width characters as two cells (a CJK code-page console) or one."""
    want = "WFA" if wide else "WF"
    if _CharCells.wide != want:
        _CharCells.wide = want
        _char_cells.clear()
        _widths.clear()
        _EVEN.clear()
        _ODD.clear()


def rule_char() -> str:
    """The line under a table's heads: ─ where it takes one cell, else a plain hyphen."""
    return "-" if "A" in _CharCells.wide else "─"


@contextmanager
def no_collector() -> Iterator[None]:
    """Python's cycle collector paused while a long listing is read and printed: its rows are
    strings in lists and tuples, which make no cycles, yet each few hundred of them set off a
    collection that walks every object alive. At 25,000 rows that walking took a sixth of the
    command's time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def cells(text: str) -> int:
    """Terminal cells the text takes."""
    if text.isascii():
        return len(text)
    got = _widths.get(text)
    if got is None:
        got = sum(map(_char_cells.__getitem__, text))
        if len(_widths) < 100_000:
            _widths[text] = got
    return got


def _even(texts: Iterable[str], joined: str | None = None) -> bool:
    """Every character of the texts (`joined`, when given) takes (its UTF-8 bytes + 1) / 2 cells
    (see _EVEN)."""
    if joined is None:
        joined = "".join(texts)
    # A scan in C, a tenth of building the set of characters; compiled when first needed (3 ms
    # of every command's start, most of which print no long list) and then kept by re's cache.
    if re.search(_NOT_PLAIN, joined) is None:
        return True
    new = set(joined) - _EVEN
    if not new:
        return True
    if not new.isdisjoint(_ODD):
        return False
    for ch in new:
        if ch.isascii() or ("\u0800" <= ch <= "\uffff" and _char_cells[ch] == 2):
            _EVEN.add(ch)
        else:
            _ODD.add(ch)
            return False
    return True


def _wide_chars(texts: Sequence[str]) -> Iterator[int]:
    """How many characters of each text take two cells, for texts that pass `_even`: its cells
    are its length and that many more."""
    return map(rshift, map(sub, map(len, map(str.encode, texts)), map(len, texts)), repeat(1))


def clip(text: str, width: int) -> str:
    """Cut to `width` cells, ending with … when cut."""
    if cells(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = _char_cells[ch]
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(0, width - cells(text))
    return space + text if right else text + space


@dataclass(frozen=True)
class Col:
    title: str
    share: int = 0  # > 0: free text that shares the spare width in this ratio, cut with …
    least: int = 0  # the fewest cells a shared column keeps on a terminal
    drop: int = 0  # > 0: may be left out on a narrow terminal, the highest first
    right: bool = False  # numbers: aligned right
    labels: Mapping[str, str] | None = None  # a value found here is shown as what it maps to


def terminal_width() -> int | None:
    """The terminal's width, or None when the output is a pipe or a file."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size((80, 24)).columns


def fit(cols: Sequence[Col], natural: list[int], width: int) -> tuple[list[int], list[int]]:
    """(indexes of the columns shown, their widths) within `width` terminal cells."""
    shown = list(range(len(cols)))
    droppable = sorted((i for i, c in enumerate(cols) if c.drop), key=lambda i: -cols[i].drop)

    def need(idx: list[int]) -> int:
        fixed = sum(natural[i] if not cols[i].share else min(natural[i], cols[i].least) for i in idx)
        return fixed + len(GAP) * (len(idx) - 1)

    while need(shown) > width and droppable:
        shown.remove(droppable.pop(0))
    widths = {i: natural[i] for i in shown}
    shared = [i for i in shown if cols[i].share]
    spare = width - sum(natural[i] for i in shown if not cols[i].share) - len(GAP) * (len(shown) - 1)
    if shared and sum(natural[i] for i in shared) > spare:
        # Each shared column gets its floor, then the rest in the given ratios, never more than it needs.
        for i in shared:
            widths[i] = min(natural[i], cols[i].least)
        left = spare - sum(widths[i] for i in shared)
        while left > 0:
            want = [i for i in shared if widths[i] < natural[i]]
            if not want:
                break
            total = sum(cols[i].share for i in want)
            step = 0
            for i in want:
                add = min(natural[i] - widths[i], max(1, left * cols[i].share // total), left - step)
                widths[i] += add
                step += add
            left -= step
            if step == 0:
                break
    return shown, [widths[i] for i in shown]


def print_table(title: str | None, cols: Sequence[Col], rows: Iterable[Sequence[str]]) -> int:
    """Print the rows under their headers; returns how many were printed. A row may carry
    more values than there are columns: the extra ones are not shown."""
    with no_collector():
        body = rows if isinstance(rows, list) else list(rows)
        columns = list(zip(*body))[: len(cols)] if body else [()] * len(cols)
        return _print_columns(title, cols, columns)


def print_columns(title: str | None, cols: Sequence[Col], columns: Sequence[Sequence[str]]) -> int:
    """Print a table given column by column; returns how many rows were printed.

    Each distinct cell is measured and padded once (a column of 25,000 cells holds a few
    hundred dates, departments and categories) and the per-cell work is done by C loops (map,
    zip, join): 25,000 rows cost a few hundredths of a second."""
    with no_collector():
        return _print_columns(title, cols, columns)


class Widths:
    """The columns' natural widths (title or widest shown cell), gathered chunk by chunk: the
    first of two passes over a table too long to hold (print_chunks is the second)."""

    def __init__(self, cols: Sequence[Col]) -> None:
        self.cols = cols
        self.natural = [cells(c.title) for c in cols]

    def add(self, columns: Sequence[Sequence[str]]) -> None:
        for i, (c, col) in enumerate(zip(self.cols, columns)):
            values = {c.labels.get(v, v) for v in set(col)} if c.labels else col
            # A text of n characters takes at most 2n cells: only a text that long could widen the
            # column (after the first chunks, seldom one in a column of names).
            if 2 * max(map(len, values), default=0) <= self.natural[i]:
                continue
            if "".join(values).isascii():
                w = max(map(len, values))
            else:
                longer = [v for v in set(values) if 2 * len(v) > self.natural[i]]
                if _even(longer):
                    w = max(map(add, map(len, longer), _wide_chars(longer)))
                else:
                    w = max(map(cells, longer))
            if w > self.natural[i]:
                self.natural[i] = w


class _Looks(dict):
    """A column's cells as shown, padded (or cut) to its width and followed by `end` (the gap
    to the next column, or the line end): worked out once a distinct value."""

    def __init__(self, col: Col, width: int, unpadded: bool, end: str = "") -> None:
        super().__init__()
        self.labels, self.width, self.right, self.unpadded = col.labels or {}, width, col.right, unpadded
        self.end = end

    def __missing__(self, value: str) -> str:
        w, t = self.width, self.labels.get(value, value)
        n = cells(t)
        if n > w:
            t = clip(t, w)
            n = cells(t)
        got = t if self.unpadded else " " * (w - n) + t if self.right else t + " " * (w - n)
        got = self[value] = got + self.end
        return got


# A column with more distinct values than this in a chunk (the enterprises) is padded a whole
# column at a time; one with fewer (dates, departments, counts) keeps what each value looks like.
_FEW = 512


def print_chunks(title: str | None, cols: Sequence[Col], natural: list[int], chunks: Iterable) -> int:
    """A table given as chunks of columns, laid out by widths gathered beforehand (Widths): the
    same text as print_columns gives for all the rows at once, holding one chunk at a time."""
    with no_collector():
        out, shown, widths = _table_head(title, cols, natural)
        last = len(shown) - 1
        # Each cell comes with what follows it, the gap or the line end: a chunk's text is then
        # one join of its cells, half the pieces of cells and gaps apart.
        ends = [GAP] * last + ["\n"]
        looks: list[_Looks | None] = [
            _Looks(cols[i], w, k == last and not cols[i].right, ends[k]) for k, (i, w) in enumerate(zip(shown, widths))
        ]
        n = 0
        for columns in chunks:
            rows, padded = len(columns[0]), []
            for k, (i, w) in enumerate(zip(shown, widths)):
                column, kept = columns[i], looks[k]
                if kept is not None and n == 0 and len(set(column)) > _FEW:
                    kept = looks[k] = None
                if kept is not None:
                    padded.append(list(map(kept.__getitem__, column)))
                    if len(kept) > 8 * _FEW:
                        looks[k] = None
                else:
                    unpadded = k == last and not cols[i].right
                    padded.append(_padded(cols[i], column, w, natural[i], unpadded, ends[k]))
            tail = looks[last]
            if tail is not None and all(len(t) > 1 and not t[-2].isspace() for t in tail.values()):
                # No line ends in a space (nothing to strip): the chunk's lines are joined in
                # one go, not a row at a time.
                line = [""] * (rows * len(shown))
                for k, cells_k in enumerate(padded):
                    line[k :: len(shown)] = cells_k
                out.write("".join(line))
            else:
                out.write("\n".join(map(str.rstrip, map("".join, zip(*padded)))) + "\n")
            n += rows
        return n


def _padded(c: Col, column: Sequence[str], w: int, natural: int, unpadded: bool, end: str) -> list[str]:
    """A column of many distinct values (a chunk's), padded to `w` cells, or cut, each cell
    followed by `end`."""
    if not c.labels and w >= natural:  # nothing to cut
        if unpadded:
            return list(map(add, column, repeat(end)))
        # Left-aligned and followed by spaces: the spaces are more padding, added by ljust.
        more = not c.right and not end.strip(" ")
        width = w + len(end) if more else w
        joined = "".join(column)
        if joined.isascii():  # len is the width
            fill = repeat(width)
        elif _even(column, joined):
            fill = map(sub, repeat(width), _wide_chars(column))
        else:
            fill = None
        if fill is not None:
            just = map(str.rjust if c.right else str.ljust, column, fill)
            return list(just if more else map(add, just, repeat(end)))
    looks = _Looks(c, w, unpadded, end)
    return list(map(looks.__getitem__, column))


def _table_head(title: str | None, cols: Sequence[Col], natural: list[int]) -> tuple[TextIO, list[int], list[int]]:
    """Write the title, the column heads and the rule for columns of these natural widths, fitted
    to the terminal; returns the stream, the columns shown and their widths."""
    width = terminal_width()
    out = sys.stdout
    if title:
        out.write(title + "\n")
    shown, widths = (list(range(len(cols))), natural) if width is None else fit(cols, natural, width)
    last = len(shown) - 1
    # A shared column cut narrower than its title cuts the title too, so the columns stay aligned.
    head = [
        pad(clip(cols[i].title, w), w, cols[i].right) if k < last else cols[i].title
        for k, (i, w) in enumerate(zip(shown, widths))
    ]
    out.write(GAP.join(head).rstrip() + "\n")
    out.write(GAP.join((rule_char() if width is not None else "-") * w for w in widths) + "\n")
    return out, shown, widths


def _shown(values: set[str], labels: Mapping[str, str] | None) -> dict[str, str]:
    """Each distinct value -> the text shown for it."""
    return {v: labels.get(v, v) for v in values} if labels else dict(zip(values, values))


def _print_columns(title: str | None, cols: Sequence[Col], columns: Sequence[Sequence[str]]) -> int:
    # A column of ASCII text without labels is measured by len and padded by str.ljust;
    # any other maps each distinct value to what is shown.
    plain = [not c.labels and "".join(col).isascii() for c, col in zip(cols, columns)]
    texts = [None if p else _shown(set(col), c.labels) for c, col, p in zip(cols, columns, plain)]
    natural = [
        max(cells(c.title), max(map(len, col), default=0) if t is None else max(map(cells, t.values()), default=0))
        for c, col, t in zip(cols, columns, texts)
    ]
    out, shown, widths = _table_head(title, cols, natural)
    last = len(shown) - 1
    padded = []
    for k, (i, w) in enumerate(zip(shown, widths)):
        right, column, unpadded = cols[i].right, columns[i], k == last and not cols[i].right
        if plain[i] and w >= natural[i]:
            padded.append(column if unpadded else list(map(str.rjust if right else str.ljust, column, repeat(w))))
            continue
        looks = {}
        for v, t in (texts[i] or _shown(set(column), None)).items():
            t = clip(t, w)
            looks[v] = t if unpadded else " " * (w - cells(t)) + t if right else t + " " * (w - cells(t))
        padded.append(list(map(looks.__getitem__, column)))
    lines = map(str.rstrip, map(GAP.join, zip(*padded)))
    while chunk := list(islice(lines, 4096)):
        out.write("\n".join(chunk) + "\n")
    return len(columns[0]) if columns else 0
