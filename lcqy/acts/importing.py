"""import-ledger: an office's existing Excel ledger, imported all or nothing once every row
passes the checks of lcqy.acts.import_rows."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path

from lcqy.acts.context import Ctx
from lcqy.acts.import_rows import Facts, Row, check_row, check_sheet, number_ranges
from lcqy.errors import LcqyError

MAX_SHOWN = 50
# Numbers the old ledger issued but the sheet does not show are voided for good: a few (returned
# dispatches, voided entries: up to five, or one for every ten rows) go through, named; more need
# --allow-gaps (one row numbered 第120号 in a ledger at 第102号 would void seventeen).
GAPS_WITHOUT_ASKING = 5
GAPS_PER_ROWS = 10
SPOOL_BATCH = 1000


def import_ledger(ctx: Ctx, path: Path, *, dry_run: bool = False, allow_gaps: bool = False) -> dict:
    """All rows or none: every problem is reported by sheet and row before anything is written.

    Two passes, so that memory does not grow with the sheet: the first reads and checks each
    row, keeps the few facts the checks across rows need (numbers, merges, states) and puts the
    checked row into a private spool file; once every check has passed, the second writes the
    spooled rows inside the one write transaction, which the reading and checking do not hold."""
    from lcqy.xlsx.reader import LedgerRead, iter_workbook
    from lcqy.xlsx.writer import COLUMNS, CONTACT_COLUMNS

    if not path.is_file():
        raise LcqyError(f"找不到文件 {path}。")
    led = ctx.ledger
    labels = {key: header for key, header, _ in COLUMNS + CONTACT_COLUMNS}
    problems = _Said()
    facts: list[Facts] = []
    got = LedgerRead()
    # Rows with a 登记编号 are written first (see _write_all): one spool for each kind.
    with _Spool() as numbered, _Spool() as unnumbered:
        try:
            for sr in iter_workbook(path, got):
                where = f"工作表“{sr.sheet}”第{sr.row}行"
                row, errs = check_row(ctx, where, sr.values, led.prefix, led.level)
                if sr.formulas:
                    # Not "missing": a formula whose result the file does not keep (a program that
                    # writes formulas without calculating them); said as such, once.
                    said = {f"{where}：缺少{labels.get(k, k)}。" for k in sr.formulas}
                    errs = [e for e in errs if e not in said] + [
                        f"{where}：{'、'.join(labels.get(k, k) for k in sr.formulas)}是公式，文件中没有它的计算结果"
                        "（请在 Excel 或 WPS 中打开并保存后再导入，或把公式改成数值）。"
                    ]
                problems.extend(errs)
                facts.append(Facts.of(sr.sheet, sr.row, row))
                if not problems.count:  # once a row is refused, nothing will be written
                    (numbered if row.reg else unnumbered).add(row)
        except LcqyError:
            raise
        except Exception as exc:  # a file that is not a workbook fails in many ways
            raise LcqyError(f"{path} 无法作为 Excel 台帐读取（{type(exc).__name__}）。") from None
        more_problems, voids = check_sheet(ctx, facts)
        problems.extend(more_problems)
        handful = max(GAPS_WITHOUT_ASKING, len(facts) // GAPS_PER_ROWS)
        if len(voids) > handful and not allow_gaps and not more_problems:
            problems.append(
                f"导入将作废 {len(voids)} 个表中没有的编号（永不再用）：{number_ranges(led.prefix, voids)}。"
                "请核对编号；确属原台帐的空号，加 --allow-gaps 再导入。"
            )
        if not facts and not problems.count:
            problems.append(f"{path} 中没有找到台帐数据（表头应含 企业名称、反映时间 等登记表栏目）。")
        if problems.count:
            more = problems.count - MAX_SHOWN
            shown = problems + ([f"……另有 {more} 处问题"] if more > 0 else [])
            raise LcqyError(f"导入未进行，共 {problems.count} 处问题：\n" + "\n".join(shown))
        rows = len(facts)
        del facts  # the spools hold the rows now
        new_depts: list[str] = []
        try:
            _write_all(ctx, [numbered, unnumbered], path.name, new_depts, dry_run)
        except _DryRun:
            pass  # everything was written, then rolled back
    return {
        "rows": rows,
        "voided_gaps": len(voids),
        "voided": number_ranges(led.prefix, voids, most=1000) if voids else "",
        "new_depts": new_depts,
        "dry_run": dry_run,
        "unknown_headers": got.unknown_headers,
        "skipped_sheets": got.skipped_sheets,
    }


class _Said(list):
    """The first MAX_SHOWN problems, and how many there were in all."""

    count = 0

    def append(self, text: str) -> None:
        self.count += 1
        if len(self) < MAX_SHOWN:
            super().append(text)

    def extend(self, texts) -> None:
        for text in texts:
            self.append(text)


class _Spool:
    """Checked rows kept on disk between the two passes, a batch at a time. The file is
    unnamed (removed as it is made) and readable by its owner only: it holds the enterprises'
    contacts, as the ledger does."""

    def __init__(self):
        self.file = tempfile.TemporaryFile()
        self.batch: list[Row] = []

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()

    def add(self, row: Row) -> None:
        self.batch.append(row)
        if len(self.batch) >= SPOOL_BATCH:
            self._dump()

    def _dump(self) -> None:
        pickle.dump(self.batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.batch = []

    def __iter__(self) -> Iterator[Row]:
        if self.batch:
            self._dump()
        self.file.seek(0)
        while True:
            try:
                batch = pickle.load(self.file)  # our own file, written above
            except EOFError:
                return
            yield from batch


class _DryRun(Exception):
    """Raised inside the transaction to roll back a --dry-run import."""


def _write_all(ctx: Ctx, spools: list[_Spool], source: str, new_depts: list[str], dry_run: bool) -> None:
    from lcqy.acts.import_write import Writer

    with ctx.ledger.write():
        writer = Writer(ctx, source)
        # Claimed numbers first, so that the counters move past them before any new number is issued.
        for spool in spools:
            for row in spool:
                writer.add(row)
        writer.finish()
        new_depts += writer.new_depts
        if dry_run:
            raise _DryRun
