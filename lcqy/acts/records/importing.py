"""import-ledger: an office's existing Excel ledger, imported all or nothing once every row
passes the checks of lcqy.acts.records.rows."""

from __future__ import annotations

from pathlib import Path

from lcqy.acts.context import Ctx
from lcqy.acts.records.read import MAX_SHOWN, Spool, first_pass
from lcqy.acts.records.rows import check_sheet, number_ranges
from lcqy.acts.records.write import Writer
from lcqy.errors import LcqyError

# Numbers the old ledger issued but the sheet does not show are voided for good: a few (returned
# dispatches, voided entries: up to five, or one for every ten rows) go through, named; more need
# --allow-gaps (one row numbered 第120号 in a ledger at 第102号 would void seventeen).
GAPS_WITHOUT_ASKING = 5
GAPS_PER_ROWS = 10


def import_ledger(ctx: Ctx, path: Path, *, dry_run: bool = False, allow_gaps: bool = False) -> dict:
    """All rows or none: every problem is reported by sheet and row before anything is written.

    Two passes, so that memory does not grow with the sheet: the first (lcqy.acts.records.read)
    reads and checks each row, keeps the few facts the checks across rows need (numbers, merges,
    states) and puts the checked row into a private spool file; once every check has passed, the
    second writes the spooled rows inside the one write transaction, which the reading and
    checking do not hold."""
    if not path.is_file():
        raise LcqyError(f"找不到文件 {path}。")
    led = ctx.ledger
    read = first_pass(ctx, path)
    try:
        problems = read.problems
        more_problems, voids = check_sheet(ctx, read.facts)
        problems.extend(more_problems)
        rows = len(read.facts)
        handful = max(GAPS_WITHOUT_ASKING, rows // GAPS_PER_ROWS)
        if len(voids) > handful and not allow_gaps and not more_problems:
            problems.append(
                f"导入将作废 {len(voids)} 个表中没有的编号（永不再用）：{number_ranges(led.prefix, voids)}。"
                "请核对编号；确属原台帐的空号，加 --allow-gaps 再导入。"
            )
        if not rows and not problems.count:
            problems.append(f"{path} 中没有找到台帐数据（表头应含 企业名称、反映时间 等登记表栏目）。")
        if problems.count:
            more = problems.count - MAX_SHOWN
            shown = problems + ([f"……另有 {more} 处问题"] if more > 0 else [])
            raise LcqyError(f"导入未进行，共 {problems.count} 处问题：\n" + "\n".join(shown))
        read.facts = []  # the spools hold the rows now
        new_depts: list[str] = []
        # Claimed numbers first, so that the counters move past them before any new number is issued.
        spools = [pair[0] for pair in read.spools] + [pair[1] for pair in read.spools]
        try:
            _write_all(ctx, spools, rows, path.name, new_depts, dry_run)
        except _DryRun:
            pass  # everything was written, then rolled back
    finally:
        read.close()
    return {
        "rows": rows,
        "voided_gaps": len(voids),
        "voided": number_ranges(led.prefix, voids, most=1000) if voids else "",
        "new_depts": new_depts,
        "dry_run": dry_run,
        "unknown_headers": read.unknown_headers,
        "skipped_sheets": read.skipped_sheets,
    }


class _DryRun(Exception):
    """Raised inside the transaction to roll back a --dry-run import."""


def _write_all(ctx: Ctx, spools: list[Spool], rows: int, source: str, new_depts: list[str], dry_run: bool) -> None:
    with ctx.ledger.write():
        writer = Writer(ctx, source, rows)
        for spool in spools:
            for row in spool:
                writer.add(row)
        writer.finish()
        new_depts += writer.new_depts
        if dry_run:
            raise _DryRun
