"""keys: the office's signing key for exchange packages, and the keys of other offices."""

from __future__ import annotations

import typer

from lcqy.cli._common import JSON_HELP, open_ctx, print_json, say

keys_app = typer.Typer(
    help="交换包签名密钥：本办的密钥指纹、导出公钥、录入其他服企办的公钥（首次收包时也会自动记录）。",
    no_args_is_help=True,
)

HOW = {"tofu": "首次收包时记录", "trust": "keys trust 录入"}


@keys_app.command("show")
def show(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """显示本办签名密钥的指纹（供对方核对）和已记录的其他服企办的密钥。"""
    from lcqy.acts.exchange.trust import key_list

    with open_ctx(ctx) as c:
        r = key_list(c)
    if as_json:
        print_json(r)
        return
    say(f"本办（{r['office_name']}）签名密钥指纹：{r['fingerprint']}（{r['created_on']} 生成）")
    if not r["peers"]:
        say("尚未记录其他服企办的密钥：首次收到某单位的交换包时记录，或用 lcqy keys trust 文件 录入。")
    for p in r["peers"]:
        say(f"{p['office_name']}（{p['prefix']}）：{p['fingerprint']}，{p['added_on']} {HOW.get(p['how'], p['how'])}")


@keys_app.command("export")
def export(
    ctx: typer.Context,
    output: str = typer.Option(None, "-o", "--output", help="写入的文件（默认显示在屏幕上）"),
    force: bool = typer.Option(False, "--force", help="覆盖已存在的文件"),
):
    """导出本办的公钥文件（不含私钥），交给对方用 lcqy keys trust 录入。"""
    from pathlib import Path

    from lcqy.store.keys import export_text

    with open_ctx(ctx) as c:
        text = export_text(c.ledger)
    if output is None:
        print(text, end="")
        return
    from lcqy.store.outputs import check_target, write_bytes

    path = check_target(Path(output), force)

    write_bytes(path, text.encode("utf-8"), private=False)
    say(f"已导出本办公钥到 {path}")


@keys_app.command("trust")
def trust(
    ctx: typer.Context,
    file: str = typer.Argument(..., help="对方用 lcqy keys export 导出的公钥文件"),
    replace: bool = typer.Option(False, "--replace", help="对方已更换密钥（请先电话核实指纹）"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """录入其他服企办的公钥：此后该单位的交换包必须用这把密钥签名。"""
    from lcqy.acts.exchange.trust import trust_file

    with open_ctx(ctx) as c:
        r = trust_file(c, file, replace)
    if as_json:
        print_json(r)
    elif not r["changed"]:
        say(f"{r['office_name']} 的这把密钥已记录（指纹 {r['fingerprint']}），未作改动。")
    elif r["was"]:
        say(f"已更换 {r['office_name']} 的密钥：原指纹 {r['was']}，现指纹 {r['fingerprint']}。")
    else:
        say(f"已录入 {r['office_name']}（{r['prefix']}）的密钥，指纹 {r['fingerprint']}。")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
