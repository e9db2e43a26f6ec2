"""Read a ledger workbook: our own export, or an office's own sheet with the 登记表 headers.

`read_ledger(path)` returns the data rows; `unknown_headers(path)` lists header cells that were not
recognised, per sheet; `read_workbook(path)` returns both (and the sheets skipped) in one pass.
Values are normalised only where it is safe: dates to `datetime.date`, 配合部门 to a list, counts to
int, A/B/C results to the letter. Anything else stays as found (text dates that do not parse stay
`str`) so that the caller can refuse it with the sheet and row named.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.constants import CATEGORIES, RESULTS
from lcqy.xlsx.writer import COLUMNS, CONTACT_COLUMNS, ESTIMATED_DATE_FORMAT, SUMMARY_SHEET

_HEADER_SCAN_ROWS = 5
_IGNORED = frozenset({"序号"})  # our export numbers its rows; not data

# Files from outside are bounded before they are parsed: a 1 MB xlsx can expand to gigabytes of
# shared strings, and a million rows take a quarter of an hour. Shared strings are held in memory
# whole (200 MB of them take ~0.5 GB); sheets are streamed, so their bound is time: 500,000 rows,
# about 1.1 GB of sheet XML as export-ledger writes it (a 100,000-case export unpacks to 230 MB).
MAX_SHARED_BYTES = 200 * 2**20
MAX_UNPACKED_BYTES = 1536 * 2**20
MAX_MEMBERS = 10_000
MAX_ROWS = 500_000

# Header text (whitespace removed, full-width brackets/slashes folded) -> row-contract key.
_ALIASES: dict[str, str] = {header: key for key, header, _ in COLUMNS + CONTACT_COLUMNS}
_ALIASES.update(
    {
        "问题类别": "category",
        "类别": "category",
        "编号": "reg_no",
        "地址": "address",
        "企业地址": "address",
        "受理人": "accepted_by",
        "电话": "phone",
        "邮箱": "email",
        "交办编号": "dispatch_no",
        "转报日期": "dispatched_on",
        "签批": "approver",
        "转报编号": "dispatch_no",
        "交办/转报编号": "dispatch_no",
        "交办转报编号": "dispatch_no",
        "牵头办理部门": "lead_dept",
        "牵头单位": "lead_dept",
        "配合办理部门": "assist_depts",
        "配合单位": "assist_depts",
        "办理状态": "state",
        "满意度评价": "satisfaction",
        "超期天数": "days_late",
    }
)

DATE_KEYS = frozenset({"reported_on", "due_date", "replied_on", "accepted_on", "dispatched_on"})
INT_KEYS = frozenset({"days_late", "urge_count"})

_SPLIT_RE = re.compile(r"[、,，;；]")
_RESULT_RE = re.compile(r"^([ABC])类?$")
_FOLD = str.maketrans({"（": "(", "）": ")", "／": "/", "\u3000": ""})


@dataclass
class SheetRow:
    """One data row: its sheet, Excel row number, and values keyed by the row contract."""

    sheet: str
    row: int
    values: dict[str, object]
    # keys whose cell is a formula the file keeps no computed value for
    formulas: list[str] = field(default_factory=list)


@dataclass
class LedgerRead:
    # sheet -> {row: keys whose cell is a formula the file keeps no computed value for}
    formulas: dict[str, dict[int, list[str]]] = field(default_factory=dict)
    rows: list[SheetRow] = field(default_factory=list)
    # sheet -> header texts that were not recognised (the columns are ignored).
    unknown_headers: dict[str, list[str]] = field(default_factory=dict)
    # Sheets read as neither summary nor ledger (no header row found in the first rows).
    skipped_sheets: list[str] = field(default_factory=list)


def normalise_header(text: object) -> str:
    return re.sub(r"\s+", "", str(text)).translate(_FOLD)


def header_key(text: object) -> str | None:
    """The row-contract key for a header cell, or None if it is not a known header."""
    if text is None:
        return None
    return _ALIASES.get(normalise_header(text))


def parse_date(value: object) -> object:
    """datetime/date -> date; a text date in any form the ledger accepts -> date; an Excel
    serial number typed into a General cell (46086) -> date; anything else unchanged, for
    the caller to refuse with its sheet and row."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date()
    if isinstance(value, str):
        try:
            return validate.parse_date("", value)
        except LcqyError:
            return value
    return value


