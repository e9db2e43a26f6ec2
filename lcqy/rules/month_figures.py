"""A month's figures as a county sends them to the city (第三条: the city gathers the handling of
the whole city). The figures themselves are defined once, in lcqy.rules.figures; here they are
checked when they come from another office, and added up city-wide."""

from __future__ import annotations

from lcqy.errors import LcqyError
from lcqy.rules.constants import CATEGORIES, CHANNELS
from lcqy.rules.figures import COUNTS, derive, parse_month

MAX_COUNT = 10**7
# The columns of `lcqy figures`: counts, then rates.
SHOWN_COUNTS = ("received", "dispatched", "escalated", "replies", "reply_a", "reply_b", "reply_c", "closed", "late_now")
SHOWN_RATES = ("on_time_dispatch_rate", "on_time_completion_rate", "satisfaction_rate")
COUNTY_CHANNEL = CHANNELS[-1]  # 县区转报


def month_key(text: str) -> str:
    first = parse_month(text)
    return f"{first.year}-{first.month:02d}"


def _count(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_COUNT


def check(figures: object, received_by: object) -> tuple[dict, dict]:
    """Counts and the received breakdown from a package, checked; rates are not taken from the
    package but derived again. Raises LcqyError naming the first problem."""
    if not isinstance(figures, dict):
        raise LcqyError("办理情况数字缺失")
    counts = {}
    for key, (label, _) in COUNTS.items():
        if not _count(figures.get(key)):
            raise LcqyError(f"“{label}”的件数不对")
        counts[key] = figures[key]
    if not isinstance(received_by, dict):
        raise LcqyError("受理件数的分类缺失")
    by: dict[str, dict[str, int]] = {}
    for part, names in (("category", CATEGORIES), ("channel", CHANNELS)):
        got = received_by.get(part)
        if not isinstance(got, dict) or set(got) - set(names) or not all(_count(v) for v in got.values()):
            raise LcqyError(f"按{'问题类别' if part == 'category' else '反映形式'}分列的受理件数不对")
        if sum(got.values()) != counts["received"]:
            raise LcqyError("分列的受理件数与受理合计不符")
        by[part] = {n: got.get(n, 0) for n in names}
    return counts, by


def combine(lines: list[dict], city_from_counties: int) -> dict:
    """City-wide figures: every office's counts added up, the cases counties escalated to the
    city (received there under 县区转报) counted once, at their county; rates derived again."""
    total = {k: sum(line[k] for line in lines) for k in COUNTS}
    total["received"] -= city_from_counties
    return derive(total)


NOT_REPORTED = "未报"


def shown_line(x: dict) -> list[str]:
    """A line of `lcqy figures` (and the 简报's 各县区情况 in the terminal): the office, the day
    its figures are as of, the shown counts and rates; a county that has not reported its month
    is marked 未报, with a dash for every figure."""
    from lcqy.rules.figures import DASH, fmt_rate

    if x.get("reported") is False:
        return [x["office_name"], NOT_REPORTED, *(DASH for _ in SHOWN_COUNTS + SHOWN_RATES)]
    return [x["office_name"], x["as_of"], *(str(x[k]) for k in SHOWN_COUNTS), *(fmt_rate(x[k]) for k in SHOWN_RATES)]


def reported_note(lines: list[dict]) -> str:
    """What the city-wide total holds, when a known county has not reported: '' when all did."""
    total = lines[-1]
    silent = [x["office_name"] for x in lines if x.get("reported") is False]
    if not silent or "counties" not in total:
        return ""
    return (
        f"全市合计只含已报的县区：{total['counties']}个县区中已报{total['counties_reported']}个，"
        f"未报{len(silent)}个（{'、'.join(silent)}），其转报到市级的案件在市级计受理。"
    )
