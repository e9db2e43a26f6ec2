"""A generated ledger for the benchmarks: deterministic (seeded), accepted through 2026, as of
TODAY, written with bulk SQL in one transaction, then checked with `lcqy check`'s own rules.

Each case is played forward like an office would (register, dispatch or escalate, urge, reply,
follow up, close, or end early): a supervision mark only on an answered case, a duplicate merged
only into a case still open, numbers of each kind issued in date order without gaps. So the
ledger passes `check` and round-trips through export-ledger and import-ledger.

    python bench/ledger_gen.py --cases 100000 [--ledger PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lcqy.sample import DEPTS as SAMPLE_DEPTS  # noqa: E402 (after the sys.path line)

TODAY = date(2026, 11, 27)
SEED = 20261127
OFFICE = "临翔区服务企业发展领导小组办公室"
PREFIX = "临翔"
CLERK = "赵晓云"
LAYOUT = 3  # bump when the generated ledger changes, so that a stale cache is not reused

# The sample ledger's departments and two more, so that the lists stay in step.
DEPTS = [*SAMPLE_DEPTS, "区教育体育局", "区卫生健康局"]
PLACES = ["临翔", "临沧", "博尚", "南美", "邦东", "马台", "圈内", "章驮", "平村", "蚂蚁堆", "忙畔", "凤翔", "旗山"]
WORDS = ["恒达", "鑫源", "佤山", "绿源", "宏泰", "昔归", "滇红", "边城", "澜沧江", "新宇", "嘉禾", "瑞丰", "永兴"]
TRADES = ["茶业", "坚果开发", "蔗糖", "咖啡庄园", "建材", "水电开发", "食品", "制衣", "物流", "生态养殖", "生物科技"]
FORMS = ["有限公司", "有限责任公司", "股份有限公司", "合作社", "厂"]
STREETS = ["工业园区", "旗山路", "南塘街", "玉龙路", "沧江路", "乡政府驻地", "村委会旁"]
SURNAMES = "李杨字罗俸鲁张何赵王陈刘周吴郑杞鲍"
GIVEN = ["华", "建国", "正明", "春梅", "晓东", "文斌", "丽", "志强", "海燕", "德才", "玉兰", "永福"]
TITLES = ["总经理", "副总经理", "办公室主任", "财务总监", "厂长", "负责人"]
OPENINGS = {
    "政策执行": "技改补助政策已公布但申报后迟迟未兑现",
    "合同履行": "招商协议约定的配套道路未按期建成",
    "用地审批": "扩建厂房用地规划调整申请久未批复",
    "用电保障": "新上生产线增容报装后迟迟未接电",
    "融资服务": "流动资金贷款到期续贷困难",
    "人才服务": "引进的技术骨干子女入学无着落",
    "招工用工": "采茶季用工缺口较大",
    "项目推动": "项目环评批复后施工许可办理停滞",
    "软环境建设": "同一事项被多个部门重复检查",
    "其它": "厂区周边道路路灯损坏夜班职工出行不安全",
}
PHRASES = [
    "影响项目开工建设进度",
    "企业多次前往相关部门咨询未果",
    "生产线无法满负荷运行",
    "银行要求追加抵押物",
    "流动资金周转困难",
    "技术工人流失严重",
    "奖补资金尚未拨付",
    "道路及管网建设滞后",
    "环评审批材料反复修改",
    "给企业经营带来较大压力",
    "订单交付面临违约风险",
    "相关部门答复口径不一",
]
REQUESTS = [
    "请协调有关部门尽快办理",
    "希望简化审批流程",
    "请督促按协议约定履行",
    "请明确办理时限并书面答复",
    "请组织相关部门现场会商",
    "希望给予政策支持",
]
REMARKS = ["企业多次来电", "企业要求书面答复", "已电话联系企业", "涉及多个部门", "=已转分管领导", "-"]
ENDED = frozenset({"closed", "rejected", "forwarded", "merged", "void"})
RESULT_PLANS = {"B": "已列入明年计划逐步解决", "C": "受现有条件限制，待条件成熟后解决"}


def byte_compile() -> None:
    """Byte-compile lcqy as `pip install .` does, before timing it. An editable checkout under
    PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module it imports on every run
    (some 60 ms), a cost no installed copy pays."""
    import subprocess

    import lcqy

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(lcqy.__file__).parent)], check=True)


def cache_dir() -> Path:
    """Where generated ledgers are kept (a 1,000,000-case one is 3 GB): $LCQY_BENCH_CACHE, else
    ~/.cache/lcqy-bench; outside the repository and shared by its checkouts."""
    return Path(os.environ.get("LCQY_BENCH_CACHE") or Path.home() / ".cache" / "lcqy-bench")


def ledger_path(cases: int) -> Path:
    return cache_dir() / f"lcqy-bench-ledger-{cases}-v{LAYOUT}.db"


def _detail(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"涉及金额约{rng.randint(5, 4000)}万元"
    if kind == 1:
        return f"涉及用地约{rng.randint(3, 300)}亩"
    if kind == 2:
        return f"涉及职工{rng.randint(10, 900)}人"
    return f"自{rng.randint(2020, 2025)}年{rng.randint(1, 12)}月起反映至今"


def _text(rng: random.Random, first: str, pool: list[str], lo: int, hi: int) -> str:
    """Free text of lo..hi characters: phrases and a detail with numbers (so texts rarely repeat)."""
    target = rng.randint(lo, hi)
    parts = [first]
    n = len(first)
    rest = iter(rng.sample(pool, len(pool)))
    detail_at = rng.randint(1, 3)
    while n < target:
        p = _detail(rng) if len(parts) == detail_at else next(rest, None)
        if p is None or n + len(p) + 2 > hi:  # separator and the closing full stop
            break
        parts.append(p)
        n += len(p) + 1
    return "，".join(parts) + "。"


def generate(path: Path, cases: int, seed: int = SEED) -> dict:
    """Build a ledger of `cases` cases accepted through 2026, as of TODAY. Bulk SQL, one transaction."""
    # Imported here: the measuring process stays small (a child's peak RSS starts from its parent's).
    from lcqy.acts.office import init_ledger
    from lcqy.rules.constants import CATEGORIES, CLERK_CHANNELS
    from lcqy.rules.deadlines import dispatch_due
    from lcqy.rules.numbering import format_number
    from lcqy.rules.workdays import add_workdays
    from lcqy.store.calendar_source import build_calendar

    timing: dict[str, float] = {}
    t0 = time.perf_counter()
    rng = random.Random(seed)
    cal = build_calendar()
    now = f"{TODAY.isoformat()}T09:00:00"

    def wd(d: date, n: int) -> date:
        return add_workdays(cal, d, n) if n > 0 else d

    first, last = date(2026, 1, 5), TODAY - timedelta(days=1)
    workdays = [d for d in (first + timedelta(days=i) for i in range((last - first).days + 1)) if cal.is_workday(d)]
    accepted_days = sorted(rng.choice(workdays) for _ in range(cases))
    enterprises = []
    for i in range(max(50, cases // 20)):
        name = rng.choice(PLACES) + rng.choice(WORDS) + rng.choice(TRADES) + rng.choice(FORMS)
        if i % 7 == 0:
            name = PLACES[i % len(PLACES)] + name
        addr = f"临翔区{rng.choice(PLACES)}{rng.choice(STREETS)}{rng.randint(1, 300)}号"
        enterprises.append((name, addr))

    case_rows, numbers, disp_rows, esc_rows, reply_rows, fol_rows, urge_rows = [], [], [], [], [], [], []
    states: dict[str, int] = {}
    for cid, accepted in enumerate(accepted_days, start=1):
        category = CATEGORIES[rng.randrange(len(CATEGORIES))]
        ent, addr = rng.choice(enterprises)
        major = rng.random() < 0.08
        consult = rng.random() < 0.03
        multi = major or rng.random() < 0.3
        reg_no = format_number(PREFIX, "收", 2026, cid)
        numbers.append(("收", 2026, cid, reg_no, cid, accepted.isoformat()))
        due = dispatch_due(cal, accepted, major=major, has_assist=multi)
        ask = rng.choice(REQUESTS)
        case = {
            "id": cid,
            "reg_no": reg_no,
            "reg_year": 2026,
            "reg_seq": cid,
            "category": category,
            "channel": rng.choice(CLERK_CHANNELS),
            "enterprise": ent,
            "address": addr,
            "reported_on": (accepted - timedelta(days=rng.choice((0, 0, 0, 1, 2)))).isoformat(),
            "contact": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "contact_title": rng.choice(TITLES),
            "phone": f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
            "email": f"qiye{cid}@example.com" if rng.random() < 0.3 else "",
            "problem": _text(rng, OPENINGS[category], PHRASES, 20, 120),
            "request": _text(rng, ask, PHRASES + [r for r in REQUESTS if r != ask], 20, 120),
            "accepted_on": accepted.isoformat(),
            "accepted_by": CLERK,
            "remarks": rng.choice(REMARKS) if rng.random() < 0.15 else "",
            "consult": int(consult),
            "major": int(major),
            "state": "registered",
            "supervision": "",
            "dispatch_due": due.isoformat(),
            "dispatch_due_estimated": int(cal.is_estimate(due)),
            "ended_on": None,
            "end_reason": "",
            "end_note": "",
            "forward_dept": "",
            "merged_into": None,
            "source_no": "",
            "created_at": now,
            "prior_urges": 0,
        }
        case_rows.append(case)
        _play(rng, cal, wd, case, accepted, due, multi, major, disp_rows, esc_rows, reply_rows, fol_rows, urge_rows)
        if case["state"] == "merged":
            # A duplicate joins a recent case that is still open (and stays so: its end is played).
            targets = [c["id"] for c in case_rows[-51:-1] if c["state"] not in ENDED]
            if targets:
                case["merged_into"] = rng.choice(targets)
            else:
                case.update(state="registered", ended_on=None)
        # 督办台帐 / 专项督办 marks only on an answered case (第十八条), as `check` requires.
        if case["state"] == "replied" and rng.random() < 0.08:
            case["supervision"] = rng.choice(("ledger", "special"))
        states[case["state"]] = states.get(case["state"], 0) + 1

    # Dispatch and escalation numbers are issued in the order of their dates, like the real counters.
    disp_rows.sort(key=lambda r: (r["dispatched_on"], r["case_id"], r["order"]))
    disp_id = {}
    for seq, r in enumerate(disp_rows, start=1):
        disp_id[r.pop("key")] = seq
        r.pop("order")
        r["id"] = seq
        r["no"] = format_number(PREFIX, "交", 2026, seq)
        numbers.append(("交", 2026, seq, r["no"], r["case_id"], r["dispatched_on"]))
    esc_rows.sort(key=lambda r: (r["escalated_on"], r["case_id"]))
    for seq, r in enumerate(esc_rows, start=1):
        r["no"] = format_number(PREFIX, "报", 2026, seq)
        numbers.append(("报", 2026, seq, r["no"], r["case_id"], r["escalated_on"]))
    for i, r in enumerate(reply_rows, start=1):
        r["id"] = i
        r["dispatch_id"] = disp_id[r.pop("dispatch_key")]
    reply_id = {r["case_id"]: r["id"] for r in reply_rows}
    for r in fol_rows:
        r["reply_id"] = reply_id[r["case_id"]]
    for r in urge_rows:
        r["dispatch_id"] = disp_id[r.pop("dispatch_key")]

    timing["play"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    led = init_ledger(path, office_name=OFFICE, prefix=PREFIX, level="county", clerk=CLERK)
    conn = led.conn
    conn.execute("PRAGMA cache_size = -262144")  # 256 MiB while the indexes are built
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO departments (name, added_on) VALUES (?, ?)", [(d, "2026-01-04") for d in DEPTS])
        aside = _set_aside(conn)
        for table, rows in (
            ("cases", case_rows),
            ("dispatches", disp_rows),
            ("escalations", esc_rows),
            ("replies", reply_rows),
            ("followups", fol_rows),
        ):
            _insert(conn, table, rows)
        conn.executemany(
            "INSERT INTO numbers (kind, year, seq, text, case_id, issued_on) VALUES (?, ?, ?, ?, ?, ?)", numbers
        )
        _put_back(conn, *aside)
        _insert(conn, "urges", urge_rows)  # their triggers kept: they count each case's 催办
        counters = [("收", len(case_rows)), ("交", len(disp_rows)), ("报", len(esc_rows))]
        conn.executemany(
            "INSERT INTO counters (kind, year, next) VALUES (?, 2026, ?)", [(k, n + 1) for k, n in counters if n]
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        led.close()
        path.unlink(missing_ok=True)
        raise
    led.close()
    timing["write"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    problems = validate(path)
    if problems:
        raise SystemExit(f"the generated ledger fails check ({len(problems)}):\n" + "\n".join(problems[:20]))
    timing["check"] = time.perf_counter() - t0
    return {
        "seconds": {k: round(v, 1) for k, v in timing.items()},
        "cases": len(case_rows),
        "dispatches": len(disp_rows),
        "escalations": len(esc_rows),
        "replies": len(reply_rows),
        "followups": len(fol_rows),
        "urges": len(urge_rows),
        "states": states,
    }


def _insert(conn, table: str, rows: list[dict]) -> None:
    if rows:
        cols = list(rows[0])
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            (tuple(r[c] for c in cols) for r in rows),
        )


def _set_aside(conn) -> tuple[list, list, list]:
    """Drop the insert triggers that import-ledger also sets aside, and the indexes of the
    tables filled in bulk: row by row they were most of the writing (27 s of 52 at 20,000
    cases). Returns what `_put_back` needs to do their work once and restore them."""
    from lcqy.acts.records.write import _bulk_triggers  # the import's own replay statements

    bulk = _bulk_triggers()
    names = ", ".join("?" * len(bulk))
    triggers = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({names}) ORDER BY rowid", list(bulk)
    ).fetchall()
    replays = []
    for name, sql in triggers:
        if sql not in bulk[name][0]:
            raise SystemExit(f"trigger {name} is no longer its migration's: update bench/ledger_gen.py")
        if bulk[name][1] not in replays:
            replays.append(bulk[name][1])
        conn.execute(f'DROP TRIGGER "{name}"')
    tables = "'cases', 'dispatches', 'escalations', 'replies', 'followups', 'numbers'"
    indexes = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({tables})"
        " ORDER BY rowid"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return triggers, indexes, replays


def _put_back(conn, triggers, indexes, replays) -> None:
    """Build the indexes, do the set-aside triggers' work over every row, restore them."""
    for _, sql in indexes:
        conn.execute(sql)
    for statement in replays:
        conn.execute(statement, [1])  # every row: the ledger was empty
    for _, sql in triggers:
        conn.execute(sql)


