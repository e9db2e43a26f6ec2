"""The 汇总 sheet of the ledger export: case counts per category by state, lateness and result."""

from __future__ import annotations

import re

from openpyxl.utils import get_column_letter

from lcqy.rules.constants import CATEGORIES, STATES
from lcqy.xlsx.styles import make_cell, print_setup, text_width


def summary_states(by_state: dict[str, dict[str, int]]) -> list[str]:
    """State labels that occur, in the order of STATES; unknown labels follow, sorted."""
    seen = {s for counts in by_state.values() for s, c in counts.items() if c}
    known = [label for label in STATES.values() if label in seen]
    return known + sorted(seen - set(known))


def note_lines(text: str, width: int) -> list[str]:
    """`text` cut into lines of at most `width` display units (one row each, so a note is read
    whole on screen and on paper, within the table's width)."""
    lines, line = [], ""
    # A date (2026年11月20日), a number or a Latin word is never cut between two rows.
    for token in _TOKENS.findall(text):
        if line and text_width(line + token) > width:
            lines.append(line)
            line = token.lstrip("　 ")
        else:
            line += token
    return [*lines, line] if line else lines


_TOKENS = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|[0-9A-Za-z.%@_-]+|.", re.S)


def write_summary(ws, st, office_name, title_note, by_state, late_by_cat, result_by_cat, made="") -> None:
    """Fill the 汇总 sheet; `st` is the name -> style array map of `add_styles`."""
    states = summary_states(by_state)
    headers = ["问题类别", *[s or "（无状态）" for s in states], "合计", "超期", "A类", "B类", "C类"]
    widths = [14] + [max(8, text_width(h) + 3) for h in headers[1:]]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.sheet_format.defaultRowHeight, ws.sheet_format.customHeight = 18, True  # CJK text needs more than 15
    usable = sum(widths) - 2  # display units a note line may take

    ws.row_dimensions[1].height = 30
    title = [make_cell(ws, f"{office_name}企业反映问题台帐汇总", st["汇总标题"])]
    ws.append(title + [make_cell(ws, None, st["汇总标题"]) for _ in headers[1:]])  # centred across
    above = note_lines(made or title_note, usable)  # `made` carries the note (see write_ledger)
    for line in above:
        ws.append([make_cell(ws, line, st["汇总说明"])])
    header_row = len(above) + 2
    ws.append([make_cell(ws, h, st["台帐表头"]) for h in headers])
    totals = [0] * (len(headers) - 1)
    for cat in CATEGORIES:
        counts = by_state[cat]
        values = [counts.get(s, 0) for s in states]
        values += [sum(counts.values()), late_by_cat[cat], *result_by_cat[cat].values()]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        ws.append([make_cell(ws, cat, st["汇总单元"])] + [make_cell(ws, v, st["汇总单元"]) for v in values])
    ws.append([make_cell(ws, "合计", st["汇总合计"])] + [make_cell(ws, v, st["汇总合计"]) for v in totals])
    ws.append([])
    notes = [
        (
            "说明：超期为超过时限的件数（按工作日计）：待交办的按交办时限，办理中的按办结时限，"
            "已答复的为超期办结，已转报的为超期转报；A类 已经解决或基本解决，"
            "B类 正在解决或列入规划逐步解决，C类 目前条件限制或其他原因需以后解决。"
        ),
        (
            "各类别明细见后续工作表；超期件整行以浅红色标示；办结时限标“预估”（斜体）的，"
            "该年度法定节假日安排尚未公布，时限为预估。"
        ),
    ]
    for note in notes:
        for line in note_lines(note, usable):
            ws.append([make_cell(ws, line, st["汇总说明"])])
    ws.print_title_rows = f"{header_row}:{header_row}"
    print_setup(ws, "A4")
