"""Dispatch acts called directly: the number, the due date, escalation with its package."""

from __future__ import annotations

import pytest
from conftest import CASE_FIELDS

from lcqy.acts.dispatch import dispatch, escalate
from lcqy.acts.intake.register import register
from lcqy.errors import LcqyError


@pytest.fixture
def case(ctx):
    return register(ctx, {**CASE_FIELDS, "accepted_on": "2026-11-20"})


def test_dispatch_gives_the_number_and_five_working_days(ctx, case):
    r = dispatch(ctx, "1", lead="临翔供电局", assist=["区财政局"], approver="王强", level="副组长", on="2026-11-23")
    assert r["no"] == "临翔服企办交（2026）第1号"
    assert (r["dispatched_on"], r["due_current"]) == ("2026-11-23", "2026-11-30")
    # the act returns what `dispatch --json` prints: the case by its number, not its row
    assert "case" not in r and r["reg_no"] == case["reg_no"] and list(r)[-1] == "reg_no"


def test_escalate_writes_its_package_when_asked(ctx, case, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    r = escalate(ctx, "1", approver="李组长", suggestion="请市级协调", package=str(folder))
    assert r["no"] == "临翔服企办报（2026）第1号"
    assert r["package"] == str(folder / "临翔服企办报（2026）第1号.lcqy") and (folder / f"{r['no']}.lcqy").is_file()


def test_escalate_refuses_a_missing_folder_before_recording_anything(ctx, case, tmp_path):
    with pytest.raises(LcqyError) as e:
        escalate(ctx, "1", approver="李组长", suggestion="请市级协调", package=str(tmp_path / "none"))
    assert "转报包目录（--package）" in e.value.message and "台帐未改动" in e.value.message
    assert ctx.ledger.conn.execute("SELECT count(*) FROM escalations").fetchone()[0] == 0
    assert escalate(ctx, "1", approver="李组长", suggestion="请市级协调")["package"] is None
