"""The pages: the department's workbench and case page with its acts, the downloads, the
leaders' page. Each act is one call into lcqy.acts.online with the web user as the actor."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for

from lcqy.acts import online
from lcqy.errors import LcqyError
from lcqy.web.auth import login_required

bp = Blueprint("views", __name__)
CASE_REF = re.compile(r"^\d{4}-\d{1,7}$")
SHOWN = 100  # cases listed on the workbench, most urgent first (the count says how many in all)


def case_ref(ref: str) -> str:
    """A case in a URL is YEAR-N, as in the CLI; anything else names no case."""
    if not CASE_REF.match(ref):
        abort(404)
    return ref


def download(data: bytes, name: str, mime: str = "application/octet-stream") -> Response:
    resp = Response(data, mimetype=mime)
    # Always a download, never shown inline: an uploaded file is the department's, not ours.
    resp.headers["Content-Disposition"] = f"attachment; filename=\"download\"; filename*=UTF-8''{quote(name)}"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.route("/")
def home():
    from lcqy.web.auth import _session_user

    if _session_user() is None:  # an enterprise, with no account: the report form (第八条 网络收集)
        return redirect(url_for("public.report_form"))
    return _staff_home()


@login_required()
def _staff_home():
    if g.user["role"] == "dept":
        return redirect(url_for("views.workbench"))
    return redirect(url_for("views.leaders"))


@bp.route("/cases")
@login_required("dept")
def workbench():
    c = g.ctx
    show_all = request.args.get("all") == "1"
    dept, cache = g.user["dept"], current_app.extensions["lcqy_dept_cache"]
    with c.ledger.reading():
        rows = cache.cases(c, dept, open_only=not show_all, limit=SHOWN)
        figures = cache.figures(c, dept, lambda: online.dept_figures(c, dept, year=c.today.year, as_of=c.today))
    return render_template("workbench.html", rows=rows, figures=figures, show_all=show_all, today=c.today)


def _case_page(ref: str, error: str = "", status: int = 200, form: dict | None = None):
    c = g.ctx
    with c.ledger.reading():
        p = online.case_page(c, g.user, ref, as_of=c.today)
    return (
        render_template("case.html", p=p, ref=ref, error=error, form=form or {}, today=c.today, user=g.user),
        status,
    )


@bp.route("/cases/<ref>")
@login_required()
def case(ref: str):
    return _case_page(case_ref(ref))


def _act(ref: str, done: str, fn, *args, **kwargs):
    """Run one act; on refusal the case page again with the message and what was typed."""
    try:
        fn(g.ctx, g.user, ref, *args, **kwargs)
    except LcqyError as exc:
        if exc.code in (403, 404):
            raise
        return _case_page(ref, exc.message, 400, dict(request.form))
    flash(done)
    return redirect(url_for("views.case", ref=ref))


@bp.route("/cases/<ref>/receipt", methods=["POST"])
@login_required("dept")
def receipt(ref: str):
    return _act(case_ref(ref), "已签收。", online.sign)


def upload_paper():
    """The reply's formal document, if one was chosen (kept as a 答复文件 attachment)."""
    from lcqy.acts.papers.attachments import Paper
    from lcqy.rules.package import MAX_ATTACHMENT, clean_file_name

    f = request.files.get("file")
    if f is None or not f.filename:
        return None
    data = f.read(MAX_ATTACHMENT + 1)
    if len(data) > MAX_ATTACHMENT:
        raise LcqyError("上传的文件超过 50 MiB 的上限，请压缩或拆分后再上传。", code=413)
    if not data:
        raise LcqyError("上传的文件是空的。")
    return Paper(clean_file_name(f.filename), "答复文件", data, "网上答复所附正式文件")


REPLY_FIELDS = ("result", "mode", "summary", "plan", "plan_due", "doc_no")


def reply_fields(source) -> dict:
    out = {k: (source.get(k) or "").strip() for k in REPLY_FIELDS}
    out["plan_due"] = out["plan_due"] or None
    return out


@bp.route("/cases/<ref>/reply", methods=["POST"])
@login_required("dept")
def reply(ref: str):
    ref = case_ref(ref)
    try:
        paper = upload_paper()
    except LcqyError as exc:
        return _case_page(ref, exc.message, exc.code if exc.code >= 400 else 400, dict(request.form))
    return _act(ref, "答复已报送服企办。", online.reply, paper=paper, **reply_fields(request.form))


