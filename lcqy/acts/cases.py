"""Finding a case and reading it whole (for show, forms, export)."""

from __future__ import annotations

import json
from datetime import date

from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules.constants import STATES, SUPERVISION
from lcqy.rules.numbering import parse_case_ref
from lcqy.store.schema import LATEST_COLUMNS


def resolve(ctx: Ctx, ref: str) -> dict:
    kind, year, seq = parse_case_ref(ref, ctx.today.year, ctx.ledger.prefix)
    db = ctx.ledger.db
    if kind == "收":
        rows = list(db.query("SELECT * FROM cases WHERE reg_year = ? AND reg_seq = ?", [year, seq]))
    else:
        table = "dispatches" if kind == "交" else "escalations"
        rows = list(
            db.query(
                f"SELECT c.* FROM cases c JOIN {table} t ON t.case_id = c.id JOIN numbers n ON n.text = t.no "
                "WHERE n.year = ? AND n.seq = ? AND n.kind = ?",
                [year, seq, kind],
            )
        )
    if not rows:
        raise LcqyError(f"台帐中没有案件“{ref.strip()}”（{year}年第{seq}号）。可用 lcqy list 查看全部案件。")
    return case_row(rows[0])


def case_row(row: dict) -> dict:
    """A case's stored row without the columns kept only for the boards' reading (migration 19)."""
    for k in LATEST_COLUMNS:
        row.pop(k, None)
    return row


def active_dispatch(ctx: Ctx, case_id: int) -> dict | None:
    rows = ctx.ledger.db.query(
        "SELECT * FROM dispatches WHERE case_id = ? AND status = 'active' ORDER BY id DESC LIMIT 1", [case_id]
    )
    return next(iter(rows), None)


def latest(ctx: Ctx, table: str, case_id: int) -> dict | None:
    rows = ctx.ledger.db.query(f"SELECT * FROM {table} WHERE case_id = ? ORDER BY id DESC LIMIT 1", [case_id])
    return next(iter(rows), None)


def case_urges(ctx: Ctx, case_id: int) -> list[dict]:
    return _all(ctx, "urges", case_id)


def _all(ctx: Ctx, table: str, case_id: int) -> list[dict]:
    return list(ctx.ledger.db.query(f"SELECT * FROM {table} WHERE case_id = ? ORDER BY id", [case_id]))


def dispatch_urge_count(case: dict, disp: dict, urges: list[dict], upto: int | None = None, kind: str = "催办") -> int:
    """Urges of one kind (催办, or a 督办 under 督办台帐/专项督办, counted apart) sent to one
    dispatch's lead department, up to urge id `upto`: the letters count per department, so a
    re-dispatch after 退单 starts again at 1. An imported dispatch also counts the urges its
    sheet carried."""
    n = sum(
        1
        for u in urges
        if u["dispatch_id"] == disp["id"]
        and ((u.get("kind") or "催办") == "催办") == (kind == "催办")
        and (upto is None or u["id"] <= upto)
    )
    return n + (case["prior_urges"] if disp["level"] == "导入" and kind == "催办" else 0)


def case_view(ctx: Ctx, case: dict) -> dict:
    """The case with its dispatches, escalation, replies, follow-ups, urges and history."""
    cid = case["id"]
    dispatches = _all(ctx, "dispatches", cid)
    for d in dispatches:
        d["assist"] = json.loads(d["assist"])
    events = sorted(_all(ctx, "events", cid), key=lambda e: (e["act_on"], e["id"]))  # date order; entry order ties
    urges = case_urges(ctx, cid)
    for e in events:
        e["detail"] = json.loads(e["detail"])
    return {
        **case,
        "state_label": STATES[case["state"]],
        "supervision_label": SUPERVISION[case["supervision"]],
        "dispatches": dispatches,
        "escalations": _all(ctx, "escalations", cid),
        "replies": _all(ctx, "replies", cid),
        "followups": _all(ctx, "followups", cid),
        "urges": urges,
        "events": events,
        "urge_count": case["prior_urges"] + len(urges),  # with those an imported sheet carried
        "merged_into_no": _reg_no(ctx, case["merged_into"]),
    }


def _reg_no(ctx: Ctx, case_id: int | None) -> str:
    if case_id is None:
        return ""
    return ctx.ledger.db.execute("SELECT reg_no FROM cases WHERE id = ?", [case_id]).fetchone()[0]


def as_date(text: str | None) -> date | None:
    """A stored ISO date (or NULL) as a date."""
    return date.fromisoformat(text) if text else None