def _text(value: object) -> object:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        # A phone number or serial number typed into a General cell.
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _date(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return parse_date(value)


def _count(value: object) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _list(value: object) -> list[str]:
    if value is None:
        return []
    return [p.strip() for p in _SPLIT_RE.split(str(_text(value))) if p.strip()]


def _plain(value: object) -> object:
    value = _text(value)
    return "" if value is None else value


def _result(value: object) -> object:
    value = _plain(value)
    if isinstance(value, str):
        m = _RESULT_RE.match(value.upper())
        if m:
            return m[1]
        for letter, label in RESULTS.items():
            if value == label:
                return letter
    return value


# key -> how its cell value is normalised (see the module docstring); text for any other key.
_CONVERTERS = {
    **dict.fromkeys(DATE_KEYS, _date),
    **dict.fromkeys(INT_KEYS, _count),
    "assist_depts": _list,
    "result": _result,
}


def _convert(key: str, value: object) -> object:
    return _CONVERTERS.get(key, _plain)(value)


def _find_header(rows: list[tuple]) -> tuple[int, list[str | None], list[str]] | None:
    """Among the first rows, the one with the most known headers (at least two)."""
    best = None
    for idx, cells in enumerate(rows):
        keys = [header_key(c) for c in cells]
        hits = sum(k is not None for k in keys)
        if hits >= 2 and (best is None or hits > best[0]):
            unknown = [
                str(c).strip()
                for c, k in zip(cells, keys, strict=True)
                if k is None and c is not None and str(c).strip() and normalise_header(c) not in _IGNORED
            ]
            best = (hits, idx, keys, unknown)
    if best is None:
        return None
    return best[1], best[2], best[3]


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_size(path: str | os.PathLike) -> None:
    """Refuse a workbook whose parts would unpack beyond the limits above (a zip bomb) before
    anything parses it. The sizes are those the
    archive declares; Python's zip reader never returns more than that for a part. Not a zip
    archive: left to the reader to refuse."""
    import zipfile

    name = os.path.basename(path)
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return
    with z:
        _check_parts(z, name)


def _check_parts(z, name: str) -> None:
    infos = z.infolist()
    if len(infos) > MAX_MEMBERS:
        raise LcqyError(f"{name} 内含 {len(infos)} 个部件，不像是 Excel 台帐，未导入（台帐未改动）。")
    total = sum(i.file_size for i in infos)
    shared = sum(i.file_size for i in infos if "sharedstrings" in i.filename.lower())
    for size, limit, what in ((shared, MAX_SHARED_BYTES, "其中共享文字部分"), (total, MAX_UNPACKED_BYTES, "")):
        if size > limit:
            raise LcqyError(
                f"{name} 解压后{what}有 {size / 2**20:,.0f} MB，超过导入上限 {limit // 2**20:,} MB；"
                "请按年度或类别拆成几个文件分批导入（台帐未改动）。"
            )
    # A sheet's <dimension> is only what the writing program claimed (some say XFD1048576 for five
    # rows): the rows are counted while they are read, and the count is what is refused.


def iter_workbook(path: str | os.PathLike, result: LedgerRead, *, headers_only: bool = False) -> Iterator[SheetRow]:
    """The data rows of every sheet except 汇总, one at a time, in sheet order then row order;
    `result` collects the unknown headers and skipped sheets as the sheets are reached. A column
    with an unknown header is ignored; when two columns map to the same key, the first one wins.
    Refuses (LcqyError) a file beyond the size limits before parsing it, and stops at MAX_ROWS
    data rows. The sheet XML is streamed (lcqy.xlsx.xml_rows): memory does not grow with rows."""
    check_size(path)
    pkg = open_package(path)
    count = [0]
    try:
        for title, member in ledger_sheets(pkg):
            yield from iter_sheet(pkg, title, member, result, count, headers_only=headers_only)
    finally:
        pkg.close()


def open_package(path: str | os.PathLike):
    """The workbook's parts that its values need (lcqy.xlsx.xml_rows.Package); check_size first."""
    from lcqy.xlsx.xml_rows import Package

    return Package(path, os.path.basename(path))


def ledger_sheets(pkg) -> list[tuple[str, str]]:
    """(title, member) of the sheets that may hold ledger rows: all but 汇总."""
    return [(title, member) for title, member in pkg.sheets if title != SUMMARY_SHEET]


def iter_sheet(
    pkg, title: str, member: str, result: LedgerRead, count: list[int], *, headers_only: bool = False
) -> Iterator[SheetRow]:
    """One sheet's data rows (see iter_workbook); count[0] counts the data rows read so far."""
    name, formats = pkg.name, pkg.formats
    rows = pkg.rows(member)
    # The header is looked for in the sheet's first rows, numbered as Excel numbers them.
    head: dict[int, tuple] = {}
    rest: list = []
    for item in rows:
        if item[0] > _HEADER_SCAN_ROWS:
            rest.append(item)
            break
        head[item[0]] = item
    top = [_cells(head[n][1]) if n in head else () for n in range(1, _HEADER_SCAN_ROWS + 1)]
    found = _find_header(top)
    if found is None:
        result.skipped_sheets.append(title)
        return
    header_idx, keys, unknown = found
    if unknown:
        result.unknown_headers[title] = unknown
    if headers_only:
        return
    columns: dict[int, str] = {}
    for i, key in enumerate(keys):
        if key is not None and key not in columns.values():
            columns[i] = key
    sheet_category = title if title in CATEGORIES else None
    after = [item for n, item in sorted(head.items()) if n > header_idx + 1]
    plan = [(i, key, _CONVERTERS.get(key, _plain)) for i, key in columns.items()]
    due_col = next((i for i, key in columns.items() if key == "due_date"), -1)
    for number, cells, styles, formulas in itertools.chain(after, rest, rows):
        width = max(cells) + 1
        values: dict[str, object] = {}
        said: list[str] = []
        blank = True
        for i, key, convert in plan:
            if i >= width:
                continue
            raw = cells.get(i)
            if raw is None:
                if i in formulas:
                    said.append(key)
                    blank = False
            elif blank and not _empty(raw):
                blank = False
            values[key] = convert(raw)
            if i == due_col:
                style = styles.get(i, 0)
                values["due_estimated"] = style < len(formats) and formats[style] == ESTIMATED_DATE_FORMAT
        if blank:
            continue
        if "category" not in values and sheet_category is not None:
            values["category"] = sheet_category
        count[0] += 1
        if count[0] > MAX_ROWS:
            raise too_many_rows(name)
        yield SheetRow(title, number, values, said)


def too_many_rows(name: str) -> LcqyError:
    return LcqyError(f"{name} 的数据超过 {MAX_ROWS:,} 行的导入上限；请按年度或类别拆成几个文件分批导入（台帐未改动）。")


def _cells(values: dict[int, object]) -> tuple:
    """A row's cells from column A to its last one, None where the file has no cell."""
    return tuple(values.get(i) for i in range(max(values) + 1)) if values else ()


def read_workbook(path: str | os.PathLike, *, headers_only: bool = False) -> LedgerRead:
    """Every data row at once (see `iter_workbook`); formulas without a computed value are also
    listed by sheet and row in `formulas`."""
    result = LedgerRead()
    for row in iter_workbook(path, result, headers_only=headers_only):
        result.rows.append(row)
        if row.formulas:
            result.formulas.setdefault(row.sheet, {})[row.row] = row.formulas
    return result


def read_ledger(path: str | os.PathLike) -> list[SheetRow]:
    """Data rows of all ledger sheets, in sheet order then row order (see `read_workbook`)."""
    return read_workbook(path).rows


def unknown_headers(path: str | os.PathLike) -> dict[str, list[str]]:
    """sheet -> header texts not recognised; reads only the first rows of each sheet."""
    return read_workbook(path, headers_only=True).unknown_headers
