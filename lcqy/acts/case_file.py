"""The case file: everything `show` prints about one case, its papers and exchanges included.
Apart from lcqy.acts.exchange.views (labels and rows, read when `show` is loaded) so that
loading the command list reads no act code."""

from __future__ import annotations

from lcqy.acts.cases import case_view, resolve
from lcqy.acts.context import Ctx
from lcqy.acts.exchange.views import exchanges
from lcqy.acts.papers.attachments import case_attachments


def show(ctx: Ctx, ref: str) -> dict:
    """`show`: the case whole (lcqy.acts.cases.case_view) with its papers and exchanges."""
    v = case_view(ctx, resolve(ctx, ref))
    return v | {"attachments": case_attachments(ctx, v["id"]), "exchanges": exchanges(ctx, v["id"])}
