"""Streaming Excel export of the ledger: a 汇总 sheet, then one sheet per category.

Written with openpyxl's write-only mode so that a 100k-row ledger stays within a few tens of MiB.
Every category sheet streams to its own temporary file while rows arrive in any order; only the
first `_SAMPLE` rows of a sheet are held back, to fit the column widths (write-only mode drops
widths and panes set after the first append). The 汇总 sheet is created first, so it is first in
the workbook, and filled at the end when the counts are known.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from collections.abc import Callable, Iterable
from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter

from lcqy.rules.constants import CATEGORIES
from lcqy.xlsx.styles import (
    DATE_FORMAT,
    ESTIMATED_DATE_FORMAT,
    HEADER_FILL_COLOR,
    LATE_FILL_COLOR,
    RISKY_FIRST,
    add_styles,
    make_cell,
    print_setup,
    text_width,
)
from lcqy.xlsx.summary import summary_states, write_summary

# The styles and the 汇总 sheet live in their own modules; this module stays the one entry point.
__all__ = [
    "COLUMNS",
    "CONTACT_COLUMNS",
    "DATE_FORMAT",
    "ESTIMATED_DATE_FORMAT",
    "HEADER_FILL_COLOR",
    "LATE_FILL_COLOR",
    "SUMMARY_SHEET",
    "columns",
    "summary_states",
    "text_width",
    "write_ledger",
]

# (row-contract key, header, maximum width). Widths are fitted to the data up to this cap.
# Caps keep the columns printable on landscape A4 (fitted to the page width); long text wraps.
COLUMNS: list[tuple[str, str, int]] = [
    ("reg_no", "登记编号", 28),  # 临翔服企办收（2026）第102号 must show whole
    ("reported_on", "反映时间", 11),
    ("enterprise", "企业名称", 18),
    ("channel", "反映形式", 10),
    ("problem", "主要困难和问题", 30),
    ("request", "希望协调解决的具体事项", 24),
    ("dispatch_no", "交办/转报编号", 28),
    ("lead_dept", "牵头部门", 14),
    ("assist_depts", "配合部门", 16),
    ("due_date", "办结时限", 15),
    ("result", "办理结果", 6),
    ("replied_on", "答复时间", 11),
    ("satisfaction", "满意度", 10),
    ("state", "状态", 11),
    ("days_late", "超期工作日", 6),
    ("urge_count", "催办次数", 6),
    # Beyond the seed's ledger: what the dispatch limit (受理时间, a 重大 case's 3 days), the forms
    # (交办日期, 签批领导), 咨询 forwarding, 第十八条 supervision and a merged duplicate need to
    # survive a round trip through Excel.
    ("accepted_on", "受理时间", 11),
    ("dispatched_on", "交办日期", 11),
    ("approver", "签批领导", 8),
    ("supervision", "督办", 8),
    ("nature", "问题性质", 8),
    ("merged_into", "并入", 14),
    ("remarks", "备注", 16),
]
CONTACT_COLUMNS: list[tuple[str, str, int]] = [
    ("address", "详细地址", 20),
    ("contact", "联系人", 8),
    ("contact_title", "职务", 10),
    ("phone", "联系电话", 13),
    ("email", "电子邮箱", 20),
    ("accepted_by", "受理人员", 10),
]

SUMMARY_SHEET = "汇总"

_DATE_KEYS = frozenset({"reported_on", "due_date", "replied_on", "accepted_on", "dispatched_on"})
_INT_KEYS = frozenset({"days_late", "urge_count"})
# Long free text: wrapped when wider than the column.
_WRAP_KEYS = frozenset({"enterprise", "problem", "request", "lead_dept", "assist_depts", "remarks", "address"})
_SAMPLE = 200
# Row height per wrapped line, in points: an 11 pt line in 宋体 needs about 14, in the CJK fonts
# LibreOffice falls back to about 16; LibreOffice does not recompute heights of imported rows,
# so tall rows are written explicitly.
_LINE_PT = 16.0
_MAX_LINES = 20
# Column width units lost to cell padding when text wraps.
_PAD = 3
_PROGRESS_EVERY = 1000

_TEXT, _DATE, _INT, _LIST, _WRAP = range(5)


def columns(with_contacts: bool = False) -> list[tuple[str, str, int]]:
    """The sheet columns of a category sheet, in order."""
    return COLUMNS + CONTACT_COLUMNS if with_contacts else list(COLUMNS)


def _kind(key: str) -> int:
    if key in _DATE_KEYS:
        return _DATE
    if key in _INT_KEYS:
        return _INT
    if key == "assist_depts":
        return _LIST
    if key in _WRAP_KEYS:
        return _WRAP
    return _TEXT


def _fast_rows(ws) -> None:
    """Replace the sheet's value-to-cell step (openpyxl 3.1 internals, hence the pin): openpyxl
    first assigns every appended item as a plain value and only takes it as a Cell when that
    raises, an exception and a repr per styled cell. Rows are written as soon as they are
    appended, so one cell object serves every plain value."""
    plain = WriteOnlyCell(ws)

    def values_to_row(values, row_idx):
        nonlocal plain
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if type(value) is Cell:
                cell = value
            else:
                cell = plain
                cell.value = value
            cell.column = col_idx
            cell.row = row_idx
            yield cell
            if cell is plain and cell.has_style:
                plain = WriteOnlyCell(ws)

    ws._values_to_row = values_to_row


class _CategorySheet:
    """One category sheet: holds back the first rows to fit widths, then streams."""

    def __init__(self, wb: Workbook, title: str, spec: list[tuple[str, str, int]], styles: dict):
        self.ws = wb.create_sheet(title)
        self.st = styles
        self.spec = spec
        self.kinds = [_kind(k) for k, _, _ in spec]
        self.buffer: list[dict] | None = []
        self.pool: dict[tuple[int, str], Cell] = {}  # one styled cell per column and style, reused
        self.n = 0
        self.widths: list[int] = []
        ws = self.ws
        _fast_rows(ws)
        # Must precede the first append in write-only mode (see module docstring).
        ws.sheet_properties.pageSetUpPr.fitToPage = True

    def add(self, row: dict) -> None:
        if self.buffer is not None:
            self.buffer.append(row)
            if len(self.buffer) >= _SAMPLE:
                self._start()
            return
        self._append(row)

    def _start(self) -> None:
        rows, self.buffer = self.buffer or [], None
        ws = self.ws
        self.widths = []
        for i, (key, header, cap) in enumerate(self.spec):
            kind = self.kinds[i]
            if kind == _DATE:
                width = cap
            else:
                # The header wraps onto two lines if need be; the data decides the rest.
                width = max(6, min(cap, -(-text_width(header) // 2) + 3))
                for row in rows:
                    value = row.get(key)
                    if value is None or value == "":
                        continue
                    if kind == _LIST:
                        value = "、".join(value)
                    width = max(width, text_width(str(value)) + 2)
                width = min(width, cap)
            self.widths.append(width)
            ws.column_dimensions[get_column_letter(i + 1)].width = width
        ws.freeze_panes = "A2"
        head_lines = max(-(-text_width(h) // (w - _PAD)) for (_, h, _), w in zip(self.spec, self.widths, strict=True))
        ws.row_dimensions[1].height = max(2, head_lines) * _LINE_PT
        ws.append([make_cell(ws, header, self.st["台帐表头"]) for _, header, _ in self.spec])
        for row in rows:
            self._append(row)

    def _append(self, row: dict) -> None:
        ws = self.ws
        styled = self._styled
        late = (row.get("days_late") or 0) > 0
        out: list = []
        lines = 1
        for i, ((key, _, _), kind, width) in enumerate(zip(self.spec, self.kinds, self.widths, strict=True)):
            value = row.get(key)
            if kind == _DATE:
                if isinstance(value, _dt.datetime):
                    value = value.date()
                if key == "due_date" and value is not None and row.get("due_estimated"):
                    out.append(styled(i, "台帐超期预估" if late else "台帐预估", value))
                elif late:
                    out.append(styled(i, "台帐超期日期", value))
                elif value is not None:
                    # Costs about what openpyxl's own date format on a plain value would.
                    out.append(styled(i, "台帐日期", value))
                else:
                    out.append(None)
                continue
            if kind == _INT:
                value = value or None  # 0 reads better as blank
            elif kind == _LIST:
                value = "、".join(value) if value else None
            elif value == "":
                value = None
            if isinstance(value, str):
                long = False
                if kind == _WRAP or kind == _LIST:
                    used = text_width(value)
                    if used > width - _PAD:
                        long = True
                        lines = max(lines, -(-used // (width - _PAD)))
                if late:
                    out.append(styled(i, "台帐超期换行" if long else "台帐超期", value))
                elif long:
                    out.append(styled(i, "台帐换行", value))
                elif value[0] in RISKY_FIRST:
                    out.append(make_cell(ws, value))
                else:
                    out.append(value)
            elif late:
                out.append(styled(i, "台帐超期", value))
            else:
                out.append(value)
        self.n += 1
        if lines > 1:
            # Set just before this row is written, dropped after: no per-row objects kept.
            dims = ws.row_dimensions
            dims[self.n + 1].height = min(lines, _MAX_LINES) * _LINE_PT
            ws.append(out)
            del dims[self.n + 1]
        else:
            ws.append(out)

    def _styled(self, i: int, name: str, value) -> Cell:
        cell = self.pool.get((i, name))
        if cell is None:
            cell = self.pool[(i, name)] = WriteOnlyCell(self.ws)
            cell._style = copy(self.st[name])
        cell.value = value
        if isinstance(value, str) and value and value[0] in RISKY_FIRST:
            cell.data_type = "s"
        return cell

    def finish(self) -> None:
        if self.buffer is not None:
            self._start()
        ws = self.ws
        last = get_column_letter(len(self.spec))
        ws.auto_filter.ref = f"A1:{last}{self.n + 1}"
        ws.print_title_rows = "1:1"
        print_setup(ws)


def write_ledger(
    path: str | os.PathLike,
    rows: Iterable[dict],
    *,
    office_name: str,
    title_note: str = "",
    with_contacts: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Write the ledger workbook to `path` and return {"rows": n, "late": k}.

    `rows` follow the row contract (see `COLUMNS`, `CONTACT_COLUMNS`, plus `category`,
    `due_estimated`, `days_late`). `progress(n)` is called with the running count every 1000
    rows and once more with the total at the end. The file is written to a temporary name in the
    same directory and renamed, so a failed export leaves no half-written workbook behind.
    Raises ValueError for a row whose category is not one of CATEGORIES.
    """
    path = Path(path)
    wb = Workbook(write_only=True)
    summary = wb.create_sheet(SUMMARY_SHEET)
    styles = add_styles(wb, summary)
    spec = columns(with_contacts)
    sheets = {cat: _CategorySheet(wb, cat, spec, styles) for cat in CATEGORIES}

    by_state: dict[str, dict[str, int]] = {cat: {} for cat in CATEGORIES}
    late_by_cat = dict.fromkeys(CATEGORIES, 0)
    result_by_cat = {cat: {"A": 0, "B": 0, "C": 0} for cat in CATEGORIES}
    n = 0
    for row in rows:
        cat = row.get("category")
        sheet = sheets.get(cat)
        if sheet is None:
            raise ValueError(f"{row.get('reg_no', '')}: 问题类别“{cat}”不在十类之中")
        sheet.add(row)
        counts = by_state[cat]
        state = row.get("state") or ""
        counts[state] = counts.get(state, 0) + 1
        if (row.get("days_late") or 0) > 0:
            late_by_cat[cat] += 1
        result = row.get("result")
        if result in ("A", "B", "C"):
            result_by_cat[cat][result] += 1
        n += 1
        if progress is not None and n % _PROGRESS_EVERY == 0:
            progress(n)
    for sheet in sheets.values():
        sheet.finish()
    write_summary(summary, styles, office_name, title_note, by_state, late_by_cat, result_by_cat)
    if progress is not None and n % _PROGRESS_EVERY:
        progress(n)

    fd, tmp = tempfile.mkstemp(suffix=".xlsx", prefix=".lcqy-", dir=path.parent or ".")
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return {"rows": n, "late": sum(late_by_cat.values())}
