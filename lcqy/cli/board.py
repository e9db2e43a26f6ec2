"""overdue: what is late or due soon."""

from __future__ import annotations

import marshal
import tempfile
from collections import Counter, deque
from itertools import chain, islice

import typer

from lcqy.cli._common import open_ctx
from lcqy.cli._options import JSON
from lcqy.cli._rows import Col

# 情况 column: why a row is on the board (lcqy.acts.boards.overdue's `reason`).
_WHAT = {
    "registered": "未交办",
    "dispatched": "未答复",
    "ledger": "督办逾期",
    "special": "督办逾期",
    "escalated": "已转报",
    "meeting": "待会议",
    "soon": "将到期",
}
_BLANK_ZERO = {"0": ""}

# At 80 columns enterprise and department keep at least 6 cells; 催办, then 类别, go first.
OVERDUE_COLUMNS = (
    Col("编号"),
    Col("企业", share=3, least=6),
    Col("类别", share=1, least=4, drop=2),
    Col("牵头部门", share=2, least=6, labels={"": "—"}),
    Col("时限"),
    Col("超期", right=True, labels=_BLANK_ZERO),
    Col("催办", right=True, drop=1, labels=_BLANK_ZERO),
    Col("情况", labels=_WHAT),
)

# The table's cells as SQLite writes them over the board's columns, one text a row split at
# SEP: one printf makes the row in one piece (a || chain copies it once per piece, and each
# value the sqlite3 module hands over costs more than the row's whole query).
SEP = "\x1f"
# Rows split into cells at a time: a chunk's cells (8,000 strings) stay in the processor's cache
# between splitting, measuring and padding; 4,096 rows a chunk cost 0.1 s more at 1,000,000 cases.
_CHUNK = 1024
# Characters of the rows' texts held between the passes (about 9 million at 1,000,000 cases, 20 MB):
# reading them back from the spool cost more than holding them; beyond, memory stays flat.
_HELD = 16_000_000


def _cells_view(year: int) -> str:
    cells = [
        f"iif(reg_year = {year:d}, reg_seq, reg_year || '-' || reg_seq)",
        "enterprise",
        "category",
        "lead",
        "due",
        "late",
        "urges",
        "reason",
    ]
    # The date and its ≈ are two pieces of one cell: printf writes them side by side, cheaper than ||.
    pieces = f"{SEP.join(['%s'] * 5)}%s{SEP}{SEP.join(['%s'] * 3)}"
    args = [*cells[:5], "iif(est, '≈', '')", *cells[5:]]
    # As UTF-8 bytes, decoded a chunk at a time (lcqy.cli._json_out.decoded): a text value per row
    # made the sqlite3 module decode 253,000 small strings at 1,000,000 cases (0.08 s).
    return f"CAST(printf('{pieces}', {', '.join(args)}) AS BLOB)"


def _columns(texts: list[str]) -> list[list[str]]:
    """The table's columns from the rows' texts. A stored text holding SEP (which `check`
    reports) would add a cell to its row; such a row then shows SEP as a space."""
    n = len(OVERDUE_COLUMNS)
    flat = SEP.join(texts).split(SEP)
    if len(flat) != n * len(texts):
        flat = [cell for text in texts for cell in _mend(text.split(SEP))]
    return [flat[i::n] for i in range(n)]


def _chunk_columns(rows: list[bytes]) -> tuple[list[list[str]], str | list[str]]:
    """A chunk's columns from its rows (UTF-8), and what is spooled of it: the rows' texts joined
    at SEP when they split cleanly (one string, split again when printed), else the rows' texts."""
    from lcqy.cli._json_out import decoded

    n = len(OVERDUE_COLUMNS)
    joined = decoded(SEP.encode().join(rows))
    flat = joined.split(SEP)
    if len(flat) != n * len(rows):
        texts = list(map(decoded, rows))
        return _columns(texts), texts
    return [flat[i::n] for i in range(n)], joined


