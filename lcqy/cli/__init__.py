"""The command line: thin Typer modules by area, one place that turns errors into messages."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import sqlite3
import sys

import typer

from lcqy.cli import _click as click
from lcqy.cli._common import DB_HELP
from lcqy.cli._help import use_chinese, wants_help
from lcqy.errors import LcqyError

app = typer.Typer(
    name="lcqy",
    help="企业反映困难问题台帐（临政办发〔2021〕21号）：登记、交办、转报、答复、回访、销号、催办，导出问题台帐。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(ctx: typer.Context, db: str = typer.Option(None, "--db", help=DB_HELP, envvar="LCQY_DB", show_envvar=False)):
    """企业反映困难问题台帐（临政办发〔2021〕21号）。"""
    ctx.obj = {"db": db}


# Every public module of this package is an area of commands with a register(app): a new area
# is a new file. The first areas keep their place in the help; later ones follow by name.
_FIRST = ("setup", "cases", "show", "handling", "board", "docs", "excel")
_AREAS = sorted(
    (m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")),
    key=lambda name: (_FIRST.index(name) if name in _FIRST else len(_FIRST), name),
)
for _name in _AREAS:
    importlib.import_module(f"{__name__}.{_name}").register(app)


def _usage_message(exc: click.UsageError) -> str:
    """Click's English usage errors, said in Chinese with the option's own help."""
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        name = "/".join(getattr(exc.param, "opts", []) or [exc.param.name or ""])
        # The help text begins with the field's name: "办理结果：A …", "案件：登记编号…".
        label = re.split(r"[：（，；]", getattr(exc.param, "help", None) or "")[0]
        return f"缺少{label}（{name}）。" if label else f"缺少参数 {name}。"
    if isinstance(exc, click.NoSuchOption):
        near = f"您是否要用：{'、'.join(exc.possibilities)}？" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}。{near}"
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        name = "/".join(getattr(exc.param, "opts", []) or [exc.param.name or ""])
        what = "应为整数" if "integer" in exc.message else exc.message
        return f"{name} 的值不对：{what}。"
    if exc.message.startswith("Option '") and "requires an argument" in exc.message:
        return f"选项 {exc.message.split(chr(39))[1]} 后面要写值。"
    if exc.message.startswith("Option '") and "does not take a value" in exc.message:
        return f"选项 {exc.message.split(chr(39))[1]} 是开关，不用写值（如 --json，而不是 --json=1）。"
    if "No such command" in exc.message:
        return f"没有这个命令：{exc.message.split(chr(39))[1] if chr(39) in exc.message else exc.message}。"
    if "Got unexpected extra argument" in exc.message:
        return f"多余的参数：{exc.message.split('(')[-1].rstrip(')')}。含空格的内容请加引号。"
    return exc.message


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if wants_help(args):
        use_chinese()
    command = typer.main.get_command(app)
    try:
        rc = command.main(args=args, prog_name="lcqy", standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)  # typer.Exit(n) inside a command comes back as the return value
    except LcqyError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        sys.exit(exc.code)
    except click.NoArgsIsHelpError:
        sys.exit(0)  # Typer has printed the help already
    except click.UsageError as exc:
        sub = exc.ctx.command_path if exc.ctx else "lcqy"
        print(f"用法错误：{_usage_message(exc)}\n（用 {sub} --help 查看说明）", file=sys.stderr)
        sys.exit(2)
    except click.Exit as exc:
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt, EOFError):
        print("\n已取消，台帐未改动。", file=sys.stderr)
        sys.exit(130)
    except click.ClickException as exc:
        print(f"错误：{exc.format_message()}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except sqlite3.DatabaseError as exc:
        print(
            f"错误：台帐文件无法读取（{exc}）。文件可能已损坏：请用 lcqy check 检查，必要时用备份恢复。",
            file=sys.stderr,
        )
        sys.exit(1)
    except Exception as exc:  # the clerk never sees a traceback
        if os.environ.get("LCQY_DEBUG"):
            raise
        print(
            f"内部错误：{type(exc).__name__}: {exc}\n本次操作已撤销，台帐未改动。"
            "请把这条信息告知维护人员（设 LCQY_DEBUG=1 可看详情）。",
            file=sys.stderr,
        )
        sys.exit(3)
