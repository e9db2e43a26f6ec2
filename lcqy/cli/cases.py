"""register, list, show, edit, void, merge: the cases themselves."""

from __future__ import annotations

import sys

import typer

from lcqy.cli._common import est, is_console, open_ctx, print_json, say
from lcqy.cli._options import DATE, JSON, case_arg, date_opt
from lcqy.rules.constants import CATEGORIES, CLERK_CHANNELS, STATES


def _prompt_missing(raw: dict) -> None:
    """In a terminal, ask for what is missing (numbered menus for the fixed lists) and
    check each answer at once, so that a typo is asked again rather than refused at the end."""
    from lcqy.acts.intake.register import FIELDS, clean_field, missing
    from lcqy.errors import LcqyError
    from lcqy.rules.constants import CATEGORIES, CLERK_CHANNELS

    for key in missing(raw):
        label = FIELDS[key][0]
        options = {"category": CATEGORIES, "channel": CLERK_CHANNELS}.get(key)
        prompt = f"{label}（{'  '.join(f'{i}.{o}' for i, o in enumerate(options, 1))}）" if options else label
        while True:
            try:
                ans = typer.prompt(prompt).strip()
            except UnicodeDecodeError:  # typed in a GBK terminal
                raise LcqyError(
                    f"输入的{label}不是 UTF-8 编码（终端可能使用 GBK）。请把终端的字符编码设为 UTF-8 后重新登记。"
                ) from None
            if options and ans.isdigit() and 1 <= int(ans) <= len(options):
                ans = options[int(ans) - 1]
            try:
                raw[key] = clean_field(key, ans)
                break
            except LcqyError as exc:
                say(exc.message + (f" 请输入 1–{len(options)} 的序号。" if options else ""))


def register_cmd(
    ctx: typer.Context,
    enterprise: str = typer.Option(None, "--enterprise", help="企业名称"),
    category: str = typer.Option(
        None,
        "--category",
        help=f"问题类别：{'、'.join(CATEGORIES)}",
    ),
    channel: str = typer.Option(
        None,
        "--channel",
        help=f"反映形式：{'、'.join(CLERK_CHANNELS)}",
    ),
    address: str = typer.Option("", "--address", help="详细地址"),
    reported_on: str = typer.Option(None, "--reported-on", help="反映时间（默认同受理时间）"),
    contact: str = typer.Option(None, "--contact", help="联系人"),
    contact_title: str = typer.Option("", "--title", help="联系人职务"),
    phone: str = typer.Option(None, "--phone", help="联系电话：手机或带区号座机，如 0883-2123456"),
    email: str = typer.Option("", "--email", help="电子邮箱"),
    problem: str = typer.Option(None, "--problem", help="主要困难和问题"),
    request: str = typer.Option(None, "--request", help="希望协调解决的具体事项"),
    accepted_by: str = typer.Option("", "--accepted-by", help="受理人员（默认经办人）"),
    remarks: str = typer.Option("", "--remarks", help="备注"),
    consult: bool = typer.Option(False, "--consult", help="咨询类问题（直接转交职能部门答复）"),
    major: bool = typer.Option(False, "--major", help="重大或涉及多个部门的问题（交办时限3个工作日）"),
    on: str = date_opt("受理时间（默认今天）"),
    as_json: bool = JSON,
):
    """登记企业反映的困难问题（填写登记表），给出登记编号和交办时限。"""
    from lcqy.acts.boards.tracking import tracking_code
    from lcqy.acts.intake.register import register
    from lcqy.rules.deadlines import dispatch_limit_days

    raw = {
        "enterprise": enterprise,
        "category": category,
        "channel": channel,
        "address": address,
        "reported_on": reported_on,
        "contact": contact,
        "contact_title": contact_title,
        "phone": phone,
        "email": email,
        "problem": problem,
        "request": request,
        "accepted_by": accepted_by,
        "remarks": remarks,
        "consult": consult,
        "major": major,
        "accepted_on": on,
    }
    with open_ctx(ctx) as c:
        if is_console(sys.stdin):  # not NUL under the task scheduler
            c.act_date(on, "受理时间（--date）")  # a bad --date is said before any question is asked
            _prompt_missing(raw)
        case = register(c, raw)
        code = tracking_code(c, case["id"])  # the enterprise follows its case on line with it
    if as_json:
        print_json({**case, "tracking_code": code})
        return
    say(f"已登记：{case['reg_no']}")
    say(f"查询码：{code}（请告知企业；回执：lcqy form receipt {case['reg_year']}-{case['reg_seq']}）")
    limit = dispatch_limit_days(major=bool(case["major"]))
    kind = "咨询类，可直接转交职能部门答复（lcqy forward）" if case["consult"] else f"请在 {limit} 个工作日内交办"
    say(
        f"受理时间 {case['accepted_on']}；{kind}，"
        f"交办时限 {est(case['dispatch_due'], case['dispatch_due_estimated'])}。"
    )
    _say_duplicates(case["duplicates"])


def _say_duplicates(dups: list[dict]) -> None:
    """The warning stays a warning: the report is registered either way (a second problem of
    the same enterprise is a new case), the clerk decides whether to merge."""
    if not dups:
        return
    from lcqy.rules.constants import STATES

    why = {"enterprise": "同一企业", "problem": "问题内容相同"}
    say(f"注意：有 {len(dups)} 件未办结的案件可能与本件重复：")
    for d in dups:
        same = "、".join(why[k] for k in d["same"])
        say(f"  {d['reg_no']}（{STATES[d['state']]}，{same}）{d['enterprise']}：{d['problem'][:30]}")
    say(f"如确属重复反映，请合并：{dups[0]['merge_command']}（不是重复则无需处理）。")


