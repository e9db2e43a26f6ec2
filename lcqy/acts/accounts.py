"""Accounts of the online platform (第八条): department users, leaders and clerks; their
one-time and chosen passwords (Argon2), API tokens, and the second factor (TOTP), including the
roles the office asks it of (`config totp`). Every change is a history entry."""

from __future__ import annotations

import hashlib
import re
import secrets

from lcqy.acts.common import require_dept
from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules import validate

ROLES = {"dept": "部门用户", "leader": "领导", "clerk": "服企办经办人"}
LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$")
MIN_PASSWORD = 10


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's current recommended parameters


def _one_time_password() -> str:
    # Letters and digits only, none that look alike (0/O, 1/l/I): read out on the phone.
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(14))


def check_password(password: str, login: str = "") -> str:
    """The office's rule for a chosen password (等保: length and more than one kind of character)."""
    if len(password or "") < MIN_PASSWORD:
        raise LcqyError(f"新密码至少 {MIN_PASSWORD} 位。")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise LcqyError("新密码须同时含有字母和数字。")
    if login and login.lower() in password.lower():
        raise LcqyError("新密码不能包含登录名。")
    return password


def user_row(ctx: Ctx, login: str) -> dict | None:
    rows = ctx.ledger.rows("SELECT * FROM users WHERE login = ?", [login])
    return next(rows, None)


def _require_user(ctx: Ctx, login: str) -> dict:
    row = user_row(ctx, (login or "").strip())
    if row is None:
        raise LcqyError(f"没有用户“{login}”。可用 lcqy user list 查看全部用户。")
    return row


def add_user(ctx: Ctx, login: str, *, role: str, dept: str | None = None, totp: bool = False) -> dict:

    login = (login or "").strip()
    if not LOGIN_RE.match(login):
        raise LcqyError("登录名（LOGIN）须为 2 至 32 位英文字母、数字或 . _ -，以字母或数字开头，如 zhangsan。")
    role = validate.choice("角色（--role）", role, ROLES)
    if role == "dept":
        if not dept:
            raise LcqyError("部门用户须用 --dept 写明所属部门（部门名单中的名称）。")
        dept = require_dept(ctx, dept, "所属部门（--dept）")
    elif dept:
        raise LcqyError(f"{ROLES[role]}不属于某一部门，不用 --dept。")
    password = _one_time_password()
    digest = _hasher().hash(password)
    led = ctx.ledger
    with led.write():
        if user_row(ctx, login) is not None:
            raise LcqyError(f"登录名“{login}”已被使用，请换一个。")
        row = {
            "login": login,
            "role": role,
            "dept": dept if role == "dept" else None,
            "pw_hash": digest,
            "must_change": 1,
            # 等保: administrators (the clerk's account can do everything) need a second factor.
            "totp_required": int(totp or role == "clerk"),
            "created_on": ctx.today.isoformat(),
        }
        led.db["users"].insert(row)
        led.event(None, ctx.today.isoformat(), "user-add", ctx.actor, login=login, role=role, dept=dept)
    totp = needs_totp(row, office_totp_roles(ctx.ledger.meta))
    return {"login": login, "password": password, "role": role, "dept": dept, "totp": totp}


# `config totp`: the roles besides the clerk (always) whose every user must set up the second
# factor; a user may also be asked for it alone (`user add --totp`).
TOTP_ROLES = {"部门": "dept", "领导": "leader"}


def office_totp_roles(meta: dict[str, str]) -> set[str]:
    """The roles the office named (`config totp`), from the ledger's settings."""
    return {r for r in meta.get("totp_roles", "").split(",") if r}


def needs_totp(user: dict, office_roles: set[str]) -> bool:
    """Whether this user signs in with a 动态验证码: every clerk (等保: the clerk's account can do
    everything), a user asked for one alone, and every user of a role the office named."""
    return bool(user["totp_required"]) or user["role"] == "clerk" or user["role"] in office_roles


def totp_roles_text(roles: set[str]) -> str:
    names = ["服企办经办人（总是）"] + [n for n, r in TOTP_ROLES.items() if r in roles]
    return "、".join(names)


def set_totp_roles(ctx: Ctx, value: str) -> set[str]:
    """`config totp 部门,领导` (or one of them; `-` back to the clerks only)."""
    words = [w.strip() for w in re.split(r"[,，、\s]+", value or "") if w.strip()]
    if value.strip() in ("-", "经办人"):
        roles: set[str] = set()
    elif words == ["全部"]:
        roles = set(TOTP_ROLES.values())
    elif words and all(w in TOTP_ROLES for w in words):
        roles = {TOTP_ROLES[w] for w in words}
    else:
        raise LcqyError(
            f"动态验证码（totp）可设为：部门、领导、部门,领导、全部，或 - （只要求服企办经办人），不能是“{value}”。"
        )
    kept = ",".join(sorted(roles))
    led = ctx.ledger
    with led.write():
        before = led.meta.get("totp_roles", "")
        led.db["meta"].upsert({"key": "totp_roles", "value": kept}, pk="key")
        led.meta["totp_roles"] = kept
        led.event(None, ctx.today.isoformat(), "config", ctx.actor, key="totp_roles", before=before, after=kept)
    return roles


