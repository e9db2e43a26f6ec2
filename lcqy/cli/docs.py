"""form, config: the official documents (.docx) and where their templates come from."""

from __future__ import annotations

import typer

from lcqy.cli._common import open_ctx, say
from lcqy.cli._options import CASE, FORCE, output_opt

TEMPLATES_HELP = "模板目录（默认用 lcqy config templates 保存的目录，否则用自带模板）"


def form_cmd(
    ctx: typer.Context,
    kind: str = typer.Argument(
        ...,
        help="文书类型（英文或中文名称）：register 登记表、dispatch 交办单（附登记表）、escalate 转报单（附登记表）、"
        "urge 催办函或督办函（最近一次催办）、instruction 批示笺、receipt 受理回执（含查询码）",
    ),
    case: str = CASE,
    output: str = output_opt("输出文件（默认以文书编号开头，存在当前目录）"),
    force: bool = FORCE,
    templates: str = typer.Option(None, "--templates", help=TEMPLATES_HELP),
):
    """生成正式文书（.docx）：登记表、交办单（附登记表）、转报单（附登记表）、催办函或督办函、领导批示笺、受理回执。"""
    from lcqy.acts.papers.letters import write_form

    with open_ctx(ctx) as c:
        say(write_form(c, kind, case, output, force, templates))


def config_cmd(
    ctx: typer.Context,
    key: str = typer.Argument(
        None,
        help="设置项：templates（模板目录）、letterhead（催办函、督办函的红色版头：是/否）、"
        "totp（网上登录须用动态验证码的角色：部门、领导）、report（简报）、evaluation（年度测评权重）",
    ),
    value: str = typer.Argument(None, help="新值；留空则显示当前值，写 - 恢复默认（report、evaluation 后写子项名）"),
    extra: str = typer.Argument(None, help="report、evaluation 子项的新值，如 lcqy config report late-days 10"),
):
    """查看或保存本台帐的设置：templates 模板目录；letterhead 催办函、督办函的版头（用印好版头的公文纸时设为 否）；
    totp 除服企办经办人外，哪些角色的网上用户都须用动态验证码（部门、领导、全部；- 只要求经办人）；
    report 简报的通报标准和版记；evaluation 年度测评权重。"""
    from lcqy.acts.papers.forms import set_letterhead, set_templates
    from lcqy.errors import LcqyError

    if key == "letterhead" and extra is None:
        with open_ctx(ctx) as c:
            now = set_letterhead(c, value) if value is not None else c.ledger.meta.get("letterhead", "是")
        say(("已保存：" if value is not None else "") + f"letterhead = {'是' if now else '否'}")
        return

    if key == "totp" and extra is None:
        from lcqy.acts.accounts import office_totp_roles, set_totp_roles, totp_roles_text

        with open_ctx(ctx) as c:
            roles = set_totp_roles(c, value) if value is not None else office_totp_roles(c.ledger.meta)
        say(("已保存：" if value is not None else "") + f"totp = {totp_roles_text(roles)}须用动态验证码登录")
        return

    if key in ("report", "evaluation"):
        from lcqy.acts.figures.month import configure

        with open_ctx(ctx) as c:
            say("\n".join(configure(c, key, value, extra)))
        return
    if key not in (None, "templates") or extra is not None:
        raise LcqyError(
            f"没有设置项“{key}”；可用：templates（模板目录）、letterhead（版头）、totp（动态验证码）、"
            "report（简报）、evaluation（年度测评权重）。"
        )
    with open_ctx(ctx) as c:
        if value is not None:
            set_templates(c, value)
        current = c.ledger.meta.get("templates_dir")
    say(("已保存：" if value is not None else "") + f"templates = {current or '（自带模板）'}")


def register(app: typer.Typer) -> None:
    app.command("form")(form_cmd)
    app.command("config")(config_cmd)
