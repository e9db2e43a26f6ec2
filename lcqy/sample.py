"""Builds sample_ledger.db: a county office (临翔) through 2026, every category,
channel and state, some cases late as of SAMPLE_TODAY. Deterministic: the same
seed gives the same ledger.

    python -m lcqy.sample sample_ledger.db [--force]
"""

from __future__ import annotations

import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path

SAMPLE_TODAY = date(2026, 11, 27)
OFFICE = "临翔区服务企业发展领导小组办公室"
DEPTS = [
    "区发展和改革局",
    "区工业和信息化局",
    "区自然资源局",
    "区住房和城乡建设局",
    "区人力资源和社会保障局",
    "区财政局",
    "区税务局",
    "区市场监督管理局",
    "区生态环境局",
    "区交通运输局",
    "临翔供电局",
    "区农业农村局",
    "区商务局",
    "区金融服务中心",
    "区行政审批局",
    "区林业和草原局",
]
ENTERPRISES = [
    ("临沧南美坚果开发有限公司", "临翔区南美乡坝卡村"),
    ("临翔区昔归茶业有限公司", "临翔区邦东乡昔归村"),
    ("临沧恒达蔗糖有限责任公司", "临翔区博尚镇"),
    ("临沧滇红咖啡庄园有限公司", "临翔区马台乡"),
    ("临翔区新宇建材有限公司", "临翔区工业园区"),
    ("云南临沧鑫源水电开发有限公司", "临翔区圈内乡"),
    ("临沧佤山食品有限公司", "临翔区凤翔街道"),
    ("临翔区博尚制衣厂", "临翔区博尚镇勐准村"),
    ("临沧边城物流有限公司", "临翔区忙畔街道"),
    ("临翔区章驮生态养殖合作社", "临翔区章驮乡"),
    ("临沧绿源生物科技有限公司", "临翔区工业园区"),
    ("临翔区蚂蚁堆蔬菜种植有限公司", "临翔区蚂蚁堆乡"),
    ("临沧澜沧江旅游开发有限公司", "临翔区南美乡"),
    ("临翔区鑫盛机械修配厂", "临翔区凤翔街道"),
    ("临沧普洱茶叶精制有限公司", "临翔区平村乡"),
    ("临翔区宏泰房地产开发有限公司", "临翔区旗山路"),
]
PROBLEMS = {
    "政策执行": ("技改补助政策已公布但申报后半年未兑现", "请协调尽快兑现2025年技改补助资金"),
    "合同履行": ("与乡政府签订的招商协议约定的配套道路未按期建成", "请督促按协议完成配套道路建设"),
    "用地审批": ("扩建厂房用地规划调整申请久未批复", "请协调自然资源部门加快用地审批"),
    "用电保障": ("新上生产线需增容至800千伏安，报装后迟迟未接电", "请协调供电部门尽快完成增容接电"),
    "融资服务": ("流动资金贷款到期续贷困难，银行要求追加抵押", "请协调银行办理无还本续贷"),
    "人才服务": ("引进的两名技术骨干子女入学无着落", "请协调解决引进人才子女入学"),
    "招工用工": ("采茶季用工缺口约120人", "请人社部门组织劳务对接"),
    "项目推动": ("项目环评批复后施工许可办理停滞", "请协调相关部门并联审批施工许可"),
    "软环境建设": ("同一事项一个月内被三个部门重复检查", "请规范涉企检查，避免重复检查"),
    "其它": ("厂区周边道路路灯损坏，夜班职工出行不安全", "请协调修复厂区周边路灯"),
}
CONTACTS = ["李华", "杨建国", "字正明", "罗春梅", "俸晓东", "鲁文斌", "张丽", "何志强"]
TITLES = ["总经理", "副总经理", "办公室主任", "财务总监", "厂长"]
# The paths a case takes; each name is read by _play below.
PATHS = (
    ["registered"] * 6
    + ["meeting"] * 2
    + ["rejected"] * 3
    + ["forwarded"] * 3
    + ["escalated"] * 5
    + ["dispatched"] * 16
    + ["returned"] * 4
    + ["extended"] * 5
    + ["replied_a"] * 6
    + ["replied_b"] * 7
    + ["replied_c"] * 3
    + ["special"] * 5
    + ["closed"] * 28
    + ["merged"] * 2
    + ["void"] * 1
    + ["urged"] * 6
    # 第十八条 after the reply, and the morning list's every section (as of SAMPLE_TODAY).
    + ["returned_twice"] * 1
    + ["ready"] * 2
    + ["plan_due"] * 2
    + ["supervised"] * 2
    + ["redispatched"] * 1
    + ["due_soon"] * 2
)