@bp.route("/cases/<ref>/extension-request", methods=["POST"])
@login_required("dept")
def extension_request(ref: str):
    f = request.form
    return _act(case_ref(ref), "延期申请已提交，待服企办审核。", online.ask_extension,
                until=f.get("until", ""), reason=f.get("reason", ""))  # fmt: skip


@bp.route("/cases/<ref>/return-request", methods=["POST"])
@login_required("dept")
def return_request(ref: str):
    return _act(
        case_ref(ref), "退单申请已提交，待服企办审核。", online.ask_return, reason=request.form.get("reason", "")
    )


@bp.route("/cases/<ref>/notes", methods=["POST"])
@login_required("dept")
def notes(ref: str):
    return _act(case_ref(ref), "配合意见已提交。", online.add_note, text=request.form.get("text", ""))


@bp.route("/cases/<ref>/forms/<kind>")
@login_required()
def form(ref: str, kind: str):
    from lcqy.acts.cases import case_view

    if kind not in ("dispatch", "register"):
        abort(404)
    c = g.ctx
    case, _ = online.dept_case(c, g.user, case_ref(ref))
    data, name = online.form_bytes(c, kind, case_view(c, case))
    return download(data, name, DOCX)


@bp.route("/cases/<ref>/papers/<int:n>")
@login_required()
def paper(ref: str, n: int):
    from lcqy.acts.papers.attachments import blob

    c = g.ctx
    p = online.case_page(c, g.user, case_ref(ref), as_of=c.today)
    a = next((x for x in p["papers"] if x["n"] == n), None)
    if a is None:
        abort(404)
    return download(blob(c, a["sha256"]), a["name"])


@bp.route("/cases/<ref>/urges/<int:uid>")
@login_required()
def urge_letter(ref: str, uid: int):
    """Opening a 催办函 / 督办函 is what records 已阅 (the download is the letter itself)."""
    _, data, name = online.read_urge(g.ctx, g.user, case_ref(ref), uid)
    return download(data, name, DOCX)


@bp.route("/leaders")
@login_required("leader", "clerk")
def leaders():
    from lcqy.acts.figures.month import report_data
    from lcqy.rules.figures import COUNTS, RATES, fmt_rate

    c = g.ctx
    month = request.args.get("month") or f"{c.today.year}-{c.today.month:02d}"
    if not re.match(r"^\d{4}-\d{2}$", month):
        raise LcqyError("月份须写成 2026-11 的样子。")
    with c.ledger.reading():
        data = report_data(c, month)
        pending = online.requests(c) if g.user["role"] == "clerk" else []
    return render_template(
        "leaders.html", data=data, COUNTS=COUNTS, RATES=RATES, fmt_rate=fmt_rate, month=month, pending=pending,
        shown=("received", "dispatched", "replied", "late_reply", "followed_up", "urges", "closed"),
    )  # fmt: skip


@bp.route("/leaders/bulletin/<month>")
@login_required("leader", "clerk")
def bulletin(month: str):
    """The month's 简报 as the clerk issued it (its issue number); none before it is issued."""
    import tempfile
    from datetime import date
    from pathlib import Path

    from lcqy.acts.figures.month import report_data, report_settings
    from lcqy.acts.papers.forms import template_dir
    from lcqy.docs.render import render
    from lcqy.docs.report_context import context

    if not re.match(r"^\d{4}-\d{2}$", month):
        abort(404)
    c = g.ctx
    data = report_data(c, month)
    if not data["issue"]:
        raise LcqyError(f"{month} 的简报尚未印发（服企办用 lcqy report --month {month} -o 文件 印发后可下载）。", 404)
    row = c.ledger.conn.execute("SELECT issued_on FROM bulletins WHERE month = ?", [month]).fetchone()
    values = context(data, issue_no=data["issue"]["number"], issued_on=date.fromisoformat(row[0]),
                     settings=report_settings(c), with_enterprises=False)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="lcqy-web-") as tmp:
        out = Path(tmp) / "report.docx"
        render("report", values, out, template_dir=template_dir(c, None))
        body = out.read_bytes()
    y, m = month.split("-")
    return download(body, f"简报{y}年{int(m)}月.docx", DOCX)


@bp.app_template_filter("size")
def size(n: int) -> str:
    from lcqy.rules.package import size_text

    return size_text(n)


@bp.app_template_global()
def flashes():
    from flask import get_flashed_messages

    return get_flashed_messages()




@bp.app_context_processor
def _labels():
    return {"labels": online.HISTORY_LABELS}