def _play(rng, cal, wd, case, accepted, due, multi, major, disp_rows, esc_rows, reply_rows, fol_rows, urge_rows):
    """What happened to one case up to TODAY; a step that would fall after TODAY does not happen."""
    from lcqy.rules.workdays import workdays_between

    cid = case["id"]
    # Open cases are mostly recent ones: an office clears its old cases (age 0 today, 1 in January).
    age = (TODAY - accepted).days / (TODAY - date(2026, 1, 5)).days
    roll = rng.random()
    if roll >= 0.70:
        # The 30% never dispatched: waiting (mostly recent ones), ended, or sent up.
        on = wd(accepted, rng.choice((1, 1, 2, 3)))
        if on > TODAY:
            return
        kind = rng.choices(
            ("registered", "meeting", "escalated", "rejected", "forwarded", "merged", "void"),
            weights=(40 if age < 0.1 else 4, 6, 16, 14, 14, 5, 5),
        )[0]
        if kind == "registered":
            return
        case["state"] = kind
        if kind == "escalated":
            esc_rows.append(
                {
                    "case_id": cid,
                    "no": "",
                    "approver": "区服企组组长 李明",
                    "suggestion": "涉及跨县区协调，建议市服企办协调市级部门办理",
                    "escalated_on": on.isoformat(),
                    "limit_due": wd(accepted, 3).isoformat(),
                    "late": int(on > wd(accepted, 3)),
                }
            )
        elif kind == "rejected":
            case.update(ended_on=on.isoformat(), end_reason=rng.choice(("诉讼", "仲裁", "非本地企业", "其他")))
            case["end_note"] = "经核实，该事项已进入法定程序"
        elif kind == "forwarded":
            case.update(ended_on=on.isoformat(), forward_dept=rng.choice(DEPTS), end_note="政策咨询，请直接答复企业")
        elif kind == "merged":
            case["ended_on"] = on.isoformat()  # the case it joins is chosen by the caller
        elif kind == "void":
            case.update(ended_on=accepted.isoformat(), end_reason="误将同一来电登记两次")
        return

    lead = rng.choice(DEPTS)
    assist = rng.sample([d for d in DEPTS if d != lead], rng.randint(1, 3)) if multi else []
    tier = "重大" if major else "一般"
    on = wd(accepted, rng.choice((1, 1, 2, 2, 3, 4)))
    if on > TODAY:
        return
    order = 0
    if rng.random() < 0.03:
        # Sent back once by the first department, dispatched again.
        back = wd(on, 1)
        if wd(back, 1) <= TODAY:
            disp_rows.append(_dispatch(cid, order, rng.choice(DEPTS), [], tier, on, on, on, cal, "returned", back))
            order += 1
            on = wd(back, 1)
    received = wd(on, rng.choice((0, 0, 1)))
    if received > TODAY:
        received = on
    disp = _dispatch(cid, order, lead, assist, tier, on, received, due, cal, "active", None, major=major)
    if tier == "一般" and rng.random() < 0.08:
        disp["due_current"] = wd(received, 15).isoformat()
        disp["extend_reason"] = "需现场核查，申请延期"
    disp_rows.append(disp)
    case["state"] = "dispatched"
    due_current = date.fromisoformat(disp["due_current"])
    key = disp["key"]

    # A reply for about 5 in 7 dispatched cases overall (half of all cases), fewer among recent ones;
    # about one reply in five comes after the 5 working days.
    replied = (
        wd(received, rng.choice((1, 2, 3, 3, 4, 4, 5, 5, 6, 9))) if rng.random() < min(0.95, 0.3 + 0.85 * age) else None
    )
    stop = replied if replied is not None and replied <= TODAY else TODAY
    if rng.random() < 0.07 and stop > due_current:
        # Urged after the due date passed without a reply.
        u = wd(due_current, 1)
        for _ in range(rng.choice((1, 1, 2, 3))):
            if u > stop:
                break
            late = workdays_between(cal, due_current, u)
            urge_rows.append(
                {
                    "case_id": cid,
                    "dispatch_key": key,
                    "urged_on": u.isoformat(),
                    "days_late": late,
                    "reply_by": wd(u, 2).isoformat(),
                    "note": "电话催办",
                }
            )
            u = wd(u, 3)
    if replied is None or replied > TODAY:
        return
    result = rng.choices("ABC", weights=(70, 22, 8))[0]
    reply_rows.append(
        {
            "case_id": cid,
            "dispatch_key": key,
            "result": result,
            "mode": rng.choice(("面复", "书面")),
            "summary": "已与企业对接，" + rng.choice(REQUESTS[:3]) + "。",
            "doc_no": f"临翔{lead[1:3]}函〔2026〕{rng.randint(1, 400)}号" if rng.random() < 0.4 else "",
            "plan": RESULT_PLANS.get(result, ""),
            "replied_on": replied.isoformat(),
            "late": int(replied > due_current),
        }
    )
    case["state"] = "replied"
    followed = wd(replied, rng.choice((1, 2, 3, 5)))
    if rng.random() >= 0.4 / 0.5 or followed > TODAY:
        return
    sat = rng.choices(("满意", "基本满意", "不满意"), weights=(70, 22, 8))[0]
    fol_rows.append(
        {
            "case_id": cid,
            "reply_id": 0,
            "method": rng.choice(("电话回询", "现场走访")),
            "satisfaction": sat,
            "incomplete": int(result != "A" and rng.random() < 0.3),
            "note": "",
            "followed_on": followed.isoformat(),
        }
    )
    closed = wd(followed, rng.choice((0, 1, 2)))
    if sat != "不满意" and result == "A" and rng.random() < 0.85 and closed <= TODAY:
        case.update(state="closed", ended_on=closed.isoformat(), supervision="")


