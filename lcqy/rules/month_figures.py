"""A month's figures as an office sends them to the city (第三条: the city gathers the handling of
the whole city): the counts the Excel 汇总 sheet shows — per category, cases by state, how many
are late, and replies A/B/C — over the cases accepted in the month, as of the month's end."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from datetime import date

from lcqy.errors import LcqyError
from lcqy.rules.constants import CATEGORIES, STATES

RESULT_KEYS = ("A", "B", "C")
MAX_COUNT = 10**7


def month_span(text: str) -> tuple[date, date]:
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
    if not m or not 2000 <= int(m[1]) <= 2099 or not 1 <= int(m[2]) <= 12:
        raise LcqyError(f"月份“{text}”写法不对，应写成 2026-11。")
    y, mo = int(m[1]), int(m[2])
    return date(y, mo, 1), date(y, mo, monthrange(y, mo)[1])


def empty() -> dict:
    return {cat: {"states": {}, "late": 0, **dict.fromkeys(RESULT_KEYS, 0)} for cat in CATEGORIES}


def summarize(rows: Iterable[dict]) -> dict:
    """Rows in the Excel ledger's shape (category, state label, days_late, result) -> figures."""
    out = empty()
    for r in rows:
        c = out[r["category"]]
        c["states"][r["state"]] = c["states"].get(r["state"], 0) + 1
        c["late"] += int((r.get("days_late") or 0) > 0)
        if r.get("result") in RESULT_KEYS:
            c[r["result"]] += 1
    return out


def totals(fig: dict) -> dict:
    """One office's line: cases, by state, late, A/B/C over all categories."""
    states: dict[str, int] = {}
    for c in fig.values():
        for s, n in c["states"].items():
            states[s] = states.get(s, 0) + n
    return {
        "cases": sum(states.values()),
        "states": states,
        "late": sum(c["late"] for c in fig.values()),
        **{k: sum(c[k] for c in fig.values()) for k in RESULT_KEYS},
    }


def _count(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_COUNT


def check(fig: object) -> dict:
    """Figures from a package, checked: known categories and states, counts that add up.
    Raises LcqyError naming the first problem."""
    if not isinstance(fig, dict) or set(fig) - set(CATEGORIES):
        raise LcqyError("办理情况的问题类别不对")
    out = empty()
    labels = set(STATES.values())
    for cat, c in fig.items():
        if not isinstance(c, dict) or not isinstance(c.get("states"), dict):
            raise LcqyError(f"“{cat}”的数字不完整")
        for s, n in c["states"].items():
            if s not in labels or not _count(n):
                raise LcqyError(f"“{cat}”的状态“{s}”或件数不对")
        for k in ("late", *RESULT_KEYS):
            if not _count(c.get(k)):
                raise LcqyError(f"“{cat}”的{k}件数不对")
        n = sum(c["states"].values())
        if c["late"] > n or sum(c[k] for k in RESULT_KEYS) > n:
            raise LcqyError(f"“{cat}”的超期或答复件数大于案件数")
        out[cat] = {"states": dict(c["states"]), **{k: c[k] for k in ("late", *RESULT_KEYS)}}
    return out
