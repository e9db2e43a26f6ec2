"""Each office's month side by side (第三条): this ledger's own month figures, what the counties
sent (kept as history events of the ledger, no case; the latest per office and month counts),
and at the city the city-wide total. Read by `figures`, the city's 简报 and `stats --by office`;
lcqy.acts.exchange.month writes and receives the packages."""

from __future__ import annotations

import json
from datetime import date

from lcqy.acts.context import Ctx
from lcqy.acts.figures import counts as stats
from lcqy.errors import LcqyError
from lcqy.rules import month_figures as mf
from lcqy.rules.figures import derive, month_periods, parse_month, period_json

ACTION = "receive-figures"  # the history event of a county's month figures received


def month_figures(ctx: Ctx, month: str | date) -> dict:
    """One month's figures as a plain dict (every count and rate of lcqy.rules.figures, received
    by category and channel): what a county sends the city, what the 简报 prints."""
    first = parse_month(month) if isinstance(month, str) else month.replace(day=1)
    p = month_periods(first, ctx.today)["month"]
    stats.working_day_table(ctx, p.as_of)
    return {
        "month": f"{first.year}-{first.month:02d}",
        "period": period_json(p),
        "figures": stats.totals(ctx, p),
        "received_by": stats.received_breakdown(ctx, p)[0],
    }


def own_figures(ctx: Ctx, month: str) -> dict:
    """This ledger's month: the figures of the monthly 简报 (lcqy.acts.figures.month), as of the month's
    last day or today if the month is not over."""
    first = mf.parse_month(month)
    if first > ctx.today:
        raise LcqyError(f"{month} 还没有开始，没有办理情况。")
    return month_figures(ctx, first)


def received(ctx: Ctx, month: str | None = None) -> list[dict]:
    """The latest figures each office sent, per month (or for one month)."""
    rows = ctx.ledger.db.query("SELECT detail FROM events WHERE case_id IS NULL AND action = ? ORDER BY id", [ACTION])
    latest: dict[tuple[str, str], dict] = {}
    for r in rows:
        d = json.loads(r["detail"])
        if month is None or d["month"] == month:
            latest[(d["prefix"], d["month"])] = d
    return list(latest.values())


def city_figures(ctx: Ctx, month: str) -> list[dict]:
    """One line per office for `month`: this office first, then every county that sent figures,
    then (at the city) the city-wide total."""
    own = own_figures(ctx, month)
    month = own["month"]
    lines = [{"office_name": ctx.ledger.meta["office_name"], "as_of": own["period"]["as_of"], **own["figures"]}]
    if ctx.ledger.level != "city":
        return lines
    for x in sorted(received(ctx, month), key=lambda x: x["prefix"]):
        lines.append({"office_name": x["office_name"], "as_of": x["as_of"], **derive(x["figures"])})
    escalated_in = own["received_by"]["channel"].get(mf.COUNTY_CHANNEL, 0)
    total = {"office_name": "全市合计", "as_of": own["period"]["as_of"], **mf.combine(lines, escalated_in)}
    return [*lines, total]
