"""The figures of the monthly 简报 and of the statistics (第十九至二十三条), each defined once.

Pure: the counts come in as a plain dict (lcqy.acts.figures.counts reads them from the ledger with SQL
aggregates); this module names them, derives the rates, and says what counts. The README's
table of figures is written from COUNTS and RATES below.

A period is [start, end] with an as-of day (end, or today when the period is not over): acts
count when their own date falls in the period; "late now" and "专项督办 open" are as of that day.
"""

from __future__ import annotations

import calendar as _cal
import re
from dataclasses import dataclass
from datetime import date, timedelta

from lcqy.errors import LcqyError

# key -> (label, what counts). Counts of acts are by the act's own date within the period.
COUNTS: dict[str, tuple[str, str]] = {
    "received": ("受理", "受理时间在期内的登记（作废和并案的重复登记不计），另按问题类别和反映形式分列"),
    "rejected": ("不予受理", "期内决定不予受理的件数（第二条）"),
    "forwarded": ("转交咨询", "期内转交职能部门答复的咨询类问题（第十条）"),
    "dispatched": ("交办", "期内签发的交办单（退单后重新交办的再计一次）"),
    "dispatched_on_time": ("按期交办", "期内交办单中在第十二条时限（2或3个工作日）内交办的"),
    "escalated": ("转报", "期内签发的转报单"),
    "escalated_on_time": ("按期转报", "期内转报单中在3个工作日内转报的"),
    "returned": ("退单", "期内承办单位退回的交办单"),
    "extended": ("延期", "期内交办、办结时限经延期的交办单"),
    "over_limit": ("超限延期", "其中延期超过第十六条上限（经特别说明）的"),
    "replies": ("答复", "期内收到的答复（含再次答复），A+B+C"),
    "reply_a": ("A类", "期内答复中结果为A（已经解决或基本解决）的"),
    "reply_b": ("B类", "期内答复中结果为B（正在解决或列入规划）的"),
    "reply_c": ("C类", "期内答复中结果为C（目前条件限制需以后解决）的"),
    "replies_followed": ("已回访的答复", "期内答复中在截止日前已回访的"),
    "first_replies": ("首次答复", "期内对交办单的首次答复"),
    "reply_workdays": ("答复用时", "首次答复距收到交办单的工作日数之和"),
    "fell_due": ("到期应办结", "办结时限（含延期）在期内且不晚于截止日的交办单（已退单的不计）"),
    "due_on_time": ("按期办结", "其中在办结时限内作出首次答复的"),
    "latest": ("有答复的案件", "期内有答复的案件（以截至期末的最近一次答复为准）"),
    "latest_a": ("最近答复为A", "其中最近一次答复为A类的"),
    "closed": ("销号", "期内销号的案件"),
    "followups": ("回访", "期内回访次数"),
    "satisfied": ("满意", "期内回访结果为满意或基本满意的次数"),
    "urges": ("催办", "期内发出的催办函（首次答复前超过办结时限）"),
    "supervision_urges": ("督办", "期内发出的督办函（督办台帐、专项督办的案件超过承诺或督办时限）"),
    "supervised": ("列入督办", "期内列入督办台帐或专项督办的次数（第十八条）"),
    "special": ("专项督办", "其中列入专项督办的次数"),
    "special_open": ("专项督办在办", "截止日仍在专项督办、尚未销号的案件"),
    "late_dispatch": ("超期未交办", "截止日已过交办时限仍未交办、转报或办结的案件（待专题会议的不计）"),
    "late_reply": ("超期未答复", "截止日已过办结时限、承办单位仍未首次答复的交办单"),
}

# key -> (label, numerator, denominator keys, formula). No denominator -> None, shown as "—".
RATES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], str]] = {
    "on_time_dispatch_rate": (
        "按期交办率",
        ("dispatched_on_time", "escalated_on_time"),
        ("dispatched", "escalated"),
        "（按期交办 + 按期转报）÷（交办 + 转报）",
    ),
    "on_time_completion_rate": (
        "按期办结率",
        ("due_on_time",),
        ("fell_due",),
        "按期办结 ÷ 到期应办结：办结时限在期内的交办单中，首次答复不晚于时限的比例",
    ),
    "resolution_rate": (
        "解决率",
        ("latest_a",),
        ("latest",),
        "最近答复为A ÷ 有答复的案件",
    ),
    "satisfaction_rate": (
        "满意率",
        ("satisfied",),
        ("followups",),
        "（满意 + 基本满意）÷ 回访次数",
    ),
    "followup_rate": (
        "回访率",
        ("replies_followed",),
        ("replies",),
        "已回访的答复 ÷ 答复",
    ),
}

