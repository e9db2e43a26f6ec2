"""export-ledger, import-ledger: the Excel problem ledger."""

from __future__ import annotations

from pathlib import Path

import typer

from lcqy.cli._common import open_ctx, print_json, say
from lcqy.cli._options import FORCE, JSON, output_opt

PROGRESS_FROM = 5000  # cases; below this the export is quicker than a bar is worth


def export_cmd(
    ctx: typer.Context,
    output: str = output_opt("输出文件 .xlsx（默认：办公室名称+问题台帐+日期）"),
    year: int = typer.Option(None, "--year", help="只导出某年度登记的案件"),
    date_from: str = typer.Option(None, "--from", help="受理时间起（含）"),
    date_to: str = typer.Option(None, "--to", help="受理时间止（含）"),
    status: str = typer.Option(None, "--status", help="只导出某状态，如 办理中、已销号"),
    with_contacts: bool = typer.Option(False, "--with-contacts", help="包含联系人、电话、邮箱等（注意保护企业信息）"),
    force: bool = FORCE,
    paper: str = typer.Option("A3", "--paper", help="打印纸张：A3（默认，全部栏目）或 A4（台帐基本栏目）"),
):
    """导出问题台帐（.xlsx）：汇总表，再按问题类别分表。"""
    from lcqy.acts.boards.listing import Filters
    from lcqy.acts.records.export import count_cases, export
    from lcqy.rules import validate

    with open_ctx(ctx) as c:
        f = Filters(
            year=year,
            state=status,
            date_from=validate.parse_date("受理时间起（--from）", date_from) if date_from else None,
            date_to=validate.parse_date("受理时间止（--to）", date_to) if date_to else None,
        )
        opts = {"with_contacts": with_contacts, "force": force, "paper": paper}
        if count_cases(c) < PROGRESS_FROM:
            path, got = export(c, output, f, **opts)
        else:
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task("导出台帐", total=count_cases(c))
                path, got = export(c, output, f, **opts, progress=lambda n: bar.update(task, completed=n))
    say(f"已导出 {path}：{got['rows']} 件，其中有超期记录的 {got['late']} 件（含超期办结、超期转报，以浅红色标示）。")


def import_cmd(
    ctx: typer.Context,
    file: str = typer.Argument(..., help="Excel 台帐文件（本程序导出的，或表头为登记表栏目的工作表）"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查不导入"),
    allow_gaps: bool = typer.Option(False, "--allow-gaps", help="表中编号有较多空号时仍导入（空号作废，永不再用）"),
    as_json: bool = JSON,
):
    """导入办公室原有的 Excel 台帐：逐行按登记规则检查，全部通过才导入。"""
    from lcqy.acts.records.importing import import_ledger

    with open_ctx(ctx) as c:
        r = import_ledger(c, Path(file), dry_run=dry_run, allow_gaps=allow_gaps)
    if as_json:
        print_json(r)
        return
    verb = "检查通过，可以导入" if dry_run else "已导入"
    say(
        f"{verb} {r['rows']} 件。"
        + (f"新增部门 {len(r['new_depts'])} 个：{'、'.join(r['new_depts'])}。" if r["new_depts"] else "")
    )
    if r["voided"]:
        what = "将作废" if dry_run else "已作废"
        say(f"{what}表中没有的编号 {r['voided_gaps']} 个（永不再用）：{r['voided']}。")
    for sheet, heads in r["unknown_headers"].items():
        say(f"工作表“{sheet}”中未识别、未导入的栏目：{'、'.join(heads)}")
    for sheet in r["skipped_sheets"]:
        say(f"工作表“{sheet}”没有找到表头，已跳过。")


def register(app: typer.Typer) -> None:
    app.command("export-ledger")(export_cmd)
    app.command("import-ledger")(import_cmd)
