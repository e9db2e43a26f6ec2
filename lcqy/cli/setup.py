"""init, dept, calendar: setting up the ledger."""

from __future__ import annotations

import calendar as _calendar
from datetime import date

import typer

from lcqy.cli._common import db_path, documents_hint, open_ctx, print_json, say, table
from lcqy.cli._options import FORCE, JSON, date_opt

dept_app = typer.Typer(help="本办公室的部门名单：交办时部门名称须从中选择。", no_args_is_help=True)
cal_app = typer.Typer(help="工作日历：国家法定节假日与调休，加上本办公室自定的日子。", no_args_is_help=True)


def init(
    ctx: typer.Context,
    office_name: str = typer.Option(..., "--office-name", help="办公室全称，如 临翔区服务企业发展领导小组办公室"),
    prefix: str = typer.Option(..., "--prefix", help="编号用的简称，如 临翔（编号为 临翔服企办收（2026）第1号）"),
    level: str = typer.Option(..., "--level", help="层级：county（县区）或 city（市）"),
    clerk: str = typer.Option(..., "--clerk", help="经办人姓名（记入每条操作记录）"),
):
    """建立新台帐（不会覆盖已有文件；文件仅本人可读）。"""
    from lcqy.acts.office import init_ledger

    path = db_path(ctx)
    led = init_ledger(path, office_name=office_name, prefix=prefix, level=level, clerk=clerk)
    led.close()
    say(f"已建立台帐 {path}（{office_name}，{'县区' if level == 'county' else '市'}级，经办人 {clerk}）。")
    hint = documents_hint(path)
    if hint:
        say(hint)
    say("下一步：用 lcqy dept add 添加部门名单，用 lcqy register 登记企业反映的问题。")


@dept_app.command("add")
def dept_add(ctx: typer.Context, names: list[str] = typer.Argument(..., help="部门名称，可一次写多个")):
    """添加部门（与名单中已有名称相近时提醒，仍会添加）。"""
    from lcqy.acts.departments import dept_add as add

    with open_ctx(ctx) as c:
        r = add(c, names)
    say(f"已添加 {len(r['added'])} 个部门：{'、'.join(r['added'])}")
    for name, close in r["near"].items():
        say(
            f"注意：“{name}”与名单中的“{'、'.join(close)}”相近，是否同一部门？"
            f"如是重复添加，可停用多余的一个：lcqy dept retire {name}"
        )


@dept_app.command("list")
def dept_list(ctx: typer.Context, as_json: bool = JSON):
    """列出部门名单（含已停用的），及各部门牵头、配合、退单、被催办的件数。"""
    from lcqy.acts.common import department_counts
    from lcqy.acts.departments import retired

    with open_ctx(ctx) as c:
        rows = department_counts(c)
        gone = retired(c)
    for r in rows:
        r["retired_on"] = gone.get(r["name"])
    if as_json:
        print_json(rows)
    elif not rows:
        say("部门名单为空。用 lcqy dept add 部门名称 添加。")
    else:
        body = [
            (i, r["name"], r["lead"], r["assist"], r["returns"] or "", r["urges"] or "",
             f"{r['retired_on']} 停用" if r["retired_on"] else "")
            for i, r in enumerate(rows, 1)
        ]  # fmt: skip
        table(None, ["序号", "部门", "牵头", "配合", "退单", "被催办", "状态"], body, no_wrap=("序号", "部门"))


@dept_app.command("rename")
def dept_rename(
    ctx: typer.Context,
    old: str = typer.Argument(..., help="原名称"),
    new: str = typer.Argument(..., help="新名称"),
    on: str = date_opt("更名日期（默认今天）"),
    as_json: bool = JSON,
):
    """部门更名：现有交办记录、统计和报表改用新名称；各案件操作记录保留原名称，并记一笔更名。"""
    from lcqy.acts.departments import dept_rename as rename

    with open_ctx(ctx) as c:
        r = rename(c, old, new, on)
    if as_json:
        return print_json(r)
    say(f"已将“{r['before']}”更名为“{r['after']}”（{r['on']}），涉及 {r['cases']} 件案件，已记入各案件的操作记录。")


