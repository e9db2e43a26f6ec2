"""The options and the argument many commands share, declared once. A command names them; where a
field means something particular to it (whose date, which file), it gives its own help."""

from __future__ import annotations

import typer

from lcqy.cli._common import DATE_HELP, JSON_HELP

CASE_HELP = "案件：登记编号、2026-15 或 15（本年）"
FORCE_HELP = "覆盖已存在的文件"


def case_arg(help: str = CASE_HELP):
    return typer.Argument(..., help=help)


def date_opt(help: str = DATE_HELP):
    return typer.Option(None, "--date", help=help)


def force_opt(help: str = FORCE_HELP):
    return typer.Option(False, "--force", help=help)


def output_opt(help: str):
    return typer.Option(None, "-o", "--output", help=help)


CASE = case_arg()
DATE = date_opt()
FORCE = force_opt()
JSON = typer.Option(False, "--json", help=JSON_HELP)