DASH = "—"


def rate(num: int, den: int) -> float | None:
    """A share in [0, 1]; None when nothing was there to count (never 0 % or 100 %)."""
    return None if not den else num / den


def fmt_rate(value: float | None) -> str:
    return DASH if value is None else f"{value * 100:.1f}%"


def derive(counts: dict) -> dict:
    """The counts with every rate added (None when its denominator is 0) and the totals:
    late_now = 超期未交办 + 超期未答复."""
    out = {k: int(counts.get(k) or 0) for k in COUNTS}
    for key, (_, num, den, _) in RATES.items():
        out[key] = rate(sum(out[k] for k in num), sum(out[k] for k in den))
    out["late_now"] = out["late_dispatch"] + out["late_reply"]
    out["avg_reply_workdays"] = round(out["reply_workdays"] / out["first_replies"], 1) if out["first_replies"] else None
    return out


# -- periods -------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    as_of: date  # the day "now" figures are taken on: end, or today if the period is not over

    @property
    def label(self) -> str:
        if self.start.day == 1 and self.end == month_end(self.end) and self.start.month == self.end.month:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"


def month_end(d: date) -> date:
    return date(d.year, d.month, _cal.monthrange(d.year, d.month)[1])


def parse_month(text: str, label: str = "月份（--month）") -> date:
    """2026-10 -> date(2026, 10, 1); a clear message otherwise."""
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        raise LcqyError(f"{label}“{text}”格式不对，应写成 2026-10（年-月）。")
    return date(int(m.group(1)), int(m.group(2)), 1)


def period(start: date, end: date, today: date) -> Period:
    if end < start:
        raise LcqyError(f"统计期间的结束日 {end} 早于开始日 {start}。")
    if start > today:
        raise LcqyError(f"统计期间从 {start} 开始，还没有到（今天是 {today}）。")
    return Period(start, end, min(end, today))


def month_periods(first: date, today: date) -> dict[str, Period]:
    """The report's three columns: the month, the year to its end, and the month before."""
    end = month_end(first)
    prev_first = (first - timedelta(days=1)).replace(day=1)
    return {
        "month": period(first, end, today),
        "year_to_date": period(date(first.year, 1, 1), end, today),
        "previous_month": period(prev_first, month_end(prev_first), today),
    }


# -- 第二十三条: units to be named -------------------------------------------------

REPORT_DEFAULTS = {"late_days": 10, "urge_count": 2, "report_to": [], "copy_to": []}


def units_to_name(late: list[dict], urged: list[dict], late_days: int, urge_count: int) -> list[dict]:
    """Departments with cases late more than `late_days` working days (`late`: per department,
    its count and the most days late), or a case urged `urge_count` times or more (`urged`: per
    dispatch, its urges); one row per department, worst first."""
    by: dict[str, dict] = {}

    def unit(dept: str) -> dict:
        empty = {"late_cases": 0, "max_days_late": 0, "urged_cases": 0, "max_urges": 0}
        return by.setdefault(dept, {"dept": dept, **empty})

    for r in late:
        if r["cases"] and r["lead_dept"]:
            u = unit(r["lead_dept"])
            u["late_cases"], u["max_days_late"] = r["cases"], r["max_days_late"]
    for r in urged:
        if r["urges"] >= urge_count and r["lead_dept"]:
            u = unit(r["lead_dept"])
            u["urged_cases"] += 1
            u["max_urges"] = max(u["max_urges"], r["urges"])
    for u in by.values():
        reasons = []
        if u["late_cases"]:
            reasons.append(f"{u['late_cases']}件超期超过{late_days}个工作日未答复（最长{u['max_days_late']}个工作日）")
        if u["urged_cases"]:
            reasons.append(f"{u['urged_cases']}件被催办（督办）{urge_count}次以上（最多{u['max_urges']}次）")
        u["reason"] = "；".join(reasons)
    return sorted(by.values(), key=lambda u: (-u["max_days_late"], -u["max_urges"], u["dept"]))


# -- 第二十、二十一条: the year-end score -------------------------------------------

EVALUATION_DEFAULTS = {
    "on_time_completion_rate": 40.0,
    "resolution_rate": 30.0,
    "satisfaction_rate": 30.0,
    "per_urge": 1.0,
    "per_return": 1.0,
}
EVALUATION_LABELS = {
    "on_time_completion_rate": "按期办结率",
    "resolution_rate": "解决率",
    "satisfaction_rate": "满意率",
    "per_urge": "每次催办（督办）扣分",
    "per_return": "每次退单扣分",
}


