"""`merge` and merge chains: a duplicate always points at the open case its matter is handled in."""

from __future__ import annotations

from lcqy.acts.cases import resolve
from lcqy.acts.common import step_date
from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules import states
from lcqy.rules.constants import STATES


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


def merge(ctx: Ctx, ref: str, *, into: str, on: str | None = None) -> dict:
    led = ctx.ledger
    with led.write():
        case = resolve(ctx, ref)
        target = follow_merge(ctx, resolve(ctx, into))
        if target["id"] == case["id"]:
            raise LcqyError("不能把案件合并到它自己。")
        if target["state"] in states.TERMINAL:
            raise LcqyError(
                f"目标案件 {target['reg_no']} 状态为“{STATES[target['state']]}”，已经办结；请合并到仍在办理的案件，"
                "或把新反映作为新案件交办。"
            )
        nxt = states.check("merge", case["state"])
        d = step_date(ctx, on, "两件的受理时间", max(case["accepted_on"], target["accepted_on"]))
        led.db["cases"].update(case["id"], {"state": nxt, "merged_into": target["id"], "ended_on": d.isoformat()})
        led.event(case["id"], d.isoformat(), "merge", ctx.actor, into=target["reg_no"])
        led.event(target["id"], d.isoformat(), "merged-from", ctx.actor, duplicate=case["reg_no"])
        move_duplicates(ctx, case, target, d.isoformat())
    return {"reg_no": case["reg_no"], "state": "merged", "into": target["reg_no"]}
