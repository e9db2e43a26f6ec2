"""The case file: everything `show` prints about one case, its papers and exchanges included.
Apart from lcqy.acts.exchange.views (labels and rows, read when `show` is loaded) so that
loading the command list reads no act code."""

from __future__ import annotations

from datetime import date

from lcqy.acts.cases import case_view, resolve
from lcqy.acts.context import Ctx
from lcqy.acts.exchange.views import exchanges
from lcqy.acts.papers.attachments import case_attachments
from lcqy.rules.lateness import overdue_label, replies_lateness
from lcqy.store import chain


def show(ctx: Ctx, ref: str) -> dict:
    """`show`: the case whole (lcqy.acts.cases.case_view) with its papers and exchanges."""
    v = case_view(ctx, resolve(ctx, ref))
    mark_lateness(ctx, v)
    return v | {
        "attachments": case_attachments(ctx, v["id"]),
        "exchanges": exchanges(ctx, v["id"]),
        # what of its history no longer agrees with the hash chain (empty: all of it does)
        "history_problems": chain.case_problems(ctx.ledger.conn, v["id"]),
    }


def mark_lateness(ctx: Ctx, v: dict) -> None:
    """Each reply, and the history line of each reply, judged by lcqy.rules.lateness from the
    dates (the limit it answered, working days late, the 超期 mark), so that `show` says what
    `stats` and the Excel ledger count. The stored per-reply `late` is replaced by the rule's
    number; the history event keeps what was recorded then."""
    sups = ctx.ledger.conn.execute(
        "SELECT reply_id, due FROM supervisions WHERE case_id = ? ORDER BY id", [v["id"]]
    ).fetchall()
    dues = {d["id"]: date.fromisoformat(d["due_current"]) for d in v["dispatches"]}
    judged = replies_lateness(ctx.cal, v["replies"], dues, {rid: date.fromisoformat(due) for rid, due in sups})
    by_id = {}
    for r, (limit, days) in zip(sorted(v["replies"], key=lambda r: r["id"]), judged):
        r["late"] = days
        r["limit_due"] = limit.due.isoformat() if limit.due else None
        r["limit_kind"] = limit.kind
        r["overdue"] = overdue_label(limit, days)
        by_id[r["id"]] = r
    for e in v["events"]:
        after = e["detail"].get("after") if isinstance(e["detail"], dict) else None
        if e["action"] == "reply" and isinstance(after, dict) and after.get("id") in by_id:
            r = by_id[after["id"]]
            e["days_late"], e["overdue"] = r["late"], r["overdue"]