@dept_app.command("retire")
def dept_retire(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="部门名称"),
    on: str = date_opt("停用日期（默认今天）"),
    as_json: bool = JSON,
):
    """停用部门（撤并后）：不能再交办给它；已有记录和统计保留原样。"""
    from lcqy.acts.departments import dept_retire as retire

    with open_ctx(ctx) as c:
        r = retire(c, name, on)
    if as_json:
        return print_json(r)
    say(f"已停用“{r['name']}”（{r['on']}），今后不能再交办给它；已有记录保留。")
    if r["open_cases"]:
        say(f"它仍牵头或配合 {r['open_cases']} 件在办案件，这些案件照常办理（lcqy list --dept {r['name']} 查看）。")


@cal_app.command("set")
def cal_set(
    ctx: typer.Context,
    day: str = typer.Argument(..., help="日期，如 2027-01-04"),
    kind: str = typer.Argument(..., help="holiday（放假）或 workday（上班）"),
    note: str = typer.Option("", "--note", help="说明，如 国务院办公厅通知"),
):
    """把某天定为放假或上班（本办公室自定，优先于国家日历）。"""
    from lcqy.acts.office import calendar_set

    with open_ctx(ctx) as c:
        r = calendar_set(c, day, kind, note)
    say(f"已将 {r['day']} 定为{'上班日' if r['kind'] == 'workday' else '休息日'}。")
    _say_changed(r["changed"])


@cal_app.command("unset")
def cal_unset(ctx: typer.Context, day: str = typer.Argument(..., help="日期")):
    """取消本办公室对某天的设定，恢复国家日历。"""
    from lcqy.acts.office import calendar_unset

    with open_ctx(ctx) as c:
        r = calendar_unset(c, day)
    say(f"已取消 {r['day']} 的自定设置。")
    _say_changed(r["changed"])


def _say_changed(changed: list[dict]) -> None:
    for ch in changed:
        say(f"  {ch['reg_no']} {ch['what']} {ch['before']} → {ch['after']}")
    if changed:
        say(f"随之调整了 {len(changed)} 个期限（已记入各案件的操作记录）。")


@cal_app.command("confirm")
def cal_confirm(ctx: typer.Context, year: int = typer.Argument(..., help="年份：已按国务院办公厅通知逐日录入的年份")):
    """确认某年的节假日安排已由本办公室录入：该年期限不再标为估计。"""
    from lcqy.acts.office import calendar_confirm

    with open_ctx(ctx) as c:
        r = calendar_confirm(c, year)
    say(f"已确认 {r['year']} 年的节假日安排，该年期限不再标为估计。")
    _say_changed(r["changed"])


_MARK = {
    "workday": "",
    "weekend": "休",
    "holiday": "假",
    "adjusted": "班",
    "office-holiday": "假*",
    "office-workday": "班*",
}


@cal_app.command("show")
def cal_show(
    ctx: typer.Context,
    month: str = typer.Argument(None, help="月份 YYYY-MM，默认本月"),
    as_json: bool = JSON,
):
    """按月显示日历：假=法定假日，休=周末，班=调休上班，*=本办公室自定。"""
    from lcqy.errors import LcqyError
    from lcqy.rules import validate

    with open_ctx(ctx) as c:
        try:
            y, m = (int(x) for x in (month or c.today.strftime("%Y-%m")).split("-"))
            first = date(validate.year("月份", y), m, 1)
        except ValueError:
            raise LcqyError(f"月份“{month}”写法不对，应为 YYYY-MM，如 2026-10。") from None
        cal = c.cal
        days = [date(y, m, d) for d in range(1, _calendar.monthrange(y, m)[1] + 1)]
        kinds = {d: cal.day_kind(d) for d in days}
        estimate = cal.is_estimate(first)
    if as_json:
        print_json(
            {
                "month": f"{y}-{m:02d}",
                "estimate": estimate,
                "days": [
                    {"day": d.isoformat(), "kind": k, "workday": k in ("workday", "adjusted", "office-workday")}
                    for d, k in kinds.items()
                ],
            }
        )
        return
    weeks: list[list[str]] = []
    week = [""] * first.weekday()
    for d in days:
        week.append(f"{d.day:>2}{_MARK[kinds[d]]}")
        if len(week) == 7:
            weeks.append(week)
            week = []
    if week:
        weeks.append(week + [""] * (7 - len(week)))
    title = f"{y}年{m}月" + ("（国家安排尚未发布，节假日为估计）" if estimate else "")
    table(title, ["一", "二", "三", "四", "五", "六", "日"], weeks)
    say("假=法定节假日  休=周末  班=调休上班  *=本办公室自定")


