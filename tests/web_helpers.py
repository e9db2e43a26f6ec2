"""Shared set-up of the online platform's tests: a ledger with a dispatched case, users, and a
signed-in Flask test client (https, so that the Secure cookie is sent)."""

from __future__ import annotations

import json
import re

from tests.conftest import register_args

LEAD, ASSIST, OTHER = "临翔供电局", "区自然资源局", "区财政局"


def dispatched(run, *, on: str = "2026-11-23", assist: bool = True) -> str:
    """Register and dispatch one case (lead 临翔供电局, assisting 区自然资源局); its YEAR-N."""
    r = run("register", *register_args(), "--date", on, "--json")
    assert r.code == 0, r.err
    n = json.loads(r.out)["reg_seq"]
    extra = ["--assist", ASSIST, "--level", "副组长"] if assist else ["--level", "主任"]
    r = run("dispatch", str(n), "--dept", LEAD, *extra, "--approver", "王明", "--date", on)
    assert r.code == 0, r.err
    return f"2026-{n}"


def add_user(run, login: str, *args: str) -> str:
    r = run("user", "add", login, *args, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)["password"]


def client(run):
    from flask.testing import FlaskClient

    from lcqy.web import create_app

    class Https(FlaskClient):
        def open(self, *args, **kwargs):
            kwargs.setdefault("base_url", "https://localhost")
            kwargs.setdefault("headers", {}).setdefault("Referer", "https://localhost/")
            return super().open(*args, **kwargs)

    app = create_app(run.db)
    app.config["TESTING"] = False  # keep CSRF on: the tests post the token like a browser
    app.test_client_class = Https
    return app.test_client()


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def sign_in(c, login: str, password: str, new: str | None = "Chengxin2026ok"):
    """Log in; with `new`, change the one-time password as the first login requires."""
    page = c.get("/login").get_data(as_text=True)
    r = c.post("/login", data={"login": login, "password": password, "csrf_token": csrf(page)})
    assert r.status_code == 302, r.get_data(as_text=True)
    if new is not None and r.headers["Location"].endswith("/password"):
        page = c.get("/password").get_data(as_text=True)
        r = c.post("/password", data={"old": password, "new": new, "again": new, "csrf_token": csrf(page)})
        assert r.status_code == 302, r.get_data(as_text=True)
    return r


def dept_client(run, login: str = "gongdian", dept: str = LEAD):
    c = client(run)
    sign_in(c, login, add_user(run, login, "--role", "dept", "--dept", dept))
    return c


def post(c, url: str, data: dict | None = None, **kw):
    """A form posted from the page it is on (the case page's token)."""
    ref_page = url.rsplit("/", 1)[0]
    token = csrf(c.get(ref_page).get_data(as_text=True))
    return c.post(url, data={**(data or {}), "csrf_token": token}, **kw)


def text(r) -> str:
    return r.get_data(as_text=True)
