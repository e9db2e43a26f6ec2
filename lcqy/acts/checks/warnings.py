"""`check` warnings: things worth the clerk's attention that do not make the ledger unsound,
so `check` still passes (exit 0) when they are all it finds."""

from __future__ import annotations

import os
import sqlite3
import stat

from lcqy.acts.context import Ctx
from lcqy.store.db import WINDOWS


def check_warnings(ctx: Ctx, days: list[tuple] | None = None) -> list[str]:
    """`days`: DATES_SQL's rows when `check` has read them already (its numbering rule uses them)."""
    try:
        return _file_mode(ctx) + _numbers_out_of_date_order(ctx, days)
    except sqlite3.DatabaseError:
        return []  # a damaged file: check's own problems say so


def _file_mode(ctx: Ctx) -> list[str]:
    """A ledger others can read (R14). A copy, an unpacked archive or `git clone` (the shipped
    sample) gives 0644: worth fixing, but the ledger itself is sound, so a warning."""
    path = ctx.ledger.path
    if WINDOWS:
        # Windows keeps no owner-only bits: the file takes its folder's ACL (see the README).
        return [
            f"文件权限：在 Windows 上，台帐 {path} 谁能读取由其所在文件夹的权限决定，lcqy 不另设权限。"
            "台帐含企业信息，请放在只有本人能访问的文件夹（如默认的 %LOCALAPPDATA%\\lcqy），不要放在共享目录。"
        ]
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if not mode & 0o077:
        return []
    return [f"文件权限 {mode:o}：台帐含企业信息，应仅本人可读写。请运行：chmod 600 {path}"]


# With each date's count, from which check's numbering rule sums its years (one read of the index).
DATES_SQL = "SELECT kind, year, issued_on, min(seq), max(seq), count(*) FROM numbers GROUP BY kind, year, issued_on"


def number_days(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute(DATES_SQL).fetchall()


def _numbers_out_of_date_order(ctx: Ctx, days_read: list[tuple] | None = None) -> list[str]:
    """A number entered late (`--date` in the past) is issued after numbers dated later: allowed,
    the sequence stays gapless, but a printed ledger sorted by number is then not in date order."""
    conn = ctx.ledger.conn
    # A number is out of order when a number dated later has a smaller seq: when its seq is past
    # the smallest seq of all later dates. One row per (kind, year, date) from the index
    # numbers_dates finds those dates; their numbers are read only then.
    days: dict[tuple[str, int], list[tuple[str, int, int]]] = {}
    for kind, year, on, first, last, _ in number_days(conn) if days_read is None else days_read:
        days.setdefault((kind, year), []).append((on, first, last))
    out = []
    for (kind, year), dated in days.items():
        rows: list[tuple[int, str]] = []
        later_first = None  # the smallest seq of the dates after this one
        for on, first, last in reversed(dated):
            if later_first is not None and last > later_first:
                rows += [
                    (seq, on)
                    for (seq,) in conn.execute(
                        "SELECT seq FROM numbers WHERE kind = ? AND year = ? AND issued_on = ? AND seq > ?",
                        [kind, year, on, later_first],
                    )
                ]
            later_first = first if later_first is None else min(later_first, first)
        if not rows:
            continue
        rows.sort()
        seq, on = rows[0]
        (prev_on,) = conn.execute(
            "SELECT max(issued_on) FROM numbers WHERE kind = ? AND year = ? AND seq < ?", [kind, year, seq]
        ).fetchone()
        more = "、".join(str(r[0]) for r in rows[1:10]) + ("…" if len(rows) > 10 else "")
        out.append(
            f"编号顺序：{year}年“{kind}”字号有 {len(rows)} 个编号的日期早于排在它前面的编号"
            f"（如第{seq}号 {on}，前面已有 {prev_on} 的编号）"
            + (f"，另有第{more}号" if more else "")
            + "。这是补录（--date）所致，编号仍连续有效，按编号排列的台帐不完全按日期先后。"
        )
    return out
