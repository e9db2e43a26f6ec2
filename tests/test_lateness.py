"""超期: the one rule (lcqy.rules.lateness) by hand under the official 2026 calendar, its
properties, and the SQL of `stats`/`report` and the Excel ledger held to it on a generated ledger.

The 2026 calendar around the National Day (holidays 0.109, the State Council notice): 9-20
(Sunday) and 10-10 (Saturday) are 调休 workdays; 9-25 (中秋) and 10-01…10-07 are rest days;
10-08 is a working day."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest
from conftest import CASE_FIELDS, register_args
from hypothesis import given
from hypothesis import strategies as st

from lcqy.rules.lateness import (
    HANDLING,
    NO_LIMIT,
    PLAN,
    SUPERVISE,
    Limit,
    days_late,
    is_late,
    overdue_label,
    replies_lateness,
    reply_days_late,
    reply_limit,
)
from lcqy.rules.workdays import WorkCalendar, add_workdays
from lcqy.store.calendar_source import build_calendar

D = date
CAL = build_calendar()


def test_the_2026_calendar_these_cases_are_computed_on():
    assert CAL.day_kind(D(2026, 9, 20)) == "adjusted" and CAL.day_kind(D(2026, 10, 10)) == "adjusted"
    assert not CAL.is_workday(D(2026, 9, 25))
    assert [CAL.is_workday(D(2026, 10, d)) for d in range(1, 9)] == [False] * 7 + [True]


@pytest.mark.parametrize(
    "due, done, as_of, days",
    [
        # replied on the limit day, or before it: on time
        (D(2026, 9, 23), D(2026, 9, 23), None, 0),
        (D(2026, 9, 23), D(2026, 9, 21), None, 0),
        # the next working day: 1
        (D(2026, 9, 23), D(2026, 9, 24), None, 1),
        # due Wednesday 9-30; the whole holiday is no working day, 10-08 is the first
        (D(2026, 9, 30), D(2026, 10, 7), None, 0),
        (D(2026, 9, 30), D(2026, 10, 8), None, 1),
        # a reply on the 调休 Saturday 10-10 counts that day: 10-08, 10-09, 10-10
        (D(2026, 9, 30), D(2026, 10, 10), None, 3),
        (D(2026, 9, 30), D(2026, 10, 12), None, 4),
        # due Friday 9-18: Saturday 9-19 overruns no working day, the 调休 Sunday 9-20 does
        (D(2026, 9, 18), D(2026, 9, 19), None, 0),
        (D(2026, 9, 18), D(2026, 9, 20), None, 1),
        # due Thursday 9-24: 9-25 (中秋) and the weekend are rest days
        (D(2026, 9, 24), D(2026, 9, 28), None, 1),
        # not replied: late as of the day (10-08, 10-09, 10-10, 10-12)
        (D(2026, 9, 30), None, D(2026, 10, 12), 4),
        (D(2026, 9, 30), None, D(2026, 9, 30), 0),
        # replied after the as-of day: still open on it
        (D(2026, 9, 30), D(2026, 10, 12), D(2026, 10, 9), 2),
        # replied before the as-of day: the reply counts, not the day
        (D(2026, 9, 30), D(2026, 10, 8), D(2026, 11, 27), 1),
        # no limit, or nothing to measure by
        (None, D(2026, 10, 12), D(2026, 10, 12), 0),
        (D(2026, 9, 30), None, None, 0),
    ],
)
def test_days_late_by_hand(due, done, as_of, days):
    assert days_late(CAL, due, done, as_of) == days
    assert is_late(CAL, due, done, as_of) == (days > 0)


def test_the_handling_limit_and_an_extension_by_hand():
    # received Thursday 9-17: five working days are 9-18, 9-20 (调休), 9-21, 9-22, 9-23
    due = add_workdays(CAL, D(2026, 9, 17), 5)
    assert due == D(2026, 9, 23)
    first = reply_limit(first_to_dispatch=True, dispatch_due=due)
    assert (first, reply_days_late(CAL, first, D(2026, 9, 23))) == (Limit(due, HANDLING), 0)
    assert reply_days_late(CAL, first, D(2026, 9, 28)) == 2  # 9-24, 9-28
    # extended to 10-09: judged against the extended limit
    extended = reply_limit(first_to_dispatch=True, dispatch_due=D(2026, 10, 9))
    assert reply_days_late(CAL, extended, D(2026, 10, 9)) == 0
    assert reply_days_late(CAL, extended, D(2026, 10, 10)) == 1
    assert overdue_label(extended, 1) == "超期办结" and overdue_label(extended, 0) == ""


def test_which_limit_a_reply_answers():
    due, plan = D(2026, 10, 9), D(2026, 10, 30)
    # the first reply to a 交办单 answers its 办结时限 even under 督办
    assert reply_limit(first_to_dispatch=True, dispatch_due=due, supervision_due=plan) == Limit(due, HANDLING)
    # a later one answers the promised date or the 专项督办 deadline
    assert reply_limit(first_to_dispatch=False, dispatch_due=due, supervision_due=plan, supervision_kind=PLAN) == Limit(
        plan, PLAN
    )
    got = reply_limit(first_to_dispatch=False, dispatch_due=due, supervision_due=plan, supervision_kind=SUPERVISE)
    assert overdue_label(got, 2) == "超过专项督办时限"
    assert reply_limit(first_to_dispatch=False, dispatch_due=due) == NO_LIMIT
    assert overdue_label(NO_LIMIT, 0) == "" and reply_days_late(CAL, NO_LIMIT, D(2026, 12, 1)) == 0


def test_a_cases_replies_in_order():
    """B on time to 交办单 1, a 督办 reply after the promised Sunday 10-04, a 专项督办 deadline,
    then a re-issued 交办单 2 answered after its limit."""
    replies = [
        {"id": 1, "dispatch_id": 1, "replied_on": "2026-09-22", "plan_due": "2026-10-04"},
        {"id": 2, "dispatch_id": 1, "replied_on": "2026-10-08", "plan_due": None},
        {"id": 3, "dispatch_id": 1, "replied_on": "2026-10-20", "plan_due": None},
        {"id": 4, "dispatch_id": 2, "replied_on": "2026-11-13", "plan_due": None},
    ]
    got = replies_lateness(CAL, replies, {1: D(2026, 9, 23), 2: D(2026, 11, 10)}, {2: D(2026, 10, 16)})
    assert got == [
        (Limit(D(2026, 9, 23), HANDLING), 0),
        (Limit(D(2026, 10, 4), PLAN), 1),  # 10-08
        (Limit(D(2026, 10, 16), SUPERVISE), 2),  # 10-19, 10-20
        (Limit(D(2026, 11, 10), HANDLING), 3),  # 11-11, 11-12, 11-13
    ]
    assert [overdue_label(limit, n) for limit, n in got] == ["", "超过承诺完成时限", "超过专项督办时限", "超期办结"]


def test_across_a_year_end_on_a_calendar_of_plain_sets():
    rest = frozenset({D(2026, 12, 31), D(2027, 1, 1)})
    cal = WorkCalendar(lambda y: (frozenset(d for d in rest if d.year == y), frozenset({D(2027, 1, 2)})))
    # due 12-30: 12-31 and 1-1 rest, 1-2 a Saturday workday, 1-4 Monday
    assert days_late(cal, D(2026, 12, 30), D(2027, 1, 1)) == 0
    assert days_late(cal, D(2026, 12, 30), D(2027, 1, 4)) == 2


# -- properties, on the real 2026 calendar ----------------------------------------------------

DAYS = st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31))


def brute(due: date, end: date) -> int:
    n, d = 0, due
    while d < end:
        d += timedelta(days=1)
        n += CAL.is_workday(d)
    return n


@given(DAYS, DAYS)
def test_a_reply_by_the_limit_is_never_late(due, reply):
    if reply <= due:
        assert days_late(CAL, due, reply) == 0 and not is_late(CAL, due, reply)


@given(DAYS, DAYS)
def test_days_late_is_the_working_days_after_the_limit(due, reply):
    assert days_late(CAL, due, reply) == brute(due, reply)
    assert is_late(CAL, due, reply) == any(
        CAL.is_workday(due + timedelta(days=k)) for k in range(1, (reply - due).days + 1)
    )


@given(DAYS, DAYS, DAYS)
def test_later_is_never_less_late(due, a, b):
    early, late = sorted((a, b))
    assert days_late(CAL, due, early) <= days_late(CAL, due, late)
    # a later limit is never more late
    assert days_late(CAL, early, due) >= days_late(CAL, late, due)


@given(DAYS, DAYS, DAYS)
def test_as_of_a_day_a_later_reply_is_not_there_yet(due, reply, as_of):
    got = days_late(CAL, due, reply, as_of)
    if reply <= as_of:
        assert got == days_late(CAL, due, reply)
    else:
        assert got == days_late(CAL, due, None, as_of) <= days_late(CAL, due, reply)


@given(DAYS, st.integers(1, 30))
def test_the_nth_working_day_after_a_limit_is_n_days_late(due, n):
    assert days_late(CAL, due, add_workdays(CAL, due, n)) == n


# -- the SQL of stats and report, the ledger's column and show, held to the rule --------------


def _build(ctx, n: int, seed: int) -> None:
    """n cases through the acts, dated September–November 2026: replies on the limit day, one
    working day later, on a rest day after it, on a 调休 workday, after an extension, after a
    re-issue (redispatch), 督办 replies after the promised date, and cases never answered."""
    from lcqy.acts.dispatch import dispatch, extend
    from lcqy.acts.handling import followup, reply
    from lcqy.acts.intake.register import register
    from lcqy.acts.supervision import redispatch, supervise
    from lcqy.rules.workdays import next_workday

    rng = random.Random(seed)
    depts = ["临翔供电局", "区发展和改革局", "区自然资源局", "区财政局"]
    today = ctx.today
    special = [D(2026, 9, 20), D(2026, 10, 10), D(2026, 9, 19), D(2026, 10, 7), D(2026, 10, 8)]

    def answer_day(due: date, after: date) -> date | None:
        pick = rng.random()
        if pick < 0.15:
            return None
        if pick < 0.35:
            d = due
        elif pick < 0.5:
            d = add_workdays(CAL, due, 1)
        elif pick < 0.6:  # a rest day after the limit, when there is one
            d = due + timedelta(days=1)
        elif pick < 0.7:
            d = rng.choice(special)
        else:
            d = due + timedelta(days=rng.randint(-6, 12))
        d = max(d, after)
        return d if d <= today else None

    for i in range(n):
        accepted = D(2026, 9, 1) + timedelta(days=rng.randint(0, 75))
        register(ctx, {**CASE_FIELDS, "enterprise": f"测试企业{i}", "accepted_on": accepted.isoformat()})
        ref = str(i + 1)
        on = next_workday(CAL, accepted + timedelta(days=rng.randint(0, 2)))
        if on > today:
            continue
        lead = rng.choice(depts)
        disp = dispatch(ctx, ref, lead=lead, assist=[], approver="王强", level="主任", on=on.isoformat())
        due = D.fromisoformat(disp["due_current"])
        if rng.random() < 0.2 and on < today:
            new = add_workdays(CAL, due, rng.randint(1, 4))
            extend(ctx, ref, until=new.isoformat(), reason="情况复杂", on=on.isoformat())
            due = new
        first = answer_day(due, on)
        if first is None:
            continue
        kind = rng.random()
        if kind < 0.25:  # B: a promised date, then maybe a 督办 reply
            plan = first + timedelta(days=rng.randint(1, 12))
            reply(ctx, ref, result="B", mode="书面", summary="正在办理", plan="分步实施",
                  plan_due=plan.isoformat(), on=first.isoformat())  # fmt: skip
            again = answer_day(plan, first + timedelta(days=1))
            if again is not None:
                reply(ctx, ref, result="A", mode="书面", summary="已办结", on=again.isoformat())
            continue
        reply(ctx, ref, result="A", mode="书面", summary="已办结", on=first.isoformat())
        if kind > 0.55 or first + timedelta(days=2) > today:
            continue
        followup(ctx, ref, method="电话回询", satisfaction="不满意", on=(first + timedelta(days=1)).isoformat())
        if kind < 0.4:  # 专项督办 with a deadline, the same department answers again
            until = add_workdays(CAL, first + timedelta(days=1), 3)
            supervise(
                ctx, ref, until=until.isoformat(), reason="企业不满意", on=(first + timedelta(days=1)).isoformat()
            )
            again = answer_day(until, first + timedelta(days=2))
            if again is not None:
                reply(ctx, ref, result="A", mode="书面", summary="重新办理", on=again.isoformat())
            continue
        other = rng.choice([d for d in depts if d != lead])
        re_on = first + timedelta(days=2)
        new = redispatch(ctx, ref, lead=other, assist=[], approver="王强", level="主任", reason="原单位无此职能",
                         on=re_on.isoformat())  # fmt: skip
        again = answer_day(D.fromisoformat(new["due_current"]), re_on)
        if again is not None:
            reply(ctx, ref, result="A", mode="书面", summary="改由新单位办结", on=again.isoformat())


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from lcqy.acts.context import Ctx
    from lcqy.acts.departments import dept_add
    from lcqy.acts.office import init_ledger

    path = tmp_path_factory.mktemp("late") / "ledger.db"
    led = init_ledger(
        path, office_name="临翔区服务企业发展领导小组办公室", prefix="临翔", level="county", clerk="赵晓云"
    )
    ctx = Ctx(ledger=led, today=D(2026, 11, 27))
    dept_add(ctx, ["临翔供电局", "区发展和改革局", "区自然资源局", "区财政局"])
    _build(ctx, 400, seed=20)
    yield ctx
    led.close()


def _dispatches(ctx) -> list[dict]:
    """Every 交办单 with its first reply (by entry), straight from the tables."""
    rows = ctx.ledger.conn.execute(
        "SELECT d.id, d.case_id, d.lead_dept, d.status, d.dispatched_on, d.due_current, "
        "(SELECT replied_on FROM replies r WHERE r.dispatch_id = d.id ORDER BY r.id LIMIT 1), "
        "(SELECT late FROM replies r WHERE r.dispatch_id = d.id ORDER BY r.id LIMIT 1) FROM dispatches d"
    ).fetchall()
    keys = ("id", "case_id", "lead_dept", "status", "dispatched_on", "due", "first_reply_on", "stored_late")
    return [
        {
            k: (D.fromisoformat(v) if k in ("dispatched_on", "due", "first_reply_on") and v else v)
            for k, v in zip(keys, r)
        }
        for r in rows
    ]


def test_the_generated_ledger_has_the_edge_cases(generated):
    ds = _dispatches(generated)
    answered = [d for d in ds if d["first_reply_on"]]
    assert len(ds) > 350 and len(answered) > 250
    assert any(d["first_reply_on"] == d["due"] for d in answered)  # on the limit day
    assert any(days_late(CAL, d["due"], d["first_reply_on"]) > 0 for d in answered)
    assert any(d["first_reply_on"] > d["due"] and days_late(CAL, d["due"], d["first_reply_on"]) == 0 for d in answered)
    assert any(CAL.day_kind(d["first_reply_on"]) == "adjusted" and d["first_reply_on"] > d["due"] for d in answered)
    assert any(d["status"] == "replaced" for d in ds)  # re-issued
    conn = generated.ledger.conn
    assert conn.execute("SELECT count(*) FROM dispatches WHERE due_current <> due_original").fetchone()[0] > 10
    assert conn.execute("SELECT count(*) FROM supervisions").fetchone()[0] > 5
    assert conn.execute("SELECT count(*) FROM replies r WHERE r.id > (SELECT min(id) FROM replies x "
                        "WHERE x.dispatch_id = r.dispatch_id)").fetchone()[0] > 20  # fmt: skip


def test_the_stored_reply_numbers_are_the_rules(generated):
    """Recorded with the reply by the same rule, under the same calendar: they agree."""
    for d in _dispatches(generated):
        if d["first_reply_on"]:
            assert d["stored_late"] == days_late(CAL, d["due"], d["first_reply_on"]), d


AS_OF = [D(2026, 9, 30), D(2026, 10, 9), D(2026, 10, 10), D(2026, 10, 31), D(2026, 11, 13), D(2026, 11, 27)]


@pytest.mark.parametrize("as_of", AS_OF)
def test_stats_on_time_completion_is_the_rule(generated, as_of):
    """按期办结 of `stats`/`report` (SQL on the working-day table) against the rule per 交办单,
    for the months up to the day and grouped by department."""
    from lcqy.acts.figures import counts
    from lcqy.rules.figures import Period

    ctx = generated
    counts.working_day_table(ctx, ctx.today)
    ds = [d for d in _dispatches(ctx) if d["status"] != "returned"]
    periods = [Period(D(2026, m, 1), D(2026, m, 30 if m in (9, 11) else 31), as_of) for m in (9, 10, 11)]
    periods.append(Period(D(2026, 1, 1), D(2026, 12, 31), as_of))
    for p, got in zip(periods, counts.counts_for(ctx, periods, "dept")):
        want: dict[str, list[int]] = {}
        for d in ds:
            replied = d["first_reply_on"] if d["first_reply_on"] and d["first_reply_on"] <= as_of else None
            if not (p.start <= d["due"] <= min(p.end, as_of)) or (d["due"] == as_of and replied is None):
                continue
            w = want.setdefault(d["lead_dept"], [0, 0])
            w[0] += 1
            w[1] += replied is not None and days_late(CAL, d["due"], replied, as_of) == 0
        have = {k: [v.get("fell_due", 0), v.get("due_on_time", 0)] for k, v in got.items()}
        assert {k: v for k, v in have.items() if v != [0, 0]} == want, p


@pytest.mark.parametrize("as_of", AS_OF)
def test_the_days_late_of_open_dispatches_is_the_rule(generated, as_of):
    """超期未答复 and the 简报's late list (the snapshot's SQL) against the rule."""
    from lcqy.acts.figures import counts, snapshot

    ctx = generated
    counts.working_day_table(ctx, ctx.today)
    snapshot.snapshot(ctx, as_of)
    got = dict(ctx.ledger.conn.execute(
        "SELECT dispatch_id, days_late FROM temp.snap WHERE as_of = ? AND kind = 'reply'", [as_of.isoformat()]
    ).fetchall())  # fmt: skip
    for d in _dispatches(ctx):
        if d["id"] in got:
            assert max(got[d["id"]], 0) == days_late(CAL, d["due"], None, as_of), d
            assert d["first_reply_on"] is None or d["first_reply_on"] > as_of


def test_the_excel_ledger_column_and_show_are_the_rule(generated):
    """超期工作日 of each answered row: the first reply to the 交办单 the row shows, against its
    办结时限; `show` marks each reply by the limit it answered."""
    from lcqy.acts.boards.listing import Filters
    from lcqy.acts.case_file import show
    from lcqy.acts.records.export import export_rows

    ctx = generated
    active = {}
    for d in _dispatches(ctx):
        if d["status"] == "active":
            active[d["case_id"]] = d
    reg = dict(ctx.ledger.conn.execute("SELECT reg_no, id FROM cases").fetchall())
    checked = 0
    for row in export_rows(ctx, Filters(), ctx.today):
        d = active.get(reg[row["reg_no"]])
        if d is None:
            continue
        if d["first_reply_on"] and row["state"] != "办理中":
            assert row["days_late"] == days_late(CAL, d["due"], d["first_reply_on"]), row["reg_no"]
            checked += 1
        elif row["state"] == "办理中":
            assert row["days_late"] == days_late(CAL, d["due"], None, ctx.today)
    assert checked > 200
    for case_id in list(active)[:120]:
        v = show(ctx, str(case_id))
        for r in v["replies"]:
            stored = ctx.ledger.conn.execute("SELECT late FROM replies WHERE id = ?", [r["id"]]).fetchone()[0]
            assert r["late"] == stored  # recorded by the same rule on the same calendar
            assert (r["overdue"] == "超期办结") == (r["limit_kind"] == HANDLING and r["late"] > 0)
        for e in v["events"]:
            if e["action"] == "reply":
                assert e["overdue"] == next(r["overdue"] for r in v["replies"] if r["id"] == e["detail"]["after"]["id"])


# -- the clerk's case, through the command line -------------------------------------------------


def _sheet_row(path, reg_no: str) -> dict:
    import openpyxl

    ws = openpyxl.load_workbook(path)["用电保障"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[2]
    row = next(r for r in rows[3:] if r[1] == reg_no)
    return dict(zip(head, row))


def test_a_reissued_dispatch_answered_late_is_late_everywhere(ledger, tmp_path):
    """Issue 20: a reply on 11-13 to a re-issued 交办单 due 11-10 was 超期办结 in `show` and not on
    time in `stats`, but blank in export-ledger's 超期工作日 (it showed the case's first reply, on
    time to the old 交办单). Now every reader says 3 working days late (11-11, 11-12, 11-13)."""

    run = ledger
    assert run("register", *register_args(), "--date", "2026-10-26").code == 0
    assert (
        run(
            "dispatch", "1", "--dept", "临翔供电局", "--approver", "王强", "--level", "主任", "--date", "2026-10-27"
        ).code
        == 0
    )
    r = run("reply", "1", "--result", "A", "--mode", "书面", "--summary", "已办", "--date", "2026-10-30")
    assert r.code == 0 and "超期" not in r.out  # due 11-03: on time
    assert run("followup", "1", "--method", "电话回询", "--satisfaction", "不满意", "--date", "2026-11-02").code == 0
    r = run("redispatch", "1", "--dept", "区发展和改革局", "--approver", "王强", "--level", "主任",
            "--reason", "原单位无此职能", "--date", "2026-11-03")  # fmt: skip
    assert r.code == 0 and "办结时限 2026-11-10" in r.out
    r = run("reply", "1", "--result", "A", "--mode", "书面", "--summary", "改由发改局办结", "--date", "2026-11-13")
    assert r.code == 0 and "（2026-11-13，超期办结）" in r.out

    show = run("show", "1")
    assert show.code == 0
    assert "改由发改局办结（超期办结）" in show.out and "已办（超期办结）" not in show.out
    v = json.loads(run("show", "1", "--json").out)
    assert [(x["replied_on"], x["late"], x["overdue"]) for x in v["replies"]] == [
        ("2026-10-30", 0, ""),
        ("2026-11-13", 3, "超期办结"),
    ]

    stats = json.loads(run("stats", "--by", "dept", "--json", today="2026-11-30").out)
    dept = {x["key"]: x for x in stats["rows"]}
    assert (dept["区发展和改革局"]["fell_due"], dept["区发展和改革局"]["on_time_completion_rate"]) == (1, 0.0)
    assert dept["临翔供电局"]["on_time_completion_rate"] == 1.0  # the old 交办单 was answered on time
    report = json.loads(run("report", "--month", "2026-11", "--json", "-o", str(tmp_path / "简报.docx"),
                            today="2026-11-30").out)  # fmt: skip
    depts = {x["dept"]: x for x in report["departments"]}
    assert (depts["区发展和改革局"]["fell_due"], depts["区发展和改革局"]["due_on_time"]) == (1, 0)

    out = tmp_path / "台帐.xlsx"
    assert run("export-ledger", "-o", str(out), today="2026-11-30").code == 0
    row = _sheet_row(out, "临翔服企办收（2026）第1号")
    assert row["交办/转报编号"] == "临翔服企办交（2026）第2号"
    assert (row["办结时限"].date(), row["答复时间"].date(), row["超期工作日"]) == (D(2026, 11, 10), D(2026, 11, 13), 3)


def test_a_duban_reply_after_the_promised_date_is_not_called_overdue_completion(ledger, tmp_path):
    """A B reply on time, then the completion after the promised date: the 交办单 was answered
    within its 办结时限 (stats, the ledger's column), and `show` says which date was overrun."""

    run = ledger
    assert run("register", *register_args(), "--date", "2026-11-02").code == 0
    assert (
        run(
            "dispatch", "1", "--dept", "临翔供电局", "--approver", "王强", "--level", "主任", "--date", "2026-11-03"
        ).code
        == 0
    )
    assert run("reply", "1", "--result", "B", "--mode", "书面", "--summary", "正在办理", "--plan", "分步接电",
               "--plan-due", "2026-11-11", "--date", "2026-11-05").code == 0  # fmt: skip
    r = run("reply", "1", "--result", "A", "--mode", "书面", "--summary", "已接电", "--date", "2026-11-13")
    assert r.code == 0 and "（2026-11-13，超过承诺完成时限）" in r.out
    show = run("show", "1")
    assert "已接电（超过承诺完成时限）" in show.out and "超期办结" not in show.out
    stats = json.loads(run("stats", "--by", "dept", "--json", today="2026-11-30").out)
    assert stats["rows"][0]["on_time_completion_rate"] == 1.0
    out = tmp_path / "台帐.xlsx"
    assert run("export-ledger", "-o", str(out), today="2026-11-30").code == 0
    assert _sheet_row(out, "临翔服企办收（2026）第1号")["超期工作日"] is None  # 0 is shown blank


def test_after_a_calendar_change_the_dates_decide(ledger, tmp_path):
    """The office marks 11-11 a rest day after a reply on it (due 11-10): the number stored with
    the reply said 1, the rule now says 0, and show, stats and the ledger say 0 alike."""

    run = ledger
    assert run("register", *register_args(), "--date", "2026-11-02").code == 0
    assert (
        run(
            "dispatch", "1", "--dept", "临翔供电局", "--approver", "王强", "--level", "主任", "--date", "2026-11-03"
        ).code
        == 0
    )
    r = run("reply", "1", "--result", "A", "--mode", "书面", "--summary", "已接电", "--date", "2026-11-11")
    assert "超期办结" in r.out
    assert run("calendar", "set", "2026-11-11", "holiday", "--note", "县庆").code == 0
    v = json.loads(run("show", "1", "--json").out)
    assert (v["replies"][0]["late"], v["replies"][0]["overdue"]) == (0, "")
    assert "超期办结" not in run("show", "1").out
    stats = json.loads(run("stats", "--by", "dept", "--json", today="2026-11-30").out)
    assert stats["rows"][0]["on_time_completion_rate"] == 1.0
    out = tmp_path / "台帐.xlsx"
    assert run("export-ledger", "-o", str(out), today="2026-11-30").code == 0
    assert _sheet_row(out, "临翔服企办收（2026）第1号")["超期工作日"] is None


def test_an_imported_reply_keeps_its_sheets_number(ledger, tmp_path, run, monkeypatch):
    """A sheet's row keeps only its latest 答复时间: a B reply on time (3-09, due 3-10) and the A
    reply on 3-20 come back as one reply dated 3-20 with 超期工作日 blank. Its dates would say 8
    working days late; the sheet says on time, and every reader keeps the sheet's number."""
    from conftest import INIT

    run_ = ledger
    assert run_("register", *register_args(), "--date", "2026-03-02").code == 0
    assert run_("dispatch", "1", "--dept", "临翔供电局", "--approver", "王强", "--level", "主任",
                "--date", "2026-03-03").code == 0  # fmt: skip
    assert run_("reply", "1", "--result", "B", "--mode", "书面", "--summary", "在办", "--plan", "年底前",
                "--plan-due", "2026-12-31", "--date", "2026-03-09").code == 0  # fmt: skip
    assert run_("reply", "1", "--result", "A", "--mode", "书面", "--summary", "已办", "--date", "2026-03-20").code == 0
    sheet = tmp_path / "a.xlsx"
    assert run_("export-ledger", "-o", str(sheet)).code == 0
    monkeypatch.setenv("LCQY_DB", str(tmp_path / "b.db"))
    assert run(*INIT).code == 0 and run("import-ledger", str(sheet)).code == 0
    v = json.loads(run("show", "1", "--json").out)
    assert [(r["replied_on"], r["mode"], r["late"], r["overdue"]) for r in v["replies"]] == [
        ("2026-03-20", "导入", 0, "")
    ]
    stats = json.loads(run("stats", "--by", "dept", "--year", "2026", "--json").out)
    dept = next(x for x in stats["rows"] if x["key"] == "临翔供电局")
    assert (dept["fell_due"], dept["on_time_completion_rate"]) == (1, 1.0)
    again = tmp_path / "b.xlsx"
    assert run("export-ledger", "-o", str(again)).code == 0
    assert _sheet_row(again, "临翔服企办收（2026）第1号")["超期工作日"] is None


def test_a_dispatch_on_the_rest_day_after_its_limit_is_on_time(ledger):
    """The same rule for 按期交办 (and 按期转报): registered Wednesday 11-18, the 交办 limit is Friday
    11-20 (two working days); a 交办单 issued on Saturday 11-21 overran no working day. One issued
    on Monday 11-23 is one working day late."""

    run = ledger
    for _ in range(3):
        assert run("register", *register_args(), "--date", "2026-11-18").code == 0
    dispatch = ["--dept", "临翔供电局", "--approver", "王强", "--level", "主任"]
    assert run("dispatch", "1", *dispatch, "--date", "2026-11-21").code == 0
    assert run("dispatch", "2", *dispatch, "--date", "2026-11-23").code == 0
    report = json.loads(run("report", "--month", "2026-11", "--json", today="2026-11-30").out)
    f = report["figures"]["month"]
    assert (f["dispatched"], f["dispatched_on_time"]) == (2, 1)
