"""Merge chains: a duplicate always points at the open case its matter is handled in."""

from __future__ import annotations

from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError


def follow_merge(ctx: Ctx, target: dict) -> dict:
    """The case a merge really goes into: a target that was itself merged stands for the open
    case at the end of its chain (so no duplicate ever points at a merged case)."""
    seen = {target["id"]}
    while target["state"] == "merged" and target["merged_into"] is not None:
        target = ctx.ledger.db["cases"].get(target["merged_into"])
        if target["id"] in seen:
            raise LcqyError(f"合并记录成环（{target['reg_no']}），请先运行 lcqy check 检查台帐。")
        seen.add(target["id"])
    return target


def move_duplicates(ctx: Ctx, case: dict, target: dict, on: str) -> list[str]:
    """Duplicates already merged into `case` follow it into `target`, each move recorded."""
    led = ctx.ledger
    sql = "SELECT id, reg_no FROM cases WHERE merged_into = ? AND id != ?"
    moved = list(led.db.query(sql, [case["id"], case["id"]]))
    for dup in moved:
        led.db["cases"].update(dup["id"], {"merged_into": target["id"]})
        led.event(dup["id"], on, "merged-moved", ctx.actor, before=case["reg_no"], after=target["reg_no"])
        led.event(target["id"], on, "merged-from", ctx.actor, duplicate=dup["reg_no"], via=case["reg_no"])
    return [d["reg_no"] for d in moved]
