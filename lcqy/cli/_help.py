"""Typer's own words around the help (Usage, Options, [required] …), said in Chinese.

Typer has no Chinese catalogue, so the few strings are set here; rich is loaded only when
help is actually shown, to keep ordinary commands quick.
"""

from __future__ import annotations

import functools

GROUPS = {"dept", "calendar"}  # groups that show their help when named alone


def wants_help(argv: list[str]) -> bool:
    words = [a for i, a in enumerate(argv) if a != "--db" and (i == 0 or argv[i - 1] != "--db")]
    return not words or "-h" in words or "--help" in words or (len(words) == 1 and words[0] in GROUPS)


def use_chinese() -> None:
    from typer import rich_utils
    from typer._click import decorators, formatting

    rich_utils.DEFAULT_STRING = "[默认：{}]"
    rich_utils.ENVVAR_STRING = "[环境变量：{}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.DEPRECATED_STRING = "（已停用）"
    _fold_long_text(rich_utils)
    _whole_names(rich_utils)

    plain = decorators.help_option

    def help_option(names):
        decorate = plain(names)

        def apply(f):
            out = decorate(f)
            params = getattr(out, "params", None) or getattr(out, "__click_params__", [])
            if params:
                params[-1].help = "显示本说明并退出。"
            return out

        return apply

    decorators.help_option = help_option
    usage = formatting.HelpFormatter.write_usage

    def write_usage(self, prog, args="", prefix=None):
        return usage(self, prog, args, "用法：" if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage


@functools.cache
def kinsoku_text(text_class):
    """A rich Text that wraps Chinese as Chinese is wrapped (see _figtables.line_spans).

    Rich breaks lines only at spaces: a Chinese sentence is one "word" to it, measured as the
    narrowest its column may be, so at 60 columns the table of options was squeezed until an
    option's name was cut ("--with-enterpris…"), and a folded sentence could put ）。 at the
    head of a line."""
    from rich.containers import Lines
    from rich.measure import Measurement

    from lcqy.cli._figtables import line_spans, narrowest
    from lcqy.cli._rows import cells

    class KinsokuText(text_class):
        __slots__ = ()

        def __rich_measure__(self, console, options):
            plain = self.plain
            widest = max((cells(line) for line in plain.split("\n")), default=0)
            return Measurement(min(narrowest(plain), widest), widest)

        def wrap(self, console, width, *, justify=None, overflow=None, tab_size=8, no_wrap=None):
            lines = Lines()
            for line in self.split(allow_blank=True):
                for a, b in line_spans(line.plain, width):
                    piece = line[a:b] if b > a else line[0:0]
                    piece.end = ""
                    lines.append(piece)
            return lines

    return KinsokuText


def _fold_long_text(rich_utils) -> None:
    """Rich wraps only at spaces and cuts a longer run with "…"; Chinese help has no spaces,
    so at 80 columns the allowed values were cut ("用电…"). Wrap such text as Chinese is
    wrapped instead: the help is wrapped, never truncated."""
    make = rich_utils._make_rich_text
    if getattr(make, "_lcqy_fold", False):
        return

    from rich.text import Text

    kinsoku = kinsoku_text(Text)

    def folded(*args, **kwargs):
        out = make(*args, **kwargs)
        if type(out) is Text:
            out.__class__ = kinsoku  # same data, Chinese line breaking
        elif hasattr(out, "overflow"):
            out.overflow = "fold"
        return out

    folded._lcqy_fold = True
    rich_utils._make_rich_text = folded
    # An option's help is assembled from several texts (help, [默认：…], [必填]) into a new one.
    parameter_help = rich_utils._get_parameter_help

    def parameter(*args, **kwargs):
        out = parameter_help(*args, **kwargs)
        if type(out) is Text:
            out.__class__ = kinsoku
        return out

    rich_utils._get_parameter_help = parameter


def _whole_names(rich_utils) -> None:
    """The option names, their short forms and types are never wrapped or cut: every column of
    Typer's help tables but the last (the help text, which wraps) keeps its full width."""
    table = rich_utils.Table
    if getattr(table, "_lcqy_whole", False):
        return

    class WholeNames(table):
        _lcqy_whole = True

        def add_row(self, *renderables, **kwargs):
            super().add_row(*renderables, **kwargs)
            for column in self.columns[:-1]:
                column.no_wrap = True

    rich_utils.Table = WholeNames
