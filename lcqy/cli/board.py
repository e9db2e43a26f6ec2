"""overdue: what is late or due soon."""

from __future__ import annotations

import itertools

import typer

from lcqy.cli._common import JSON_HELP, est, open_ctx
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


def overdue_cmd(
    ctx: typer.Context,
    dept: str = typer.Option(None, "--dept", help="只看某部门牵头或配合的案件"),
    as_of: str = typer.Option(None, "--as-of", help="截止日期（默认今天）"),
    within: int = typer.Option(1, "--within", help="同时列出几个工作日内到期的案件"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """超期和即将到期的案件：超过交办时限未交办、超过办结时限未答复、督办到期未办结，最严重的在前；
    已转报市级的另列在后，不计入超期。"""
    from lcqy.acts.overdue import iter_overdue
    from lcqy.cli._rows import print_json_texts, print_table, say_plain
    from lcqy.rules import validate

    with open_ctx(ctx) as c:
        day = validate.parse_date("截止日期（--as-of）", as_of) if as_of else c.today
        rows = iter_overdue(c, as_of=day, dept=dept, within=within, as_json=as_json)
        if as_json:
            print_json_texts(rows)
            return
        first = next(rows, None)
        if first is None:
            say_plain(f"截至 {day}，没有超期、{within} 个工作日内到期或待专题会议的案件。")
            return
        n = {"late": 0, "soon": 0, "waiting": 0, "escalated": 0}

        def body():
            prefix = f"{day.year}-"
            for r in itertools.chain([first], rows):
                n[r.status] += 1
                yield (
                    r.case.removeprefix(prefix),
                    r.enterprise,
                    r.category,
                    r.lead_dept or "—",
                    est(r.due, r.due_estimated),
                    str(r.days_late or ""),
                    str(r.urge_count or ""),
                    "将到期" if r.status == "soon" else _WHAT[r.kind],
                )

        print_table(f"截至 {day} 超期与将到期案件", OVERDUE_COLUMNS, body())
    say_plain(f"超期 {n['late']} 件，{within} 个工作日内到期 {n['soon']} 件，待专题会议 {n['waiting']} 件。")
    if n["escalated"]:
        say_plain(f"另有已转报市级（转报时已超时限，列在最后，不计入超期）{n['escalated']} 件。")
    say_plain(f"编号为{day.year}年登记序号；超期以工作日计；日期后带≈的为估计值。")


def register(app: typer.Typer) -> None:
    app.command("overdue")(overdue_cmd)
