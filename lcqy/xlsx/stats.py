"""The statistics workbook (`stats -o`): a sheet per grouping, bar charts of the departments'
cases and 按期办结率 (native Excel charts), and the year-end 测评 sheet with its weights.

Every sheet prints as a clerk expects: never below 8 pt on paper (A4 portrait or landscape, A3
landscape for a wide table, in column groups with the first column repeated for a wider one),
the header row repeated on every page, a footer with the sheet's title and 第 N 页，共 M 页, the
header frozen on screen, columns as wide as what they hold, “—” where a rate has no denominator."""

from __future__ import annotations

from math import ceil
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from lcqy.xlsx.styles import HEADER_FILL_COLOR, text_width

SHEET_NAMES = {"dept": "承办单位", "category": "问题类别", "channel": "反映形式", "month": "月份"}
PERCENT = "0.0%"
_THIN = Side(style="thin", color="FF808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
A4, A3 = 9, 8  # openpyxl's paperSize codes
# What a page holds between 0.5-inch side margins, in Excel column units (about 1.94 mm each):
# A4 portrait 190 mm, A4 landscape 277 mm, A3 landscape 395 mm.
PORTRAIT_UNITS = 98
LANDSCAPE_UNITS = 143
A3_UNITS = 203
# The sheets' text is 11 pt; fitted to the paper it may shrink to 8 pt and no further (a clerk
# reads a printed table at 8 pt, not at 5).
FONT_PT, SMALLEST_PT = 11, 8
SHRINK = SMALLEST_PT / FONT_PT
ROW_CM = 0.53  # a 15-point row
_MAX_WIDTH = (40, 30)  # the first column (a department's full name), the others


def _widths(headers: list[str], rows: list[list[str]]) -> list[float]:
    """Each column as wide as its widest value; a header may wrap onto two lines."""
    out = []
    for c, h in enumerate(headers):
        values = [text_width(r[c]) for r in rows if r[c]]
        header = text_width(h) + 2 if c == 0 else max(text_width(h) // 2 + 2, 7)  # two lines of a header
        out.append(min(_MAX_WIDTH[c > 0], max([header, *(v + 2 for v in values)])))
    return out


def _shown(v, kind: str) -> str:
    if v is None:
        return "—"
    if kind == "r":
        return f"{v * 100:.1f}%"
    return str(v)


def _table(ws, title: str, note: str, key_header: str, columns, rows: list[dict], first_row: int = 1) -> int:
    """Title, note, header and rows from `first_row`; returns the header's row number."""
    headers = [key_header] + [h for _, h, _ in columns]
    shown = [[str(r["key"])] + [_shown(r.get(k), kind) for k, _, kind in columns] for r in rows]
    widths = _widths(headers, shown)
    for c, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = w
    last = get_column_letter(len(headers))
    ws.cell(first_row, 1, title).font = Font(bold=True, size=14)
    # The note (period, formula) wraps across the table's width, so the print shows it whole.
    ws.merge_cells(f"A{first_row + 1}:{last}{first_row + 1}")
    noted = ws.cell(first_row + 1, 1, note)
    noted.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[first_row + 1].height = 15 * max(1, ceil(text_width(note) * 1.1 / sum(widths)))
    head = first_row + 3
    for c, h in enumerate(headers, 1):
        cell = ws.cell(head, c, h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL_COLOR)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
    for i, r in enumerate(rows, head + 1):
        key = ws.cell(i, 1, str(r["key"]))
        key.data_type = "s"
        key.border = _BORDER
        for c, (k, _, kind) in enumerate(columns, 2):
            v = r.get(k)
            cell = ws.cell(i, c)
            if v is None:
                cell.value = "—"
                cell.alignment = Alignment(horizontal="center")
            elif kind == "r":
                cell.value = v
                cell.number_format = PERCENT
            else:
                cell.value = v
                if isinstance(v, str):
                    cell.data_type = "s"  # a case number or name, never a formula
            cell.border = _BORDER
    ws.freeze_panes = ws.cell(head + 1, 2)
    ws.row_dimensions[head].height = 32
    return head


def paper_for(width: float, first: float) -> tuple[int, str, int]:
    """(paper, orientation, pages wide) for a table `width` column units wide whose first column
    is `first` units: A4 portrait or landscape when the table fits it at 8 pt or more, else A3
    landscape, else A3 landscape in as many column groups as keep 8 pt, the first column (the
    department) repeated on every page."""
    if width <= PORTRAIT_UNITS:
        return A4, "portrait", 1
    if width <= LANDSCAPE_UNITS / SHRINK:
        return A4, "landscape", 1
    if width <= A3_UNITS / SHRINK:
        return A3, "landscape", 1
    room = A3_UNITS / SHRINK - first  # each page repeats the first column
    return A3, "landscape", ceil((width - first) / room)


def _print_setup(ws, title: str, head: int, last_row: int, n_columns: int) -> None:
    """The paper that prints the table at 8 pt or more (paper_for), fitted to its width, the
    header row on every page (and the first column, when the table prints in column groups),
    the title and page numbers in the footer, the table (and charts) as the print area."""
    widths = [ws.column_dimensions[get_column_letter(c)].width for c in range(1, n_columns + 1)]
    paper, orientation, wide = paper_for(sum(widths), widths[0])
    ws.page_setup.paperSize = paper
    ws.page_setup.orientation = orientation
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = wide
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    if wide > 1:
        ws.print_title_cols = "A:A"
    ws.print_options.horizontalCentered = True
    margins = ws.page_margins
    margins.left = margins.right = 0.5
    margins.top, margins.bottom = 0.6, 0.7
    margins.header, margins.footer = 0.3, 0.3
    ws.print_title_rows = f"{head}:{head}"
    ws.print_area = f"A1:{get_column_letter(n_columns)}{last_row}"
    # "&" starts a code in a header or footer: a title's own ampersand is doubled.
    ws.oddFooter.left.text = title.replace("&", "&&")[:100]
    ws.oddFooter.right.text = "第 &P 页，共 &N 页"
    ws.evenFooter.left.text, ws.evenFooter.right.text = ws.oddFooter.left.text, ws.oddFooter.right.text


NO_DENOMINATOR = "（无到期件）"


def _charts(ws, head: int, n: int, columns, width_units: float, n_columns: int) -> int:
    """Bars of 交办 and of 按期办结率 per department, side by side under the table; returns
    the last row they cover (for the print area). The count axis in whole 件 from 0, the rate
    axis from 0 to 100 %; a department with no case due has no bar and its name says so
    (NO_DENOMINATOR), where a 0 % has a bar label of 0.0%. Their figures come from two hidden
    columns right of the table (outside the print area)."""
    from openpyxl.chart.label import DataLabelList

    if not n:
        return head + n
    keys = [k for k, _, _ in columns]
    rate_col = keys.index("on_time_completion_rate") + 2
    names, rates = n_columns + 2, n_columns + 3  # one blank column between, no header
    for i in range(head + 1, head + n + 1):
        v = ws.cell(i, rate_col).value
        ws.cell(i, names, str(ws.cell(i, 1).value) + ("" if isinstance(v, int | float) else NO_DENOMINATOR))
        ws.cell(i, names).data_type = "s"
        cell = ws.cell(i, rates, v if isinstance(v, int | float) else None)
        cell.number_format = PERCENT
    for c in (names, rates):
        ws.column_dimensions[get_column_letter(c)].hidden = True
    top = head + n + 2
    # Two charts share the table's width (a column unit is about 0.19 cm).
    chart_width = max(12.0, min(18.0, width_units * 0.19 / 2 - 0.5))
    height = max(7.5, 0.8 * n + 2)  # room for every department's name
    most = max((ws.cell(i, keys.index("dispatched") + 2).value or 0 for i in range(head + 1, head + n + 1)), default=0)
    column, used = 1, 0.0
    for i, (col, cat_col, title, axis, fmt) in enumerate(
        (
            (keys.index("dispatched") + 2, 1, "交办件数", "件", "0"),
            (rates, names, "按期办结率", "按期办结率", "0%"),
        )
    ):
        chart = BarChart()
        chart.type = "bar"  # horizontal bars: the departments' long names stay readable
        chart.title = title
        chart.y_axis.title = axis
        chart.y_axis.number_format = fmt
        chart.y_axis.scaling.min = 0
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        if i:  # a rate: 0 to 100 %, labelled on each bar
            chart.y_axis.scaling.max = 1
            chart.y_axis.majorUnit = 0.2
            # the value only: LibreOffice shows the series and category too unless told not to
            chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False)
            chart.dataLabels.showLegendKey = chart.dataLabels.showPercent = False
            chart.dataLabels.numFmt = PERCENT
        else:  # whole 件: a step of 1, or of a round number where there are many
            chart.y_axis.majorUnit = max(1, ceil(most / 10))
        chart.legend = None
        chart.visible_cells_only = False  # the chart's own columns are hidden
        chart.display_blanks = "gap"
        chart.add_data(Reference(ws, min_col=col, min_row=head + 1, max_row=head + n))
        chart.set_categories(Reference(ws, min_col=cat_col, min_row=head + 1, max_row=head + n))
        chart.height = height
        chart.width = chart_width
        if i:  # the second chart starts at the first column past the first chart's width
            while used < chart_width + 0.5:
                used += ws.column_dimensions[get_column_letter(column)].width * 0.19
                column += 1
        ws.add_chart(chart, f"{get_column_letter(column)}{top}")
    return top + ceil(height / ROW_CM) + 1


def write_stats(
    path: Path, office: str, period_label: str, sheets: dict[str, tuple[list, list[dict]]], evaluation=None
) -> Path:
    """sheets: grouping -> (columns, rows) in the order given; evaluation: (columns, rows,
    weights text, weights) for the 年度测评 sheet, placed first."""
    wb = Workbook()
    wb.remove(wb.active)
    if evaluation is not None:
        columns, rows, how, weights = evaluation
        ws = wb.create_sheet("年度测评")
        note = f"{office}  统计期间：{period_label}。{how}"
        title = f"承办单位年度测评（第二十、二十一条）{period_label}"
        head = _table(ws, title, note, "承办单位", columns, rows)
        # The weights themselves, under the table, so the 工商联 sees how the score was made.
        at = head + len(rows) + 2
        ws.cell(at, 1, "权重").font = Font(bold=True)
        from lcqy.rules.figures import EVALUATION_LABELS

        for i, (k, label) in enumerate(EVALUATION_LABELS.items(), at + 1):
            ws.cell(i, 1, label)
            ws.cell(i, 2, weights[k])
        first = ws.column_dimensions["A"]
        first.width = max(first.width, *(text_width(x) + 2 for x in EVALUATION_LABELS.values()))
        _print_setup(ws, title, head, at + len(EVALUATION_LABELS), len(columns) + 1)
    for by, (columns, rows) in sheets.items():
        ws = wb.create_sheet(SHEET_NAMES[by])
        note = f"{office}  统计期间：{period_label}。比率无分母的显示“—”。"
        title = f"按{SHEET_NAMES[by]}统计"
        head = _table(ws, title, note, SHEET_NAMES[by], columns, rows)
        last = head + len(rows)
        if by == "dept":
            width = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, len(columns) + 2))
            last = _charts(ws, head, len(rows), columns, width, len(columns) + 1)
        _print_setup(ws, f"{title}  {period_label}", head, last, len(columns) + 1)
    wb.save(str(path))
    return path
