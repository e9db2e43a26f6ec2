"""stats: the figures behind the report for any period, by department, category, channel or
month (第二十、二十一条), the workbook with its charts, and the year-end 测评."""

from __future__ import annotations

import typer

from lcqy.cli._common import open_ctx, print_json, say
from lcqy.cli._figtables import figures_table as table
from lcqy.cli._options import FORCE, JSON, output_opt


def stats_cmd(
    ctx: typer.Context,
    by: str = typer.Option(
        "dept",
        "--by",
        help="分组：dept（承办单位）、category（问题类别）、channel（反映形式）、month（月份）；"
        "市级台帐另有 office（各县区：按 --year 汇总各县区报来的月度办理情况和本办、全市合计）",
    ),
    year: int = typer.Option(None, "--year", help="统计年度，如 2026（默认本年至今）"),
    date_from: str = typer.Option(None, "--from", help="开始日期，如 2026-01-01"),
    date_to: str = typer.Option(None, "--to", help="结束日期（默认今天）"),
    evaluation: bool = typer.Option(
        False, "--evaluation", help="年度测评：按权重给承办单位打分（权重用 lcqy config evaluation 设置）"
    ),
    output: str = output_opt("写出 Excel 工作簿（.xlsx）：每种分组一张表，承办单位表带柱状图"),
    force: bool = FORCE,
    as_json: bool = JSON,
):
    """统计：任意期间按承办单位、问题类别、反映形式或月份的受理、交办、答复、按期办结率、解决率、
    满意率、催办等；按承办单位另有退单、延期、平均答复用时、在办最久的案件。"""
    from lcqy.acts.figures import tables
    from lcqy.acts.figures.counts import GROUPINGS
    from lcqy.acts.figures.tables import columns_for, stats_period
    from lcqy.errors import LcqyError

    if by == "office":
        _office(ctx, year, date_from, date_to, evaluation, output, as_json)
        return
    if by not in GROUPINGS:
        raise LcqyError(f"分组（--by）只能是：{'、'.join(GROUPINGS)}（承办单位、问题类别、反映形式、月份）。")
    if evaluation and by != "dept":
        raise LcqyError("年度测评（--evaluation）按承办单位打分，请用 --by dept（或不写 --by）。")
    with open_ctx(ctx) as c:
        p = stats_period(c, year, date_from, date_to)
        data = tables.evaluation(c, p) if evaluation else tables.table(c, by, p)
        path = tables.workbook(c, p, output, force, evaluation) if output else None
    if as_json:
        print_json(data)
        return
    from lcqy.rules.figures import EVALUATION_COLUMNS, fmt_rate

    columns = EVALUATION_COLUMNS if evaluation else columns_for(by)
    shown = {"r": fmt_rate, "n": str, "x": lambda v: "—" if v is None else str(v)}
    rows = [[r["key"], *(shown[kind](r.get(k)) for k, _, kind in columns)] for r in data["rows"]]
    heads = {"dept": "承办单位", "category": "问题类别", "channel": "反映形式", "month": "月份"}
    pd = data["period"]
    title = (
        "年度测评" if evaluation else f"按{heads[by]}统计"
    ) + f"（{pd['start']} 至 {pd['end']}，截至 {pd['as_of']}）"
    table(title, [heads[by], *(h for _, h, _ in columns)], rows)
    if evaluation:
        say(data["formula"])
    if path:
        say(f"已生成 {path}")


def _office(ctx, year, date_from, date_to, evaluation, output, as_json) -> None:
    from lcqy.acts.figures.offices import office_year
    from lcqy.errors import LcqyError
    from lcqy.rules.figures import COUNTS, RATES, fmt_rate
    from lcqy.rules.month_figures import NOT_REPORTED, SHOWN_COUNTS, SHOWN_RATES

    # Counties report whole months: the year is added up from them, any other span is not known.
    if date_from or date_to:
        raise LcqyError("按县区统计（--by office）按年度汇总各县区报来的月度数字：请用 --year，不能用 --from/--to。")
    if evaluation or output:
        raise LcqyError("按县区统计（--by office）只在终端显示或 --json，不能与 --evaluation、-o 同用。")
    with open_ctx(ctx) as c:
        data = office_year(c, year)
    if as_json:
        print_json(data)
        return
    labels = {**{k: v[0] for k, v in COUNTS.items()}, **{k: v[0] for k, v in RATES.items()}, "late_now": "超期未办"}
    rows = [
        [r["key"], r["as_of"], len(r["months"]), *(r[k] for k in SHOWN_COUNTS), *(fmt_rate(r[k]) for k in SHOWN_RATES)]
        if r.get("reported", True)
        else [r["key"], NOT_REPORTED, 0, *("—" for _ in SHOWN_COUNTS + SHOWN_RATES)]
        for r in data["rows"]
    ]
    note = "各月数字相加；超期未办为各单位最近一个月截止日的情况。" + (
        "全市合计中，县区转报到市级的案件只在县区计一次受理。" if len(rows) > 1 else ""
    )
    table(f"按县区统计（{data['year']}年，截至 {data['period']['as_of']}）",
          ["单位", "截至", "月数", *(labels[k] for k in SHOWN_COUNTS + SHOWN_RATES)],
          rows, caption=note)  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("stats")(stats_cmd)