def build(path: Path) -> None:
    # Every act reads "today" and the entry timestamp: fix both so that the file is reproducible.
    saved = os.environ.get("LCQY_NOW")
    os.environ["LCQY_NOW"] = f"{SAMPLE_TODAY.isoformat()}T09:00:00"
    try:
        _build(path)
    finally:
        if saved is None:
            os.environ.pop("LCQY_NOW", None)
        else:
            os.environ["LCQY_NOW"] = saved


def _build(path: Path) -> None:
    from lcqy.acts import dispatch as dsp
    from lcqy.acts import handling as hd
    from lcqy.acts.context import Ctx
    from lcqy.acts.departments import dept_add
    from lcqy.acts.intake.register import register
    from lcqy.acts.office import init_ledger
    from lcqy.rules.constants import CATEGORIES, CLERK_CHANNELS
    from lcqy.rules.workdays import add_workdays

    led = init_ledger(path, office_name=OFFICE, prefix="临翔", level="county", clerk="赵晓云")
    ctx = Ctx(ledger=led, today=SAMPLE_TODAY)
    dept_add(ctx, DEPTS)
    rng = random.Random(20260101)
    cal = ctx.cal
    paths = PATHS[:]
    rng.shuffle(paths)
    n = len(paths)
    first = date(2026, 1, 5)
    span = (SAMPLE_TODAY - first).days - 3
    starts = sorted(first + timedelta(days=int(span * i / n) + rng.randint(0, 2)) for i in range(n))
    for i, (kind, start) in enumerate(zip(paths, starts)):
        accepted = start if cal.is_workday(start) else add_workdays(cal, start, 1)
        # Late states need room before today; push recent ones back.
        if kind == "due_soon":  # dispatched 11/24: due 12/1, two working days after SAMPLE_TODAY
            accepted = date(2026, 11, 23)
        elif kind not in ("registered", "dispatched") and accepted > date(2026, 10, 20):
            accepted = date(2026, 10, 20) - timedelta(days=rng.randint(0, 120))
            accepted = accepted if cal.is_workday(accepted) else add_workdays(cal, accepted, 1)
        category = CATEGORIES[i % len(CATEGORIES)]
        ent, addr = ENTERPRISES[rng.randrange(len(ENTERPRISES))]
        problem, request = PROBLEMS[category]
        # Details that set one report of a kind apart from the next.
        problem += rng.choice(["", "，已影响正常生产", "，企业多次反映未果", "，涉及职工约200人", "，影响年度投资计划"])
        reported = accepted - timedelta(days=rng.choice([0, 0, 0, 1, 2]))
        raw = {
            "enterprise": ent,
            "address": addr,
            "category": category,
            "channel": CLERK_CHANNELS[i % len(CLERK_CHANNELS)],
            "contact": rng.choice(CONTACTS),
            "contact_title": rng.choice(TITLES),
            "phone": f"13{rng.randint(3, 9)}{rng.randint(10000000, 99999999)}",
            "email": f"qiye{i + 1}@example.com" if i % 3 == 0 else "",
            "problem": problem,
            "request": request,
            "reported_on": reported.isoformat(),
            "accepted_on": accepted.isoformat(),
            "consult": kind == "forwarded",
            "major": kind in ("meeting", "escalated") or i % 9 == 0,
            "remarks": "企业多次来电" if i % 11 == 0 else "",
        }
        case = register(ctx, raw)
        _play(ctx, rng, case, kind, accepted, cal, hd, dsp, add_workdays)
    _report_months(ctx, register, hd, dsp, add_workdays)
    _online(ctx)
    led.close()


