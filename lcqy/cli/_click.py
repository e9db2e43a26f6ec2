"""Typer (>= 0.26) runs on its own copy of click, typer._click; its usage errors are
those classes, not the click package's. The one place that knows it (typer pinned)."""

from __future__ import annotations

from collections import Counter

from typer import Abort, Exit
from typer._click.core import Command
from typer._click.exceptions import (
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)

__all__ = [
    "Abort",
    "BadParameter",
    "ClickException",
    "Exit",
    "MissingParameter",
    "NoArgsIsHelpError",
    "NoSuchOption",
    "RepeatedOption",
    "UsageError",
    "refuse_repeated_options",
]


class RepeatedOption(UsageError):
    """A single-value option given twice: click keeps the last one silently."""

    def __init__(self, option: str, ctx=None):
        super().__init__(f"repeated option {option}", ctx)
        self.option = option


def _single_value(param) -> bool:
    return (
        getattr(param, "param_type_name", "") == "option"
        and not getattr(param, "multiple", False)
        and not getattr(param, "is_flag", False)
        and not getattr(param, "count", False)
    )


def refuse_repeated_options() -> None:
    """Every command (and the root group) refuses a single-value option named twice
    (`--dept A --dept B`, `--date X --date ''`): which one the clerk meant is unknown.
    Options that take several values (`--assist`) and switches stay repeatable. Done once
    for all commands by looking at the order click's own parser records."""
    if getattr(Command.parse_args, "_lcqy_checked", False):
        return
    plain = Command.parse_args

    def parse_args(self, ctx, args):
        try:
            _, _, order = self.make_parser(ctx).parse_args(args=list(args))
        except UsageError:
            order = []  # the real parse below says what is wrong
        seen = Counter(id(p) for p in order if _single_value(p))
        for p in order:
            if seen[id(p)] > 1:
                raise RepeatedOption("/".join(p.opts), ctx)
        return plain(self, ctx, args)

    parse_args._lcqy_checked = True
    Command.parse_args = parse_args
