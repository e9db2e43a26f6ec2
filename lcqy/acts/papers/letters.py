"""The letter of a case's latest urge, written again: after an urge committed without its letter
(the command was killed between the commit and putting the 催办函 in place), found and written on
the next urge of the case, the part files left by killed commands removed; and on
`form urge`, which says when the letter it rewrites was not where it is kept."""

from __future__ import annotations

import sys
from pathlib import Path

from lcqy.acts.cases import case_view, resolve
from lcqy.acts.context import Ctx
from lcqy.acts.papers.forms import build, form_kind, form_view, out_path, write
from lcqy.store import outputs


def recover_letter(ctx: Ctx, ref: str, output: str | None, templates: str | None) -> Path | None:
    """If the case's latest urge has no letter where it would have been written (the part file
    of a killed run is there instead), write that letter now and say so; returns its path. The
    part files of killed runs in that folder are removed either way."""

    folder = Path(output).parent if output else Path(".")
    v = form_view(ctx, case_view(ctx, resolve(ctx, ref)))
    if not v["urges"]:
        outputs.sweep(folder)
        return None
    context, _, number = build("urge", ctx.ledger.meta["office_name"], v)
    title = context["letter_title"]  # 催办函, or 督办函 under a supervision
    final = out_path("urge", number, str(folder / f"{number}{title}.docx"), force=True)
    written = None
    if outputs.leftover(final) is not None and not final.exists():
        written = write(ctx, "urge", ref, str(final), False, templates)  # sweeps the part
        print(f"注意：上次催办（{number}）的{title}没有写成，现已补写：{written}", file=sys.stderr)
    outputs.sweep(folder)
    return written


def write_latest(ctx: Ctx, ref: str, output: str | None, force: bool, templates: str | None) -> str:
    """`form urge`: write the letter of the case's latest urge (its own number and date, from
    the ledger) and return the line to print. The letter is looked for under its own name where
    it is written (the folder of `output`, else the current one); when it is not there, the line
    says so, since the clerk may believe it was sent."""
    from lcqy.docs.render import cn_date

    folder = Path(output).parent if output else Path(".")
    v = form_view(ctx, case_view(ctx, resolve(ctx, ref)))
    context, _, number = build("urge", ctx.ledger.meta["office_name"], v)
    title = context["letter_title"]
    own = folder / f"{number}{title}.docx"
    missing = not own.exists()
    path = write(ctx, "urge", ref, output, force, templates)
    if not missing:
        return f"已生成 {path}"
    on = cn_date(context["issued_on"])
    if not context["letter_no"]:  # an urge recorded before letters were numbered
        return f"未找到上次的{title}（{own.name}），已按原日期{on}重新生成（该次催办没有函号）：{path}"
    return f"未找到上次的{title}（{own.name}），已按原编号{context['letter_no']}、原日期{on}重新生成：{path}"


def write_form(ctx: Ctx, kind: str, ref: str, output: str | None, force: bool, templates: str | None) -> str:
    """`form KIND CASE`: the form named in English or Chinese (登记表, 交办单, 转报单, 催办函 or
    督办函, 批示笺) written for the case; returns the line to print."""
    kind = form_kind(kind)
    if kind == "receipt":  # the enterprise's copy with its 查询码 (lcqy.acts.papers.receipt)
        from lcqy.acts.papers.receipt import write_receipt

        return f"已生成 {write_receipt(ctx, ref, output, force, templates)}"
    if kind == "urge":  # says so when the letter it writes again was not found
        return write_latest(ctx, ref, output, force, templates)
    return f"已生成 {write(ctx, kind, ref, output, force, templates)}"
