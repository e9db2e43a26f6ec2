"""The monthly 简报 (第十九条): its figures, its 期号, its settings, and the .docx."""

from __future__ import annotations

import json

from lcqy.acts.context import Ctx
from lcqy.acts.figures import counts as stats
from lcqy.acts.figures import snapshot as snap
from lcqy.acts.figures.city import city_figures
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.figures import (
    EVALUATION_DEFAULTS,
    EVALUATION_LABELS,
    REPORT_DEFAULTS,
    month_periods,
    parse_month,
    period_json,
    units_to_name,
)

LATE_LIST_MAX = 100  # the worst late cases listed (四、超期未办结问题); figures.late_now counts them all


def report_data(ctx: Ctx, month: str, *, with_enterprises: bool = False) -> dict:
    """Everything the 简报 shows, with stable English keys (the --json output)."""
    first = parse_month(month)
    periods = month_periods(first, ctx.today)
    p = periods["month"]
    stats.working_day_table(ctx, max(q.as_of for q in periods.values()))
    snap.day_late(ctx, p.as_of)  # the month's end is listed below: its totals are counted from it
    figures = dict(zip(periods, stats.totals_for(ctx, list(periods.values()))))
    breakdown = dict(zip(periods, stats.received_breakdown(ctx, *periods.values())))
    settings = report_settings(ctx)
    late = snap.late_rows(ctx, p.as_of, LATE_LIST_MAX)
    late_depts = snap.late_by_dept(ctx, p.as_of, settings["late_days"])
    urged = snap.urged_rows(ctx, p, settings["urge_count"])
    depts = [r for r in stats.grouped(ctx, p, "dept", longest_open=False) if any(r[k] for k in _DEPT_ACTIVITY)]
    key = f"{first.year}-{first.month:02d}"
    offices = None
    if ctx.ledger.level == "city":  # 第三条: each county's month beside the city's own, as `lcqy figures`
        offices = city_figures(ctx, key)
    issue = ctx.ledger.conn.execute("SELECT year, seq FROM bulletins WHERE month = ?", [key]).fetchone()
    return {
        "month": key,
        "office": ctx.ledger.meta.get("office_name", ""),
        "issue": {"year": issue[0], "number": issue[1]} if issue else None,
        "periods": {name: period_json(q) for name, q in periods.items()},
        "figures": figures,
        "received_by_category": _by_period(breakdown, "category"),
        "received_by_channel": _by_period(breakdown, "channel"),
        "departments": [{k: r[k] for k in DEPT_KEYS} | {"dept": r["key"]} for r in depts],
        "late_cases": [_late_json(r, with_enterprises) for r in late],
        "units_to_name": units_to_name(late_depts, urged, settings["late_days"], settings["urge_count"]),
        "settings": {"late_days": settings["late_days"], "urge_count": settings["urge_count"]},
        "offices": offices,
    }


def _by_period(breakdown: dict, kind: str) -> dict:
    """name -> {period: received}; a name outside the fixed lists (an imported ledger's) may be
    in one period only: 0 in the others."""
    names = dict.fromkeys(name for counts in breakdown.values() for name in counts[kind])
    return {n: {p: counts[kind].get(n, 0) for p, counts in breakdown.items()} for n in names}


_DEPT_ACTIVITY = ("dispatched", "replies", "fell_due", "late_reply", "followups", "urges", "returned")
DEPT_KEYS = (
    "dispatched",
    "replies",
    "fell_due",
    "due_on_time",
    "on_time_completion_rate",
    "late_reply",
    "reply_a",
    "reply_b",
    "reply_c",
    "followups",
    "satisfied",
    "satisfaction_rate",
    "urges",
    "returned",
)


def _late_json(r: dict, with_enterprises: bool) -> dict:
    out = {
        "case": f"{r['reg_year']}-{r['reg_seq']}",
        "reg_no": r["reg_no"],
        "category": r["category"],
        "lead_dept": r["lead_dept"] or None,
        "kind": r["kind"],
        "due": r["due"],
        "days_late": r["days_late"],
    }
    if with_enterprises:
        out["enterprise"] = r["enterprise"]
    return out


