"""The facts an urge letter is given, from the ledger: none of a reply for a 催办函; the reply
received and the promised date for a 督办台帐 督办函; the reason and the 督办时限 for a 专项督办."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import CASE_FIELDS

from lcqy.acts.cases import case_view, resolve
from lcqy.acts.dispatch import dispatch
from lcqy.acts.handling import followup, reply
from lcqy.acts.intake.register import register
from lcqy.acts.papers.forms import build, form_view
from lcqy.acts.supervision import supervise, urge


@pytest.fixture
def dispatched(ctx):
    register(ctx, {**CASE_FIELDS, "accepted_on": "2026-10-12"})
    dispatch(ctx, "1", lead="临翔供电局", assist=["区财政局"], approver="王强", level="副组长", on="2026-10-13")
    return ctx


def _letter(ctx) -> dict:
    v = form_view(ctx, case_view(ctx, resolve(ctx, "1")))
    context, _, _ = build("urge", ctx.ledger.meta["office_name"], v)
    return context


def test_reminder_states_no_reply(dispatched):
    urge(dispatched, "1", on="2026-10-23")
    c = _letter(dispatched)
    assert (c["urge_kind"], c["letter_title"]) == ("催办", "催办函")
    assert (c["due_date"], c["days_late"]) == (date(2026, 10, 20), 3)
    assert not {"reply_on", "reply_doc_no", "promised_by", "supervise_due"} & set(c)


def test_ledger_letter_states_the_reply_and_the_promise(dispatched):
    ctx = dispatched
    reply(ctx, "1", result="B", mode="书面", summary="正在办理", plan="分两期完成", plan_due="2026-10-30",
          doc_no="临翔供电函〔2026〕12号", on="2026-10-19")  # fmt: skip
    urge(ctx, "1", on="2026-11-03")
    c = _letter(ctx)
    assert c["urge_kind"] == "督办台帐" and c["letter_title"] == "督办函"
    assert (c["reply_on"], c["reply_doc_no"], c["reply_result"]) == (date(2026, 10, 19), "临翔供电函〔2026〕12号", "B")
    assert c["promised_by"] == date(2026, 10, 30) and c["days_late"] == 2


def test_special_letter_states_the_reason_and_its_deadline(dispatched):
    ctx = dispatched
    reply(ctx, "1", result="A", mode="书面", summary="已接电", on="2026-10-16")
    followup(ctx, "1", method="电话回询", satisfaction="不满意", on="2026-10-19")
    supervise(ctx, "1", until="2026-10-26", reason="答复含糊", on="2026-10-20")
    urge(ctx, "1", on="2026-10-28")
    c = _letter(ctx)
    assert c["urge_kind"] == "专项督办" and c["letter_title"] == "督办函"
    assert c["supervise_reason"] == "企业不满意，答复含糊"
    assert (c["supervise_due"], c["supervise_set_on"]) == (date(2026, 10, 26), date(2026, 10, 20))
    assert (c["reply_on"], c["reply_result"], c["days_late"]) == (date(2026, 10, 16), "A", 2)
    assert "promised_by" not in c
