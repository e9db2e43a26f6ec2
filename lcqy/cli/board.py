"""overdue: what is late or due soon."""

from __future__ import annotations

import typer

from lcqy.cli._common import JSON_HELP, est, open_ctx, print_json, say, table


def overdue_cmd(
    ctx: typer.Context,
    dept: str = typer.Option(None, "--dept", help="只看某部门牵头或配合的案件"),
    as_of: str = typer.Option(None, "--as-of", help="截止日期（默认今天）"),
    within: int = typer.Option(1, "--within", help="同时列出几个工作日内到期的案件"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """超期和即将到期的案件：超过交办时限未交办、超过办结时限未答复，最严重的在前。"""
    from lcqy.acts.queries import overdue
    from lcqy.rules import validate

    with open_ctx(ctx) as c:
        day = validate.parse_date("截止日期（--as-of）", as_of) if as_of else c.today
        rows = overdue(c, as_of=day, dept=dept, within=within)
    if as_json:
        print_json(rows)
        return
    if not rows:
        say(f"截至 {day}，没有超期、{within} 个工作日内到期或待专题会议的案件。")
        return
    what = {"待交办": "未交办", "办理中": "未答复", "转报超期": "转报迟", "待专题会议": "待会议"}
    body = [
        (
            r["case"].removeprefix(f"{day.year}-"),
            r["enterprise"],
            r["category"],
            r["lead_dept"] or "—",
            est(r["due"], r["due_estimated"]),
            r["days_late"] or "",
            r["urge_count"] or "",
            "将到期" if r["status"] == "soon" else what[r["kind"]],
        )
        for r in rows
    ]
    table(
        f"截至 {day} 超期与将到期案件",
        ["编号", "企业", "类别", "牵头部门", "时限", "超期", "催办", "情况"],
        body,
        no_wrap=("编号", "时限", "超期", "催办", "情况"),
        clip={"企业": 3, "类别": 1, "牵头部门": 2},
    )
    n = {s: sum(r["status"] == s for r in rows) for s in ("late", "soon", "waiting")}
    say(
        f"编号为{day.year}年登记序号。超期 {n['late']} 件，{within} 个工作日内到期 {n['soon']} 件，"
        f"待专题会议 {n['waiting']} 件。"
        "（超期以工作日计；日期后带≈的为估计值）"
    )


def register(app: typer.Typer) -> None:
    app.command("overdue")(overdue_cmd)
