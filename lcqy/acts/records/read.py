"""The first pass of import-ledger: every sheet read and every row checked, before the ledger is
touched. Each checked row goes to a private spool file (one pair per sheet: rows with a 登记编号,
rows without), and only the compact facts the checks across rows need stay in memory.

Reading the sheet XML and checking the rows is two thirds of a large import's time and is the
same work for every sheet, so a workbook of several large sheets (our own export has one per
category) is shared with a second process: the sheets are split in two halves of about equal
size, a forked child reads and checks one half while this process does the other, and the child
sends back its facts and problems. Its spool files are this process's, inherited across the
fork. Refusals come back as the same messages, in sheet order, as the one-process pass gives.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lcqy.acts.context import Ctx
from lcqy.acts.records.rows import Facts, Row, check_row
from lcqy.errors import LcqyError

MAX_SHOWN = 50
SPOOL_BATCH = 1000
# Sheet XML (unpacked) from which a second process is worth its start: about 2,000 rows.
PARALLEL_BYTES = 4 * 2**20


class Said(list):
    """The first MAX_SHOWN problems, and how many there were in all."""

    count = 0

    def append(self, text: str) -> None:
        self.count += 1
        if len(self) < MAX_SHOWN:
            super().append(text)

    def extend(self, texts) -> None:
        for text in texts:
            self.append(text)

    def add(self, other: Said) -> None:
        """Another sheet's problems, after these."""
        room = MAX_SHOWN - len(self)
        super().extend(other[: max(room, 0)])
        self.count += other.count


