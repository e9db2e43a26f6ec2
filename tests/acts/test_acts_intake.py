"""Intake acts called directly, as the CLI and the web layer call them."""

from __future__ import annotations

import pytest
from conftest import CASE_FIELDS

from lcqy.acts.intake.register import register
from lcqy.errors import LcqyError


def _actors(ctx, case_id: int) -> list[tuple[str, str]]:
    return [tuple(r) for r in ctx.ledger.conn.execute("SELECT action, actor FROM events WHERE case_id = ?", [case_id])]


def test_register_numbers_the_case_and_sets_the_dispatch_limit(ctx):
    case = register(ctx, {**CASE_FIELDS, "accepted_on": "2026-11-20"})
    assert case["reg_no"] == "临翔服企办收（2026）第1号"
    assert case["dispatch_due"] == "2026-11-24"  # 2 working days after Friday 11-20
    assert _actors(ctx, case["id"]) == [("register", "赵晓云")]  # no actor given: the clerk


def test_the_actor_given_is_the_one_recorded(ctx):
    case = register(ctx.as_user("web:enterprise"), dict(CASE_FIELDS))
    assert case["reg_no"] == "临翔服企办收（2026）第1号"
    assert _actors(ctx, case["id"]) == [("register", "web:enterprise")]


def test_a_missing_field_is_named_and_nothing_is_written(ctx):
    with pytest.raises(LcqyError) as e:
        register(ctx, {**CASE_FIELDS, "category": "其他问题"})
    assert "问题类别" in e.value.message and "政策执行" in e.value.message
    assert ctx.ledger.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
