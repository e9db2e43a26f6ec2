"""The command line: thin Typer modules by area, one place that turns errors into messages."""

from __future__ import annotations

import codecs
import difflib
import errno
import importlib
import io
import os
import pkgutil
import re
import sqlite3
import sys

import typer

from lcqy.cli import _click as click
from lcqy.cli import _rows
from lcqy.cli._commands import COMMANDS
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


def _print_version(value: bool) -> None:
    if value:
        from lcqy import __version__

        print(f"lcqy {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: str = typer.Option(None, "--db", help=DB_HELP, envvar="LCQY_DB", show_envvar=False),
    version: bool = typer.Option(False, "--version", help="显示版本号并退出。", callback=_print_version, is_eager=True),
):
    """企业反映困难问题台帐（临政办发〔2021〕21号）。"""
    ctx.obj = {"db": db}


# Every public module of this package is an area of commands with a register(app): a new area
# is a new file. The first areas keep their place in the help; later ones follow by name.
_FIRST = ("setup", "cases", "show", "handling", "board", "docs", "excel")
_AREAS = sorted(
    (m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")),
    key=lambda name: (_FIRST.index(name) if name in _FIRST else len(_FIRST), name),
)
_loaded: dict[str, tuple[list, list]] = {}  # area -> (its commands, its groups) as registered


def _load(area: str) -> None:
    if area in _loaded:
        return
    commands, groups = len(app.registered_commands), len(app.registered_groups)
    importlib.import_module(f"{__name__}.{area}").register(app)
    _loaded[area] = (app.registered_commands[commands:], app.registered_groups[groups:])


def load(command: str | None = None) -> typer.Typer:
    """The app with the area that defines `command`, or with every area (for the command list,
    a typo's suggestions, or a name the index lacks). Importing and converting every area costs
    more than most commands' own work, so a command run loads only its own."""
    area = COMMANDS.get(command) if command else None
    if area is not None and area in _AREAS:
        _load(area)
        return app
    for name in _AREAS:
        _load(name)
    # Areas loaded earlier one at a time go back to their place in the help.
    app.registered_commands[:] = [c for name in _AREAS for c in _loaded[name][0]]
    app.registered_groups[:] = [g for name in _AREAS for g in _loaded[name][1]]
    return app


def command_word(args: list[str]) -> str | None:
    """The command the arguments name: the first word after the root options (--db X)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--db":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def _usage_message(exc: click.UsageError) -> str:
    """Click's English usage errors, said in Chinese with the option's own help."""
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        name = "/".join(getattr(exc.param, "opts", []) or [exc.param.name or ""])
        # The help text begins with the field's name: "办理结果：A …", "案件：登记编号…".
        label = re.split(r"[：（，；]", getattr(exc.param, "help", None) or "")[0]
        return f"缺少{label}（{name}）。" if label else f"缺少参数 {name}。"
    if isinstance(exc, click.RepeatedOption):
        return f"选项 {exc.option} 只能写一次（写了两次，不知以哪个为准）。"
    if isinstance(exc, click.NoSuchOption) and exc.option_name == "--db" and exc.ctx and exc.ctx.parent:
        sub = exc.ctx.command_path.partition(" ")[2]
        return f"--db 是总选项，要写在命令之前，如：lcqy --db 台帐.db {sub} …（也可设环境变量 LCQY_DB）。"
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
        return _no_such_command(exc)
    if "Got unexpected extra argument" in exc.message:
        return f"多余的参数：{exc.message.split('(')[-1].rstrip(')')}。含空格的内容请加引号。"
    return exc.message


def _no_such_command(exc: click.UsageError) -> str:
    name = exc.message.split("'")[1] if "'" in exc.message else exc.message
    group = exc.ctx.command if exc.ctx else None
    known = list(group.list_commands(exc.ctx)) if group is not None and hasattr(group, "list_commands") else []
    near = difflib.get_close_matches(name, known, n=3, cutoff=0.7)
    return f"没有这个命令：{name}。" + (f"您是否要用：{'、'.join(near)}？" if near else "")


def _undecodable(args: list[str]) -> str | None:
    """A word the terminal sent in another encoding (GBK, say) reaches Python as lone
    surrogates; it would fail deep inside the first print or SQL statement. Say which."""
    for i, arg in enumerate(args):
        if any("\ud800" <= ch <= "\udfff" for ch in arg):
            if i and args[i - 1] == "LCQY_DB":
                where = "环境变量 LCQY_DB 的值"
            elif i and args[i - 1].startswith("-"):
                where = f"选项 {args[i - 1]} 的值"
            else:
                where = f"第 {i + 1} 个参数"
            try:
                guess = arg.encode("utf-8", "surrogateescape").decode("gb18030")
                hint = f"（按 GBK 读作“{guess}”）"
            except UnicodeError:
                hint = ""
            return (
                f"{where}含有无法识别的字符{hint}：终端使用的不是 UTF-8 编码。"
                "请把终端（或 SSH 客户端）的字符编码设为 UTF-8 后重新输入。台帐未改动。"
            )
    return None


# errno -> what the clerk can do about a file the command could not write or read
_OS_ERRORS = {
    errno.ENAMETOOLONG: "文件名太长（每一级名称最多 255 字节，一个汉字占 3 字节），请用短一些的文件名",
    errno.EACCES: "没有权限，请换一个位置或检查文件权限",
    errno.EPERM: "没有权限，请换一个位置或检查文件权限",
    errno.ENOENT: "文件或目录不存在",
    errno.ENOTDIR: "路径中的某一级不是目录",
    errno.EISDIR: "这是一个目录，请写出文件名",
    errno.ENOSPC: "磁盘已满",
    errno.EROFS: "所在位置是只读的",
    errno.ELOOP: "路径中的符号链接太多或成环",
    errno.EEXIST: "文件已存在",
    errno.EINVAL: "文件名中有此处不允许的字符，请改用别的文件名",
    errno.EBUSY: "文件正被其他程序使用，请先关闭",
}
# Windows' own error numbers (OSError.winerror) say more than the errno Python derives from
# them: a sharing violation (32) and a bad name (123) both arrive as EACCES or EINVAL.
_WINDOWS_ERRORS = {
    5: "没有权限（文件可能是只读的、正被 Excel/WPS 打开，或所在文件夹不允许写入），请关闭文件或换一个位置",
    32: "文件正被 Excel/WPS 打开，请先关闭",
    33: "文件正被 Excel/WPS 打开，请先关闭",
    123: '文件名中有 Windows 不允许的字符（\\ / : * ? " < > |），请改用别的文件名',
    206: "文件名或路径太长（Windows 每级名称最多 255 个字符，整个路径一般最多 260 个字符），"
    "请用短一些的文件名或浅一些的文件夹",
}


def os_message(exc: OSError) -> str:
    """Any OS error as one Chinese sentence naming the file. For a rename or replace, the file
    named is the target (a temporary `.part` means nothing to the clerk)."""
    what = _WINDOWS_ERRORS.get(getattr(exc, "winerror", None) or 0) or _OS_ERRORS.get(exc.errno)
    if what is None:
        code = getattr(exc, "winerror", None) or exc.errno
        what = f"{exc.strerror or type(exc).__name__}（错误码 {code}）" if code else (exc.strerror or str(exc))
    path = exc.filename2 if exc.filename2 is not None else exc.filename
    return f"文件 {os.fsdecode(path)} 无法使用：{what}。" if path is not None else f"文件操作失败：{what}。"


def _set_up_streams() -> None:
    """Text goes out in the console's or pipe's own encoding (GBK on a zh-CN Windows console
    or redirected there), and a character it lacks (® © ™ € • 𠮷 …) is shown as ? instead of
    stopping the command halfway through its output. JSON is written as UTF-8 bytes apart."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        try:
            utf8 = encoding is not None and codecs.lookup(encoding).name == "utf-8"
        except LookupError:
            utf8 = False
        if not utf8 and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):  # a stream already closed or detached
                pass
    _rows.set_ambiguous_wide(_rows.legacy_cjk(sys.stdout))


