"""The Flask application: one ledger connection per request, the actor, security headers, and
the one place where LcqyError becomes a page or {"error": …}."""

from __future__ import annotations

import secrets
import threading
from datetime import timedelta
from pathlib import Path

from flask import Flask, g, jsonify, render_template, request

from lcqy.errors import LcqyError

IDLE_MINUTES = 30  # a session unused this long ends
ABSOLUTE_HOURS = 10  # and any session after a working day
MAX_UPLOAD = 50 * 1024 * 1024  # one formal document (rules.package.MAX_ATTACHMENT)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class Calendars:
    """The working-day calendar, built once (holidays' tables take a tenth of a second) and
    built again when the office changes its days."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: object = None
        self._cal = None

    def get(self, led):
        key = (
            led.conn.execute("SELECT count(*), group_concat(day || kind) FROM calendar_days").fetchone(),
            led.meta.get("confirmed_years", "[]"),
        )
        with self._lock:
            if key != self._key:
                import json
                from datetime import date

                from lcqy.store.calendar_source import build_calendar

                office = {date.fromisoformat(d): k for d, k in led.conn.execute("SELECT day, kind FROM calendar_days")}
                self._cal = build_calendar(office, frozenset(json.loads(key[1])))
                self._key = key
            return self._cal


def _secret(path: Path) -> str:
    """The key that signs session cookies, kept in the ledger (readable by its owner only)."""
    from lcqy.store.db import Ledger

    led = Ledger.open(path)
    try:
        key = led.meta.get("web_secret")
        if not key:
            key = secrets.token_hex(32)
            with led.write():
                led.conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('web_secret', ?)", [key])
            led._meta = None
            key = led.meta["web_secret"]
        return key
    finally:
        led.close()


def create_app(db: str | Path, *, secure_cookies: bool = True, proxy: bool = False, warm: bool = False) -> Flask:
    """The application on the ledger at `db`; `warm`: rank the departments' lists in the background
    (lcqy serve), so that the first user after a start does not wait for it."""
    from flask_wtf.csrf import CSRFError, CSRFProtect

    path = Path(db)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret(path),
        LCQY_DB=path,
        MAX_CONTENT_LENGTH=MAX_UPLOAD + 1024 * 1024,  # the file and the form's other fields
        SESSION_COOKIE_NAME="lcqy_session",
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=IDLE_MINUTES),
        WTF_CSRF_TIME_LIMIT=ABSOLUTE_HOURS * 3600,
        WTF_CSRF_SSL_STRICT=secure_cookies,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.jinja_env.autoescape = True
    if proxy:
        # Behind a TLS reverse proxy: the client's address (login throttling) and scheme.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    app.extensions["lcqy_calendars"] = Calendars()
    from lcqy.web.cache import DeptCache

    app.extensions["lcqy_dept_cache"] = DeptCache()
    csrf = CSRFProtect(app)

    from lcqy.web import api, auth, views

    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # token-authenticated, no cookies: nothing for a forged form to ride on
    from lcqy.web import public

    public.install(app)  # the enterprises' pages, /api/reports and /open311/v2
    csrf.exempt(public.api)  # no session at all: what a forged request could do, anyone may do
    csrf.exempt(public.open311)

    app.extensions["lcqy_threads"] = threading.local()

    @app.teardown_request
    def _end(_exc):
        led = g.pop("led", None)
        if led is not None and led.conn.in_transaction:  # a read left open by an error
            led.conn.execute("ROLLBACK")

    @app.after_request
    def _headers(resp):
        h = resp.headers
        h.setdefault("Content-Security-Policy", CSP)  # a download sets a stricter one
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "same-origin"  # the CSRF check over HTTPS compares the Referer
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        if not request.path.startswith("/static/"):
            h["Cache-Control"] = "no-store"  # pages hold enterprises' matters
        if secure_cookies and request.is_secure:
            h["Strict-Transport-Security"] = "max-age=31536000"
        return resp

    def wants_json() -> bool:
        return request.path.startswith(("/api/", "/open311/"))

    def page_error(status: int, message: str):
        if wants_json():
            return jsonify({"error": message}), status
        return render_template("error.html", message=message, status=status), status

    @app.errorhandler(LcqyError)
    def _refused(exc: LcqyError):
        status = exc.code if 400 <= exc.code < 600 else 400
        if "正被另一个" in exc.message:  # the write lock was not had in time: busy, not refused
            return page_error(503, "台帐正忙（服企办正在录入），请稍后再试。未作任何改动。")
        return page_error(status, exc.message)

    @app.errorhandler(CSRFError)
    def _csrf(_exc):
        return page_error(400, "页面已过期或来源不对（防伪校验未通过），请刷新页面后重新提交。未作任何改动。")

    @app.errorhandler(404)
    def _missing(_exc):
        return page_error(404, "没有这个页面，或您无权查看。")

    @app.errorhandler(405)
    def _method(_exc):
        return page_error(405, "不支持这种请求方式。")

    @app.errorhandler(413)
    def _too_large(_exc):
        if request.path.startswith(("/report", "/api/reports")):
            return page_error(413, "提交的材料过大：最多 5 个文件、每个不超过 20 MiB。未作任何改动。")
        return page_error(413, "上传的文件超过 50 MiB 的上限，请压缩或拆分后再上传。未作任何改动。")

    @app.errorhandler(500)
    def _internal(_exc):
        return page_error(500, "服务器内部错误，本次操作未完成，台帐未改动。请告知服企办。")

    @app.context_processor
    def _globals():
        return {"office": getattr(g, "office", ""), "me": getattr(g, "user", None)}

    if warm:
        from lcqy.web.cache import warm as warm_lists

        warm_lists(app)
    return app