def _spooled_columns(spooled: tuple[int, str] | list[str]) -> list[list[str]]:
    if isinstance(spooled, list):
        return _columns(spooled)
    n = len(OVERDUE_COLUMNS)
    flat = spooled[1].split(SEP)
    return [flat[i::n] for i in range(n)]


def _mend(cells: list[str]) -> list[str]:
    # The last four cells hold no text of the clerk's; of the three before them the category
    # and the department come from fixed lists, so the extra pieces are the enterprise's.
    if len(cells) == len(OVERDUE_COLUMNS):
        return cells
    middle = cells[1:-4]
    return [cells[0], " ".join(middle[:-2]), middle[-2], middle[-1], *cells[-4:]]


def overdue_cmd(
    ctx: typer.Context,
    dept: str = typer.Option(None, "--dept", help="只看某部门牵头或配合的案件"),
    as_of: str = typer.Option(None, "--as-of", help="截止日期（默认今天）"),
    within: int = typer.Option(1, "--within", help="同时列出几个工作日内到期的案件"),
    as_json: bool = JSON,
):
    """超期和即将到期的案件：超过交办时限未交办、超过办结时限未答复、督办到期未办结，最严重的在前；
    已转报市级的另列在后，不计入超期。"""
    from lcqy.acts.boards.overdue import STATUS_OF, board, iter_overdue
    from lcqy.cli._json_out import print_json_texts, say_plain
    from lcqy.cli._rows import Widths, no_collector, print_chunks
    from lcqy.rules import validate

    with open_ctx(ctx) as c:
        day = validate.parse_date("截止日期（--as-of）", as_of) if as_of else c.today
        if as_json:
            print_json_texts(iter_overdue(c, as_of=day, dept=dept, within=within, as_json=True))
            return
        with no_collector(), tempfile.TemporaryFile() as spool:
            # Two passes over the rows, not all of them held (250,000 at 1,000,000 cases): the
            # first sizes the columns and keeps the rows' texts, a chunk at a time, up to _HELD
            # characters, then spools them to an unnamed file; the second prints them.
            texts = board(c, _cells_view(day.year), as_of=day, dept=dept, within=within)
            widths, reasons, held, kept, spooled = Widths(OVERDUE_COLUMNS), Counter(), deque(), 0, 0
            while chunk := list(islice(texts, _CHUNK)):
                columns, joined = _chunk_columns(chunk)
                widths.add(columns)
                reasons.update(columns[-1])
                piece = (len(chunk), joined) if isinstance(joined, str) else joined
                if kept < _HELD and not spooled:
                    held.append(piece)
                    kept += len(joined) if isinstance(joined, str) else sum(map(len, joined))
                else:
                    marshal.dump(piece, spool)
                    spooled += 1
            if not held:
                say_plain(f"截至 {day}，没有超期、{within} 个工作日内到期或待专题会议的案件。")
                return
            spool.seek(0)
            pieces = chain(
                (_spooled_columns(held.popleft()) for _ in range(len(held))),
                (_spooled_columns(marshal.load(spool)) for _ in range(spooled)),
            )
            print_chunks(f"截至 {day} 超期与将到期案件", OVERDUE_COLUMNS, widths.natural, pieces)
    n = Counter()
    for reason, count in reasons.items():
        n[STATUS_OF[reason]] += count
    say_plain(f"超期 {n['late']} 件，{within} 个工作日内到期 {n['soon']} 件，待专题会议 {n['waiting']} 件。")
    if n["escalated"]:
        say_plain(f"另有已转报市级（转报时已超时限，列在最后，不计入超期）{n['escalated']} 件。")
    say_plain(f"编号为{day.year}年登记序号；超期以工作日计；日期后带≈的为估计值。")


def register(app: typer.Typer) -> None:
    app.command("overdue")(overdue_cmd)