class Spool:
    """Checked rows kept on disk between the two passes, a batch at a time. The file is
    unnamed (removed as it is made) and readable by its owner only: it holds the enterprises'
    contacts, as the ledger does."""

    def __init__(self):
        self.file = tempfile.TemporaryFile()
        self.batch: list[Row] = []

    def close(self) -> None:
        self.file.close()

    def add(self, row: Row) -> None:
        self.batch.append(row)
        if len(self.batch) >= SPOOL_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            pickle.dump(self.batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.batch = []
        self.file.flush()

    def __iter__(self) -> Iterator[Row]:
        self.flush()
        self.file.seek(0)
        while True:
            try:
                batch = pickle.load(self.file)  # our own file, written above
            except EOFError:
                return
            yield from batch


@dataclass
class Sheet:
    """One sheet's first pass."""

    facts: list[Facts] = field(default_factory=list)
    problems: Said = field(default_factory=Said)
    unknown: list[str] = field(default_factory=list)
    skipped: bool = False
    rows: int = 0


@dataclass
class FirstPass:
    facts: list[Facts]
    problems: Said
    unknown_headers: dict[str, list[str]]
    skipped_sheets: list[str]
    # (rows with a 登记编号, rows without) of each sheet, in sheet order
    spools: list[tuple[Spool, Spool]]

    def close(self) -> None:
        for pair in self.spools:
            for spool in pair:
                spool.close()


def first_pass(ctx: Ctx, path: Path) -> FirstPass:
    """Read and check every row of the workbook at `path` (refusing a file beyond the reader's
    bounds, or one that is not a workbook, with an LcqyError)."""
    from lcqy.xlsx.reader import MAX_ROWS, check_size, ledger_sheets, open_package, too_many_rows

    check_size(path)
    spools: list[tuple[Spool, Spool]] = []
    try:
        with _readable(path):
            pkg = open_package(path)
            try:
                sheets = ledger_sheets(pkg)
                sizes = [pkg.zip.getinfo(member).file_size for _, member in sheets]
                spools += [(Spool(), Spool()) for _ in sheets]
                mine, theirs = _halves(sizes)
                if theirs and sum(sizes) >= PARALLEL_BYTES and hasattr(os, "fork"):
                    done = _two_processes(ctx, path, pkg, sheets, spools, mine, theirs)
                else:
                    done = _check_sheets(ctx, pkg, sheets, spools, list(range(len(sheets))))
            finally:
                pkg.close()
        out = FirstPass([], Said(), {}, [], spools)
        total = 0
        for i, (title, _) in enumerate(sheets):
            sheet = done[i]
            out.facts += sheet.facts
            out.problems.add(sheet.problems)
            if sheet.unknown:
                out.unknown_headers[title] = sheet.unknown
            if sheet.skipped:
                out.skipped_sheets.append(title)
            total += sheet.rows
        if total > MAX_ROWS:
            raise too_many_rows(path.name)
        return out
    except BaseException:
        for pair in spools:
            for spool in pair:
                spool.close()
        raise


# What each way a workbook's package breaks means to the clerk (the exception's class name).
_BROKEN = {
    "error": "压缩内容已损坏",  # zlib.error
    "LZMAError": "压缩内容已损坏",
    "BadZipFile": "不是完整的 .xlsx 文件",
    "EOFError": "文件不完整",
    "ParseError": "表格内容不是有效的 XML",
    "XMLSyntaxError": "表格内容不是有效的 XML",
    "ExpatError": "表格内容不是有效的 XML",
    "KeyError": "缺少工作簿必需的部分",
    "UnicodeDecodeError": "含有无法识别的字符编码",
}


def broken(path: Path, kind: str) -> LcqyError:
    why = _BROKEN.get(kind, "文件格式不对")
    return LcqyError(f"{path} 无法作为 Excel 台帐读取：{why}。请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。")


class _readable:
    """Turns the many errors of a file that is not a workbook into one message."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if kind is None or issubclass(kind, (LcqyError, KeyboardInterrupt, SystemExit)):
            return False
        raise broken(self.path, kind.__name__) from None


def _halves(sizes: list[int]) -> tuple[list[int], list[int]]:
    """Sheet indexes split in two halves of about equal size, each in sheet order."""
    mine: list[int] = []
    theirs: list[int] = []
    load = [0, 0]
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        side = 0 if load[0] <= load[1] else 1
        (mine if side == 0 else theirs).append(i)
        load[side] += sizes[i]
    return sorted(mine), sorted(theirs)


def _two_processes(ctx, path, pkg, sheets, spools, mine, theirs) -> dict[int, Sheet]:
    import multiprocessing

    mp = multiprocessing.get_context("fork")
    receive, send = mp.Pipe(duplex=False)
    child = mp.Process(target=_child, args=(ctx, path, sheets, spools, theirs, send), daemon=True)
    child.start()
    send.close()
    try:
        done = _check_sheets(ctx, pkg, sheets, spools, mine)
        try:
            kind, got = receive.recv()
        except EOFError:
            kind, got = "broken", "EOFError"
        child.join()
    finally:
        if child.is_alive():
            child.kill()
            child.join()
        receive.close()
    if kind == "refused":
        raise LcqyError(got)
    if kind == "broken":
        raise broken(path, got)
    done.update(got)
    return done


def _child(ctx, path, sheets, spools, which, send) -> None:
    """The forked half: its own handle on the package (a zip file's position is not shared)."""
    from lcqy.xlsx.reader import open_package

    try:
        pkg = open_package(path)
        try:
            done = _check_sheets(ctx, pkg, sheets, spools, which)
        finally:
            pkg.close()
        for i in which:  # what is still buffered here reaches the shared files before exit
            for spool in spools[i]:
                spool.flush()
        send.send(("ok", done))
    except LcqyError as exc:
        send.send(("refused", exc.message))
    except Exception as exc:  # a file that is not a workbook fails in many ways
        send.send(("broken", type(exc).__name__))
    finally:
        send.close()


def _check_sheets(ctx: Ctx, pkg, sheets, spools, which: list[int]) -> dict[int, Sheet]:
    from lcqy.xlsx.reader import LedgerRead, iter_sheet
    from lcqy.xlsx.writer import COLUMNS, CONTACT_COLUMNS

    led = ctx.ledger
    prefix, level = led.prefix, led.level
    labels = {key: header for key, header, _ in COLUMNS + CONTACT_COLUMNS}
    done: dict[int, Sheet] = {}
    count = [0]
    for i in which:
        title, member = sheets[i]
        sheet = done[i] = Sheet()
        numbered, unnumbered = spools[i]
        got = LedgerRead()
        before = count[0]
        for sr in iter_sheet(pkg, title, member, got, count):
            where = f"工作表“{sr.sheet}”第{sr.row}行"
            row, errs = check_row(ctx, where, sr.values, prefix, level)
            if sr.formulas:
                # Not "missing": a formula whose result the file does not keep (a program that
                # writes formulas without calculating them); said as such, once.
                said = {f"{where}：缺少{labels.get(k, k)}。" for k in sr.formulas}
                errs = [e for e in errs if e not in said] + [
                    f"{where}：{'、'.join(labels.get(k, k) for k in sr.formulas)}是公式，文件中没有它的计算结果"
                    "（请在 Excel 或 WPS 中打开并保存后再导入，或把公式改成数值）。"
                ]
            sheet.problems.extend(errs)
            sheet.facts.append(Facts.of(sr.sheet, sr.row, row))
            if not sheet.problems.count:  # once a row is refused, nothing will be written
                (numbered if row.reg else unnumbered).add(row)
        sheet.rows = count[0] - before
        sheet.unknown = got.unknown_headers.get(title, [])
        sheet.skipped = title in got.skipped_sheets
    return done
