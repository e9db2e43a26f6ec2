"""`check` warnings: things worth the clerk's attention that do not make the ledger unsound,
so `check` still passes (exit 0) when they are all it finds."""

from __future__ import annotations

import os
import sqlite3
import stat

from lcqy.acts.context import Ctx


def check_warnings(ctx: Ctx) -> list[str]:
    try:
        return _file_mode(ctx) + _numbers_out_of_date_order(ctx)
    except sqlite3.DatabaseError:
        return []  # a damaged file: check's own problems say so


def _file_mode(ctx: Ctx) -> list[str]:
    """A ledger others can read (R14). A copy, an unpacked archive or `git clone` (the shipped
    sample) gives 0644: worth fixing, but the ledger itself is sound, so a warning."""
    path = ctx.ledger.path
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if not mode & 0o077:
        return []
    return [f"文件权限 {mode:o}：台帐含企业信息，应仅本人可读写。请运行：chmod 600 {path}"]


def _numbers_out_of_date_order(ctx: Ctx) -> list[str]:
    """A number entered late (`--date` in the past) is issued after numbers dated later: allowed,
    the sequence stays gapless, but a printed ledger sorted by number is then not in date order."""
    sql = """
    SELECT kind, year, seq, text, issued_on, prev_on FROM (
        SELECT kind, year, seq, text, issued_on, max(issued_on) OVER (
            PARTITION BY kind, year ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS prev_on FROM numbers
    ) WHERE prev_on > issued_on ORDER BY kind, year, seq
    """
    by_kind: dict[tuple[str, int], list[tuple[int, str, str]]] = {}
    for kind, year, seq, _text, on, prev_on in ctx.ledger.db.execute(sql).fetchall():
        by_kind.setdefault((kind, year), []).append((seq, on, prev_on))
    out = []
    for (kind, year), rows in by_kind.items():
        seq, on, prev_on = rows[0]
        more = "、".join(str(r[0]) for r in rows[1:10]) + ("…" if len(rows) > 10 else "")
        out.append(
            f"编号顺序：{year}年“{kind}”字号有 {len(rows)} 个编号的日期早于排在它前面的编号"
            f"（如第{seq}号 {on}，前面已有 {prev_on} 的编号）"
            + (f"，另有第{more}号" if more else "")
            + "。这是补录（--date）所致，编号仍连续有效，按编号排列的台帐不完全按日期先后。"
        )
    return out
