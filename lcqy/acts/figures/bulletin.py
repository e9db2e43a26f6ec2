"""Writing the 简报 (.docx) and giving it its 期号 (第十九条).

The document is filled before the write lock is taken, beside its destination, with the 期号 the
ledger would give; the number is then stored and the file put in place in one transaction. A
template that cannot be filled leaves neither a number nor a file behind.
"""

from __future__ import annotations

from pathlib import Path

from lcqy.acts.common import output_file
from lcqy.acts.context import Ctx
from lcqy.acts.figures.month import report_data, report_settings
from lcqy.acts.papers.forms import template_dir as chosen_dir
from lcqy.docs.report_context import context
from lcqy.errors import LcqyError
from lcqy.rules.figures import parse_month
from lcqy.store import outputs


def _issue(ctx: Ctx, key: str, year: int, wanted: int | None) -> tuple[int, bool]:
    """(期号, whether it must be stored): the month's stored one on a re-run, `wanted` when
    free, else the next of the year."""
    conn = ctx.ledger.conn
    row = conn.execute("SELECT seq FROM bulletins WHERE month = ?", [key]).fetchone()
    if row and (wanted is None or wanted == row[0]):
        return row[0], False
    if wanted is not None:
        other = conn.execute(
            "SELECT month FROM bulletins WHERE year = ? AND seq = ? AND month <> ?", [year, wanted, key]
        ).fetchone()
        if other:
            raise LcqyError(f"{year}年第{wanted}期已用于 {other[0]} 的简报，请换一个期号（--issue）。")
        return wanted, True
    (seq,) = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM bulletins WHERE year = ?", [year]).fetchone()
    return seq, True


def write_report(
    ctx: Ctx,
    month: str,
    output: str | None,
    *,
    issue: int | None = None,
    force: bool = False,
    with_enterprises: bool = False,
    template_dir: str | None = None,
) -> tuple[Path, dict]:
    from lcqy.docs.render import preload, render

    first = parse_month(month)
    key, year = f"{first.year}-{first.month:02d}", first.year
    if issue is not None and not 1 <= issue <= 999:
        raise LcqyError(f"期号（--issue）须为1至999的整数，而不是 {issue}。")
    final = output_file(output, f"简报{year}年{first.month}月.docx", ".docx", force)
    folder = chosen_dir(ctx, template_dir)
    preload("report", folder)
    data = report_data(ctx, month, with_enterprises=with_enterprises)
    settings = report_settings(ctx)
    led = ctx.ledger
    tmp = outputs.begin(final)  # a part file of a killed run goes; this run's is named by its process
    try:
        for _ in range(3):  # another command may take the number meanwhile: fill again
            seq, store = _issue(ctx, key, year, issue)
            values = context(
                data, issue_no=seq, issued_on=ctx.today, settings=settings, with_enterprises=with_enterprises
            )
            with outputs.filling(tmp, final):
                render("report", values, tmp, template_dir=folder, today=ctx.today)
            with outputs.placing() as put, led.write():
                if _issue(ctx, key, year, issue) != (seq, store):
                    continue
                if store:
                    led.conn.execute(
                        "INSERT INTO bulletins (month, year, seq, issued_on) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT(month) DO UPDATE SET seq = excluded.seq, issued_on = excluded.issued_on",
                        [key, year, seq, ctx.today.isoformat()],
                    )
                    led.event(None, ctx.today.isoformat(), "bulletin", ctx.actor, month=key, year=year, seq=seq)
                put(tmp, final)
            data["issue"] = {"year": year, "number": seq}
            return final, data
    finally:
        outputs.discard(tmp)
    raise LcqyError("台帐正被其他命令频繁使用，简报期号未能确定，请稍后再试。")
