"""Issue 10 item 5: registration names likely duplicates (same enterprise, or same problem text,
among open cases) with the merge command to run; the registration goes ahead either way."""

from __future__ import annotations

import json

from lcqy.acts.intake.register import OPEN_STATES
from tests.conftest import register_args


def _reg(run, **over):
    r = run("register", *register_args(**over))
    assert r.code == 0, r.err
    return r


def test_same_enterprise_in_another_written_form_is_named_with_the_merge_command(ledger):
    _reg(ledger)  # 临沧南美坚果开发有限公司
    r = _reg(ledger, enterprise=" 临沧南美坚果开发 股份有限公司", problem="厂区道路未硬化", request="请协调")
    assert "已登记：临翔服企办收（2026）第2号" in r.out  # registered all the same
    assert "注意：有 1 件未办结的案件可能与本件重复：" in r.out
    assert "临翔服企办收（2026）第1号（待交办，同一企业）临沧南美坚果开发有限公司" in r.out
    assert "如确属重复反映，请合并：lcqy merge 2 --into 1" in r.out
    # 有限责任公司 and （）/() forms, upper/lower case Latin letters: the same enterprise too.
    _reg(ledger, enterprise="ABC（临沧）有限责任公司", problem="甲")
    r = _reg(ledger, enterprise="abc(临沧)公司", problem="乙")
    assert "lcqy merge 4 --into 3" in r.out


def test_same_problem_text_of_another_enterprise(ledger):
    _reg(ledger)
    problem = "新上生产线需增容至800千伏安， 报装后迟迟未接电。"  # spacing and punctuation differ
    r = _reg(ledger, enterprise="临沧茶叶有限公司", problem=problem)
    assert "（待交办，问题内容相同）" in r.out and "lcqy merge 2 --into 1" in r.out


def test_no_warning_for_a_different_matter_or_a_finished_case(ledger):
    _reg(ledger)
    r = _reg(ledger, enterprise="临沧茶叶有限公司", problem="茶园道路损毁")
    assert "注意" not in r.out
    assert ledger("void", "1", "--reason", "误登记").code == 0
    r = _reg(ledger)
    assert "注意" not in r.out  # case 1 is void: nothing to merge into
    # A case in every open state is a candidate (a replied one under supervision too); no finished one is.
    assert {"registered", "meeting", "dispatched", "escalated", "replied"} <= set(OPEN_STATES)
    assert not {"closed", "rejected", "forwarded", "merged", "void"} & set(OPEN_STATES)


def test_json_carries_the_candidates(ledger):
    _reg(ledger)
    _reg(ledger, enterprise="临沧茶叶有限公司", problem="茶园道路损毁")
    r = ledger("register", *register_args(), "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["reg_no"] == "临翔服企办收（2026）第3号"
    assert out["duplicates"] == [
        {
            "reg_no": "临翔服企办收（2026）第1号",
            "enterprise": "临沧南美坚果开发有限公司",
            "problem": "新上生产线需增容至800千伏安，报装后迟迟未接电",
            "state": "registered",
            "accepted_on": "2026-11-27",
            "same": ["enterprise", "problem"],
            "merge_command": "lcqy merge 3 --into 1",
        }
    ]
    r = ledger("register", *register_args(enterprise="别的企业", problem="别的事"), "--json")
    assert json.loads(r.out)["duplicates"] == []


def test_an_edited_name_and_another_year(ledger):
    _reg(ledger, date="2025-12-30")
    assert ledger("edit", "2025-1", "--field", "enterprise", "--value", "临沧新名称有限公司").code == 0
    r = _reg(ledger, enterprise="临沧新名称公司", problem="另一件事")
    assert "临翔服企办收（2025）第1号（待交办，同一企业）" in r.out
    assert "lcqy merge 1 --into 2025-1" in r.out
    # The merge named works as printed.
    assert ledger("merge", "1", "--into", "2025-1").code == 0
