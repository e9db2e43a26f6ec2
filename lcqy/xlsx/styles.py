"""Cell styles, display widths and print setup shared by the sheets of the ledger export."""

from __future__ import annotations

from copy import copy

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

DATE_FORMAT = "yyyy-mm-dd"
# The date stays a real date cell; the suffix is part of the number format only.
ESTIMATED_DATE_FORMAT = 'yyyy-mm-dd" 预估"'
LATE_FILL_COLOR = "FFFFC7CE"
HEADER_FILL_COLOR = "FFD9E1F2"

# Text that a spreadsheet could take for a formula or an error code.
RISKY_FIRST = frozenset("=+-@#")
_PAPER_A4 = "9"  # Worksheet.PAPERSIZE_A4; the write-only sheet lacks the constant


def text_width(text: str) -> int:
    """Display width in Excel column units: a CJK or full-width character counts 2.

    Counted from the UTF-8 length (CJK takes 3 bytes, ASCII 1), which runs in C; the few other
    characters of 2-3 bytes (accented letters, curly quotes) count 1.5-2, close enough for widths.
    """
    return len(text) + (len(text.encode()) - len(text)) // 2


def add_styles(wb: Workbook, ws) -> dict:
    """Register the named styles once and return name -> style array.

    A cell then takes a copy of the array (the copy-a-cell's-style idiom, `cell._style =
    copy(other._style)`): assigning `cell.style = name` looks the name up in a list per cell and
    cost a fifth of the export time.
    """
    thin = Side(style="thin", color="FF808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    late = PatternFill("solid", fgColor=LATE_FILL_COLOR)
    # Default (bottom) vertical alignment everywhere: aligning short cells to the top as well
    # would need a style on every cell, doubling the export time.
    wrap = Alignment(wrap_text=True)
    # Dates centred: right-aligned they run into the left-aligned text of the next column.
    center = Alignment(horizontal="center")
    italic = Font(italic=True)
    specs: dict[str, dict] = {
        "台帐表头": {
            "font": Font(bold=True),
            "fill": PatternFill("solid", fgColor=HEADER_FILL_COLOR),
            "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
            "border": border,
        },
        "台帐换行": {"alignment": wrap},
        "台帐日期": {"number_format": DATE_FORMAT, "alignment": center},
        "台帐预估": {"number_format": ESTIMATED_DATE_FORMAT, "font": italic, "alignment": center},
        "台帐超期": {"fill": late},
        "台帐超期换行": {"fill": late, "alignment": wrap},
        "台帐超期日期": {"fill": late, "number_format": DATE_FORMAT, "alignment": center},
        "台帐超期预估": {
            "fill": late,
            "alignment": center,
            "number_format": ESTIMATED_DATE_FORMAT,
            "font": italic,
        },
        "汇总标题": {"font": Font(bold=True, size=14)},
        "汇总说明": {"font": Font(size=10, color="FF595959")},
        "汇总单元": {"border": border, "alignment": Alignment(horizontal="center")},
        "汇总合计": {
            "border": border,
            "font": Font(bold=True),
            "alignment": Alignment(horizontal="center"),
        },
    }
    arrays = {}
    for name, kw in specs.items():
        wb.add_named_style(NamedStyle(name=name, **kw))
        template = WriteOnlyCell(ws)
        template.style = name
        arrays[name] = template._style
    return arrays


def make_cell(ws, value, style=None) -> WriteOnlyCell:
    """A write-only cell with an optional style array from `add_styles`."""
    cell = WriteOnlyCell(ws)
    if style is not None:
        # Style before value: a date value then keeps our number format.
        cell._style = copy(style)
    cell.value = value
    if isinstance(value, str) and value and value[0] in RISKY_FIRST:
        cell.data_type = "s"
    return cell


def print_setup(ws, grid: bool = True) -> None:
    """Landscape A4, fitted to the page width."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = _PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    # Data cells carry no borders (a style per cell would double the export time): print the grid.
    ws.print_options.gridLines = grid
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    # A printed page says which sheet (category) it is and where it stands.
    ws.oddHeader.center.text = "&A"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
