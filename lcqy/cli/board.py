"""overdue: what is late or due soon."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import repeat
from operator import itemgetter

import typer

from lcqy.cli._common import JSON_HELP, open_ctx
from lcqy.cli._rows import Col

# 情况 column: what is late.
_WHAT = {
    "待交办": "未交办",
    "办理中": "未答复",
    "转报超期": "已转报",
    "待专题会议": "待会议",
    "督办台帐": "督办逾期",
    "专项督办": "督办逾期",
}


# At 80 columns enterprise and department keep at least 6 cells; 催办, then 类别, go first.
OVERDUE_COLUMNS = (
    Col("编号"),
    Col("企业", share=3, least=6),
    Col("类别", share=1, least=4, drop=2),
    Col("牵头部门", share=2, least=6),
    Col("时限"),
    Col("超期", right=True),
    Col("催办", right=True, drop=1),
    Col("情况"),
)


# The table's cells and then the row's status (for the counts under the table), written by
# SQLite over the board's columns (lcqy.acts.overdue) as one text, split at SEP: one printf
# makes the row in one piece (a || chain copies it once per piece).
SEP = "\x1f"


def _cells_view(year: int) -> str:
    from lcqy.acts.queries import label_sql

    cells = [
        f"iif(reg_year = {year:d}, reg_seq, reg_year || '-' || reg_seq)",
        "enterprise",
        "category",
        "coalesce(nullif(lead, ''), '—')",
        "due || iif(est, '≈', '')",
        # each column named once: a name stands for its expression
        "nullif(late, 0)",
        "nullif(urges, 0)",
        f"CASE WHEN status = 'soon' THEN '将到期' ELSE coalesce({label_sql('kind', _WHAT)}, kind) END",
        "status",
    ]
    return f"printf('{SEP.join(['%s'] * len(cells))}', {', '.join(cells)})"


def _split(texts: Iterable[str]) -> list[list[str]]:
    """The rows' cells. A stored text holding SEP (which `check` reports) would add a cell to
    its row; such a row keeps its place with SEP shown as a space."""
    rows = list(map(str.split, texts, repeat(SEP)))
    if set(map(len, rows)) - {len(OVERDUE_COLUMNS) + 1}:
        rows = [r if len(r) == len(OVERDUE_COLUMNS) + 1 else _mend(r) for r in rows]
    return rows


def _mend(cells: list[str]) -> list[str]:
    # The last five cells hold no text of the clerk's; of the three before them the category
    # and the department come from fixed lists, so the extra pieces are the enterprise's.
    middle = cells[1:-5]
    return [cells[0], " ".join(middle[:-2]), middle[-2], middle[-1], *cells[-5:]]


def overdue_cmd(
    ctx: typer.Context,
    dept: str = typer.Option(None, "--dept", help="只看某部门牵头或配合的案件"),
    as_of: str = typer.Option(None, "--as-of", help="截止日期（默认今天）"),
    within: int = typer.Option(1, "--within", help="同时列出几个工作日内到期的案件"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """超期和即将到期的案件：超过交办时限未交办、超过办结时限未答复、督办到期未办结，最严重的在前；
    已转报市级的另列在后，不计入超期。"""
    from lcqy.acts.overdue import board, iter_overdue
    from lcqy.cli._rows import no_collector, print_json_texts, print_table, say_plain
    from lcqy.rules import validate

    with open_ctx(ctx) as c:
        day = validate.parse_date("截止日期（--as-of）", as_of) if as_of else c.today
        if as_json:
            print_json_texts(iter_overdue(c, as_of=day, dept=dept, within=within, as_json=True))
            return
        with no_collector():
            rows = _split(board(c, _cells_view(day.year), as_of=day, dept=dept, within=within))
            if not rows:
                say_plain(f"截至 {day}，没有超期、{within} 个工作日内到期或待专题会议的案件。")
                return
            print_table(f"截至 {day} 超期与将到期案件", OVERDUE_COLUMNS, rows)
    n = Counter(map(itemgetter(len(OVERDUE_COLUMNS)), rows))
    say_plain(f"超期 {n['late']} 件，{within} 个工作日内到期 {n['soon']} 件，待专题会议 {n['waiting']} 件。")
    if n["escalated"]:
        say_plain(f"另有已转报市级（转报时已超时限，列在最后，不计入超期）{n['escalated']} 件。")
    say_plain(f"编号为{day.year}年登记序号；超期以工作日计；日期后带≈的为估计值。")


def register(app: typer.Typer) -> None:
    app.command("overdue")(overdue_cmd)
