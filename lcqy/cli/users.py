"""Accounts of the online platform (user …) and the departments' requests (request …)."""

from __future__ import annotations

import typer

from lcqy.cli._common import DATE_HELP, JSON_HELP, open_ctx, print_json, say, table

user_app = typer.Typer(help="网上平台的用户：部门用户、领导、服企办经办人。", no_args_is_help=True)
request_app = typer.Typer(help="部门在网上提出的延期、退单申请：查看、同意、不同意。", no_args_is_help=True)

LOGIN = typer.Argument(..., help="登录名：英文字母、数字或 . _ -，如 zhangsan")


@user_app.command("add")
def add_cmd(
    ctx: typer.Context,
    login: str = LOGIN,
    role: str = typer.Option(..., "--role", help="角色：dept（部门用户）、leader（领导，只读）、clerk（服企办经办人）"),
    dept: str = typer.Option(None, "--dept", help="所属部门（部门用户必填，须在部门名单中）"),
    totp: bool = typer.Option(False, "--totp", help="要求动态验证码（服企办经办人总是要求）"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """添加用户，给出一次性密码（首次登录须修改）。"""
    from lcqy.acts.accounts import ROLES, add_user

    with open_ctx(ctx) as c:
        r = add_user(c, login, role=role, dept=dept, totp=totp)
    if as_json:
        print_json({"login": r["login"], "password": r["password"]})
        return
    who = ROLES[r["role"]] + (f"（{r['dept']}）" if r["dept"] else "")
    say(
        f"已添加{who} {r['login']}。\n一次性密码：{r['password']}\n"
        "请当面或电话告知本人；首次登录须修改密码" + ("，并设置动态验证码。" if r["totp"] else "。")
    )


@user_app.command("list")
def list_cmd(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """列出全部用户。"""
    from lcqy.acts.accounts import ROLES, list_users

    with open_ctx(ctx) as c:
        rows = list_users(c)
    if as_json:
        print_json({"users": rows})
        return
    if not rows:
        say("还没有用户。添加：lcqy user add 登录名 --role dept --dept 部门")
        return

    def state(u: dict) -> str:
        if u["disabled"]:
            return "已停用"
        return "待首次登录" if u["must_change"] else "正常"

    def factor(u: dict) -> str:
        if not u["totp_required"]:
            return "不要求"
        return "已设置" if u["totp_set"] else "待设置"

    table(
        None,
        ["登录名", "角色", "部门", "状态", "动态验证码", "有效令牌", "添加日期"],
        [(u["login"], ROLES[u["role"]], u["dept"] or "", state(u), factor(u), u["tokens"], u["created_on"])
         for u in rows],
    )  # fmt: skip


@user_app.command("disable")
def disable_cmd(ctx: typer.Context, login: str = LOGIN):
    """停用用户：立即退出登录，令牌作废（恢复用 lcqy user reset）。"""
    from lcqy.acts.accounts import disable_user

    with open_ctx(ctx) as c:
        u = disable_user(c, login)
    say(f"已停用 {u['login']}：已登录的会话和令牌全部作废。")


@user_app.command("reset")
def reset_cmd(ctx: typer.Context, login: str = LOGIN, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """重置密码：给出新的一次性密码，会话作废，动态验证码须重新设置；停用的用户恢复使用。"""
    from lcqy.acts.accounts import reset_user

    with open_ctx(ctx) as c:
        r = reset_user(c, login)
    if as_json:
        print_json(r)
        return
    say(f"{r['login']} 的新一次性密码：{r['password']}\n原会话已作废；下次登录须修改密码，动态验证码须重新设置。")


@user_app.command("token")
def token_cmd(
    ctx: typer.Context,
    login: str = LOGIN,
    revoke: bool = typer.Option(False, "--revoke", help="作废该用户的全部令牌"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """发放接口令牌（Authorization: Bearer 令牌），供 12345 平台、OA 等程序调用接口。"""
    from lcqy.acts.accounts import issue_token

    with open_ctx(ctx) as c:
        r = issue_token(c, login, revoke=revoke)
    if revoke:
        if as_json:
            print_json({"login": r["login"], "revoked": r["revoked"]})
        else:
            say(f"已作废 {r['login']} 的 {r['revoked']} 个令牌。")
        return
    if as_json:
        print_json({"token": r["token"]})
        return
    say(f"{r['login']} 的接口令牌（只显示这一次，请妥善保存）：\n{r['token']}")


@request_app.command("list")
def request_list_cmd(
    ctx: typer.Context,
    all_: bool = typer.Option(False, "--all", help="包括已审核的申请"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """待审核的延期、退单申请，附同意和不同意的命令。"""
    from lcqy.acts.online import requests

    with open_ctx(ctx) as c:
        rows = requests(c, pending_only=not all_)
    if as_json:
        keys = ("id", "case", "reg_no", "dispatch_no", "dept", "kind", "until", "reason", "asked_on", "asked_by",
                "status", "decided_on", "decision", "due_current")  # fmt: skip
        print_json({"requests": [{k: r[k] for k in keys} for r in rows]})
        return
    if not rows:
        say("没有待审核的申请。" if not all_ else "还没有部门申请。")
        return
    table(
        None,
        ["号", "案件", "部门", "申请", "理由", "当前时限", "提出", "状态"],
        [(r["id"], r["case"], r["dept"], r["kind_label"] + (f"至 {r['until']}" if r["until"] else ""), r["reason"],
          r["due_current"], r["asked_on"], r["status_label"]) for r in rows],
        no_wrap=("号", "案件"),
    )  # fmt: skip
    if not all_:
        say("同意：lcqy request grant 号    不同意：lcqy request deny 号 --reason 理由")


@request_app.command("grant")
def grant_cmd(
    ctx: typer.Context,
    n: str = typer.Argument(..., help="申请编号（lcqy request list 中的“号”）"),
    override_reason: str = typer.Option("", "--override-reason", help="延期超过第十六条上限的特殊理由"),
    on: str = typer.Option(None, "--date", help=DATE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """同意申请：延期按 lcqy extend、退单按 lcqy return 办理，部门在网上看到结果。"""
    from lcqy.acts.online import grant

    with open_ctx(ctx) as c:
        r = grant(c, n, override_reason=override_reason, on=on)
    done = r["done"]
    if as_json:
        print_json({"id": r["id"], "kind": r["kind"], "status": r["status"], "reg_no": done["reg_no"],
                    "due_current": done.get("due_current"), "decided_on": r["decided_on"]})  # fmt: skip
        return
    if r["kind"] == "extension":
        say(
            f"已同意第{r['id']}号延期申请：{done['reg_no']} 办结时限 "
            f"{done['due_before']} → {done['due_current']}。"
        )
    else:
        say(
            f"已同意第{r['id']}号退单申请：{done['dept']} 退回 {done['dispatch']}，"
            f"{done['reg_no']} 待重新交办。"
        )


@request_app.command("deny")
def deny_cmd(
    ctx: typer.Context,
    n: str = typer.Argument(..., help="申请编号（lcqy request list 中的“号”）"),
    reason: str = typer.Option(..., "--reason", help="不同意的理由：部门在网上看到"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """不同意申请，写明理由。"""
    from lcqy.acts.online import deny

    with open_ctx(ctx) as c:
        r = deny(c, n, reason=reason)
    if as_json:
        print_json({"id": r["id"], "kind": r["kind"], "status": r["status"], "decision": r["decision"]})
        return
    say(f"第{r['id']}号申请不同意：{r['decision']}。")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.add_typer(request_app, name="request")