@cal_app.command("check")
def cal_check(
    ctx: typer.Context,
    year: int = typer.Argument(None, help="年份，默认今年"),
    as_json: bool = JSON,
):
    """检查某年的国家节假日安排是否已收录。"""
    from lcqy.acts.office import year_summary
    from lcqy.rules import validate

    with open_ctx(ctx) as c:
        s = year_summary(c, c.today.year if year is None else validate.year("年份", year))
    if as_json:
        print_json(s)
        return
    y = s["year"]
    if s["confirmed_by_office"]:
        say(f"{y}年：本办公室已逐日录入并确认节假日安排。工作日 {s['workdays']} 天。")
    elif s["official_known"]:
        say(
            f"{y}年：已收录国务院办公厅公布的节假日安排。工作日 {s['workdays']} 天；"
            f"调休上班 {'、'.join(d[5:] for d in s['adjusted_workdays']) or '无'}。"
        )
    else:
        say(
            f"{y}年：尚未收录国家节假日安排，该年的期限都是估计值（显示为 日期≈）。\n"
            f"国务院办公厅通知发布后，可升级 holidays 包（pip install -U holidays），"
            f"或逐日录入：lcqy calendar set {y}-01-01 holiday --note 元旦；调休上班日用 workday；"
            f"录完后 lcqy calendar confirm {y}。"
        )
    if s["office_days"]:
        say(
            "本办公室自定："
            + "、".join(f"{o['day']}（{'上班' if o['kind'] == 'workday' else '放假'}）" for o in s["office_days"])
        )


def backup_cmd(
    ctx: typer.Context,
    file: str = typer.Argument(..., help="备份文件路径"),
    force: bool = FORCE,
):
    """备份台帐：得到一致的副本（其他命令正在写入也不影响），仅本人可读。"""
    from pathlib import Path

    from lcqy.store.db import backup
    from lcqy.store.outputs import check_target

    dest = Path(file)
    if not dest.is_dir():  # a directory gets its own advice from backup()
        check_target(dest, force, "备份文件")
    with open_ctx(ctx) as c:
        backup(c.ledger, dest)
    say(f"已备份到 {dest}")


DEEP_HELP = "完整检查：索引逐条核对、全部文字和附件重新读一遍、表结构和案件状态对照历史记录（较慢）。"
HEAD_HELP = "另外显示历史记录链的链头（环数和哈希），供记入简报或报上级，日后核对。"


def check_cmd(
    ctx: typer.Context,
    as_json: bool = JSON,
    deep: bool = typer.Option(False, "--deep", help=DEEP_HELP),
    head: bool = typer.Option(False, "--head", help=HEAD_HELP),
):
    """检查台帐：数据库完整性、编号连续、状态与记录一致，每个问题一行；文件权限、补录编号的日期顺序只作提醒。

    日常检查：读遍文件每一页（quick_check），文字和附件内容只复查上次检查通过以来改动的记录。

    完整检查（--deep）：逐条核对索引和全文检索索引，重读全部文字和附件，核对表结构和每件案件的存储状态，
    10万件约10秒，宜每月运行一次。

    --head 另外显示历史记录链的链头（环数和哈希），可记入简报或报市服企办，日后据以核对台帐未被整体改写。
    """
    from lcqy.acts.checks.run import check_ledger

    with open_ctx(ctx) as c:
        r = check_ledger(c, deep=deep, head=head)
    problems, warnings, chain_head = r["problems"], r["warnings"], r.get("head")
    if as_json:
        print_json(r)
    elif problems:
        for p in problems:
            print(p)
    else:
        say("台帐检查通过，没有发现问题。")
    for w in [] if as_json else warnings:
        print(f"提醒：{w}")
    if head and not as_json:
        if chain_head:
            print(f"历史记录链头：第 {chain_head['links']} 环 {chain_head['hash']}")
        else:
            print("历史记录链头：台帐还没有任何记录。")
    if problems:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("backup")(backup_cmd)
    app.command("check")(check_cmd)
    app.add_typer(dept_app, name="dept")
    app.add_typer(cal_app, name="calendar")
