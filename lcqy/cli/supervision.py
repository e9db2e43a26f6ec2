"""supervise, redispatch: 专项督办 after an unsatisfying answer (第十八条)."""

from __future__ import annotations

import typer

from lcqy.cli._common import est, open_ctx, print_json, say
from lcqy.cli._options import CASE, DATE, JSON


def _done(result: dict, as_json: bool, text: str) -> None:
    """Print what the act returned (--json), or the sentence made of it."""
    if as_json:
        print_json(result)
    else:
        say(text)


def supervise_cmd(
    ctx: typer.Context,
    case: str = CASE,
    until: str = typer.Option(..., "--until", help="新的办理时限：承办单位须在此日前重新答复（工作日）"),
    reason: str = typer.Option(..., "--reason", help="督办理由，如 答复含糊、企业不满意的具体问题"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """专项督办：为企业不满意或办理不彻底的案件设定新的办理时限（第十八条）。"""
    from lcqy.acts.supervision import supervise

    with open_ctx(ctx) as c:
        r = supervise(c, case, until=until, reason=reason, on=on)
    from lcqy.rules.numbering import short_ref

    seq = short_ref(r["reg_no"], c.today.year)
    _done(
        r,
        as_json,
        f"{r['reg_no']} 专项督办：请承办单位于 {est(r['due'], r['due_estimated'])} 前重新办理并答复"
        f"（记录答复：lcqy reply {seq} …；逾期可督办：lcqy urge {seq}）。",
    )


def redispatch_cmd(
    ctx: typer.Context,
    case: str = CASE,
    dept: str = typer.Option(..., "--dept", help="新的牵头办理部门（只能一个）"),
    assist: list[str] = typer.Option([], "--assist", help="配合办理部门，可多次使用"),
    approver: str = typer.Option(..., "--approver", help="签批领导姓名"),
    level: str = typer.Option(..., "--level", help="审批层级：主任、副组长、组长"),
    reason: str = typer.Option(..., "--reason", help="重新交办理由，如 原牵头单位无此职能"),
    tier: str = typer.Option("一般", "--tier", help="一般（5个工作日办结）或 重大（1个月）"),
    received: str = typer.Option(None, "--received", help="新牵头部门收到交办单的日期（默认交办当天）"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """专项督办重新交办：原牵头单位不是合适的承办单位时改交另一部门（新交办编号，原交办单保留）。"""
    from lcqy.acts.supervision import redispatch

    with open_ctx(ctx) as c:
        r = redispatch(
            c,
            case,
            lead=dept,
            assist=assist,
            approver=approver,
            level=level,
            reason=reason,
            tier=tier,
            received=received,
            on=on,
        )
    late = f"（已超过交办时限 {r['limit_due']}，记为延迟交办）" if r["late"] else ""
    _done(
        r,
        as_json,
        f"交办编号：{r['no']}（专项督办，原 {r['replaced']} {r['old_dept']} 不再承办）\n"
        f"牵头部门 {r['lead_dept']}，办结时限 {est(r['due_current'], r['due_estimated'])}{late}",
    )


def register(app: typer.Typer) -> None:
    app.command("supervise")(supervise_cmd)
    app.command("redispatch")(redispatch_cmd)
