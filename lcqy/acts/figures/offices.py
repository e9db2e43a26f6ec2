"""`stats --by office` at the city ledger: a year of the monthly figures, one row per office
(the city's own and every county that sent month packages) and the city-wide total.

Each month comes from `city_figures` (the same figures and the same city-wide addition as
`lcqy figures`); the months are added up: acts count in the month they fall in, while the
day's states (超期未交办/未答复, 专项督办在办) are those of the last month an office reported."""

from __future__ import annotations

from datetime import date

from lcqy.acts.context import Ctx
from lcqy.acts.figures.city import city_figures
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.figures import COUNTS, derive

# A state on a day, not an act in a month: not added up over months.
_STATES = ("special_open", "late_dispatch", "late_reply")


def office_year(ctx: Ctx, year: int | None) -> dict:
    if ctx.ledger.level != "city":
        raise LcqyError("按县区统计（--by office）只在市级台帐使用：汇总各县区报来的月度办理情况。")
    y = validate.year("年度（--year）", year) if year is not None else ctx.today.year
    if date(y, 1, 1) > ctx.today:
        raise LcqyError(f"{y} 年还没有开始，没有办理情况。")
    last = 12 if y < ctx.today.year else ctx.today.month
    acc: dict[str, dict] = {}
    as_of = ""
    for m in range(1, last + 1):
        month = f"{y}-{m:02d}"
        lines = city_figures(ctx, month)
        as_of = lines[0]["as_of"]
        for x in lines:
            row = acc.setdefault(x["office_name"], {"counts": dict.fromkeys(COUNTS, 0), "months": [], "as_of": None})
            if x.get("reported") is False:  # 未报 this month: nothing to add
                continue
            for k in COUNTS:
                row["counts"][k] = x[k] if k in _STATES else row["counts"][k] + x[k]
            row["months"].append(month)
            row["as_of"] = x["as_of"]
    # city_figures orders the rows: this office, the counties by prefix, the total last. A
    # county the city knows that reported no month of the year is listed, marked not reported.
    rows = [
        {"key": name, "as_of": r["as_of"], "months": r["months"], "reported": True, **derive(r["counts"])}
        if r["months"]
        else {"key": name, "as_of": None, "months": [], "reported": False, **dict.fromkeys(derive({}))}
        for name, r in acc.items()
    ]
    total = [r for r in rows if r["key"] == "全市合计"]
    rows = [r for r in rows if r["key"] != "全市合计"] + total
    end = date(y, 12, 31)
    return {"by": "office", "year": y, "period": {"start": f"{y}-01-01", "end": end.isoformat(), "as_of": as_of},
            "rows": rows}  # fmt: skip