def _dispatch(cid, order, lead, assist, tier, on, received, limit, cal, status, returned, *, major=False) -> dict:
    from lcqy.rules.deadlines import handling_due

    due = handling_due(cal, received, tier)
    return {
        "key": (cid, order),
        "order": order,
        "case_id": cid,
        "no": "",
        "lead_dept": lead,
        "assist": json.dumps(assist, ensure_ascii=False),
        "approver": "区服企办主任 王强" if not assist and not major else "区服企组副组长 杨光",
        "level": "主任" if not assist and not major else "副组长",
        "tier": tier,
        "dispatched_on": on.isoformat(),
        "received_on": received.isoformat(),
        "limit_due": limit.isoformat(),
        "late": int(on > limit),
        "due_original": due.isoformat(),
        "due_current": due.isoformat(),
        "due_estimated": int(cal.is_estimate(due)),
        "extend_reason": "",
        "override_reason": "",
        "status": status,
        "returned_on": returned.isoformat() if returned else None,
        "return_reason": "不属本部门职责" if returned else "",
    }


def validate(path: Path) -> list[str]:
    """`lcqy check`'s problems with the generated ledger, but for its file mode (a cached
    temporary file) — empty when the ledger is sound."""
    from lcqy.acts.checks.run import check
    from lcqy.acts.context import Ctx
    from lcqy.store.db import Ledger

    led = Ledger.open(path)
    try:
        return [p for p in check(Ctx(ledger=led, today=TODAY)) if not p.startswith("文件权限")]
    finally:
        led.close()


def ensure(cases: int, path: Path | None = None, *, regen: bool = False) -> Path:
    """The cached ledger of `cases` cases, generated in a child process when missing (so that
    the generator's memory never counts in a measured parent)."""
    import subprocess

    path = path or ledger_path(cases)
    if regen or not path.exists():
        print(f"generating {cases} cases into {path} …", flush=True)
        subprocess.run([sys.executable, __file__, "--cases", str(cases), "--ledger", str(path)], check=True)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--ledger", type=Path, default=None, help="default: cached in cache_dir()")
    args = ap.parse_args()
    path = args.ledger or ledger_path(args.cases)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Built under a name of its own and renamed when it passes check: a benchmark started
    # meanwhile in another checkout never opens a half-written ledger.
    part = path.with_name(f"{path.name}.part-{os.getpid()}")
    t0 = time.perf_counter()
    try:
        stats = generate(part, args.cases)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, path)
    stats["seconds"]["total"] = round(time.perf_counter() - t0, 1)
    path.with_name(path.name + ".json").write_text(json.dumps(stats, ensure_ascii=False))
    print(json.dumps(stats, ensure_ascii=False))


if __name__ == "__main__":
    main()
