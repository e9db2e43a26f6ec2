"""Typer (>= 0.26) runs on its own copy of click, typer._click; its usage errors are
those classes, not the click package's. The one place that knows it (typer pinned)."""

from __future__ import annotations

from typer import Abort, Exit
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
    "UsageError",
]
