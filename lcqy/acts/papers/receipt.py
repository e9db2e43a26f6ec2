"""`form receipt CASE`: the 回执 with the case's 查询码 (lcqy.docs.receipt), so that an enterprise
that phoned or called in follows its case on line as one that reported there does."""

from __future__ import annotations

import os
from pathlib import Path

from lcqy.acts.boards.tracking import tracking_code
from lcqy.acts.cases import as_date, resolve
from lcqy.acts.context import Ctx
from lcqy.acts.papers.forms import out_path, template_dir
from lcqy.errors import LcqyError

TRACK_PATH = "/track"


def track_url(ctx: Ctx) -> str:
    """The page's address as the enterprise types it: LCQY_PUBLIC_URL, or the office's setting
    (meta public_url), else the path on the office's platform."""
    base = os.environ.get("LCQY_PUBLIC_URL") or ctx.ledger.meta.get("public_url", "")
    return base.rstrip("/") + TRACK_PATH if base else f"本办网上平台的“查询办理进度”页面（{TRACK_PATH}）"


def receipt_context(ctx: Ctx, case: dict) -> dict:
    due = as_date(case["dispatch_due"])
    est = "（估计）" if case["dispatch_due_estimated"] else ""
    return {
        "office_name": ctx.ledger.meta.get("office_name", ""),
        "reg_no": case["reg_no"],
        "enterprise": case["enterprise"],
        "category": case["category"],
        "channel": case["channel"],
        "reported_on": as_date(case["reported_on"]),
        "accepted_on": as_date(case["accepted_on"]),
        "tracking_code": tracking_code(ctx, case["id"]),
        "track_url": track_url(ctx),
        "dispatch_due": f"{due.year}年{due.month}月{due.day}日前交办承办部门{est}",
    }


def write_receipt(ctx: Ctx, ref: str, output: str | None, force: bool, templates: str | None) -> Path:
    from lcqy.docs.render import DEFAULT_TEMPLATE_DIR, FILES, render

    with ctx.ledger.reading():
        case = resolve(ctx, ref)
        if case["state"] in ("void", "merged"):
            raise LcqyError(f"{case['reg_no']} 已作废或已合并，不出具回执；请给企业并入案件的回执。")
        context = receipt_context(ctx, case)
    folder = template_dir(ctx, templates)
    if folder is not None and not (folder / FILES["receipt"]).is_file():
        folder = DEFAULT_TEMPLATE_DIR  # an office's own set made before the 回执 existed
    path = out_path("receipt", case["reg_no"], output, force, "受理回执")
    return render("receipt", context, path, folder, today=ctx.today)
