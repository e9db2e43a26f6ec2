"""The enterprise's side of the platform (第八条 网络收集、网络答复), with no account: report a
difficulty (/report), follow it with the 查询码 and the phone's last four digits (/track), rate
the reply; the same as JSON under /api/reports, and Open311 GeoReport v2 read views.

Every request here comes from anyone on the network: bounded (sizes, counts per address and per
phone, wrong digits per code), checked before the ledger is touched, and each one a single call
into lcqy.acts. The counts live in the server's memory (one process serves the ledger), so a
refused attempt writes nothing the clerk's commands would wait on.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from lcqy.acts.boards import tracking
from lcqy.acts.intake import submissions
from lcqy.errors import LcqyError
from lcqy.rules.constants import CATEGORIES, RESULTS, SATISFACTION
from lcqy.web.auth import ctx_for
from lcqy.web.throttle import Throttle

bp = Blueprint("public", __name__)
api = Blueprint("public_api", __name__, url_prefix="/api/reports")
open311 = Blueprint("open311", __name__, url_prefix="/open311/v2")

HONEYPOT = "website"  # hidden from people (and from screen readers); a bot fills every field
CHALLENGE_AGE = 2 * 3600  # a form left open longer asks again
MAX_REPORT = submissions.MAX_PAPERS * submissions.MAX_PAPER + 1024 * 1024  # the papers and the fields
DIGITS = "零一二三四五六七八九"


class Quota:
    """At most `limit` uses per key in a sliding window: taken and counted under one lock, so
    that concurrent requests from one address cannot all slip under the limit."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._uses: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> int:
        """0 and the use counted, or the seconds until one is free."""
        now = time.monotonic()
        with self._lock:
            uses = [t for t in self._uses.get(key, []) if now - t < self.window]
            if len(uses) >= self.limit:
                self._uses[key] = uses
                return int(self.window - (now - uses[0])) + 1
            uses.append(now)
            self._uses[key] = uses
            if len(self._uses) > 100_000:  # forget idle keys rather than grow without bound
                self._uses = {k: v for k, v in self._uses.items() if v and now - v[-1] < self.window}
            return 0


def install(app) -> None:
    """The blueprints and this server's counters (per app, so that each test starts afresh)."""
    env = os.environ.get
    app.extensions["lcqy_public"] = {
        "address": Quota(int(env("LCQY_REPORTS_PER_ADDRESS", "20")), 3600.0),
        "phone": Quota(int(env("LCQY_REPORTS_PER_PHONE", "5")), 86400.0),
        # Ten wrong phone digits lock a code for half an hour; an address guessing many codes too.
        "track": Throttle(per_account=10, per_address=int(env("LCQY_TRACK_TRIES_ADDRESS", "50")), window=1800.0),
    }
    app.register_blueprint(bp)
    app.register_blueprint(api)
    app.register_blueprint(open311)


def _limits() -> dict:
    return current_app.extensions["lcqy_public"]


def _address() -> str:
    return request.remote_addr or "?"


def _wait_text(seconds: int) -> str:
    return f"{seconds // 60 + 1} 分钟" if seconds >= 60 else f"{seconds} 秒"


def _quota(kind: str, key: str) -> None:
    wait = _limits()[kind].take(key)
    if wait:
        who = "本网络地址" if kind == "address" else "这个联系电话"
        raise LcqyError(
            f"{who}提交的反映过多，请 {_wait_text(wait)}后再试；急事请直接致电服企办。未作任何改动。", code=429
        )


# -- the challenge: a sum in Chinese numerals, signed with the server's key ----------------------


def _mac(nonce: str, answer: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"challenge:{nonce}:{answer}".encode(), hashlib.sha256).hexdigest()


def new_challenge() -> dict:
    from itsdangerous import URLSafeTimedSerializer

    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_urlsafe(12)
    token = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lcqy-challenge").dumps(
        {"n": nonce, "h": _mac(nonce, str(a + b))}
    )
    return {"question": f"{DIGITS[a]}加{DIGITS[b]}等于几？（填阿拉伯数字）", "token": token}


def check_challenge(token: str, answer: str) -> None:
    from itsdangerous import BadData, URLSafeTimedSerializer

    try:
        data = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lcqy-challenge").loads(
            token or "", max_age=CHALLENGE_AGE
        )
    except BadData:
        raise LcqyError("验证题已过期，请重新回答页面上的验证题后提交。") from None
    given = (answer or "").strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not (given.isdigit() and len(given) <= 2 and hmac.compare_digest(data["h"], _mac(data["n"], given))):
        raise LcqyError("验证题（算式结果）答得不对，请重新计算后填写阿拉伯数字。")


# -- what every submission goes through -----------------------------------------------------------


def _uploads() -> list[submissions.Upload]:
    out = []
    for f in request.files.getlist("files"):
        if not f or not f.filename:
            continue
        if len(out) >= submissions.MAX_PAPERS:
            raise LcqyError(f"材料（files）最多 {submissions.MAX_PAPERS} 个。")
        data = f.stream.read(submissions.MAX_PAPER + 1)  # never more than the cap is read
        out.append(submissions.Upload(f.filename, data))
    return out


def _submit(fields: dict, files_too: bool) -> dict:
    if str(fields.get(HONEYPOT) or "").strip():
        raise LcqyError("提交未通过校验，未作任何改动。")
    _quota("address", _address())
    clean = submissions.clean(fields)  # the phone in its stored form is the key of its quota
    _quota("phone", clean["phone"])
    uploads = _uploads() if files_too else []
    return submissions.submit(ctx_for(None), fields, uploads)


def _bounded() -> None:
    request.max_content_length = MAX_REPORT  # the papers may exceed the department's one file


