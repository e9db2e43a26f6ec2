"""What the 简报 template is filled with: the report's figures as texts and rows (pure).

Never a contact, phone, e-mail, address or problem text (第四条); the enterprise's name only
when the clerk asks for it (--with-enterprises).
"""

from __future__ import annotations

from datetime import date

from lcqy.docs.fitting import number_breaks
from lcqy.rules.figures import fmt_rate, overview_sentences

REPORT_LISTS = ("overview", "categories", "depts", "late", "units", "offices")
# Placeholders the template must show; the lists and the yes/no flags drive its loops and
# conditions, which a clerk may rearrange (OPTIONAL).
REQUIRED: set[str] = {
    "issue_no",
    "office_name",
    "issued_on",
    "month_label",
    "as_of",
    "category_text",
    "total_month",
    "total_previous",
    "total_year",
    "channel_text",
    "dept_text",
    "late_text",
    "units_text",
    "report_to",
    "copy_to",
}
OPTIONAL: set[str] = {
    *("has_depts", "has_late", "with_enterprises", "has_units", "has_offices", "offices_text"),
    *("head_break", "imprint_break", "send_to", "copies"),
    *REPORT_LISTS,
}
MEASURES = "《临沧市企业反映困难问题收集和办理工作办法（试行）》"
# 报头: the office (4号) and the date share the 156 mm line when both fit, a character apart; the
# 版记's 印发 line (150 mm, lcqy.docs.build_report.IMPRINT_MM) one character in from each end.
HEAD_EM = 156 / (14 / 72 * 25.4)
IMPRINT_EM = 150 / (14 / 72 * 25.4) - 2
# Collective recipients in the 版记, and the units each stands for in the 印数.
ALL_UNITS = "各承办单位"
ALL_COUNTIES = "各县（区）服务企业发展领导小组办公室"


def _yes(flag: bool) -> str:
    # Values reach the template as text: "" is false there, any other text true.
    return "是" if flag else ""


