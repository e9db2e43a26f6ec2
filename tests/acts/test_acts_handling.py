"""Handling and supervision acts called directly: what stands between a case and 销号."""

from __future__ import annotations

import pytest
from conftest import CASE_FIELDS

from lcqy.acts.dispatch import dispatch
from lcqy.acts.handling import close, followup, reply
from lcqy.acts.intake.register import register
from lcqy.acts.supervision import urge_with_letter
from lcqy.errors import LcqyError
from lcqy.rules.states import close_blockers


@pytest.fixture
def dispatched(ctx):
    register(ctx, {**CASE_FIELDS, "accepted_on": "2026-11-02"})
    return dispatch(ctx, "1", lead="临翔供电局", assist=[], approver="王强", level="主任", on="2026-11-03")


def test_close_says_what_is_missing_then_closes(ctx, dispatched):
    reply(ctx, "1", result="A", mode="书面", summary="已接电", on="2026-11-06")
    with pytest.raises(LcqyError) as e:
        close(ctx, "1")
    assert "还没有回访企业" in e.value.message
    followup(ctx, "1", method="电话回询", satisfaction="满意")
    assert close(ctx, "1")["on"] == "2026-11-27"


def test_close_blockers_is_a_rule_of_its_own():
    rep = {"id": 1, "result": "B"}
    assert close_blockers(None, None) == ["还没有答复"]
    assert close_blockers(rep, {"reply_id": 1, "satisfaction": "满意", "incomplete": 0}) == [
        "最近一次答复是B类，须为A类（已解决或基本解决）"
    ]


def test_urge_with_its_letter_counts_the_days_late(ctx, dispatched, tmp_path):
    out = tmp_path / "催办函.docx"
    r = urge_with_letter(ctx.as_user("clerk:zhao"), "1", output=str(out))
    assert (r["count"], r["days_late"], r["reply_by"]) == (1, 13, "2026-12-02")  # due 11-10; 13 working days to 11-27
    assert r["letter"] == str(out) and out.is_file()
    actor = ctx.ledger.conn.execute("SELECT actor FROM events WHERE action = 'urge'").fetchone()[0]
    assert actor == "clerk:zhao"