def _online(ctx) -> None:
    """Two online submissions (one waiting in the inbox, one declined), and every 查询码 drawn from
    a seeded generator instead of the system's randomness, so that the file stays reproducible."""
    from lcqy.acts.intake import submissions
    from lcqy.store.migrations.m021_submissions import ALPHABET

    waiting = {
        "enterprise": "临沧澜沧江咖啡庄园有限公司", "address": "临翔区南美乡", "contact": "杨梅",
        "position": "办公室主任",
        "phone": "13908831234", "email": "", "category": "融资服务", "problem": "咖啡收购季流动资金不足，贷款审批慢",
        "request": "请协调银行开辟绿色通道",
    }  # fmt: skip
    declined = {**waiting, "enterprise": "某外地贸易公司", "phone": "13800001111", "problem": "合同纠纷已起诉至法院"}
    submissions.submit(ctx, waiting)
    gone = submissions.submit(ctx, declined)
    submissions.decline(ctx, gone["id"], reason="经电话核实，该合同纠纷已进入诉讼程序（第二条）")
    rng = random.Random(20261207)
    led = ctx.ledger
    with led.write():
        for table, key in (("tracking_codes", "case_id"), ("submissions", "id")):
            for (rid,) in led.conn.execute(f"SELECT {key} FROM {table} ORDER BY {key}").fetchall():
                code = "".join(rng.choice(ALPHABET) for _ in range(12))
                led.conn.execute(f"UPDATE {table} SET code = ? WHERE {key} = ?", [code, rid])


