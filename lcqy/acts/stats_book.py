"""`stats`: the table behind the report for any period, the workbook, the year-end 测评."""

from __future__ import annotations

from pathlib import Path

from lcqy.acts import stats
from lcqy.acts.common import output_file
from lcqy.acts.context import Ctx
from lcqy.acts.report import evaluation_weights
from lcqy.rules.figures import EVALUATION_COLUMNS, Period, evaluate, weights_text


def _period_json(p: Period) -> dict:
    return {"start": p.start.isoformat(), "end": p.end.isoformat(), "as_of": p.as_of.isoformat()}


def table(ctx: Ctx, by: str, p: Period) -> dict:
    return {"by": by, "period": _period_json(p), "rows": stats.stats_rows(ctx, p, by)}


def evaluation(ctx: Ctx, p: Period) -> dict:
    """Per department the figures the 民主测评 and 考核 score from, the score and the rank."""
    weights = evaluation_weights(ctx)
    stats.working_day_table(ctx, p.as_of)
    keys = [k for k, _, _ in EVALUATION_COLUMNS]
    rows = [r for r in stats.grouped(ctx, p, "dept") if r["key"] != stats.ESCALATED_DEPT]
    rows = [r for r in rows if r["dispatched"] or r["fell_due"] or r["latest"] or r["followups"]]
    ranked = evaluate(rows, weights)
    return {
        "period": _period_json(p),
        "weights": weights,
        "formula": weights_text(weights),
        "rows": [{"key": r["key"], **{k: r.get(k) for k in keys}} for r in ranked],
    }


def workbook(ctx: Ctx, p: Period, output: str, force: bool, with_evaluation: bool) -> Path:
    """One sheet per grouping (承办单位 with its charts), and the 测评 sheet first if asked."""
    from lcqy.xlsx.stats import write_stats

    path = output_file(output, "统计.xlsx", ".xlsx", force)
    sheets = {by: (stats.columns_for(by), stats.stats_rows(ctx, p, by)) for by in stats.GROUPINGS}
    ev = None
    if with_evaluation:
        e = evaluation(ctx, p)
        ev = (EVALUATION_COLUMNS, e["rows"], e["formula"], e["weights"])
    label = p.label if p.start.year != p.end.year or p.start.month == p.end.month else _label(p)
    return write_stats(path, ctx.ledger.meta.get("office_name", ""), label, sheets, ev)


def _label(p: Period) -> str:
    if p.start.month == 1 and p.start.day == 1 and p.end.month == 12 and p.end.day == 31:
        return f"{p.start.year}年（截至{p.as_of.isoformat()}）"
    return f"{p.start.isoformat()} 至 {p.end.isoformat()}"
