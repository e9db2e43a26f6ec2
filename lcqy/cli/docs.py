"""form, config: the official documents (.docx) and where their templates come from."""

from __future__ import annotations

import typer

from lcqy.cli._common import open_ctx, say

TEMPLATES_HELP = "模板目录（默认用 lcqy config templates 保存的目录，否则用自带模板）"


def write_form(c, kind: str, case: str, output: str | None, force: bool, templates: str | None) -> str:
    """Fill one form for a case; returns the file written. Shared by form and urge."""
    from lcqy.acts import forms
    from lcqy.acts.cases import case_view, resolve
    from lcqy.docs.render import render

    v = case_view(c, resolve(c, case))
    context, attachment, number = forms.build(kind, c.ledger.meta["office_name"], v)
    path = forms.out_path(kind, number, output, force)
    render(kind, context, path, template_dir=forms.template_dir(c, templates), attachment_context=attachment)
    path.chmod(0o600)  # R14: the forms carry the enterprise's contacts
    return str(path)


def form_cmd(
    ctx: typer.Context,
    kind: str = typer.Argument(
        ..., help="register（登记表）、dispatch（交办单）、escalate（转报单）或 urge（最近一次催办函）"
    ),
    case: str = typer.Argument(..., help="案件：登记编号、2026-15 或 15（本年）"),
    output: str = typer.Option(None, "-o", "--output", help="输出文件（默认以文书编号开头，存在当前目录）"),
    force: bool = typer.Option(False, "--force", help="覆盖已存在的文件"),
    templates: str = typer.Option(None, "--templates", help=TEMPLATES_HELP),
):
    """生成正式文书（.docx）：登记表、交办单（附登记表）、转报单（附登记表）、催办函。"""
    with open_ctx(ctx) as c:
        path = write_form(c, kind, case, output, force, templates)
    say(f"已生成 {path}")


def config_cmd(
    ctx: typer.Context,
    key: str = typer.Argument(None, help="设置项：templates（模板目录）"),
    value: str = typer.Argument(None, help="新值；留空则显示当前值，写 - 恢复默认"),
):
    """查看或保存本台帐的设置（目前有：templates 模板目录）。"""
    from pathlib import Path

    from lcqy.errors import LcqyError

    with open_ctx(ctx) as c:
        led = c.ledger
        if key is None:
            say(f"templates = {led.meta.get('templates_dir') or '（自带模板）'}")
            return
        if key != "templates":
            raise LcqyError(f"没有设置项“{key}”；可用：templates（模板目录）。")
        if value is None:
            say(led.meta.get("templates_dir") or "（自带模板）")
            return
        if value != "-":
            from lcqy.docs.render import FILES, check_template

            folder = Path(value).resolve()
            problems = []
            for kind, name in FILES.items():
                if not (folder / name).is_file():
                    problems.append(f"缺少文件 {name}")
                elif missing := check_template(folder / name, kind):
                    problems.append(f"{name} 缺少占位符：{'、'.join(missing)}")
            if problems:
                raise LcqyError(f"模板目录 {folder} 不能用：" + "；".join(problems) + "。")
            value = str(folder)
        with led.write():
            before = led.meta.get("templates_dir")
            if value == "-":
                led.db.execute("DELETE FROM meta WHERE key = 'templates_dir'")
            else:
                led.db["meta"].upsert({"key": "templates_dir", "value": value}, pk="key")
            led.event(None, c.today.isoformat(), "config", c.actor, key="templates", before=before, after=value)
    say(f"已保存：templates = {'（自带模板）' if value == '-' else value}")


def register(app: typer.Typer) -> None:
    app.command("form")(form_cmd)
    app.command("config")(config_cmd)
