"""overdue: what is late or due soon."""

from __future__ import annotations

from collections import Counter
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


# The table's cells, written by SQLite over the board's columns (lcqy.acts.overdue); then the
# row's status, for the counts under the table.
def _cells_view(year: int) -> str:
    from lcqy.acts.queries import label_sql

    return (
        f"CASE WHEN reg_year = {year:d} THEN CAST(reg_seq AS TEXT) ELSE reg_year || '-' || reg_seq END, "
        "enterprise, category, coalesce(nullif(lead, ''), '—'), "
        "coalesce(due || CASE WHEN est THEN '≈' ELSE '' END, ''), "
        # each column named once: a name stands for its expression, and `urges` is a subquery
        "coalesce(CAST(nullif(late, 0) AS TEXT), ''), coalesce(CAST(nullif(urges, 0) AS TEXT), ''), "
        f"CASE WHEN status = 'soon' THEN '将到期' ELSE {label_sql('kind', _WHAT)} END, status"
    )


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
    from lcqy.cli._rows import print_json_texts, print_table, say_plain
    from lcqy.rules import validate

    with open_ctx(ctx) as c:
        day = validate.parse_date("截止日期（--as-of）", as_of) if as_of else c.today
        if as_json:
            print_json_texts(iter_overdue(c, as_of=day, dept=dept, within=within, as_json=True))
            return
        rows = list(board(c, _cells_view(day.year), as_of=day, dept=dept, within=within))
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
