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


def known_counties(ctx: Ctx) -> dict[str, str]:
    """prefix -> name of every county office the city knows: those whose keys it holds (each
    county that sent it a package of any kind) and those that ever sent month figures."""
    db = ctx.ledger.db
    own = ctx.ledger.prefix
    out: dict[str, str] = {}
    rows = db.execute(
        "SELECT prefix, office_name FROM office_keys WHERE own = 0 AND level = 'county' ORDER BY added_on, id"
    ).fetchall()
    for prefix, name in rows:
        if prefix and prefix != own:
            out[prefix] = name
    for x in received(ctx):  # in the order received: the latest name stands
        if x["prefix"] != own:
            out[x["prefix"]] = x["office_name"]
    return out


def escalated_in(ctx: Ctx, start: str, end: str) -> dict[str, int]:
    """Cases the counties escalated to this city ledger, received in [start, end], per county
    prefix (read from the 转报编号 the case keeps, e.g. 临翔服企办报（2026）第3号)."""
    rows = ctx.ledger.db.execute(
        "SELECT substr(source_no, 1, instr(source_no, '服企办') - 1), count(*) FROM cases "
        "WHERE channel = ? AND accepted_on BETWEEN ? AND ? AND state NOT IN ('void', 'merged') GROUP BY 1",
        [mf.COUNTY_CHANNEL, start, end],
    ).fetchall()
    return {prefix or "": n for prefix, n in rows}


def not_reported(office_name: str, keys) -> dict:
    """The line of a county that has sent no figures for the month: 未报, no figures."""
    return {"office_name": office_name, "as_of": None, "reported": False, **dict.fromkeys(keys)}


def city_figures(ctx: Ctx, month: str) -> list[dict]:
    """One line per office for `month`: this office first, then every county the city knows
    (lcqy.acts.figures.city.known_counties) by prefix, each with its figures or marked not
    reported (`reported` false, every figure None), then (at the city) the city-wide total of
    this office and the counties that reported, with how many of the known counties did."""
    own = own_figures(ctx, month)
    month = own["month"]
    lines = [{"office_name": ctx.ledger.meta["office_name"], "as_of": own["period"]["as_of"], "reported": True,
              **own["figures"]}]  # fmt: skip
    if ctx.ledger.level != "city":
        return lines
    sent = {x["prefix"]: x for x in received(ctx, month)}
    counties = known_counties(ctx)
    for prefix in sorted(set(counties) | set(sent)):
        x = sent.get(prefix)
        if x is None:
            lines.append(not_reported(counties[prefix], own["figures"]))
        else:
            lines.append({"office_name": x["office_name"], "as_of": x["as_of"], "reported": True,
                          **derive(x["figures"])})  # fmt: skip
    # Cases a county escalated are counted once, at the county, when that county reported; the
    # escalations of a county that has not reported stay counted at the city, where they came in.
    escalated = own["received_by"]["channel"].get(mf.COUNTY_CHANNEL, 0)
    silent = set(counties) - set(sent)
    if silent:
        from_counties = escalated_in(ctx, own["period"]["start"], own["period"]["end"])
        escalated -= sum(n for prefix, n in from_counties.items() if prefix in silent)
    reported = [x for x in lines if x["reported"]]
    total = {
        "office_name": "全市合计",
        "as_of": own["period"]["as_of"],
        "counties": len(lines) - 1,
        "counties_reported": len(reported) - 1,
        **mf.combine(reported, escalated),
    }
    return [*lines, total]