def score(row: dict, weights: dict) -> float | None:
    """Σ weight × rate over the rates the department has (a rate with no denominator gives
    its weight neither way: the weights of the rates present are scaled up to the full total),
    minus points per 催办 or 督办 letter and per 退单, never below 0. None when the department has no rate at all."""
    keys = ("on_time_completion_rate", "resolution_rate", "satisfaction_rate")
    total = sum(weights[k] for k in keys)
    have = [k for k in keys if row.get(k) is not None]
    if not have or not total:
        return None
    part = sum(weights[k] * row[k] for k in have) * total / sum(weights[k] for k in have)
    urges = (row.get("urges") or 0) + (row.get("supervision_urges") or 0)
    part -= weights["per_urge"] * urges + weights["per_return"] * (row.get("returned") or 0)
    return round(max(part, 0.0), 1)


def overview_sentences(f: dict, prev: dict, ytd: dict, label: str) -> list[str]:
    """一、总体情况, as sentences with the figures."""
    r = fmt_rate
    return [
        f"{label}，共受理企业反映困难问题{f['received']}件（上月{prev['received']}件，本年累计{ytd['received']}件），"
        f"其中不予受理{f['rejected']}件，咨询类转交职能部门答复{f['forwarded']}件。",
        f"交办{f['dispatched']}件，转报上级{f['escalated']}件，按期交办率{r(f['on_time_dispatch_rate'])}；"
        f"承办单位退单{f['returned']}件，延期{f['extended']}件。",
        f"收到承办单位答复{f['replies']}件，其中A类（已经解决或基本解决）{f['reply_a']}件、"
        f"B类（正在解决或列入规划逐步解决）{f['reply_b']}件、C类（目前条件限制需以后解决）{f['reply_c']}件；"
        f"本月到期应办结{f['fell_due']}件，按期办结{f['due_on_time']}件，按期办结率{r(f['on_time_completion_rate'])}"
        f"（本年累计{r(ytd['on_time_completion_rate'])}），解决率{r(f['resolution_rate'])}。",
        f"回访企业{f['followups']}次，满意率{r(f['satisfaction_rate'])}（本年累计{r(ytd['satisfaction_rate'])}），"
        f"回访率{r(f['followup_rate'])}；销号{f['closed']}件。",
        f"发出催办函{f['urges']}件、督办函{f['supervision_urges']}件，"
        f"列入督办{f['supervised']}次（其中专项督办{f['special']}次），"
        f"截至{f['as_of_text']}专项督办在办{f['special_open']}件，"
        f"超期未办结{f['late_now']}件（超期未交办{f['late_dispatch']}件、超期未答复{f['late_reply']}件）。",
    ]


EVALUATION_COLUMNS: list[tuple[str, str, str]] = [
    ("dispatched", "交办", "n"),
    ("fell_due", "到期应办结", "n"),
    ("due_on_time", "按期办结", "n"),
    ("on_time_completion_rate", "按期办结率", "r"),
    ("latest", "有答复的案件", "n"),
    ("latest_a", "最近答复为A", "n"),
    ("resolution_rate", "解决率", "r"),
    ("followups", "回访", "n"),
    ("satisfied", "满意和基本满意", "n"),
    ("satisfaction_rate", "满意率", "r"),
    ("urges", "催办", "n"),
    ("supervision_urges", "督办", "n"),
    ("returned", "退单", "n"),
    ("special", "列入专项督办", "n"),
    ("score", "得分", "x"),
    ("rank", "名次", "x"),
]


def evaluate(rows: list[dict], weights: dict) -> list[dict]:
    """The year-end sheet's rows: each department's figures, its score and its rank (equal
    scores share a rank); departments with no rate at all are listed without a score."""
    out = [{**r, "score": score(r, weights)} for r in rows]
    ranked = sorted((r["score"] for r in out if r["score"] is not None), reverse=True)
    for r in out:
        r["rank"] = ranked.index(r["score"]) + 1 if r["score"] is not None else None
    out.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))
    return out


def weights_text(weights: dict) -> str:
    """How the score is computed, in words, as printed on the sheet."""
    w = {k: f"{v:g}" for k, v in weights.items()}
    return (
        f"得分 = 按期办结率×{w['on_time_completion_rate']} + 解决率×{w['resolution_rate']} + "
        f"满意率×{w['satisfaction_rate']} − 催办（督办）次数×{w['per_urge']} − 退单次数×{w['per_return']}"
        "（比率以小数计；某项比率无分母时不计该项，其余各项按比例折算到满分；最低0分）"
    )


def period_json(p: Period) -> dict:
    """A period as the --json outputs write it."""
    return {"start": p.start.isoformat(), "end": p.end.isoformat(), "as_of": p.as_of.isoformat()}
