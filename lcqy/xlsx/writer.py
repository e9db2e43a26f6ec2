"""Streaming Excel export of the ledger: a 汇总 sheet, then one sheet per category.

openpyxl's write-only workbook holds the parts that are not rows: styles, the 汇总 sheet and, on
each category sheet, widths, panes, the title, 制表 and header rows, filter and print setup. The
data rows, in any order of categories, are formatted by `sheet_data` into a temporary file per
sheet and spliced into the saved package, so memory stays flat whatever the ledger's size. Only
the first `_SAMPLE` rows of a sheet are held back, to fit the column widths (write-only mode drops
widths and panes set after the first append). The 汇总 sheet is created first, so it is first in
the workbook, and filled at the end when the counts are known.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
from collections.abc import Callable, Iterable
from copy import copy
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from lcqy.rules.constants import CATEGORIES
from lcqy.xlsx.sheet_data import (
    MARCH_1900,
    SERIAL_ZERO,
    RowFile,
    date_serial,
    inline_text,
    number,
    splice,
)
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

# (row-contract key, header, maximum width). Widths are fitted to the data up to this cap;
# long text wraps. The caps keep all columns on landscape A3 at 70 % or more.
COLUMNS: list[tuple[str, str, int]] = [
    ("reg_no", "登记编号", 17),  # 临翔服企办收（2026）/第102号 on two lines
    ("reported_on", "反映时间", 11),
    ("enterprise", "企业名称", 15),
    ("channel", "反映形式", 9),
    ("problem", "主要困难和问题", 28),
    ("request", "希望协调解决的具体事项", 20),
    ("dispatch_no", "交办/转报编号", 17),
    ("lead_dept", "牵头部门", 12),
    ("assist_depts", "配合部门", 12),
    ("due_date", "办结时限", 15),
    ("result", "办理结果", 6),
    ("replied_on", "答复时间", 11),
    ("satisfaction", "满意度", 8),
    ("state", "状态", 9),
    ("days_late", "超期工作日", 6),
    ("urge_count", "催办次数", 6),
    # Beyond the seed's ledger: what the dispatch limit (受理时间, a 重大 case's 3 days), the forms
    # (交办日期, 签批领导), 咨询 forwarding, 第十八条 supervision and a merged duplicate need to
    # survive a round trip through Excel. Folded away (a column group, hidden): on screen a click
    # shows them, on paper they leave the room to the seed's columns.
    ("accepted_on", "受理时间", 11),
    ("dispatched_on", "交办日期", 11),
    ("approver", "签批领导", 8),
    ("supervision", "督办", 8),
    ("nature", "问题性质", 8),
    ("merged_into", "并入", 12),
    ("remarks", "备注", 12),
]
CONTACT_COLUMNS: list[tuple[str, str, int]] = [
    ("address", "详细地址", 20),
    ("contact", "联系人", 8),
    ("contact_title", "职务", 10),
    ("phone", "联系电话", 13),
    ("email", "电子邮箱", 20),
    ("accepted_by", "受理人员", 10),
]
# `--paper A4`: the seed's ledger columns that a clerk reads on paper, so A4 still prints at
# 70 % or more. (Import the A3 export: this one leaves columns out.)
A4_KEYS = (
    "reg_no",
    "enterprise",
    "problem",
    "request",
    "lead_dept",
    "due_date",
    "result",
    "replied_on",
    "satisfaction",
    "state",
    "days_late",
)
SEQ = ("seq", "序号", 5)  # numbers the rows of a sheet; not data (the import ignores it)
PAPERS = ("A3", "A4")

SUMMARY_SHEET = "汇总"

_DATE_KEYS = frozenset({"reported_on", "due_date", "replied_on", "accepted_on", "dispatched_on"})
_INT_KEYS = frozenset({"days_late", "urge_count", "seq"})
# Long free text: wrapped when wider than the column.
_WRAP_KEYS = frozenset(
    {"reg_no", "dispatch_no", "merged_into", "enterprise", "problem", "request", "lead_dept", "assist_depts",
     "remarks", "address", "email", "state"}
)  # fmt: skip
# Texts a column widens for (up to _WIDE) when its cap would need a row taller than Excel allows.
_GROW_KEYS = frozenset({"problem", "request", "remarks"})
_FOLDED_KEYS = frozenset({"accepted_on", "dispatched_on", "approver", "supervision", "nature", "merged_into"})
_WIDE = 60
_SAMPLE = 200
# Row height per wrapped line, in points: an 11 pt line in 宋体 needs about 14, in the CJK fonts
# LibreOffice falls back to about 16; LibreOffice does not recompute heights of imported rows,
# so tall rows are written explicitly, up to Excel's limit of 409 points.
_LINE_PT = 16.0
_MAX_HEIGHT = 409.0
# Column width units lost to cell padding when text wraps.
_PAD = 3
_PROGRESS_EVERY = 1000
_COMPRESSION = 6  # zlib level of the package's parts (openpyxl's)
# Rows above the data: title, 制表单位/制表日期, header.
_TOP = 3

_TEXT, _DATE, _INT, _LIST, _WRAP = range(5)


def columns(with_contacts: bool = False, paper: str = "A3") -> list[tuple[str, str, int]]:
    """The data columns of a category sheet, in order (after 序号)."""
    spec = COLUMNS + CONTACT_COLUMNS if with_contacts else list(COLUMNS)
    if paper == "A4":
        keep = set(A4_KEYS) | ({k for k, _, _ in CONTACT_COLUMNS} if with_contacts else set())
        spec = [c for c in spec if c[0] in keep]
    return spec


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


class _CategorySheet:
    """One category sheet: holds back the first rows to fit widths, then streams."""

    def __init__(self, wb: Workbook, title: str, spec: list[tuple[str, str, int]], styles: dict, head: tuple):
        self.ws = wb.create_sheet(title)
        self.st = styles
        self.spec = [SEQ, *spec]
        self.head = head  # (title, 制表 line)
        self.kinds = [_kind(k) for k, _, _ in self.spec]
        self.buffer: list[dict] | None = []
        self.sid_plain = _StyleIds(self.ws, styles, "台帐")
        self.sid_late = _StyleIds(self.ws, styles, "台帐超期")
        self.data = RowFile()
        self.n = 0
        self.widths: list[int] = []
        # After 序号: key, kind, the cell's opening up to its row number, and for a wrapped
        # column the width its text has (0 for the others).
        self.cols: list[tuple[str, int, str, int]] = []
        self.seq_ref = '<c r="A'
        ws = self.ws
        # Must precede the first append in write-only mode (see module docstring).
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.sheet_format.defaultRowHeight, ws.sheet_format.customHeight = _LINE_PT + 2, True

    def add(self, row: dict) -> None:
        if self.buffer is not None:
            self.buffer.append(row)
            if len(self.buffer) >= _SAMPLE:
                self._start()
            return
        self._append(row)

    def _width(self, i: int, rows: list[dict]) -> int:
        key, header, cap = self.spec[i]
        kind = self.kinds[i]
        if kind == _DATE:
            return cap
        if key == "seq":
            return max(cap, len(str(len(rows))) + 3)
        # The header wraps onto two lines if need be; the data decides the rest.
        width = max(6, min(cap, -(-text_width(header) // 2) + 3))
        longest = 0
        for row in rows:
            value = row.get(key)
            if value is None or value == "":
                continue
            if kind == _LIST:
                value = "、".join(value)
            longest = max(longest, text_width(str(value)))
        width = min(max(width, longest + 2), cap)
        if key in _GROW_KEYS:
            # Widen rather than let the row cap cut the text.
            while width < _WIDE and -(-longest // (width - _PAD)) * _LINE_PT > _MAX_HEIGHT:
                width += 2
        return width

    def _start(self) -> None:
        rows, self.buffer = self.buffer or [], None
        ws = self.ws
        self.widths = [self._width(i, rows) for i in range(len(self.spec))]
        self.cols = [
            (key, kind, f'<c r="{get_column_letter(i + 1)}', width - _PAD if kind in (_WRAP, _LIST) else 0)
            for i, ((key, _, _), kind, width) in enumerate(zip(self.spec, self.kinds, self.widths))
        ][1:]
        for i, width in enumerate(self.widths):
            dim = ws.column_dimensions[get_column_letter(i + 1)]
            dim.width = width
            if self.spec[i][0] in _FOLDED_KEYS:
                dim.outlineLevel, dim.hidden = 1, True
        ws.freeze_panes = f"C{_TOP + 1}"  # 序号 and 登记编号 stay in view with the header
        title, made = self.head
        dims = ws.row_dimensions
        dims[1].height = 30
        # Centred across the columns (centerContinuous): write-only sheets cannot merge.
        ws.append(
            [make_cell(ws, title, self.st["台帐标题"])]
            + [make_cell(ws, None, self.st["台帐标题"]) for _ in self.spec[1:]]
        )
        ws.append([make_cell(ws, made, self.st["台帐制表"])])
        head_lines = max(-(-text_width(h) // max(1, w - _PAD)) for (_, h, _), w in zip(self.spec, self.widths))
        dims[_TOP].height = max(2, head_lines) * _LINE_PT + 4
        ws.append([make_cell(ws, header, self.st["台帐表头"]) for _, header, _ in self.spec])
        for row in rows:
            self._append(row)

    def _append(self, row: dict) -> None:
        """One data row as XML: every cell styled (borders, the late fill), empty ones too.

        Text, nothing, a date and a whole number are formatted here, the export's hot loop;
        any other value goes through `_cell`."""
        self.n += 1
        r = self.n + _TOP
        sid = self.sid_late if (row.get("days_late") or 0) > 0 else self.sid_plain
        out = [f'{self.seq_ref}{r}" s="{sid["数字"]}" t="n"><v>{self.n}</v></c>']
        lines = 1
        get = row.get
        for key, kind, ref, room in self.cols:
            value = get(key)
            if kind == _LIST:
                value = "、".join(value) if value else None
            if value is None or (kind == _INT and not value) or (value == "" and kind != _DATE):
                name = "日期" if kind == _DATE else "数字" if kind == _INT else "文本"
                out.append(f'{ref}{r}" s="{sid[name]}" t="n"/>')
            elif type(value) is str and kind != _DATE and value:
                if room:  # a wrapped column: the lines this text needs (text_width, inline)
                    used = len(value) + (len(value.encode()) - len(value)) // 2
                    if used > room:
                        lines = max(lines, -(-used // room), value.count("\n") + 1)
                # Text a spreadsheet could take for a formula: the quote-prefix variant, so that
                # editing the cell keeps it text.
                name = ("数字" if kind == _INT else "文本") + ("'" if value[0] in RISKY_FIRST else "")
                out.append(f'{ref}{r}" s="{sid[name]}" t="inlineStr">{inline_text(value)}</c>')
            elif kind == _DATE and type(value) is _dt.date and value.toordinal() >= MARCH_1900:
                name = "预估" if key == "due_date" and get("due_estimated") else "日期"
                out.append(f'{ref}{r}" s="{sid[name]}" t="n"><v>{value.toordinal() - SERIAL_ZERO}</v></c>')
            elif kind == _INT and type(value) is int:
                out.append(f'{ref}{r}" s="{sid["数字"]}" t="n"><v>{value}</v></c>')
            else:
                more, cell = _cell(key, kind, room, value, get("due_estimated"), sid)
                lines = max(lines, more)
                out.append(f"{ref}{r}{cell}")
        if lines > 1:
            height = number(min(lines * _LINE_PT, _MAX_HEIGHT))
            self.data.add(f'<row r="{r}" ht="{height}" customHeight="1">{"".join(out)}</row>')
        else:
            self.data.add(f'<row r="{r}">{"".join(out)}</row>')

    def abandon(self) -> None:
        """End openpyxl's stream of a sheet whose workbook will not be saved (an error), so that
        nothing is left half-written to be finished by the garbage collector."""
        if self.ws._rows is not None and not self.ws.closed:
            try:
                self.ws.close()
            except Exception:  # already failing: the first error is the one to report
                pass

    def finish(self) -> None:
        if self.buffer is not None:
            self._start()
        ws = self.ws
        last = get_column_letter(len(self.spec))
        ws.auto_filter.ref = f"A{_TOP}:{last}{self.n + _TOP}"
        ws.print_title_rows = f"{_TOP}:{_TOP}"
        self.data.flush()


def _cell(key: str, kind: int, room: int, value, estimated, sid: dict) -> tuple[int, str]:
    """(lines, the cell's XML after its row number) for a value `_append` leaves: a datetime,
    a date before March 1900, a number in a text column, text in a date column."""
    if kind == _DATE:
        if isinstance(value, _dt.datetime):
            value = value.date()
        name = "预估" if key == "due_date" and estimated else "日期"
        if isinstance(value, _dt.date):
            return 1, f'" s="{sid[name]}" t="n"><v>{date_serial(value)}</v></c>'
    else:
        name = "数字" if kind == _INT else "文本"
    if value == "":  # openpyxl wrote an empty string as an empty text cell
        return 1, f'" s="{sid[name]}" t="inlineStr"/>'
    if isinstance(value, str):
        lines = 1
        used = text_width(value)
        if room and used > room:
            lines = max(-(-used // room), value.count("\n") + 1)
        quote = "'" if value[0] in RISKY_FIRST else ""
        return lines, f'" s="{sid[name + quote]}" t="inlineStr">{inline_text(value)}</c>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return 1, f'" s="{sid[name]}" t="n"><v>{number(value)}</v></c>'
    raise TypeError(f"{key}: {type(value).__name__} 值不能写入台帐")


class _StyleIds(dict):
    """Short style name (文本, 日期, 预估, 数字; a trailing ' for the quote-prefixed variant) ->
    the workbook's index of that ledger style, late or not, registered at first use so that
    the workbook holds the styles the rows use, in that order."""

    def __init__(self, ws, styles: dict, prefix: str):
        super().__init__()
        self.ws, self.styles, self.prefix = ws, styles, prefix

    def __missing__(self, name: str) -> str:
        cell = WriteOnlyCell(self.ws)
        cell._style = copy(self.styles[self.prefix + name.rstrip("'")])
        if name.endswith("'"):
            cell._style.quotePrefix = 1
        sid = self[name] = str(cell.style_id)
        return sid


def write_ledger(
    path: str | os.PathLike,
    rows: Iterable[dict],
    *,
    office_name: str,
    title_note: str = "",
    with_contacts: bool = False,
    progress: Callable[[int], None] | None = None,
    period: str = "",
    made_on: _dt.date | None = None,
    paper: str = "A3",
) -> dict:
    """Write the ledger workbook to `path` and return {"rows": n, "late": k}.

    `rows` follow the row contract (see `COLUMNS`, `CONTACT_COLUMNS`, plus `category`,
    `due_estimated`, `days_late`). Each category sheet opens with a title (the office, 问题台帐,
    `period`) and a 制表单位/制表日期 line (`made_on`, default today). `paper` is A3 (all
    columns) or A4 (the seed's columns). `progress(n)` is called with the running count every 1000
    rows and once more with the total at the end. The workbook is written straight to `path`:
    `export-ledger` gives the part file of lcqy.store.outputs, renamed over its place once whole.
    Raises ValueError for a row whose category is not one of CATEGORIES.
    """
    path = Path(path)
    wb = Workbook(write_only=True)
    summary = wb.create_sheet(SUMMARY_SHEET)
    styles = add_styles(wb, summary)
    if paper not in PAPERS:
        raise ValueError(f"纸张“{paper}”不对，可选：{'、'.join(PAPERS)}")
    spec = columns(with_contacts, paper)
    made_on = made_on or _dt.date.today()
    made = f"制表单位：{office_name}　　制表日期：{made_on.year}年{made_on.month}月{made_on.day}日"
    title = f"{office_name}问题台帐" + (f"（{period}）" if period else "")
    if title_note and "".join(title_note.split()) not in title:  # the filters, unless the title says it
        made += f"　　（{title_note}）"
    sheets = {cat: _CategorySheet(wb, cat, spec, styles, (f"{title}·{cat}", made)) for cat in CATEGORIES}
    try:
        n, late = _rows(sheets, summary, rows, styles, office_name, title_note, made, paper, progress)
        # openpyxl saves the workbook without the data rows (a few tens of KB), then the rows join it.
        package = io.BytesIO()
        wb.save(package)
        parts = {sheet.ws.path.lstrip("/"): sheet.data for sheet in sheets.values()}
        try:
            splice(package, path, parts, _COMPRESSION)
        except BaseException:
            path.unlink(missing_ok=True)  # never half a workbook
            raise
    except BaseException:
        for sheet in sheets.values():
            sheet.abandon()
        raise
    finally:
        for sheet in sheets.values():
            sheet.data.close()
    return {"rows": n, "late": late}


def _rows(sheets, summary, rows, styles, office_name, title_note, made, paper, progress) -> tuple[int, int]:
    """Stream the rows into their sheets and fill 汇总; (cases, late cases)."""
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
        print_setup(sheet.ws, paper)
    write_summary(summary, styles, office_name, title_note, by_state, late_by_cat, result_by_cat, made)
    if progress is not None and n % _PROGRESS_EVERY:
        progress(n)

    return n, sum(late_by_cat.values())