# -- pages ---------------------------------------------------------------------------------------

FORM_KEYS = tuple(submissions.SUBMIT_FIELDS)


def _form_page(values: dict | None = None, error: str = "", status: int = 200):
    ctx_for(None)  # the office's name for the page
    return (
        render_template(
            "report.html",
            values=values or {},
            error=error,
            categories=CATEGORIES,
            challenge=new_challenge(),
            max_papers=submissions.MAX_PAPERS,
            max_mib=submissions.MAX_PAPER // (1024 * 1024),
        ),
        status,
    )


@bp.route("/report", methods=["GET"])
def report_form():
    return _form_page()


@bp.route("/report", methods=["POST"])
def report_post():
    _bounded()
    values = {k: request.form.get(k, "") for k in FORM_KEYS}
    try:
        check_challenge(request.form.get("challenge_token", ""), request.form.get("challenge", ""))
        r = _submit({**values, HONEYPOT: request.form.get(HONEYPOT, "")}, files_too=True)
    except LcqyError as exc:
        return _form_page(values, exc.message, exc.code if 400 <= exc.code < 600 else 400)
    return render_template(
        "report_done.html",
        code=tracking.show_code(r["code"]),
        folded=r["folded"],
        track_url=url_for("public.track", _external=True),
    )


def _track_view(code: str, phone4: str) -> dict:
    """The enterprise's view, behind the lock-out: ten wrong digits for a code and it is locked."""
    tracking.check_code(code)  # a malformed query is no guess: refused before counting
    tracking.check_phone4(phone4)
    throttle, key = _limits()["track"], tracking.normalise_code(code)
    wait = throttle.wait(key, _address())
    if wait:
        raise LcqyError(f"查询错误次数过多，已暂停查询，请 {_wait_text(wait)}后再试，或致电服企办。", code=429)
    c = ctx_for(None)
    try:
        with c.ledger.reading():
            found = tracking.find(c, code, phone4)
            return tracking.view(c, found, as_of=c.today)
    except LcqyError as exc:
        if exc.code == tracking.NOT_FOUND:
            throttle.fail(key, _address())
        raise


@bp.route("/track")
def track():
    code, phone4 = request.args.get("code", ""), request.args.get("phone4", "")
    ctx_for(None)
    if not code and not phone4:
        return render_template("track.html", v=None, error="", code="", phone4="")
    try:
        v = _track_view(code, phone4)
    except LcqyError as exc:
        status = exc.code if 400 <= exc.code < 600 else 400
        return render_template("track.html", v=None, error=exc.message, code=code, phone4=""), status
    return render_template(
        "track.html", v=v, error="", code=code, phone4=phone4, results=RESULTS, satisfaction=SATISFACTION
    )


@bp.route("/track/rate", methods=["POST"])
def rate():
    code, phone4 = request.form.get("code", ""), request.form.get("phone4", "")
    try:
        _track_view(code, phone4)  # the same lock-out as reading
        submissions.evaluate(
            ctx_for(None),
            code,
            phone4,
            satisfaction=request.form.get("satisfaction", ""),
            comment=request.form.get("comment", ""),
        )
    except LcqyError as exc:
        status = exc.code if 400 <= exc.code < 600 else 400
        return render_template("track.html", v=None, error=exc.message, code=code, phone4=""), status
    return redirect(url_for("public.track", code=code, phone4=phone4, rated=1), 303)


@bp.route("/track/add", methods=["POST"])
def add():
    _bounded()
    code, phone4 = request.form.get("code", ""), request.form.get("phone4", "")
    try:
        _track_view(code, phone4)  # the same lock-out as reading
        _quota("address", _address())  # additions count against the address like reports
        submissions.add_info(ctx_for(None), code, phone4, text=request.form.get("text", ""), files=_uploads())
    except LcqyError as exc:
        status = exc.code if 400 <= exc.code < 600 else 400
        return render_template("track.html", v=None, error=exc.message, code=code, phone4=""), status
    return redirect(url_for("public.track", code=code, phone4=phone4, added=1), 303)


# -- JSON ----------------------------------------------------------------------------------------


def _json_body() -> dict:
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise LcqyError('请求体须为 JSON 对象，如 {"enterprise": "…", "phone": "…"}。')
        return {k: ("" if v is None else str(v)) for k, v in data.items()}
    return dict(request.form)


@api.route("", methods=["POST"])
def api_submit():
    _bounded()
    body = _json_body()
    r = _submit(body, files_too=not request.is_json)
    return jsonify({"tracking_code": tracking.show_code(r["code"]), "folded": r["folded"]}), 201


@api.route("/<code>")
def api_track(code: str):
    return jsonify(_track_view(code, request.args.get("phone4", "")))


@api.route("/<code>/evaluation", methods=["POST"])
def api_evaluate(code: str):
    body = _json_body()
    _track_view(code, body.get("phone4", ""))
    r = submissions.evaluate(
        ctx_for(None), code, body.get("phone4", ""), satisfaction=body.get("satisfaction", ""),
        comment=body.get("comment", ""),
    )  # fmt: skip
    return jsonify(r), 201


# -- Open311 GeoReport v2, read only, no personal field ------------------------------------------


@open311.route("/services.json")
def services():
    return jsonify(tracking.services())


@open311.route("/requests/<ref>.json")
def service_request(ref: str):
    import re

    m = re.fullmatch(r"(\d{4})-(\d{1,7})", ref)
    if not m:
        raise LcqyError("案件编号应为 年度-序号，如 2026-15。", code=404)
    c = ctx_for(None)
    with c.ledger.reading():
        return jsonify([tracking.open311_request(c, int(m[1]), int(m[2]))])
