"""The clerk's inbox of online submissions (第八条 网络收集): inbox, accept, decline."""

from __future__ import annotations

import typer

from lcqy.cli._common import open_ctx, print_json, say, table
from lcqy.cli._options import DATE, JSON

TEXT_COLUMNS = ("enterprise", "contact", "phone", "category", "problem")
ID = typer.Argument(..., help="网上反映编号（lcqy inbox 中的“号”）")


def inbox_cmd(ctx: typer.Context, as_json: bool = JSON):
    """待处理的网上反映，最早的在前；可能与在办案件重复的一并列出。核实后受理或不予登记。"""
    from lcqy.acts.intake.submissions import inbox

    with open_ctx(ctx) as c:
        rows = inbox(c)
    if as_json:
        keys = ("id", "submitted_on", "enterprise", "address", "contact", "contact_title", "phone", "email")
        keys += ("category", "problem", "request", "papers", "notes", "folded")
        print_json(
            {
                "submissions": [
                    {k: r[k] for k in keys}
                    | {"duplicates": [{"reg_no": d["reg_no"], "same": d["same"]} for d in r["duplicates"]]}
                    for r in rows
                ]
            }
        )
        return
    if not rows:
        say("没有待处理的网上反映。")
        return
    table(
        f"待处理的网上反映 {len(rows)} 件",
        ["号", "提交日期", "企业", "联系人", "电话", "类别", "问题", "材料"],
        [[r["id"], r["submitted_on"], *(r[k] for k in TEXT_COLUMNS), r["papers"]] for r in rows],
        no_wrap=["号", "提交日期", "电话"],
        clip={"企业": 2, "问题": 3},
    )
    for r in rows:
        for d in r["duplicates"]:
            same = (
                "同一企业"
                if d["same"] == ["enterprise"]
                else "问题相同"
                if d["same"] == ["problem"]
                else "企业和问题相同"
            )
            say(f"第{r['id']}号可能与在办案件 {d['reg_no']} 重复（{same}）：{d['merge_command']}")
    say("核实后受理：lcqy accept 号；并入在办案件：lcqy accept 号 --into 案件；不予登记：lcqy decline 号 --reason …")


def accept_cmd(
    ctx: typer.Context,
    ident: str = ID,
    category: str = typer.Option(None, "--category", help="问题类别（企业所选不当时改正）"),
    major: bool = typer.Option(False, "--major", help="重大复杂案件（交办时限 3 个工作日）"),
    into: str = typer.Option(None, "--into", help="并入的在办案件（与已登记的案件重复时）"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """核实后受理一件网上反映：登记为新案件（反映形式“网上反映”），或用 --into 并入在办案件；材料随之附上。"""
    from lcqy.acts.boards.tracking import show_code
    from lcqy.acts.intake.submissions import accept

    with open_ctx(ctx) as c:
        r = accept(c, ident, category=category, major=major, into=into, on=on)
        code = c.ledger.conn.execute("SELECT code FROM tracking_codes WHERE case_id = ?", [r["case"]["id"]]).fetchone()
    case = r["case"]
    if as_json:
        print_json(
            {
                "submission": r["submission"],
                "reg_no": case["reg_no"],
                "case": f"{case['reg_year']}-{case['reg_seq']}",
                "merged": r["merged"],
                "papers": r["papers"],
                "tracking_code": None if r["merged"] else show_code(code[0]),
                "dispatch_due": None if r["merged"] else case["dispatch_due"],
            }
        )
        return
    papers = f"，附上材料 {r['papers']} 份" if r["papers"] else ""
    if r["merged"]:
        say(f"第{r['submission']}号网上反映已并入 {case['reg_no']}{papers}；企业用原查询码可查看该案件。")
    else:
        say(
            f"已受理第{r['submission']}号网上反映，登记编号 {case['reg_no']}{papers}。"
            f"\n查询码 {show_code(code[0])}（企业已有）；应于 {case['dispatch_due']} 前交办。"
        )


def decline_cmd(
    ctx: typer.Context,
    ident: str = ID,
    reason: str = typer.Option(
        ..., "--reason", help="不予登记的理由（企业在网上看到），如 不属于受理范围、重复反映、无法联系"
    ),
    on: str = DATE,
    as_json: bool = JSON,
):
    """不予登记一件网上反映，写明理由；企业凭查询码可看到理由。"""
    from lcqy.acts.intake.submissions import decline

    with open_ctx(ctx) as c:
        r = decline(c, ident, reason=reason, on=on)
    if as_json:
        print_json(r)
        return
    say(f"第{r['id']}号网上反映（{r['enterprise']}）不予登记：{r['reason']}。")


def register(app: typer.Typer) -> None:
    app.command("inbox")(inbox_cmd)
    app.command("accept")(accept_cmd)
    app.command("decline")(decline_cmd)
