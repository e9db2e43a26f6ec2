"""The JSON API (for a 12345 platform or an OA system): the department's acts with
`Authorization: Bearer TOKEN`; a case is named YEAR-N as in the CLI; errors {"error": …}."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from lcqy.acts import online
from lcqy.errors import LcqyError
from lcqy.web.auth import token_required
from lcqy.web.views import case_ref, reply_fields, upload_paper

bp = Blueprint("api", __name__, url_prefix="/api")


def body() -> dict:
    """The request's fields: a JSON object, or a form (multipart for a reply with its file)."""
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise LcqyError('请求体须为 JSON 对象，如 {"reason": "…"}。')
        return {k: ("" if v is None else str(v)) for k, v in data.items()}
    return dict(request.form)


def writer() -> None:
    if g.user["role"] != "dept":
        raise LcqyError("只有承办部门的用户可以办理；领导只能查看。", code=403)


def case_item(r: dict) -> dict:
    return {
        "case": r["case"],
        "reg_no": r["reg_no"],
        "dispatch_no": r["dispatch_no"],
        "enterprise": r["enterprise"],
        "category": r["category"],
        "state": r["state"],
        "supervision": r["supervision"],
        "role": r["role"],
        "due": r["due"],
        "days_left": r["days_left"],
        "days_late": r["days_late"],
        "colour": r["colour"] or None,
        "signed_on": r["signed_on"],
        "unread_urges": r["unread"] if r["role"] == "lead" else 0,
    }


@bp.route("/cases")
@token_required
def cases():
    c = g.ctx
    if g.user["role"] != "dept":
        raise LcqyError("案件清单按部门列出：请用部门用户的令牌。", code=403)
    dept, show_all = g.user["dept"], request.args.get("all") == "1"
    with c.ledger.reading():
        rows = current_app.extensions["lcqy_dept_cache"].cases(c, dept, open_only=not show_all, limit=1000)
    return jsonify({"cases": [case_item(r) for r in rows]})


@bp.route("/cases/<ref>")
@token_required
def case(ref: str):
    c = g.ctx
    with c.ledger.reading():
        p = online.case_page(c, g.user, case_ref(ref), as_of=c.today)
    return jsonify(online.public_case(p))


@bp.route("/cases/<ref>/receipt", methods=["POST"])
@token_required
def receipt(ref: str):
    writer()
    r = online.sign(g.ctx, g.user, case_ref(ref))
    return jsonify({"dispatch_no": r["dispatch"], "signed_on": r["signed_on"]}), 201


@bp.route("/cases/<ref>/reply", methods=["POST"])
@token_required
def reply(ref: str):
    writer()
    ref = case_ref(ref)
    fields = reply_fields(body())
    paper = None if request.is_json else upload_paper()
    r = online.reply(g.ctx, g.user, ref, paper=paper, **fields)
    out = {k: r[k] for k in ("result", "mode", "summary", "plan", "plan_due", "doc_no", "replied_on", "late")}
    out["attachment"] = r["attachment"]["name"] if r.get("attachment") else None
    return jsonify(out), 201


def _request_json(r: dict) -> dict:
    return {k: r[k] for k in ("id", "kind", "until", "reason", "asked_on")} | {"status": "pending"}


@bp.route("/cases/<ref>/extension-request", methods=["POST"])
@token_required
def extension_request(ref: str):
    writer()
    b = body()
    r = online.ask_extension(g.ctx, g.user, case_ref(ref), until=b.get("until", ""), reason=b.get("reason", ""))
    return jsonify(_request_json(r)), 201


@bp.route("/cases/<ref>/return-request", methods=["POST"])
@token_required
def return_request(ref: str):
    writer()
    r = online.ask_return(g.ctx, g.user, case_ref(ref), reason=body().get("reason", ""))
    return jsonify(_request_json(r)), 201


@bp.route("/cases/<ref>/notes", methods=["POST"])
@token_required
def notes(ref: str):
    writer()
    r = online.add_note(g.ctx, g.user, case_ref(ref), text=body().get("text", ""))
    return jsonify({k: r[k] for k in ("id", "dept", "text", "noted_on")}), 201
