"""Long lists (list, overdue) printed in O(rows): plain aligned columns, wide-character aware.

On a terminal the columns fit its width: the free-text columns share what the others leave and
are cut with …, and when even that is too narrow the least useful columns are left out first.
To a pipe or a file every cell is written whole, aligned with spaces, one case a line, so that
grep, sort and cut work on it. JSON goes out as a streamed array, one record a line.
"""

from __future__ import annotations

import gc
import shutil
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice, repeat


class _CharCells(dict):
    """Terminal cells of each character met, looked up at C speed (str -> map -> sum): East
    Asian wide and full-width characters take two."""

    def __missing__(self, ch: str) -> int:
        got = self[ch] = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        return got


_char_cells = _CharCells()
_widths: dict[str, int] = {}
GAP = "  "


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


def _sizes(values: set[str]) -> dict[str, int] | None:
    """Each distinct value's cells, or None when every value is ASCII (cells = len)."""
    if "".join(values).isascii():
        return None
    return {v: cells(v) for v in values}


def print_table(title: str | None, cols: Sequence[Col], rows: Iterable[Sequence[str]]) -> int:
    """Print the rows under their headers; returns how many were printed. A row may carry
    more values than there are columns: the extra ones are not shown.

    Built column by column, and each distinct cell measured and padded once (a column of
    25,000 cells holds a few hundred dates, departments and categories): the per-cell work is
    done by C loops (zip, map, join), so 25,000 rows cost a few hundredths of a second."""
    with no_collector():
        return _print_table(title, cols, rows)


def _print_table(title: str | None, cols: Sequence[Col], rows: Iterable[Sequence[str]]) -> int:
    body = rows if isinstance(rows, list) else list(rows)
    columns = list(zip(*body))[: len(cols)] if body else [()] * len(cols)
    distinct = [set(col) for col in columns]
    sizes = [_sizes(d) for d in distinct]
    natural = [
        max(cells(c.title), max(map(len, d), default=0) if s is None else max(s.values(), default=0))
        for c, d, s in zip(cols, distinct, sizes)
    ]
    width = terminal_width()
    out = sys.stdout
    if title:
        out.write(title + "\n")
    shown, widths = (list(range(len(cols))), natural) if width is None else fit(cols, natural, width)
    last = len(shown) - 1
    padded = []
    for k, (i, w) in enumerate(zip(shown, widths)):
        right, column = cols[i].right, columns[i]
        if k == last and not right:
            padded.append(column if w >= natural[i] else [clip(v, w) for v in column])
        elif sizes[i] is None and w >= natural[i]:  # ASCII, whole: str.ljust counts right
            padded.append(list(map(str.rjust if right else str.ljust, column, repeat(w))))
        else:
            looks = {}
            for v in distinct[i]:
                t = clip(v, w) if w < natural[i] else v
                space = " " * (w - cells(t))
                looks[v] = space + t if right else t + space
            padded.append(list(map(looks.__getitem__, column)))
    head = [
        pad(cols[i].title, w, cols[i].right) if k < last else cols[i].title
        for k, (i, w) in enumerate(zip(shown, widths))
    ]
    out.write(GAP.join(head).rstrip() + "\n")
    out.write(GAP.join(("─" if width is not None else "-") * w for w in widths) + "\n")
    lines = map(str.rstrip, map(GAP.join, zip(*padded)))
    while chunk := list(islice(lines, 4096)):
        out.write("\n".join(chunk) + "\n")
    return len(body)


def print_json_texts(texts: Iterable[str]) -> int:
    """A JSON array of records already in JSON, written as they come, one a line: constant
    memory at any size."""
    out = sys.stdout
    texts = iter(texts)
    n = 0
    out.write("[")
    with no_collector():
        while chunk := list(islice(texts, 4096)):
            out.write(("\n" if n == 0 else ",\n") + ",\n".join(chunk))
            n += len(chunk)
    out.write("\n]\n" if n else "]\n")
    return n


def say_plain(text: str) -> None:
    """A line of text, unwrapped (callers keep it within 80 cells)."""
    sys.stdout.write(text + "\n")
