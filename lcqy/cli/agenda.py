"""agenda: the morning worklist."""

from __future__ import annotations

import typer

from lcqy.cli._common import open_ctx, say
from lcqy.cli._options import JSON

SHOWN = 3  # lines a section shows, so that the whole list fits one screen


def _clip(text: str, width: int) -> str:
    from rich.cells import cell_len

    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    while cell_len(text + "…") > width:
        text = text[:-1]
    return text + "…" + " " * (width - cell_len(text + "…"))


def agenda_cmd(
    ctx: typer.Context,
    as_of: str = typer.Option(None, "--as-of", help="哪一天的清单（默认今天）"),
    show_all: bool = typer.Option(False, "--all", help=f"列出每一类的全部案件（默认每类最多 {SHOWN} 件）"),
    as_json: bool = JSON,
):
    """今日工作清单：待交办、待转报、待会议、将到期、超期未催办、催办逾期、待回访、督办到期、可销号，
    最要紧的在前，每件给出下一步命令。每个工作日先运行它。"""
    from lcqy.acts.boards.agenda import agenda, agenda_json
    from lcqy.cli._json_out import write_utf8
    from lcqy.rules import validate

    with open_ctx(ctx) as c:
        day = validate.parse_date("清单日期（--as-of）", as_of) if as_of else c.today
        if as_json:
            # Written as it is read: flat memory however long the list.
            write_utf8(agenda_json(c, as_of=day))
            return
        sections = agenda(c, as_of=day, limit=None if show_all else SHOWN)
    total = sum(s["count"] for s in sections)
    if not total:
        say(f"{day} 没有需要办理的事项：没有待交办、将到期、超期、待回访或可销号的案件。")
        return
    lines = [f"{day} 工作清单（{total} 件，最要紧的在前；编号为{day.year}年登记序号）"]
    for s in sections:
        if not s["count"]:
            continue
        lines.append(f"■ {s['title']}（{s['count']}）")
        for it in s["items"] if show_all else s["items"][:SHOWN]:
            n = it["case"].removeprefix(f"{day.year}-")
            lines.append(f"{n:>5} {_clip(it['enterprise'], 14)} {_clip(it['note'], 28)} → {it['next']}")
        if not show_all and s["count"] > SHOWN:
            lines.append(f"      …另有 {s['count'] - SHOWN} 件（lcqy agenda --all）")
    say("\n".join(lines))


def register(app: typer.Typer) -> None:
    app.command("agenda")(agenda_cmd)
