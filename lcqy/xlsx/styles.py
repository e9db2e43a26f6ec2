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
# Worksheet.PAPERSIZE_A3 / _A4; the write-only sheet lacks the constants.
PAPER_SIZES = {"A3": "8", "A4": "9"}
TEXT_FONT = "宋体"
NOTE_FONT = "仿宋"


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
    cost a fifth of the export time. Every ledger cell is styled (thin border, top alignment,
    宋体) from a pool of one cell per column and style, so the styles cost no lookups.
    """
    thin = Side(style="thin", color="FF000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    late = PatternFill("solid", fgColor=LATE_FILL_COLOR)
    text_font = Font(name=TEXT_FONT, size=11)
    top = Alignment(vertical="top", wrap_text=True)
    # Dates and counts centred: right-aligned they run into the left-aligned text of the next column.
    center = Alignment(horizontal="center", vertical="top")
    italic = Font(name=TEXT_FONT, size=11, italic=True)
    across = Alignment(horizontal="centerContinuous", vertical="center")  # no merge in write-only
    data = {
        "文本": {"alignment": top, "font": text_font},
        "日期": {"number_format": DATE_FORMAT, "alignment": center, "font": text_font},
        "预估": {"number_format": ESTIMATED_DATE_FORMAT, "font": italic, "alignment": center},
        "数字": {"alignment": center, "font": text_font},
    }
    specs: dict[str, dict] = {
        "台帐标题": {"font": Font(name=TEXT_FONT, size=16, bold=True), "alignment": across},
        "台帐制表": {"font": Font(name=NOTE_FONT, size=11), "alignment": Alignment(vertical="center")},
        "台帐表头": {
            "font": Font(name=TEXT_FONT, size=11, bold=True),
            "fill": PatternFill("solid", fgColor=HEADER_FILL_COLOR),
            "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
            "border": border,
        },
        **{f"台帐{k}": {**v, "border": border} for k, v in data.items()},
        **{f"台帐超期{k}": {**v, "border": border, "fill": late} for k, v in data.items()},
        "汇总标题": {"font": Font(name=TEXT_FONT, bold=True, size=16), "alignment": across},
        "汇总说明": {"font": Font(name=NOTE_FONT, size=10, color="FF404040")},
        "汇总单元": {"border": border, "alignment": Alignment(horizontal="center"), "font": text_font},
        "汇总合计": {
            "border": border,
            "font": Font(name=TEXT_FONT, size=11, bold=True),
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


def print_setup(ws, paper: str = "A3") -> None:
    """Landscape `paper`, fitted to the page width; the page header (sheet name) and footer
    (page numbers) sit inside the margins."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_SIZES[paper]
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.gridLines = False  # every cell has its border
    ws.print_options.horizontalCentered = True
    margins = ws.page_margins
    margins.left = margins.right = 0.3
    margins.top, margins.bottom = 0.8, 0.7
    margins.header, margins.footer = 0.3, 0.3
    # A printed page says which sheet (category) it is and where it stands.
    ws.oddHeader.center.text = "&A"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
