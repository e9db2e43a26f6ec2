"""The statistics workbook (`stats -o`): a sheet per grouping, bar charts of the departments'
cases and 按期办结率 (native Excel charts), and the year-end 测评 sheet with its weights."""

from __future__ import annotations

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


def _table(ws, title: str, note: str, key_header: str, columns, rows: list[dict], first_row: int = 1) -> int:
    """Title, note, header and rows from `first_row`; returns the header's row number."""
    ws.cell(first_row, 1, title).font = Font(bold=True, size=14)
    ws.cell(first_row + 1, 1, note).alignment = Alignment(wrap_text=False)
    head = first_row + 3
    headers = [key_header] + [h for _, h, _ in columns]
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
    widths = [max([text_width(headers[0])] + [text_width(str(r["key"])) for r in rows]) + 2]
    widths += [max(8, min(14, text_width(h) // 2 + 4)) for h in headers[1:]]
    for c, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.freeze_panes = ws.cell(head + 1, 2)
    ws.row_dimensions[head].height = 32
    return head


def _charts(ws, head: int, n: int, columns) -> None:
    """Bars of 交办 and of 按期办结率 per department, beside the table."""
    if not n:
        return
    keys = [k for k, _, _ in columns]
    cats = Reference(ws, min_col=1, min_row=head + 1, max_row=head + n)
    anchor_col = get_column_letter(len(columns) + 3)
    for i, (key, title, axis, fmt) in enumerate(
        (("dispatched", "交办件数", "件", "General"), ("on_time_completion_rate", "按期办结率", "按期办结率", PERCENT))
    ):
        col = keys.index(key) + 2
        chart = BarChart()
        chart.type = "bar"  # horizontal bars: the departments' long names stay readable
        chart.title = title
        chart.y_axis.title = axis
        chart.y_axis.number_format = fmt
        chart.legend = None
        chart.add_data(Reference(ws, min_col=col, min_row=head, max_row=head + n), titles_from_data=True)
        chart.set_categories(cats)
        chart.height = max(7.5, 0.6 * n + 2)
        chart.width = 16
        ws.add_chart(chart, f"{anchor_col}{head + i * (int(chart.height * 2) + 2)}")


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
        head = _table(ws, f"承办单位年度测评（第二十、二十一条）{period_label}", note, "承办单位", columns, rows)
        # The weights themselves, under the table, so the 工商联 sees how the score was made.
        at = head + len(rows) + 2
        ws.cell(at, 1, "权重").font = Font(bold=True)
        from lcqy.rules.figures import EVALUATION_LABELS

        for i, (k, label) in enumerate(EVALUATION_LABELS.items(), at + 1):
            ws.cell(i, 1, label)
            ws.cell(i, 2, weights[k])
    for by, (columns, rows) in sheets.items():
        ws = wb.create_sheet(SHEET_NAMES[by])
        note = f"{office}  统计期间：{period_label}。比率无分母的显示“—”。"
        head = _table(ws, f"按{SHEET_NAMES[by]}统计", note, SHEET_NAMES[by], columns, rows)
        if by == "dept":
            _charts(ws, head, len(rows), columns)
    wb.save(str(path))
    return path