def _play(ctx, rng, case, kind, accepted, cal, hd, dsp, add_workdays) -> None:
    from lcqy.acts import corrections
    from lcqy.acts import supervision as sv
    from lcqy.acts.intake import merging

    ref = case["reg_no"]

    def day(base: date, n: int) -> str:
        return min(add_workdays(cal, base, n) if n > 0 else base, SAMPLE_TODAY).isoformat()

    if kind == "registered":
        return
    if kind == "meeting":
        dsp.dispatch(ctx, ref, lead=None, assist=[], approver="区长", level="专题会议", on=day(accepted, 1))
        return
    if kind == "rejected":
        reason = rng.choice(["诉讼", "仲裁", "非本地企业", "其他"])
        dsp.reject(
            ctx,
            ref,
            reason=reason,
            note="经核实，该事项已进入法定程序" if reason != "其他" else "企业已自行解决",
            on=day(accepted, 1),
        )
        return
    if kind == "forwarded":
        dsp.forward(ctx, ref, dept=rng.choice(DEPTS), note="政策咨询，请直接答复企业", on=day(accepted, 1))
        return
    if kind == "escalated":
        dsp.escalate(
            ctx,
            ref,
            approver="李明",
            suggestion="涉及跨县区协调，建议市服企办协调市级部门办理",
            on=day(accepted, rng.choice([1, 2, 3, 5])),
        )
        return
    if kind == "merged":
        prev = ctx.ledger.db.execute(
            "SELECT reg_no FROM cases WHERE id < ? AND state NOT IN ('merged','void','closed','rejected','forwarded') "
            "ORDER BY id DESC LIMIT 1",
            [case["id"]],
        ).fetchone()
        merging.merge(ctx, ref, into=prev[0], on=day(accepted, 1))
        return
    if kind == "void":
        corrections.void(ctx, ref, reason="误将同一来电登记两次", on=accepted.isoformat())
        return
    multi = case["major"] or rng.random() < 0.3
    lead = rng.choice(DEPTS)
    assist = rng.sample([d for d in DEPTS if d != lead], rng.randint(1, 2)) if multi else []
    level = rng.choice(["副组长", "组长"]) if multi else "主任"
    tier = "重大" if case["major"] and rng.random() < 0.5 else "一般"
    lag = rng.choice([0, 1, 1, 2, 2, 3, 4])  # some dispatches late
    on = day(accepted, lag)
    if kind == "due_soon":
        tier, on = "一般", "2026-11-24"
    for _ in range(2 if kind == "returned_twice" else 1 if kind == "returned" else 0):
        hd_on = dsp.dispatch(ctx, ref, lead=lead, assist=assist, approver="王强", level=level, tier=tier, on=on)
        dsp.return_(ctx, ref, reason="该事项不属本部门职责", on=day(date.fromisoformat(hd_on["dispatched_on"]), 1))
        lead = rng.choice([d for d in DEPTS if d != lead and d not in assist])
        on = day(date.fromisoformat(hd_on["dispatched_on"]), 2)
    if kind == "returned_twice":
        return
    r = dsp.dispatch(ctx, ref, lead=lead, assist=assist, approver="王强", level=level, tier=tier, on=on)
    due = date.fromisoformat(r["due_current"])
    if kind in ("dispatched", "returned", "due_soon"):
        return
    if kind == "extended":
        cap = add_workdays(cal, date.fromisoformat(r["received_on"]), 15)
        until = min(cap, add_workdays(cal, due, 5))
        if tier == "一般" and until > due:
            dsp.extend(ctx, ref, until=until.isoformat(), reason="需现场核查并征求多部门意见", on=day(due, -1))
        return
    if kind == "urged":
        for k in range(rng.randint(1, 3)):
            when = add_workdays(cal, due, 2 + 3 * k)
            if when <= SAMPLE_TODAY:
                sv.urge(ctx, ref, note="请加快办理", on=when.isoformat())
        return
    late = rng.random() < 0.25
    replied = day(due, 2) if late else day(date.fromisoformat(r["received_on"]), rng.randint(2, 5))
    result = {"replied_b": "B", "replied_c": "C", "plan_due": "B"}.get(kind, "A")
    plan = {
        "A": "",
        "B": "已列入2027年计划，分两期实施，预计2027年6月底前完成",
        "C": "受国土空间规划限制，已向企业当面解释",
    }[result]
    hd.reply(
        ctx,
        ref,
        result=result,
        mode=rng.choice(["面复", "书面"]),
        summary="已会同相关部门现场办公，提出解决方案",
        doc_no=f"临翔{lead[1:3]}函〔2026〕{rng.randint(10, 99)}号",
        plan=plan,
        # Plans on the 督办台帐: most promise mid-2027; two fall due around SAMPLE_TODAY.
        plan_due=("2026-11-20" if case["id"] % 2 else "2026-12-01")
        if kind == "plan_due"
        else "2027-06-30"
        if result == "B"
        else None,
        on=replied,
    )
    if kind in ("replied_a", "replied_b", "replied_c", "plan_due"):
        if kind == "replied_b":
            hd.followup(ctx, ref, method="电话回询", satisfaction="基本满意", on=day(date.fromisoformat(replied), 2))
        return
    fu = day(date.fromisoformat(replied), rng.randint(1, 3))
    if kind in ("special", "supervised", "redispatched"):
        hd.followup(ctx, ref, method="现场走访", satisfaction="不满意", note="企业认为答复内容含糊", on=fu)
        _supervise(ctx, rng, ref, kind, date.fromisoformat(fu), cal, lead, add_workdays)
        return
    hd.followup(
        ctx,
        ref,
        method=rng.choice(["电话回询", "现场走访"]),
        satisfaction=rng.choice(["满意", "满意", "基本满意"]),
        on=fu,
    )
    if kind != "ready":
        hd.close(ctx, ref, on=day(date.fromisoformat(fu), 1))


def _supervise(ctx, rng, ref, kind, fu, cal, lead, add_workdays) -> None:
    """专项督办: a new deadline (passed, and 督办) or a re-dispatch to another department."""
    from lcqy.acts import supervision as sv

    if kind == "supervised":
        until = add_workdays(cal, fu, 10)
        sv.supervise(ctx, ref, until=until.isoformat(), reason="答复内容含糊，请重新答复", on=fu.isoformat())
        sv.urge(ctx, ref, note="请按专项督办时限答复", on=add_workdays(cal, until, 2).isoformat())
    elif kind == "redispatched":
        other = rng.choice([d for d in DEPTS if d != lead])
        sv.redispatch(
            ctx, ref, lead=other, assist=[], approver="王强", level="主任", reason="原牵头单位无此职能",
            on=add_workdays(cal, fu, 1).isoformat(),
        )  # fmt: skip


