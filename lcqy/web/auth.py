"""Signing in: password (Argon2), the forced change of a one-time password, the second factor
(TOTP), sessions that end when idle, after a working day, or when the account is disabled or
reset; and the request's ledger and actor, for every other route."""

from __future__ import annotations

import time
from functools import wraps

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for

from lcqy.acts.accounts import (
    change_password,
    needs_totp,
    office_totp_roles,
    set_totp,
    token_user,
    verify_password,
    verify_totp,
)
from lcqy.acts.context import Ctx, today_from_env
from lcqy.errors import LcqyError

bp = Blueprint("auth", __name__)


def ledger():
    """The ledger for this request: each server thread keeps its connection (opening one and
    reading the schema costs more than most pages), its settings read again for each request."""
    if "led" not in g:
        from lcqy.store.db import Ledger

        local = current_app.extensions["lcqy_threads"]
        led = getattr(local, "led", None)
        if led is None:
            led = local.led = Ledger.open(current_app.config["LCQY_DB"])
        led._meta = None
        led.before_write.clear()
        g.led = led
        g.office = led.meta.get("office_name", "")
    return g.led


def actor(user: dict) -> str:
    """Who acted, as the history shows it: the login and, for a department user, its department."""
    return f"{user['login']}（{user['dept']}，网上）" if user["dept"] else f"{user['login']}（网上）"


def ctx_for(user: dict | None) -> Ctx:
    led = ledger()
    led.before_write.clear()
    c = Ctx(ledger=led, today=today_from_env(), by=actor(user) if user else None)
    c._cal = current_app.extensions["lcqy_calendars"].get(led)
    return c


def _session_user() -> dict | None:
    uid, gen = session.get("uid"), session.get("gen")
    if uid is None:
        return None
    now = time.time()
    if (
        now - session.get("since", 0) > current_app.config["WTF_CSRF_TIME_LIMIT"]
        or now - session.get("seen", 0) > current_app.permanent_session_lifetime.total_seconds()
    ):
        session.clear()
        return None
    row = next(ledger().rows("SELECT * FROM users WHERE id = ?", [uid]), None)
    if row is None or row["disabled"] or row["generation"] != gen:
        session.clear()  # disabled, reset or password changed elsewhere: this session is over
        return None
    session["seen"] = now
    return row


def _next_step(user: dict) -> str | None:
    """Where a signed-in user must go before anything else."""
    if user["must_change"]:
        return "auth.password"
    # The office's setting is read for each request: `config totp` in the CLI holds at once.
    totp = needs_totp(user, office_totp_roles(ledger().meta))
    if totp and not user["totp_secret"]:
        return "auth.totp_setup"
    if totp and not session.get("totp_ok"):
        return "auth.totp"
    return None


def login_required(*roles: str):
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            user = _session_user()
            if user is None:
                return redirect(url_for("auth.login"))
            step = _next_step(user)
            if step:
                return redirect(url_for(step))
            if roles and user["role"] not in roles:
                abort(404)
            g.user = user
            g.ctx = ctx_for(user)
            return view(*args, **kwargs)

        return inner

    return wrap


def token_required(view):
    @wraps(view)
    def inner(*args, **kwargs):
        head = request.headers.get("Authorization", "")
        kind, _, token = head.partition(" ")
        user = token_user(ctx_for(None), token.strip()) if kind.lower() == "bearer" and token.strip() else None
        if user is None:
            raise LcqyError(
                "未认证：请在请求头中写 Authorization: Bearer 令牌（lcqy user token 登录名 发放）。", code=401
            )
        g.user = user
        g.ctx = ctx_for(user)
        return view(*args, **kwargs)

    return inner


def _address() -> str:
    return request.remote_addr or "?"


@bp.route("/login", methods=["GET", "POST"])
def login():
    from lcqy.web.throttle import THROTTLE

    ledger()
    error, status, login_name = "", 200, ""
    if request.method == "POST":
        login_name = (request.form.get("login") or "").strip()[:64]
        wait = THROTTLE.wait(login_name, _address())
        if wait:
            error, status = f"登录失败次数过多，请 {wait // 60 + 1} 分钟后再试。", 429
        else:
            user = verify_password(ctx_for(None), login_name, request.form.get("password") or "")
            if user is None:
                THROTTLE.fail(login_name, _address())
                error, status = "登录名或密码不对（停用的用户也不能登录）。", 401
            else:
                THROTTLE.clear(login_name)
                session.clear()
                session.permanent = True
                session.update(uid=user["id"], gen=user["generation"], since=time.time(), seen=time.time())
                return redirect(url_for(_next_step(user) or "views.home"))
    return render_template("login.html", error=error, login=login_name), status


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def password():
    user = _session_user()
    if user is None:
        return redirect(url_for("auth.login"))
    g.user = user
    error, status = "", 200
    if request.method == "POST":
        new, again = request.form.get("new") or "", request.form.get("again") or ""
        try:
            if new != again:
                raise LcqyError("两次输入的新密码不一致。")
            user = change_password(ctx_for(user), user, request.form.get("old") or "", new)
        except LcqyError as exc:
            error, status = exc.message, 400
        else:
            session["gen"] = user["generation"]  # this session goes on; any other one ends
            return redirect(url_for(_next_step(user) or "views.home"))
    return render_template("password.html", error=error, forced=bool(user["must_change"])), status


@bp.route("/totp/setup", methods=["GET", "POST"])
def totp_setup():
    import pyotp
    import segno

    user = _session_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if user["must_change"]:
        return redirect(url_for("auth.password"))
    g.user = user
    error, status = "", 200
    secret = session.get("totp_new") or pyotp.random_base32()
    session["totp_new"] = secret
    if request.method == "POST":
        try:
            set_totp(ctx_for(user), user, secret, request.form.get("code") or "")
        except LcqyError as exc:
            error, status = exc.message, 400
        else:
            session.pop("totp_new", None)
            session["totp_ok"] = True
            return redirect(url_for("views.home"))
    uri = pyotp.TOTP(secret).provisioning_uri(name=user["login"], issuer_name=g.office or "lcqy")
    qr = segno.make(uri, error="m").svg_data_uri(scale=4)
    return render_template("totp_setup.html", secret=secret, qr=qr, error=error), status


@bp.route("/totp", methods=["GET", "POST"])
def totp():
    from lcqy.web.throttle import THROTTLE

    user = _session_user()
    if user is None:
        return redirect(url_for("auth.login"))
    g.user = user
    error, status = "", 200
    if request.method == "POST":
        wait = THROTTLE.wait(user["login"], _address())
        if wait:
            error, status = f"验证失败次数过多，请 {wait // 60 + 1} 分钟后再试。", 429
        elif verify_totp(user["totp_secret"], request.form.get("code") or ""):
            THROTTLE.clear(user["login"])
            session["totp_ok"] = True
            return redirect(url_for("views.home"))
        else:
            THROTTLE.fail(user["login"], _address())
            error, status = "动态验证码不对，请按验证器应用中当前显示的 6 位数字填写。", 401
    return render_template("totp.html", error=error), status

