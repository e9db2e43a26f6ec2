"""attach, attachments, attachment: papers kept with a case inside the ledger."""

from __future__ import annotations

import typer

from lcqy.cli._common import open_ctx, print_json, say, table
from lcqy.cli._options import CASE, DATE, FORCE, JSON, output_opt


def attach_cmd(
    ctx: typer.Context,
    case: str = CASE,
    files: list[str] = typer.Argument(..., help="要附上的文件，可写多个（每个最大 50 MB）"),
    kind: str = typer.Option("企业材料", "--kind", help="附件类别：批示笺、企业材料、答复文件、其他"),
    note: str = typer.Option("", "--note", help="说明"),
    again: bool = typer.Option(False, "--again", help="本案已附过内容相同的文件时，确需再附一份"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """把文件（批示笺扫描件、企业材料、答复文件）存入台帐，随案件保存；已附过的同一文件不再重复附上。"""
    from lcqy.acts.papers.attachments import attach
    from lcqy.rules.package import size_text

    with open_ctx(ctx) as c:
        r = attach(c, case, files, kind=kind, note=note, on=on, again=again)
    if as_json:
        print_json(r)
        return
    for a in r["attachments"]:
        say(f"{r['reg_no']} 附件 {a['n']}：{a['name']}（{a['kind']}，{size_text(a['size'])}）")


def attachments_cmd(
    ctx: typer.Context,
    case: str = CASE,
    as_json: bool = JSON,
):
    """列出案件的附件：序号、名称、类别、大小、日期、经办人。"""
    from lcqy.acts.cases import resolve
    from lcqy.acts.papers.attachments import case_attachments, public
    from lcqy.rules.package import size_text

    with open_ctx(ctx) as c:
        row = resolve(c, case)
        rows = case_attachments(c, row["id"])
    if as_json:
        print_json([public(a) for a in rows])
        return
    if not rows:
        say(f"{row['reg_no']} 还没有附件（用 lcqy attach 附上）。")
        return
    table(
        f"{row['reg_no']} 的附件",
        ["序号", "名称", "类别", "大小", "日期", "经办", "来自", "说明"],
        [
            (a["n"], a["name"], a["kind"], size_text(a["size"]), a["added_on"], a["added_by"], a["source"], a["note"])
            for a in rows
        ],
        no_wrap=("序号", "大小", "日期"),
    )


def attachment_cmd(
    ctx: typer.Context,
    case: str = CASE,
    n: int = typer.Argument(..., help="附件序号（见 lcqy attachments）"),
    output: str = output_opt("保存到的文件（默认用原文件名，存在当前目录）"),
    force: bool = FORCE,
):
    """把案件的一个附件取出，存为文件。"""
    from lcqy.acts.papers.attachments import save_attachment

    with open_ctx(ctx) as c:
        path = save_attachment(c, case, n, output, force)
    say(f"已保存 {path}")


def register(app: typer.Typer) -> None:
    app.command("attach")(attach_cmd)
    app.command("attachments")(attachments_cmd)
    app.command("attachment")(attachment_cmd)
