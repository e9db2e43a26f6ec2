"""package, receive, send-result, send-back: the county ⇄ city exchange packages."""

from __future__ import annotations

import typer

from lcqy.cli._common import open_ctx, print_json, say
from lcqy.cli._options import DATE, FORCE, JSON, case_arg, date_opt, output_opt

CASE = case_arg("案件：登记编号、转报编号、2026-15 或 15（本年）")
OUT_HELP = "交换包文件（.lcqy；默认以编号命名，存在当前目录）"


def package_cmd(
    ctx: typer.Context,
    case: str = CASE,
    output: str = output_opt(OUT_HELP),
    force: bool = FORCE,
):
    """（县区）重新生成已转报案件的转报包：登记内容、转报单、批示和附件，交给市服企办。"""
    from lcqy.acts.exchange.packages import write_escalation

    with open_ctx(ctx) as c:
        path = write_escalation(c, case, output, force)
    say(f"已生成转报包 {path}")


def receive_cmd(
    ctx: typer.Context,
    file: str = typer.Argument(..., help="收到的交换包文件（.lcqy）"),
    on: str = date_opt("接收（受理）日期，默认今天"),
    as_json: bool = JSON,
):
    """接收交换包：市级接收县区转报包并登记；县区接收市级办理结果或退回。"""
    from lcqy.acts.exchange.incoming import receive

    with open_ctx(ctx) as c:
        r = receive(c, file, on)
    if as_json:
        print_json({k: v for k, v in r.items() if k != "case"})
        return
    if r.get("new_key"):
        say(
            f"首次收到 {r['from']} 的交换包：已记录其签名密钥，指纹 {r['new_key']}。请电话向对方核对"
            "（对方用 lcqy keys show 查看）；此后该单位的交换包必须用这把密钥签名。"
        )
    if r["type"] == "figures":
        again = "（替换此前收到的数字）" if r["replaced"] else ""
        say(
            f"已接收 {r['from']} {r['month']} 办理情况：受理 {r['received']} 件，超期未办 {r['late_now']} 件{again}。"
            f"用 lcqy figures {r['month']} 查看全市。"
        )
    elif r["type"] == "escalation":
        say(
            f"已接收 {r['from']} 的转报 {r['escalate_no']}，登记编号：{r['reg_no']}"
            f"（附件 {r['attachments']} 件）。请按第十三条交办：lcqy dispatch {r['reg_no']} …"
        )
    elif r["type"] == "result":
        say(
            f"已记录 {r['from']} 对 {r['case']['reg_no']} 的办理结果：{r['result']}类（{r['replied_on']}），"
            f"附件 {r['attachments']} 件。请回访企业：lcqy followup {r['case']['reg_no']} …"
        )
    else:
        say(
            f"{r['from']} 退回 {r['case']['reg_no']}：{r['reason']}。案件回到待交办，"
            f"交办时限 {r['dispatch_due']}：lcqy dispatch {r['case']['reg_no']} …"
        )


def send_result_cmd(
    ctx: typer.Context,
    case: str = CASE,
    output: str = output_opt(OUT_HELP),
    force: bool = FORCE,
    on: str = DATE,
):
    """（市级）答复后把办理结果包报回转报的县区：答复、答复文件和市级编号。"""
    from lcqy.acts.exchange.packages import send_result

    with open_ctx(ctx) as c:
        path = send_result(c, case, output, force, on)
    say(f"已生成办理结果包 {path}")


def send_back_cmd(
    ctx: typer.Context,
    case: str = CASE,
    reason: str = typer.Option(..., "--reason", help="退回理由：如 不属市级协调事项，请县区按职责交办"),
    output: str = output_opt(OUT_HELP),
    force: bool = FORCE,
    on: str = DATE,
):
    """（市级）把县区转报的案件退回县区（不属市级事项），生成退回包；市级台帐记为不予受理。"""
    from lcqy.acts.exchange.packages import send_back

    with open_ctx(ctx) as c:
        r = send_back(c, case, reason, output, force, on)
    say(f"{r['case']['reg_no']} 已退回 {r['county']}，退回包 {r['path']}")


def package_month_cmd(
    ctx: typer.Context,
    month: str = typer.Argument(..., help="月份，如 2026-11"),
    output: str = output_opt(OUT_HELP),
    force: bool = FORCE,
):
    """（县区）把某月办理情况（与月度简报同口径的各项件数和受理分类）写成交换包报市服企办。"""
    from lcqy.acts.exchange.month import write_month_package

    with open_ctx(ctx) as c:
        path = write_month_package(c, month, output, force)
    say(f"已生成月度办理情况包 {path}")


def figures_cmd(
    ctx: typer.Context,
    month: str = typer.Argument(..., help="月份，如 2026-11"),
    as_json: bool = JSON,
):
    """某月受理案件的办理情况：本办一行；市级台帐另列各县区报来的数字和全市合计。"""
    from lcqy.acts.figures.city import city_figures
    from lcqy.cli._figtables import figures_table as table
    from lcqy.rules.figures import COUNTS, RATES
    from lcqy.rules.month_figures import SHOWN_COUNTS, SHOWN_RATES, reported_note, shown_line

    with open_ctx(ctx) as c:
        lines = city_figures(c, month)
    if as_json:
        print_json(lines)
        return
    labels = {**{k: v[0] for k, v in COUNTS.items()}, **{k: v[0] for k, v in RATES.items()}, "late_now": "超期未办"}
    rows = [shown_line(x) for x in lines]
    note = (
        reported_note(lines)
        + "全市合计中，县区转报到市级的案件只在县区计一次受理；其市级答复在县区台帐也记为答复，答复和A/B/C各计两次。"
        if len(lines) > 1
        else None
    )
    table(f"{lines[0]['as_of'][:7]} 办理情况", ["单位", "截至", *(labels[k] for k in SHOWN_COUNTS + SHOWN_RATES)],
          rows, caption=note)  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("package")(package_cmd)
    app.command("receive")(receive_cmd)
    app.command("send-result")(send_result_cmd)
    app.command("send-back")(send_back_cmd)
    app.command("package-month")(package_month_cmd)
    app.command("figures")(figures_cmd)
