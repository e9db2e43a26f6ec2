"""`stats`: the table behind the report for any period, the workbook, the year-end 测评."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lcqy.acts.common import output_file
from lcqy.acts.context import Ctx
from lcqy.acts.figures import counts as stats
from lcqy.acts.figures.month import evaluation_weights
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.figures import EVALUATION_COLUMNS, Period, evaluate, period, period_json, weights_text
from lcqy.store.outputs import writing

# -- stats --by … -------------------------------------------------------------------

# (key, header, kind): "n" a count, "r" a rate (shown as % or —), "x" anything else.
COLUMNS: list[tuple[str, str, str]] = [
    ("received", "受理", "n"),
    ("dispatched", "交办", "n"),
    ("on_time_dispatch_rate", "按期交办率", "r"),
    ("replies", "答复", "n"),
    ("reply_a", "A类", "n"),
    ("reply_b", "B类", "n"),
    ("reply_c", "C类", "n"),
    ("fell_due", "到期应办结", "n"),
    ("on_time_completion_rate", "按期办结率", "r"),
    ("resolution_rate", "解决率", "r"),
    ("followups", "回访", "n"),
    ("satisfaction_rate", "满意率", "r"),
    ("closed", "销号", "n"),
    ("urges", "催办", "n"),
    ("supervision_urges", "督办", "n"),
    ("special", "列入专项督办", "n"),
    ("late_now", "超期未办结", "n"),
]
DEPT_COLUMNS: list[tuple[str, str, str]] = [
    ("returned", "退单", "n"),
    ("extended", "延期", "n"),
    ("over_limit", "超限延期", "n"),
    ("avg_reply_workdays", "平均答复工作日", "x"),
    ("longest_open_case", "在办最久", "x"),
    ("longest_open_workdays", "在办工作日", "x"),
]


def columns_for(by: str) -> list[tuple[str, str, str]]:
    if by == "dept":  # a department receives nothing: 受理 is the office's
        return [c for c in COLUMNS if c[0] != "received"] + DEPT_COLUMNS
    if by == "month":  # late-now is a day's state, not a month's act
        return [c for c in COLUMNS if c[0] != "late_now"]
    return COLUMNS


def stats_period(ctx: Ctx, year: int | None, date_from: str | None, date_to: str | None) -> Period:
    """--year Y, or --from/--to (either may be left out), or this year to date."""

    if year is not None and (date_from or date_to):
        raise LcqyError("--year 与 --from/--to 只能选一种：按年度，或按起止日期。")
    if year is not None:
        y = validate.year("年度（--year）", year)
        return period(date(y, 1, 1), date(y, 12, 31), ctx.today)
    start = validate.parse_date("开始日期（--from）", date_from) if date_from else date(ctx.today.year, 1, 1)
    end = validate.parse_date("结束日期（--to）", date_to) if date_to else ctx.today
    return period(start, end, ctx.today)


def stats_rows(ctx: Ctx, p: Period, by: str) -> list[dict]:
    """The rows of `stats --by`: one per group, with every column of columns_for(by)."""
    if by not in stats.GROUPINGS:
        raise LcqyError(f"分组（--by）只能是：{'、'.join(stats.GROUPINGS)}（承办单位、问题类别、反映形式、月份）。")
    stats.working_day_table(ctx, p.as_of)
    rows = stats.grouped(ctx, p, by)
    keys = [k for k, _, _ in columns_for(by)]
    return [{"key": r["key"], **{k: r.get(k) for k in keys}} for r in rows]


def table(ctx: Ctx, by: str, p: Period) -> dict:
    return {"by": by, "period": period_json(p), "rows": stats_rows(ctx, p, by)}


def evaluation(ctx: Ctx, p: Period) -> dict:
    """Per department the figures the 民主测评 and 考核 score from, the score and the rank."""
    weights = evaluation_weights(ctx)
    stats.working_day_table(ctx, p.as_of)
    keys = [k for k, _, _ in EVALUATION_COLUMNS]
    rows = [r for r in stats.grouped(ctx, p, "dept") if r["key"] != stats.ESCALATED_DEPT]
    rows = [r for r in rows if r["dispatched"] or r["fell_due"] or r["latest"] or r["followups"]]
    ranked = evaluate(rows, weights)
    return {
        "period": period_json(p),
        "weights": weights,
        "formula": weights_text(weights),
        "rows": [{"key": r["key"], **{k: r.get(k) for k in keys}} for r in ranked],
    }


def workbook(ctx: Ctx, p: Period, output: str, force: bool, with_evaluation: bool) -> Path:
    """One sheet per grouping (承办单位 with its charts), and the 测评 sheet first if asked."""
    from lcqy.xlsx.stats import write_stats

    path = output_file(output, "统计.xlsx", ".xlsx", force)
    sheets = {by: (columns_for(by), stats_rows(ctx, p, by)) for by in stats.GROUPINGS}
    ev = None
    if with_evaluation:
        e = evaluation(ctx, p)
        ev = (EVALUATION_COLUMNS, e["rows"], e["formula"], e["weights"])
    label = p.label if p.start.year != p.end.year or p.start.month == p.end.month else _label(p)
    with writing(path) as tmp:  # whole or not at all (lcqy.store.outputs)
        write_stats(tmp, ctx.ledger.meta.get("office_name", ""), label, sheets, ev)
    return path


def _label(p: Period) -> str:
    if p.start.month == 1 and p.start.day == 1 and p.end.month == 12 and p.end.day == 31:
        return f"{p.start.year}年（截至{p.as_of.isoformat()}）"
    return f"{p.start.isoformat()} 至 {p.end.isoformat()}"