LIST_LIMIT = 50  # the default view, as gh and Taskwarrior keep a list to a screenful or two


def list_cmd(
    ctx: typer.Context,
    year: int = typer.Option(None, "--year", help="登记年度"),
    category: str = typer.Option(None, "--category", help="问题类别"),
    state: str = typer.Option(
        None,
        "--state",
        help=f"状态：{'、'.join(STATES.values())}（指定后不再限于未办结的案件）",
    ),
    channel: str = typer.Option(None, "--channel", help="反映形式"),
    text: str = typer.Option(None, "--text", help="企业名称或问题内容包含的文字"),
    dept: str = typer.Option(None, "--dept", help="牵头或配合部门"),
    supervision: str = typer.Option(None, "--supervision", help="督办台帐 或 专项督办"),
    show_all: bool = typer.Option(False, "--all", help="全部案件（含已办结的），不限件数"),
    limit: int = typer.Option(None, "--limit", help=f"最多显示几件（默认 {LIST_LIMIT}，最近登记的在后）"),
    as_json: bool = JSON,
):
    """列出台帐中的案件：默认为未办结的案件中最近登记的 50 件；--all 列出全部。

    可按年度、类别、状态、反映形式、部门、文字筛选。"""
    from lcqy.acts.boards.listing import Filters, iter_list_json, iter_list_rows, list_page, open_due
    from lcqy.cli._json_out import print_json_texts, say_plain
    from lcqy.cli._rows import Col, print_table

    f = Filters(
        year=year,
        category=category,
        state=state,
        channel=channel,
        text=text,
        dept=dept,
        supervision=supervision,
        open_only=not show_all,
    )
    # The count and the page are read from one snapshot of the ledger.
    with open_ctx(ctx) as c, c.ledger.reading():
        this_year = c.today.year
        page = None if show_all and limit is None else (LIST_LIMIT if limit is None else limit)
        if as_json:
            print_json_texts(iter_list_json(c, f, page))
            return
        if page is None:
            total, rows = None, iter_list_rows(c, f)
        else:
            total, rows = list_page(c, f, page)

        def body():
            for r in rows:
                # The result letter and a short supervision mark ride on the state, to keep 80 columns.
                mark = {"ledger": "·督", "special": "·专督"}.get(r["supervision"], "")
                number = str(r["reg_seq"]) if r["reg_year"] == this_year else f"{r['reg_year']}-{r['reg_seq']}"
                state_text = r["state_label"] + (r["result"] or "") + mark
                yield (number, r["enterprise"], r["category"], state_text, r["lead_dept"] or "", est(*open_due(r)))

        cols = [
            Col("编号"),
            Col("企业", share=3, least=6),
            Col("类别", share=1, least=4, drop=1),
            Col("状态"),
            Col("牵头部门", share=2, least=6),
            Col("时限"),
        ]
        shown = print_table(None, cols, body())
    what = "" if show_all or state else "未办结的"
    if total is None or total <= shown:
        say_plain(f"共 {shown} 件{what}案件。")
    else:
        say_plain(f"共 {total} 件{what}案件，显示最近登记的 {shown} 件（--all 全部）。")
    say_plain(f"编号为{this_year}年登记序号（其他年份写作 年-序号）。")
    say_plain("状态后的字母为办理结果；督=督办台帐，专督=专项督办。")


def edit_cmd(
    ctx: typer.Context,
    case: str = case_arg("案件"),
    field: str = typer.Option(..., "--field", help="字段：英文键名或登记表上的名称，如 phone 或 联系电话"),
    value: str = typer.Option(..., "--value", help="更正后的值"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """更正登记内容（记录更正前后的值）。"""
    from lcqy.acts.corrections import edit

    with open_ctx(ctx) as c:
        r = edit(c, case, field=field, value=value, on=on)
    if as_json:
        return print_json(r)
    say(f"已更正 {r['reg_no']} 的{r['label']}：{r['before']} → {r['after']}")


def void_cmd(
    ctx: typer.Context,
    case: str = case_arg("案件"),
    reason: str = typer.Option(..., "--reason", help="作废理由"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """作废误登记的编号（编号保留并标注作废，不再使用）。"""
    from lcqy.acts.corrections import void

    with open_ctx(ctx) as c:
        r = void(c, case, reason=reason, on=on)
    if as_json:
        return print_json(r)
    say(f"已作废 {r['reg_no']}（{r['reason']}）；该编号不会再次使用。")


def merge_cmd(
    ctx: typer.Context,
    case: str = case_arg("重复登记的案件"),
    into: str = typer.Option(..., "--into", help="合并到的案件"),
    on: str = DATE,
    as_json: bool = JSON,
):
    """把重复反映的案件合并到另一件（两个编号都保留）。"""
    from lcqy.acts.intake.merging import merge

    with open_ctx(ctx) as c:
        r = merge(c, case, into=into, on=on)
    if as_json:
        return print_json(r)
    say(f"已将 {r['reg_no']} 合并到 {r['into']}。")


def register(app: typer.Typer) -> None:
    app.command("register")(register_cmd)
    app.command("list")(list_cmd)
    app.command("edit")(edit_cmd)
    app.command("void")(void_cmd)
    app.command("merge")(merge_cmd)
