"""undo: reverse a case's latest act."""

from __future__ import annotations

import typer

from lcqy.cli._common import open_ctx, print_json, say
from lcqy.cli._options import CASE, DATE, JSON


def undo_cmd(
    ctx: typer.Context,
    case: str = CASE,
    reason: str = typer.Option(..., "--reason", help="撤销理由，如 答复录错案件"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """撤销案件最近一次操作（答复、回访、延期、催办、销号、未答复的交办、专项督办时限、重新交办），
    留下撤销记录；交办编号作废，不再使用。"""
    from lcqy.acts.corrections import undo

    with open_ctx(ctx) as c:
        r = undo(c, case, reason=reason, on=on)
    if as_json:
        print_json(r)
        return
    void = f"；编号 {r['voided']} 作废，不再使用" if r["voided"] else ""
    say(f"{r['reg_no']} 已撤销 {r['act_on']} 的{r['label']}（{r['reason']}）{void}。")


def register(app: typer.Typer) -> None:
    app.command("undo")(undo_cmd)