def _report_months(ctx, register, hd, dsp, add_workdays) -> None:
    """October and November with every figure of the monthly report non-zero: in each month a
    case rejected, one forwarded, one escalated, one returned and dispatched again, one closed on
    time, a B plan followed up and then urged as 督办, a C reply the enterprise is not satisfied
    with (专项督办), an extension past the 第十六条 limit, and a late case urged (催办)."""
    from lcqy.acts import supervision as sv

    cal = ctx.cal
    for start in (date(2026, 10, 9), date(2026, 11, 2)):

        def day(n: int, base: date = start) -> str:
            return (add_workdays(cal, base, n) if n else base).isoformat()

        def case(i: int, category: str, start: date = start, **extra) -> str:
            ent, addr = ENTERPRISES[(i * 5 + start.month) % len(ENTERPRISES)]
            problem, request = PROBLEMS[category]
            raw = {
                "enterprise": ent,
                "address": addr,
                "category": category,
                "channel": ("来电反映", "来人来函", "电子邮件", "现场调研")[i % 4],
                "contact": CONTACTS[i % len(CONTACTS)],
                "contact_title": TITLES[i % len(TITLES)],
                "phone": f"1398836{start.month:02d}{i:02d}",
                "problem": problem,
                "request": request,
                "reported_on": day(0),
                "accepted_on": day(0),
                **extra,
            }
            return register(ctx, raw)["reg_no"]

        go = {"approver": "王强", "level": "主任", "assist": []}
        dsp.reject(ctx, case(0, "其它"), reason="诉讼", note="该事项已进入诉讼程序", on=day(1))
        dsp.forward(ctx, case(1, "政策执行", consult=True), dept=DEPTS[0], note="政策咨询", on=day(1))
        dsp.escalate(ctx, case(2, "项目推动"), approver="李明", suggestion="需市级部门协调", on=day(1))
        ref = case(3, "用地审批")
        dsp.dispatch(ctx, ref, lead=DEPTS[5], on=day(1), **go)
        dsp.return_(ctx, ref, reason="该事项不属本部门职责", on=day(2))
        dsp.dispatch(ctx, ref, lead=DEPTS[2], on=day(3), **go)
        ref = case(4, "用电保障")
        dsp.dispatch(ctx, ref, lead=DEPTS[10], on=day(1), **go)
        hd.reply(ctx, ref, result="A", mode="书面", summary="已完成增容接电", on=day(3))
        hd.followup(ctx, ref, method="电话回询", satisfaction="满意", on=day(4))
        hd.close(ctx, ref, on=day(4))
        ref = case(5, "融资服务")
        dsp.dispatch(ctx, ref, lead=DEPTS[13], on=day(1), **go)
        hd.reply(ctx, ref, result="B", mode="面复", summary="已协调银行办理续贷", plan="分两批办理",
                 plan_due=day(6), on=day(3))  # fmt: skip
        hd.followup(ctx, ref, method="电话回询", satisfaction="基本满意", on=day(4))
        sv.urge(ctx, ref, note="承诺日期已过，请加快办理", on=day(8))  # a 督办 of the 督办台帐
        ref = case(6, "软环境建设")
        dsp.dispatch(ctx, ref, lead=DEPTS[7], on=day(1), **go)
        hd.reply(ctx, ref, result="C", mode="书面", summary="暂不具备条件", plan="已向企业解释", on=day(4))
        hd.followup(ctx, ref, method="现场走访", satisfaction="不满意", note="企业认为解释不充分", on=day(5))
        ref = case(7, "人才服务")
        got = dsp.dispatch(ctx, ref, lead=DEPTS[4], on=day(1), **go)
        until = add_workdays(cal, date.fromisoformat(got["received_on"]), 18).isoformat()
        dsp.extend(
            ctx, ref, until=until, reason="需省级部门答复", override_reason="涉及省级政策，经组长同意", on=day(3)
        )
        ref = case(8, "招工用工")
        dsp.dispatch(ctx, ref, lead=DEPTS[9], on=day(1), **go)
        sv.urge(ctx, ref, note="请加快办理", on=day(8))


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    force = "--force" in args
    names = [a for a in args if a != "--force"]
    path = Path(names[0] if names else "sample_ledger.db")
    if path.exists():
        if not force:
            sys.exit(f"{path} 已存在；用 --force 重新生成。")
        path.unlink()
    build(path)
    print(f"已生成示例台帐 {path}")


if __name__ == "__main__":
    main()