# -- settings (lcqy config report / evaluation) ------------------------------------

_REPORT_KEYS = {
    "late-days": ("late_days", "通报的超期工作日数（超期超过此数的承办单位列入第五部分）"),
    "urge-count": ("urge_count", "通报的催办次数（同一件被催办达到此数的承办单位列入第五部分）"),
    "report-to": ("report_to", "版记“报”送的单位，多个用顿号或逗号分隔"),
    "copy-to": ("copy_to", "版记“送”的单位，多个用顿号或逗号分隔"),
}
_EVAL_KEYS = {k.replace("_", "-"): k for k in EVALUATION_DEFAULTS}


def _stored(ctx: Ctx, name: str, defaults: dict) -> dict:
    try:
        got = json.loads(ctx.ledger.meta.get(name, "{}"))
    except ValueError:
        got = {}
    return {k: got.get(k, v) for k, v in defaults.items()}


def report_settings(ctx: Ctx) -> dict:
    return _stored(ctx, "report_settings", REPORT_DEFAULTS)


def evaluation_weights(ctx: Ctx) -> dict:
    return _stored(ctx, "evaluation_weights", EVALUATION_DEFAULTS)


def _save(ctx: Ctx, name: str, values: dict) -> None:
    led = ctx.ledger
    with led.write():
        led.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [name, json.dumps(values, ensure_ascii=False)],
        )
        led.event(None, ctx.today.isoformat(), "config", ctx.actor, key=name, after=values)
    ctx.reload_calendar()  # also forgets the cached meta


def _names(text: str) -> list[str]:
    parts = [x.strip() for x in text.replace("，", "、").replace(",", "、").replace("；", "、").split("、")]
    return [validate.required_text("单位名称", x, 60) for x in parts if x]


def configure(ctx: Ctx, area: str, key: str | None, value: str | None) -> list[str]:
    """`lcqy config report|evaluation [KEY VALUE]`: set one value (- restores its default);
    returns the lines to show, every setting of the area with its meaning."""
    if area == "report":
        values, keys, name, defaults = report_settings(ctx), _REPORT_KEYS, "report_settings", REPORT_DEFAULTS
    else:
        values, name, defaults = evaluation_weights(ctx), "evaluation_weights", EVALUATION_DEFAULTS
        keys = {k: (v, EVALUATION_LABELS[v]) for k, v in _EVAL_KEYS.items()}
    if key is not None:
        norm = key.strip().replace("_", "-")
        if norm not in keys:
            raise LcqyError(f"{area} 没有设置项“{key}”；可用：{'、'.join(keys)}。")
        if value is None:
            raise LcqyError(f"请写出 {norm} 的新值（写 - 恢复默认），如：lcqy config {area} {norm} {_example(norm)}。")
        field = keys[norm][0]
        values[field] = defaults[field] if value.strip() == "-" else _parse(area, norm, field, value)
        _save(ctx, name, values)
    lines = []
    for k, (field, meaning) in keys.items():
        v = values[field]
        shown = "、".join(v) if isinstance(v, list) else f"{v:g}" if isinstance(v, float) else str(v)
        lines.append(f"{area} {k} = {shown or '（未设置）'}    {meaning}")
    return lines


def _example(norm: str) -> str:
    return {"report-to": "区委办公室、区政府办公室", "copy-to": "区工商联"}.get(norm, "10")


def _parse(area: str, norm: str, field: str, value: str):
    if field in ("report_to", "copy_to"):
        return _names(value)
    label = f"{area} {norm}"
    try:
        number = float(value) if area == "evaluation" else int(value)
    except ValueError:
        kind = "数" if area == "evaluation" else "整数"
        raise LcqyError(f"{label} 须为{kind}，而不是“{value}”。") from None
    high = 100 if area == "evaluation" else 999
    if not 0 <= number <= high or (area == "report" and number < 1):
        raise LcqyError(f"{label} 须在 {0 if area == 'evaluation' else 1} 至 {high} 之间，而不是 {value}。")
    return number
