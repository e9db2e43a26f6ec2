"""What the command modules share: opening the ledger, printing tables and JSON."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import typer

from lcqy.cli import _coerce

# Before any command reads its options (see the module: Typer's pydantic costs 0.14 s a run).
_coerce.install()

DB_HELP = "台帐文件路径（也可用环境变量 LCQY_DB；默认在用户应用目录下的 ledger.db）"
DATE_HELP = "办理日期（补录时用，默认今天；不能晚于今天、不能早于上一步）"
JSON_HELP = "以 JSON 输出（英文键名，便于其他程序读取）"


def default_db() -> Path:
    # Not roaming: on Windows %LOCALAPPDATA%\lcqy. A roaming %APPDATA% is often redirected to
    # a server, where the ledger would be shared and SQLite's locking is not to be trusted.
    return Path(typer.get_app_dir("lcqy", roaming=False)) / "ledger.db"


def documents_hint(path: Path, windows: bool = os.name == "nt") -> str | None:
    """After `init` made the default ledger on Windows: where it is, and how to keep it in
    Documents instead (what a clerk looks for, and what the office's backups cover)."""
    if not windows or path != default_db():
        return None
    docs = r"%USERPROFILE%\Documents\服企办\ledger.db"
    return (
        f"台帐在本机的应用数据目录 {path.parent}。如想放在“文档”中，在 cmd 中运行："
        f'setx LCQY_DB "{docs}"，新开窗口后再运行 lcqy init。'
    )


def db_path(ctx: typer.Context) -> Path:
    from lcqy.store.db import expand_path

    root = ctx.find_root()
    given = (root.obj or {}).get("db") if root.obj else None
    given = given or os.environ.get("LCQY_DB")
    return Path(expand_path(given)) if given else default_db()


@contextmanager
def open_ctx(ctx: typer.Context) -> Iterator:
    """An act context on the ledger named by --db; closed when the command ends."""
    from lcqy.acts.context import Ctx, today_from_env
    from lcqy.store.db import Ledger

    led = Ledger.open(db_path(ctx))
    try:
        yield Ctx(ledger=led, today=today_from_env())
    finally:
        led.close()


def is_console(stream: object) -> bool:
    """A terminal someone can type into. On Windows isatty() is also true for NUL (any
    character device), so a task run by the scheduler with input from NUL would be asked
    questions nobody answers; only a console has a console mode."""
    try:
        if not stream.isatty():  # type: ignore[attr-defined]
            return False
    except (AttributeError, ValueError):
        return False
    if os.name != "nt":
        return True
    import ctypes
    import msvcrt

    try:
        handle = msvcrt.get_osfhandle(stream.fileno())  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError):
        return False
    mode = ctypes.c_ulong()
    return bool(ctypes.windll.kernel32.GetConsoleMode(handle, ctypes.byref(mode)))  # type: ignore[attr-defined]


def console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def print_json(obj: object) -> None:
    write_utf8(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def write_utf8(text: str) -> None:
    """JSON is UTF-8 whatever the console's code page: a Windows console or pipe encodes text
    as GBK (cp936), so `--json > x.json` would give a file other programs misread, and lose
    what GBK lacks. The bytes go under the text layer, after what it holds."""
    out = sys.stdout
    raw = getattr(out, "buffer", None)
    if raw is None:  # a stream of text only (tests, an embedding program)
        out.write(text)
        return
    out.flush()
    raw.write(text.encode("utf-8"))
    raw.flush()


def say(text: str) -> None:
    # Messages are left to the terminal to wrap; rich would break lines mid-phrase.
    console().print(text, soft_wrap=True, markup=False)  # user words are not markup


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    caption: str | None = None,
    no_wrap: Sequence[str] = (),
    clip: dict[str, int] | None = None,
) -> None:
    """A plain table. `clip` columns share the width left by the others in the given
    ratios and are cut with … rather than wrapped, so that each row stays one line."""
    clip = clip or {}
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    cells = [["" if v is None else str(v) for v in r] for r in rows]
    con = console()
    natural = {c: max([cell_len(c)] + [cell_len(r[i]) for r in cells]) for i, c in enumerate(columns)}
    widths = dict(natural)
    if clip:
        # Share what the fixed columns leave among the clipped ones, by ratio, never
        # more than their content needs; rich's own squeezing cuts the short columns.
        spare = con.width - sum(natural[c] for c in columns if c not in clip) - 3 * (len(columns) - 1)
        extra, total = max(0, spare - 8 * len(clip)), sum(clip.values())
        for c, r in clip.items():
            widths[c] = min(natural[c], 8 + extra * r // total)
    t = Table(title=title, caption=caption, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1))
    for c in columns:
        if c in clip:
            t.add_column(c, no_wrap=True, overflow="ellipsis", width=widths[c])
        elif c in no_wrap:
            t.add_column(c, no_wrap=True, min_width=widths[c])
        else:
            t.add_column(c, overflow="fold")
    # Wrapped columns break as Chinese text does: never inside a number, a date or a word,
    # never before ，。、 (rich alone cut “2027” in two in a narrow column).
    from rich.text import Text

    from lcqy.cli._help import kinsoku_text

    chinese = kinsoku_text(Text)
    folded = [i for i, c in enumerate(columns) if c not in clip and c not in no_wrap]
    # Every cell as text, never markup: an enterprise's or a department's words ("[bold]…",
    # "[/]") are printed as typed, not swallowed or turned into styles.
    plain = [i for i in range(len(columns)) if i not in folded]
    for r in cells:
        for i in folded:
            r[i] = chinese(r[i])
        for i in plain:
            r[i] = Text(r[i])
        t.add_row(*r)
    con.print(t)


def est(d: str | None, estimated: object) -> str:
    """A date as shown, with ≈ for a deadline in a year whose official schedule is unknown."""
    if not d:
        return ""
    return f"{d}≈" if estimated else d
