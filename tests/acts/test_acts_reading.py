"""Read acts called directly: the case file, the check, the figures of a month."""

from __future__ import annotations

from conftest import CASE_FIELDS

from lcqy.acts.case_file import show
from lcqy.acts.checks.run import check_ledger
from lcqy.acts.figures.city import city_figures
from lcqy.acts.intake.register import register


def test_show_is_the_case_with_its_papers_and_exchanges(ctx):
    register(ctx, dict(CASE_FIELDS))
    v = show(ctx, "1")
    assert v["reg_no"] == "临翔服企办收（2026）第1号" and v["state_label"] == "待交办"
    assert (v["attachments"], v["exchanges"]) == ([], [])


def test_check_returns_problems_and_warnings(ctx):
    register(ctx, dict(CASE_FIELDS))
    r = check_ledger(ctx)
    assert list(r) == ["problems", "warnings"] and r["problems"] == []


def test_a_county_sees_its_own_month_only(ctx):
    register(ctx, {**CASE_FIELDS, "accepted_on": "2026-11-02"})
    lines = city_figures(ctx, "2026-11")
    assert [x["office_name"] for x in lines] == ["临翔区服务企业发展领导小组办公室"]
    assert lines[0]["received"] == 1 and lines[0]["as_of"] == "2026-11-27"
