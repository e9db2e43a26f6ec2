"""dispatch, escalate, forward, reject, return, extend, reply, followup, urge, close."""

from __future__ import annotations

import typer

from lcqy.cli._common import est, open_ctx, print_json, say
from lcqy.cli._options import CASE, DATE, JSON, force_opt, output_opt


def _done(result: dict, as_json: bool, text: str) -> None:
    """Print what the act returned (--json), or the sentence made of it."""
    if as_json:
        print_json(result)
    else:
        say(text)


def dispatch_cmd(
    ctx: typer.Context,
    case: str = CASE,
    dept: str = typer.Option(None, "--dept", help="牵头办理部门（只能一个）"),
    assist: list[str] = typer.Option([], "--assist", help="配合办理部门，可多次使用"),
    approver: str = typer.Option(..., "--approver", help="签批领导姓名"),
    level: str = typer.Option(..., "--level", help="审批层级：主任、副组长、组长、专题会议"),
    tier: str = typer.Option("一般", "--tier", help="一般（5个工作日办结）或 重大（1个月）"),
    received: str = typer.Option(None, "--received", help="牵头部门收到交办单的日期（默认交办当天）"),
    instruction: str = typer.Option("", "--instruction", help="领导批示内容（印在批示笺上：lcqy form instruction）"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """交办：指定牵头和配合部门，给出交办编号和办结时限。"""
    from lcqy.acts.dispatch import dispatch

    with open_ctx(ctx) as c:
        r = dispatch(
            c, case, lead=dept, assist=assist, approver=approver, level=level, tier=tier, received=received, on=on,
            instruction=instruction,
        )  # fmt: skip
    if r.get("meeting"):
        _done(
            r,
            as_json,
            f"{r['reg_no']} 已提请专题会议研究；会议决定后再交办（lcqy dispatch … --level 专题会议 --dept 部门）。",
        )
        return
    late = "（已超过交办时限 " + r["limit_due"] + "，记为延迟交办）" if r["late"] else ""
    _done(
        r,
        as_json,
        f"交办编号：{r['no']}\n牵头部门 {r['lead_dept']}，办结时限 {est(r['due_current'], r['due_estimated'])}{late}",
    )


def escalate_cmd(
    ctx: typer.Context,
    case: str = CASE,
    approver: str = typer.Option(..., "--approver", help="签批的组长姓名"),
    suggestion: str = typer.Option(..., "--suggestion", help="办理建议"),
    instruction: str = typer.Option("", "--instruction", help="组长批示内容（印在批示笺上：lcqy form instruction）"),
    package: str = typer.Option(None, "--package", help="同时把转报包写入此目录（交给市服企办）"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """转报市服企办（县区台帐专用，组长审批，3个工作日内）。"""
    from lcqy.acts.dispatch import escalate

    with open_ctx(ctx) as c:
        r = escalate(c, case, approver=approver, suggestion=suggestion, on=on, instruction=instruction, package=package)
    late = f"（已超过转报时限 {r['limit_due']}，记为延迟转报）" if r["late"] else ""
    _done(r, as_json, f"转报编号：{r['no']}{late}" + (f"\n已生成转报包 {r['package']}" if r["package"] else ""))


def forward_cmd(
    ctx: typer.Context,
    case: str = CASE,
    dept: str = typer.Option(..., "--dept", help="答复咨询的职能部门"),
    note: str = typer.Option("", "--note", help="说明"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """咨询类问题直接转交职能部门答复（第十条）。"""
    from lcqy.acts.dispatch import forward

    with open_ctx(ctx) as c:
        r = forward(c, case, dept=dept, note=note, on=on)
    _done(r, as_json, f"{r['reg_no']} 已转交 {r['dept']} 答复。")


def reject_cmd(
    ctx: typer.Context,
    case: str = CASE,
    reason: str = typer.Option(..., "--reason", help="理由：诉讼、仲裁、行政复议、国家秘密、非本地企业、其他"),
    note: str = typer.Option("", "--note", help="具体说明（理由为“其他”时必填）"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """不予受理（第二条），案件保留在台帐中。"""
    from lcqy.acts.dispatch import reject

    with open_ctx(ctx) as c:
        r = reject(c, case, reason=reason, note=note, on=on)
    _done(r, as_json, f"{r['reg_no']} 不予受理（{r['reason']}）。")


def return_cmd(
    ctx: typer.Context,
    case: str = CASE,
    reason: str = typer.Option(..., "--reason", help="退单理由，如 不属本部门职责"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """退单：牵头部门认为不属本部门职责，案件回到待交办。"""
    from lcqy.acts.dispatch import return_

    with open_ctx(ctx) as c:
        r = return_(c, case, reason=reason, on=on)
    _done(r, as_json, f"{r['dispatch']} 已由 {r['dept']} 退单（本案第 {r['returns']} 次）；请重新交办。")


def extend_cmd(
    ctx: typer.Context,
    case: str = CASE,
    until: str = typer.Option(..., "--until", help="延期后的办结时限"),
    reason: str = typer.Option(..., "--reason", help="延期理由"),
    override_reason: str = typer.Option("", "--override-reason", help="超过第十六条上限时的特殊理由"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """延长办结时限：一般问题最长15个工作日，重大问题最长1个月。"""
    from lcqy.acts.dispatch import extend

    with open_ctx(ctx) as c:
        r = extend(c, case, until=until, reason=reason, override_reason=override_reason, on=on)
    over = "（超出上限，已记录特殊理由）" if r["override_reason"] else ""
    _done(r, as_json, f"{r['dispatch']} 办结时限 {r['due_before']} → {r['due_current']}{over}")


def reply_cmd(
    ctx: typer.Context,
    case: str = CASE,
    result: str = typer.Option(
        ..., "--result", help="办理结果：A 已解决或基本解决；B 正在解决或列入规划；C 目前条件限制需以后解决"
    ),
    mode: str = typer.Option(..., "--mode", help="面复 或 书面"),
    summary: str = typer.Option(..., "--summary", help="办理情况"),
    doc_no: str = typer.Option("", "--doc-no", help="报送办理结果的文号"),
    plan: str = typer.Option("", "--plan", help="B类：措施和时限；C类：向企业的说明"),
    plan_due: str = typer.Option(
        None, "--plan-due", help="承诺完成日期：B类必填，C类可填；督办台帐到期未办结按超期督办"
    ),
    again: bool = typer.Option(False, "--again", help="同一天再记录一条内容相同的答复（确非重复录入时）"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """记录承办单位的办理结果（A/B/C）；B类、C类列入督办台帐。"""
    from lcqy.acts.handling import reply

    with open_ctx(ctx) as c:
        r = reply(
            c,
            case,
            result=result,
            mode=mode,
            summary=summary,
            doc_no=doc_no,
            plan=plan,
            plan_due=plan_due,
            again=again,
            on=on,
        )
    extra = f"，{r['overdue']}" if r["overdue"] else ""
    if r["result"] in ("B", "C"):
        extra += "；已列入督办台帐" + (f"，{r['plan_due']} 到期" if r["plan_due"] else "")
    _done(r, as_json, f"{r['reg_no']} 已记录 {r['result']} 类答复（{r['replied_on']}{extra}）。")


def followup_cmd(
    ctx: typer.Context,
    case: str = CASE,
    method: str = typer.Option(..., "--method", help="电话回询 或 现场走访"),
    satisfaction: str = typer.Option(..., "--satisfaction", help="满意、基本满意、不满意"),
    incomplete: bool = typer.Option(False, "--incomplete", help="办理不彻底、答复不规范或含糊不清"),
    note: str = typer.Option("", "--note", help="说明"),
    again: bool = typer.Option(False, "--again", help="同一天再记录一次相同的回访（确非重复录入时）"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """回访企业：记录满意度；不满意或办理不彻底转专项督办，A类且满意解除督办。"""
    from lcqy.acts.handling import followup
    from lcqy.rules.constants import SUPERVISION

    with open_ctx(ctx) as c:
        r = followup(
            c, case, method=method, satisfaction=satisfaction, incomplete=incomplete, note=note, again=again, on=on
        )
    sup = f"；{SUPERVISION[r['supervision']]}" if r["supervision"] else ""
    if r["cleared"]:
        from lcqy.rules.numbering import short_ref

        sup = f"；已解除{r['cleared']}，可以销号（lcqy close {short_ref(r['reg_no'], c.today.year)}）"
    _done(r, as_json, f"{r['reg_no']} 回访：{r['satisfaction']}{sup}。")


def urge_cmd(
    ctx: typer.Context,
    case: str = CASE,
    note: str = typer.Option("", "--note", help="说明"),
    output: str = output_opt("催办函文件（默认以交办编号开头，存在当前目录）"),
    force: bool = force_opt("覆盖已存在的催办函文件"),
    no_letter: bool = typer.Option(False, "--no-letter", help="只记录催办，不生成催办函"),
    templates: str = typer.Option(None, "--templates", help="模板目录"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """催办：记录一次催办（次数、超期工作日、限期答复日期），并生成催办函；
    督办台帐、专项督办的已答复案件为督办，生成督办函（第十八条）。"""
    from lcqy.acts.supervision import urge_with_letter

    with open_ctx(ctx) as c:
        r = urge_with_letter(
            c, case, note=note, on=on, letter=not no_letter, output=output, force=force, templates=templates
        )
    letter = r["letter"]
    what = "催办" if r["kind"] == "催办" else f"督办（{r['kind']}）"
    title = "催办函" if r["kind"] == "催办" else "督办函"
    _done(
        r,
        as_json,
        f"{r['reg_no']} 第 {r['count']} 次{what} {r['lead_dept']}："
        # a 督办台帐 case is held to the date its reply promised, a 专项督办 one to the 督办时限
        + {"催办": "", "督办台帐": f"承诺完成时限 {r['due']}，"}.get(r["kind"], f"督办时限 {r['due']}，")
        + f"超期 {r['days_late']} 个工作日，请于 {r['reply_by']} 前书面答复。"
        + (f"\n已生成{title} {letter}" if letter else ""),
    )


def close_cmd(
    ctx: typer.Context,
    case: str = CASE,
    on: str = DATE,
    as_json: bool = JSON,
):
    """销号：最近一次答复为A类且企业满意或基本满意时才可销号。"""
    from lcqy.acts.handling import close

    with open_ctx(ctx) as c:
        r = close(c, case, on=on)
    _done(r, as_json, f"{r['reg_no']} 已销号（{r['on']}，A类答复，企业{r['satisfaction']}）。")


def register(app: typer.Typer) -> None:
    for name, fn in (
        ("dispatch", dispatch_cmd),
        ("escalate", escalate_cmd),
        ("forward", forward_cmd),
        ("reject", reject_cmd),
        ("return", return_cmd),
        ("extend", extend_cmd),
        ("reply", reply_cmd),
        ("followup", followup_cmd),
        ("urge", urge_cmd),
        ("close", close_cmd),
    ):
        app.command(name)(fn)