def cn_day(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def context(data: dict, *, issue_no: int, issued_on: date, settings: dict, with_enterprises: bool) -> dict:
    """The template's context from report_data (lcqy.acts.report) and the report settings."""
    year, month = (int(x) for x in data["month"].split("-"))
    label = f"{year}年{month}月"
    figs = data["figures"]
    as_of = cn_day(data["periods"]["month"]["as_of"])
    f = {**figs["month"], "as_of_text": as_of}
    cats = data["received_by_category"]
    ytd_total = figs["year_to_date"]["received"]
    categories = [
        {
            "name": name,
            "month": v["month"],
            "previous_month": v["previous_month"],
            "year_to_date": v["year_to_date"],
            "share": fmt_rate(v["year_to_date"] / ytd_total if ytd_total else None),
        }
        for name, v in cats.items()
        if v["month"] or v["previous_month"] or v["year_to_date"]
    ]
    channels = [f"{name}{v['month']}件" for name, v in data["received_by_channel"].items() if v["month"]]
    depts = [
        {
            "dept": d["dept"],
            "dispatched": d["dispatched"],
            "replies": d["replies"],
            "on_time": fmt_rate(d["on_time_completion_rate"]),
            "late": d["late_reply"],
            "a": d["reply_a"],
            "b": d["reply_b"],
            "c": d["reply_c"],
            "satisfaction": fmt_rate(d["satisfaction_rate"]),
            "urges": d["urges"],
        }
        for d in data["departments"]
    ]
    late = [
        {
            "n": i,
            "reg_no": number_breaks(r["reg_no"], (32 if with_enterprises else 50) - 2, 10.5),
            "enterprise": r.get("enterprise", "") if with_enterprises else "",
            "category": r["category"],
            "dept": r["lead_dept"] or "（未交办）",
            "due": r["due"],
            "days_late": r["days_late"],
        }
        for i, r in enumerate(data["late_cases"], 1)
    ]
    s = settings
    units = data["units_to_name"]
    offices = [_office(x) for x in data.get("offices") or []]
    if len(offices) > 2:  # the city's own row beside the counties and 全市合计
        offices[0]["name"] = "市本级"
    return {
        "issue_no": issue_no,
        "office_name": data["office"],
        "issued_on": issued_on,
        "month_label": label,
        "as_of": as_of,
        "overview": overview_sentences(f, figs["previous_month"], figs["year_to_date"], f"{label}"),
        "category_text": (
            f"{label}受理的问题按类别统计如下（占本年比例为本年累计受理中各类别所占比例）："
            if ytd_total
            else "本年尚未受理企业反映的问题。"
        ),
        "categories": categories,
        "total_month": f["received"],
        "total_previous": figs["previous_month"]["received"],
        "total_year": ytd_total,
        "channel_text": ("按反映形式：" + "、".join(channels) + "。") if channels else "本月没有受理新的问题。",
        "dept_text": (
            f"本月有交办、答复、到期、回访或催办的承办单位{len(depts)}个，情况如下"
            "（按期办结率为本月到期应办结件中按期首次答复的比例，满意率为本月回访中满意和基本满意的比例）："
            if depts
            else "本月没有承办单位的交办、答复、到期、回访和催办。"
        ),
        "has_depts": _yes(bool(depts)),
        "depts": depts,
        "late_text": _late_text(f, as_of, len(late)),
        "has_late": _yes(bool(late)),
        "with_enterprises": _yes(with_enterprises),
        "late": late,
        "units_text": (
            f"按照{MEASURES}第二十三条，以下承办单位有交办问题超期超过{s['late_days']}个工作日未答复，"
            f"或同一问题被催办（督办）{s['urge_count']}次以上，建议予以通报批评："
            if units
            else f"本月没有交办问题超期超过{s['late_days']}个工作日未答复"
            f"或被催办（督办）{s['urge_count']}次以上的承办单位。"
        ),
        "has_units": _yes(bool(units)),
        "units": [{"dept": u["dept"], "reason": u["reason"]} for u in units],
        "has_offices": _yes(len(offices) > 2),  # the city, at least one county, the total
        "offices_text": f"全市{label}情况如下（各县区数字为其报来的月度办理情况{_silent_text(data.get('offices'))}）：",
        "offices": offices,
        **_imprint(s, data["office"], issued_on, depts, offices),
    }


def _imprint(s: dict, office: str, issued_on: date, depts: list, offices: list) -> dict:
    """The 报头's line break and the 版记: 报、送 as configured (or their defaults), 发 when
    configured (at a city, the county offices by default), and the 印数: as configured, else one
    copy for each unit named, a collective name counting the units it stands for, and one for
    the file."""
    from lcqy.docs.letter_fit import width_em

    report_to = list(s.get("report_to") or ["服务企业发展领导小组组长、副组长"])
    copy_to = list(s.get("copy_to") or [ALL_UNITS])
    send_to = list(s.get("send_to") or ([ALL_COUNTIES] if len(offices) > 2 else []))
    copies = s.get("copies")
    if not copies:
        counties = len(offices) - 2 if len(offices) > 2 else 0
        each = {ALL_UNITS: len(depts), ALL_COUNTIES: counties}
        copies = sum(each.get(x, len(x.split("、"))) for x in (*report_to, *copy_to, *send_to)) + 1
    day = f"{issued_on.year}年{issued_on.month}月{issued_on.day}日"
    return {
        "head_break": "\n" if width_em(office) + 1 + width_em(day) > HEAD_EM else "",
        "imprint_break": "\n" if width_em(office) + 1 + width_em(day + "印发") > IMPRINT_EM else "",
        "report_to": "、".join(report_to),
        "copy_to": "、".join(copy_to),
        "send_to": "、".join(send_to),
        "copies": copies,
    }


OFFICE_SUFFIX = "服务企业发展领导小组办公室"


_OFFICE_RATES = ("on_time_dispatch", "on_time_completion", "satisfaction")


def _office(x: dict) -> dict:
    """A line of 各县区情况: the office by its place name (临翔区), its counts and rates."""
    name = x["office_name"]
    out = {"name": name[: -len(OFFICE_SUFFIX)] if name.endswith(OFFICE_SUFFIX) and name != OFFICE_SUFFIX else name}
    if x.get("reported") is False:  # a county that has not sent its month: 未报, no figures
        keys = ("dispatched", "escalated", "replies", "reply_a", "reply_b", "reply_c", "closed", "late_now")
        return out | {"received": "未报"} | dict.fromkeys(keys, "—") | dict.fromkeys(_OFFICE_RATES, "—")
    for k in ("received", "dispatched", "escalated", "replies", "reply_a", "reply_b", "reply_c", "closed", "late_now"):
        out[k] = x[k]
    out["on_time_dispatch"] = fmt_rate(x["on_time_dispatch_rate"])
    out["on_time_completion"] = fmt_rate(x["on_time_completion_rate"])
    out["satisfaction"] = fmt_rate(x["satisfaction_rate"])
    return out


def _silent_text(lines: list[dict] | None) -> str:
    """Said before the table when a county has not reported: the 合计 holds only those that did."""
    silent = [x for x in lines or [] if x.get("reported") is False]
    if not silent:
        return ""
    total = lines[-1]
    return f"；{total['counties']}个县区中已报{total['counties_reported']}个，未报的不计入全市合计"


def _late_text(f: dict, as_of: str, listed: int) -> str:
    if not f["late_now"]:
        return f"截至{as_of}，没有超期未办结的问题。"
    head = (
        f"截至{as_of}，超期未办结{f['late_now']}件（超期未交办{f['late_dispatch']}件、超期未答复{f['late_reply']}件）"
    )
    if listed < f["late_now"]:
        return head + f"，超期最久的{listed}件如下（按超期工作日从多到少）："
    return head + "，按超期工作日从多到少列出如下："
