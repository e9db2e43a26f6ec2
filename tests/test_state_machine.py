"""Random sequences of acts, as a clerk might type them, never leave a ledger that `check`
faults, and every refused act leaves the ledger as it was."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from lcqy.acts import corrections as ud
from lcqy.acts import dispatch as dsp
from lcqy.acts import handling as hd
from lcqy.acts import supervision as sv
from lcqy.acts.checks.run import check
from lcqy.acts.context import Ctx
from lcqy.acts.departments import dept_add
from lcqy.acts.intake import merging
from lcqy.acts.intake.register import register
from lcqy.acts.office import init_ledger
from lcqy.errors import LcqyError

DEPTS = ["区财政局", "区自然资源局", "临翔供电局", "区商务局"]
# Cases named as YEAR-N: time passing may cross into 2027, where a bare N means that year.
CASE = st.integers(min_value=1, max_value=8).map(lambda n: f"2026-{n}")


def _dump(conn_path: Path) -> list[str]:
    conn = sqlite3.connect(conn_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _less_history(lines: list[str]) -> list[str]:
    skip = ('INSERT INTO "events"', 'INSERT INTO "numbers"', 'INSERT INTO "counters"')
    # The rows written, noted for `check` (the act and its undo both wrote).
    skip += ('INSERT INTO "check_log"', 'INSERT INTO "sqlite_sequence"', 'INSERT INTO "check_passes"')
    return [line for line in lines if not line.startswith(skip)]


# act -> (states it is tried on, how it is called with a case and a later date)
UNDO_TRIES = {
    "reply": (("dispatched", "replied"), lambda c, n, d: hd.reply(c, n, result="B", mode="书面", summary="在办",
                                                               plan="分期", plan_due=d)),
    "followup": (("replied",), lambda c, n, d: hd.followup(c, n, method="电话回询", satisfaction="满意")),
    "urge": (("dispatched", "replied"), lambda c, n, d: sv.urge(c, n)),
    "extend": (("dispatched",), lambda c, n, d: dsp.extend(c, n, until=d, reason="需核查", override_reason="特殊")),
    "close": (("replied",), lambda c, n, d: hd.close(c, n)),
    "dispatch": (("registered", "meeting"), lambda c, n, d: dsp.dispatch(c, n, lead="区商务局", assist=[],
                                                                      approver="王强", level="组长")),
    "supervise": (("replied",), lambda c, n, d: sv.supervise(c, n, until=d, reason="答复含糊")),
    "redispatch": (("replied", "dispatched"), lambda c, n, d: sv.redispatch(
        c, n, lead="临翔供电局", assist=[], approver="王强", level="组长", reason="改交")),
}  # fmt: skip


class Clerk(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        self.path = Path(self.dir.name) / "l.db"
        led = init_ledger(
            self.path, office_name="临翔区服务企业发展领导小组办公室", prefix="临翔", level="county", clerk="赵晓云"
        )
        self.ctx = Ctx(ledger=led, today=date(2026, 9, 14))
        dept_add(self.ctx, DEPTS)
        self.refused = 0
        for major in (False, True, False, False):
            self.register(major, False)

    def teardown(self):
        try:
            self._round_trip()
        finally:
            self.ctx.ledger.close()
            self.dir.cleanup()

    def _round_trip(self):
        """Whatever the acts left: export → import into a new ledger → export gives the same sheets."""
        from lcqy.acts.boards.listing import Filters
        from lcqy.acts.records.export import export
        from lcqy.acts.records.importing import import_ledger
        from tests.test_excel_cli import _values

        d = Path(self.dir.name)
        export(self.ctx, str(d / "a.xlsx"), Filters(), with_contacts=True, force=True)
        led = init_ledger(
            d / "n.db", office_name="临翔区服务企业发展领导小组办公室", prefix="临翔", level="county", clerk="赵晓云"
        )
        try:
            import_ledger(Ctx(ledger=led, today=self.ctx.today), d / "a.xlsx", allow_gaps=True)
            export(Ctx(ledger=led, today=self.ctx.today), str(d / "b.xlsx"), Filters(), with_contacts=True, force=True)
        finally:
            led.close()
        assert _values(d / "a.xlsx") == _values(d / "b.xlsx")

    def _pick(self, data, *states: str) -> str:
        """Mostly a case the act fits, sometimes any case: both paths get exercised."""
        rows = [
            r[0]
            for r in self.ctx.ledger.conn.execute(
                f"SELECT reg_seq FROM cases WHERE reg_year = 2026 AND state IN ({','.join('?' * len(states))})", states
            )
        ]
        if rows and data.draw(st.integers(0, 9), label="fits") < 9:
            return f"2026-{data.draw(st.sampled_from(rows), label='case')}"
        return data.draw(CASE, label="any case")

    def _try(self, fn, *args, **kw):
        before = _dump(self.path)
        try:
            fn(self.ctx, *args, **kw)
        except LcqyError:
            self.refused += 1
            assert _dump(self.path) == before, f"refused {fn.__name__} changed the ledger"

    @rule(days=st.integers(min_value=0, max_value=3))
    def time_passes(self, days):
        self.ctx.today += timedelta(days=days)

    @rule(major=st.booleans(), consult=st.booleans())
    def register(self, major, consult):
        if self.ctx.today.year > 2026:
            return
        register(
            self.ctx,
            {
                "enterprise": "临沧佤山食品有限公司",
                "category": "其它",
                "channel": "来电反映",
                "contact": "李华",
                "phone": "13812345678",
                "problem": "缺工",
                "request": "招工",
                "major": major,
                "consult": consult,
            },
        )

    @rule(
        data=st.data(),
        lead=st.sampled_from(DEPTS),
        assist=st.lists(st.sampled_from(DEPTS), max_size=2),
        level=st.sampled_from(["主任", "副组长", "组长", "专题会议"]),
        tier=st.sampled_from(["一般", "重大"]),
        no_dept=st.booleans(),
    )
    def dispatch(self, data, lead, assist, level, tier, no_dept):
        n = self._pick(data, "registered", "meeting")
        self._try(
            dsp.dispatch, n, lead=None if no_dept else lead, assist=assist, approver="王强", level=level, tier=tier
        )

    @rule(data=st.data())
    def escalate(self, data):
        n = self._pick(data, "registered", "meeting")
        self._try(dsp.escalate, n, approver="李明", suggestion="需市级协调")

    @rule(data=st.data(), reason=st.sampled_from(["诉讼", "其他", "信访"]))
    def reject(self, data, reason):
        n = self._pick(data, "registered", "meeting")
        self._try(dsp.reject, n, reason=reason, note="")

    @rule(data=st.data())
    def forward(self, data):
        n = self._pick(data, "registered", "meeting")
        self._try(dsp.forward, n, dept="区商务局")

    @rule(data=st.data())
    def return_(self, data):
        n = self._pick(data, "dispatched")
        self._try(dsp.return_, n, reason="不属本部门职责")

    @rule(data=st.data(), days=st.integers(min_value=1, max_value=40), override=st.booleans())
    def extend(self, data, days, override):
        n = self._pick(data, "dispatched")
        until = (self.ctx.today + timedelta(days=days)).isoformat()
        self._try(dsp.extend, n, until=until, reason="需核查", override_reason="特殊" if override else "")

    @rule(data=st.data(), result=st.sampled_from("ABC"), plan=st.booleans())
    def reply(self, data, result, plan):
        n = self._pick(data, "dispatched", "replied", "escalated")
        due = (self.ctx.today + timedelta(days=30)).isoformat() if plan else None
        text = "分期实施" if plan else ""
        self._try(hd.reply, n, result=result, mode="书面", summary="已办", plan=text, plan_due=due)

    @rule(data=st.data(), days=st.integers(min_value=1, max_value=20))
    def supervise(self, data, days):
        n = self._pick(data, "replied")
        until = (self.ctx.today + timedelta(days=days)).isoformat()
        self._try(sv.supervise, n, until=until, reason="答复含糊")

    @rule(data=st.data(), lead=st.sampled_from(DEPTS))
    def redispatch(self, data, lead):
        n = self._pick(data, "replied", "dispatched")
        self._try(sv.redispatch, n, lead=lead, assist=[], approver="王强", level="组长", reason="原单位无此职能")

    @rule(data=st.data())
    def undo(self, data):
        n = self._pick(data, "dispatched", "replied", "closed", "registered", "meeting")
        self._try(ud.undo, n, reason="录错")

    @rule(data=st.data(), which=st.sampled_from(sorted(UNDO_TRIES)), days=st.integers(min_value=1, max_value=20))
    def act_then_undo(self, data, which, days):
        """An act that goes through, undone at once, leaves the ledger as it was (less the
        history and the numbers the act issued, which stay, voided)."""
        states, call = UNDO_TRIES[which]
        n = self._pick(data, *states)
        until = (self.ctx.today + timedelta(days=days)).isoformat()
        before = _dump(self.path)
        try:
            call(self.ctx, n, until)
        except LcqyError:
            assert _dump(self.path) == before, f"refused {which} changed the ledger"
            return
        ud.undo(self.ctx, n, reason="录错")
        assert _less_history(_dump(self.path)) == _less_history(before), f"undo of {which} left a change"

    @rule(data=st.data(), sat=st.sampled_from(["满意", "基本满意", "不满意"]), incomplete=st.booleans())
    def followup(self, data, sat, incomplete):
        n = self._pick(data, "replied")
        self._try(hd.followup, n, method="电话回询", satisfaction=sat, incomplete=incomplete)

    @rule(data=st.data())
    def close(self, data):
        n = self._pick(data, "replied")
        self._try(hd.close, n)

    @rule(data=st.data())
    def urge(self, data):
        n = self._pick(data, "dispatched", "replied")
        self._try(sv.urge, n)

    @rule(data=st.data(), into=CASE)
    def merge(self, data, into):
        n = self._pick(data, "registered", "meeting")
        self._try(merging.merge, n, into=into)

    @rule(data=st.data())
    def void(self, data):
        n = self._pick(data, "registered")
        self._try(ud.void, n, reason="误登记")

    @rule(data=st.data(), value=st.sampled_from(["是", "否"]))
    def edit_major(self, data, value):
        n = self._pick(data, "registered", "meeting", "dispatched")
        self._try(ud.edit, n, field="major", value=value)

    @invariant()
    def ledger_is_sound(self):
        assert check(self.ctx) == []


Clerk.TestCase.settings = settings(
    max_examples=25, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestClerk = Clerk.TestCase