UNCHANGED = "台帐未改动。"


def _ledger_written() -> bool:
    """Whether this command committed a write to a ledger (lcqy.store.db, if it was loaded at
    all: a command refused before opening the ledger never loads it)."""
    db = sys.modules.get("lcqy.store.db")
    return db is not None and db.Ledger.committed


def _no_ledger(exc: LcqyError) -> bool:
    db = sys.modules.get("lcqy.store.db")
    return db is not None and isinstance(exc, db.NoLedger)


def refusal(message: str, *, no_ledger: bool = False) -> str:
    """A refusal as said: ending with 台帐未改动 (once) when this command wrote nothing to the
    ledger; never claiming it after a committed write (the letter of an act could not be put in
    place afterwards) nor where there is no ledger (missing, not a ledger, damaged)."""
    text = message.rstrip()
    if no_ledger:
        return text
    if _ledger_written():
        return text.removesuffix(UNCHANGED).rstrip()
    if "台帐未改动" in text:
        return text
    if "\n" in text:  # a list of problems: the words on a line of their own after it
        return f"{text}\n{UNCHANGED}"
    return text + ("" if text.endswith(("。", "！", "？")) else "。") + UNCHANGED


def _forget_writes() -> None:
    """In-process runs (tests, an embedding program) start each command afresh."""
    db = sys.modules.get("lcqy.store.db")
    if db is not None:
        db.Ledger.committed = False


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    _forget_writes()
    _set_up_streams()
    if wants_help(args):
        use_chinese()
    db_env = os.environ.get("LCQY_DB")
    bad = _undecodable(args) or (_undecodable(["LCQY_DB", db_env]) if db_env else None)
    if bad:
        print(f"错误：{bad}", file=sys.stderr)
        sys.exit(1)
    click.refuse_repeated_options()
    command = typer.main.get_command(load(command_word(args)))
    try:
        rc = command.main(args=args, prog_name="lcqy", standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)  # typer.Exit(n) inside a command comes back as the return value
    except LcqyError as exc:
        print(f"错误：{refusal(exc.message, no_ledger=_no_ledger(exc))}", file=sys.stderr)
        sys.exit(exc.code)
    except click.NoArgsIsHelpError:
        sys.exit(0)  # Typer has printed the help already
    except click.UsageError as exc:
        sub = exc.ctx.command_path if exc.ctx else "lcqy"
        print(f"用法错误：{refusal(_usage_message(exc))}\n（用 {sub} --help 查看说明）", file=sys.stderr)
        sys.exit(2)
    except click.Exit as exc:
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt, EOFError):
        print("\n已取消。" if _ledger_written() else "\n已取消，台帐未改动。", file=sys.stderr)
        sys.exit(130)
    except click.ClickException as exc:
        print(f"错误：{refusal(exc.format_message())}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except sqlite3.DatabaseError as exc:
        print(
            f"错误：台帐文件无法读取（{exc}）。文件可能已损坏：请用 lcqy check 检查，必要时用备份恢复。",
            file=sys.stderr,
        )
        sys.exit(1)
    except BrokenPipeError:
        # The reader of a pipe (head, more) stopped early: what it wanted it has. Python would
        # report the failed flush of stdout at exit, so that goes to the null device.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            pass
        sys.exit(1)
    except OSError as exc:
        print(f"错误：{refusal(os_message(exc))}", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # the clerk never sees a traceback
        _internal(exc)


def _internal(exc: Exception) -> None:
    if os.environ.get("LCQY_DEBUG"):
        raise exc
    done = "本次操作已撤销，台帐未改动。"
    if _ledger_written():
        done = "出错前已完成的办理已记入台帐，请用 lcqy check 检查。"
    print(
        f"内部错误：{type(exc).__name__}: {exc}\n{done}请把这条信息告知维护人员（设 LCQY_DEBUG=1 可看详情）。",
        file=sys.stderr,
    )
    sys.exit(3)