def list_users(ctx: Ctx) -> list[dict]:
    sql = """SELECT u.login, u.role, u.dept, u.must_change, u.totp_required, u.totp_secret != '' AS totp_set,
                    u.disabled, u.created_on,
                    (SELECT count(*) FROM api_tokens t WHERE t.user_id = u.id AND NOT t.revoked
                       AND t.generation = u.generation) AS tokens
             FROM users u ORDER BY u.role, u.dept, u.login"""
    office = office_totp_roles(ctx.ledger.meta)
    return [
        {**r, "must_change": bool(r["must_change"]), "totp_required": needs_totp(r, office),
         "totp_set": bool(r["totp_set"]), "disabled": bool(r["disabled"])}
        for r in ctx.ledger.rows(sql)
    ]  # fmt: skip


def disable_user(ctx: Ctx, login: str) -> dict:
    led = ctx.ledger
    with led.write():
        u = _require_user(ctx, login)
        if u["disabled"]:
            raise LcqyError(f"用户 {u['login']} 已经停用。")
        # A new generation ends every session and token issued before.
        led.conn.execute("UPDATE users SET disabled = 1, generation = generation + 1 WHERE id = ?", [u["id"]])
        led.conn.execute("UPDATE api_tokens SET revoked = 1 WHERE user_id = ?", [u["id"]])
        led.event(None, ctx.today.isoformat(), "user-disable", ctx.actor, login=u["login"])
    return u


def reset_user(ctx: Ctx, login: str) -> dict:
    """A new one-time password (a forgotten password, a lost phone): the second factor is set up
    again at the next login; sessions end; a disabled account is enabled again."""
    password = _one_time_password()
    digest = _hasher().hash(password)
    led = ctx.ledger
    with led.write():
        u = _require_user(ctx, login)
        led.conn.execute(
            "UPDATE users SET pw_hash = ?, must_change = 1, totp_secret = '', disabled = 0, "
            "generation = generation + 1 WHERE id = ?",
            [digest, u["id"]],
        )
        led.event(None, ctx.today.isoformat(), "user-reset", ctx.actor, login=u["login"])
    return {"login": u["login"], "password": password}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(ctx: Ctx, login: str, *, revoke: bool = False) -> dict:
    """An API token (`Authorization: Bearer …`) for scripts and OA; `revoke` ends all of the user's."""
    led = ctx.ledger
    with led.write():
        u = _require_user(ctx, login)
        if revoke:
            n = led.conn.execute(
                "UPDATE api_tokens SET revoked = 1 WHERE user_id = ? AND NOT revoked", [u["id"]]
            ).rowcount
            led.event(None, ctx.today.isoformat(), "token-revoke", ctx.actor, login=u["login"], count=n)
            return {"login": u["login"], "revoked": n}
        if u["disabled"]:
            raise LcqyError(f"用户 {u['login']} 已停用，不能发放令牌。")
        token = "lcqy_" + secrets.token_urlsafe(32)
        led.db["api_tokens"].insert(
            {"user_id": u["id"], "digest": token_digest(token), "generation": u["generation"],
             "issued_at": ctx.today.isoformat()}
        )  # fmt: skip
        led.event(None, ctx.today.isoformat(), "token-issue", ctx.actor, login=u["login"])
    return {"login": u["login"], "token": token}


def token_user(ctx: Ctx, token: str) -> dict | None:
    rows = ctx.ledger.rows(
        "SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.digest = ? AND NOT t.revoked "
        "AND t.generation = u.generation AND NOT u.disabled",
        [token_digest(token)],
    )
    return next(rows, None)


# A hash to verify against when the login is unknown, so that both take the same time.
_DUMMY: list[str] = []


def verify_password(ctx: Ctx, login: str, password: str) -> dict | None:
    """The user whose password this is, or None (unknown login, wrong password, disabled)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    ph = _hasher()
    u = user_row(ctx, (login or "").strip())
    if u is None:
        if not _DUMMY:
            _DUMMY.append(ph.hash(secrets.token_hex(8)))
        try:
            ph.verify(_DUMMY[0], password or "")
        except VerificationError:
            pass
        return None
    try:
        ph.verify(u["pw_hash"], password or "")
    except (VerificationError, InvalidHashError):
        return None
    return None if u["disabled"] else u


def change_password(ctx: Ctx, user: dict, old: str, new: str) -> dict:
    if verify_password(ctx, user["login"], old) is None:
        raise LcqyError("原密码不对。")
    check_password(new, user["login"])
    if new == old:
        raise LcqyError("新密码不能与原密码相同。")
    digest = _hasher().hash(new)
    led = ctx.ledger
    with led.write():
        led.conn.execute(
            "UPDATE users SET pw_hash = ?, must_change = 0, generation = generation + 1 WHERE id = ?",
            [digest, user["id"]],
        )
        led.event(None, ctx.today.isoformat(), "password-change", ctx.actor, login=user["login"])
    return _require_user(ctx, user["login"])


def set_totp(ctx: Ctx, user: dict, secret: str, code: str) -> None:
    """The second factor, set once the user's authenticator shows the right code."""
    if not verify_totp(secret, code):
        raise LcqyError("动态验证码不对：请按验证器应用中当前显示的 6 位数字填写（注意手机时间须准确）。")
    led = ctx.ledger
    with led.write():
        led.conn.execute("UPDATE users SET totp_secret = ? WHERE id = ?", [secret, user["id"]])
        led.event(None, ctx.today.isoformat(), "totp-set", ctx.actor, login=user["login"])


def verify_totp(secret: str, code: str) -> bool:
    import pyotp

    code = (code or "").strip().replace(" ", "")
    return bool(secret) and code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)
