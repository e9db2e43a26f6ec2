"""report: the monthly 简报 (第十九条) in the terminal, as JSON, or as a .docx."""

from __future__ import annotations

import typer

from lcqy.cli._common import open_ctx, print_json, say
from lcqy.cli._figtables import figures_table as table
from lcqy.cli._options import FORCE, JSON, output_opt


def report_cmd(
    ctx: typer.Context,
    month: str = typer.Option(..., "--month", help="月份：如 2026-10"),
    output: str = output_opt("生成简报（.docx）到此文件；不写则只在终端显示"),
    issue: int = typer.Option(None, "--issue", help="指定期号（默认沿用本月已编的期号，否则按年顺编下一期）"),
    as_json: bool = JSON,
    force: bool = FORCE,
    with_enterprises: bool = typer.Option(
        False, "--with-enterprises", help="在超期未办结问题中列出企业名称（默认不列，第四条）"
    ),
    templates: str = typer.Option(None, "--templates", help="模板目录（默认用 lcqy config templates 保存的目录）"),
):
    """月度简报（第十九条）：本月、上月和本年累计的受理、交办、答复、回访、催办等数字与比率，
    分类情况，承办单位办理情况，超期未办结问题，需通报的承办单位（第二十三条）。
    加 -o 文件.docx 生成简报文书（期号按年顺编并保存，同一月份重新生成期号不变）。"""
    from lcqy.acts.figures.month import report_data

    with open_ctx(ctx) as c:
        if output:
            from lcqy.acts.figures.bulletin import write_report

            path, data = write_report(
                c, month, output, issue=issue, force=force, with_enterprises=with_enterprises, template_dir=templates
            )
        else:
            if issue is not None:
                from lcqy.errors import LcqyError

                raise LcqyError("期号（--issue）只在生成简报时使用：请同时用 -o 写出简报文件名。")
            path, data = None, report_data(c, month, with_enterprises=with_enterprises)
    if as_json:
        print_json(data)
        return
    show(data, with_enterprises)
    if path:
        say(f"已生成 {path}（{data['issue']['year']}年第{data['issue']['number']}期）")


def show(data: dict, with_enterprises: bool) -> None:
    from lcqy.rules.figures import COUNTS, RATES, fmt_rate

    f = data["figures"]
    cols = ("month", "previous_month", "year_to_date")
    rows = [[COUNTS[k][0], *(f[c][k] for c in cols)] for k in _SHOWN]
    rows += [[RATES[k][0], *(fmt_rate(f[c][k]) for c in cols)] for k in RATES]
    p = data["periods"]["month"]
    table(
        f"{data['month']} 简报数字（截至 {p['as_of']}）",
        ["项目", "本月", "上月", "本年累计"],
        rows,
    )
    cats = [[k, v["month"], v["previous_month"], v["year_to_date"]] for k, v in data["received_by_category"].items()]
    table("受理：按问题类别", ["类别", "本月", "上月", "本年累计"], cats)
    chans = [[k, v["month"], v["previous_month"], v["year_to_date"]] for k, v in data["received_by_channel"].items()]
    table("受理：按反映形式", ["反映形式", "本月", "上月", "本年累计"], chans)
    depts = [
        [
            d["dept"],
            d["dispatched"],
            d["replies"],
            fmt_rate(d["on_time_completion_rate"]),
            d["late_reply"],
            d["reply_a"],
            d["reply_b"],
            d["reply_c"],
            fmt_rate(d["satisfaction_rate"]),
            d["urges"],
        ]
        for d in data["departments"]
    ]
    table(
        "承办单位办理情况（本月）",
        ["承办单位", "交办", "已答复", "按期办结率", "超期未答复", "A", "B", "C", "满意率", "催办"],
        depts,
    )
    if data.get("offices"):
        _offices(data["offices"])
    late = data["late_cases"]
    if late:
        # The short case form (2026-15) keeps a row on one line at 80 columns; the .docx has the full number.
        head = ["案件", "类别", "牵头单位", "时限", "超期工作日", "情况"] + (["企业"] if with_enterprises else [])
        body = [
            [r["case"], r["category"], r["lead_dept"] or "—", r["due"], r["days_late"], _KIND[r["kind"]]]
            + ([r["enterprise"]] if with_enterprises else [])
            for r in late[:30]
        ]
        more = f"另有 {len(late) - 30} 件，见 lcqy overdue。" if len(late) > 30 else None
        table(
            f"超期未办结问题（截至 {p['as_of']}，共 {len(late)} 件）",
            head,
            body,
            caption=more,
        )
    else:
        say(f"截至 {p['as_of']} 没有超期未办结问题。")
    units = data["units_to_name"]
    s = data["settings"]
    if units:
        table(
            f"需通报的承办单位（超期超过{s['late_days']}个工作日或催办{s['urge_count']}次以上，第二十三条）",
            ["承办单位", "情形"],
            [[u["dept"], u["reason"]] for u in units],
        )
    else:
        say(f"没有超期超过{s['late_days']}个工作日或本月催办{s['urge_count']}次以上的承办单位。")


def _offices(lines: list[dict]) -> None:
    """各县区情况: the columns of `lcqy figures`."""
    from lcqy.rules.figures import COUNTS, RATES
    from lcqy.rules.month_figures import SHOWN_COUNTS, SHOWN_RATES, reported_note, shown_line

    labels = {**{k: v[0] for k, v in COUNTS.items()}, **{k: v[0] for k, v in RATES.items()}, "late_now": "超期未办"}
    rows = [shown_line(x) for x in lines]
    reported = sum(x.get("reported") is True for x in lines[1:])
    none = "还没有县区报来本月办理情况（lcqy receive 接收月度办理情况包）。"
    note = (reported_note(lines) or None) if reported else none
    heads = ["单位", "截至", *(labels[k] for k in SHOWN_COUNTS + SHOWN_RATES)]
    table("各县区情况（本月）", heads, rows, caption=note)


_KIND = {"reply": "未答复", "dispatch": "未交办"}
_SHOWN = (
    "received",
    "rejected",
    "forwarded",
    "dispatched",
    "escalated",
    "returned",
    "extended",
    "replies",
    "reply_a",
    "reply_b",
    "reply_c",
    "fell_due",
    "due_on_time",
    "closed",
    "followups",
    "urges",
    "supervision_urges",
    "supervised",
    "special_open",
    "late_dispatch",
    "late_reply",
)


def register(app: typer.Typer) -> None:
    app.command("report")(report_cmd)
