"""Typer's own words around the help (Usage, Options, [required] …), said in Chinese.

Typer has no Chinese catalogue, so the few strings are set here; rich is loaded only when
help is actually shown, to keep ordinary commands quick.
"""

from __future__ import annotations

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


def _fold_long_text(rich_utils) -> None:
    """Rich wraps only at spaces and cuts a longer run with "…"; Chinese help has no spaces,
    so at 80 columns the allowed values were cut ("用电…"). Fold such text onto the next
    line instead: the help is wrapped, never truncated."""
    make = rich_utils._make_rich_text
    if getattr(make, "_lcqy_fold", False):
        return

    def folded(*args, **kwargs):
        out = make(*args, **kwargs)
        if hasattr(out, "overflow"):
            out.overflow = "fold"
        return out

    folded._lcqy_fold = True
    rich_utils._make_rich_text = folded
