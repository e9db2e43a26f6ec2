"""Pure rules: time limits, field checks, document numbers and case states."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lcqy.errors import LcqyError
from lcqy.rules import deadlines, states, validate
from lcqy.rules.constants import APPROVAL_LEVELS, NUMBER_KINDS, STATES, TIERS
from lcqy.rules.deadlines import (
    check_approval,
    dispatch_due,
    dispatch_limit_days,
    extension_limit,
    handling_due,
)
from lcqy.rules.numbering import Number, format_number, parse_case_ref, parse_number
from lcqy.store.calendar_source import build_calendar

D = date


@pytest.fixture(scope="module")
def cal():
    return build_calendar()


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("kw", "days"),
    [
        ({"major": False}, 2),
        ({"major": False, "has_assist": False, "escalation": False}, 2),
        ({"major": True}, 3),
        ({"major": False, "has_assist": True}, 3),
        ({"major": False, "escalation": True}, 3),
        ({"major": True, "has_assist": True, "escalation": True}, 3),
    ],
)
def test_dispatch_limit_days(kw, days):
    assert dispatch_limit_days(**kw) == days


def test_dispatch_limit_constants():
    assert deadlines.DISPATCH_DAYS_SIMPLE == 2
    assert deadlines.DISPATCH_DAYS_COMPLEX == 3
    assert deadlines.HANDLING_DAYS == 5
    assert deadlines.EXTENSION_DAYS == 15


def test_dispatch_due(cal):
    # accepted 2/12 Thu: simple +2 -> 2/13, 2/14 (Sat workday); major +3 -> 2/13, 2/14, 2/24
    assert dispatch_due(cal, D(2026, 2, 12), major=False) == D(2026, 2, 14)
    assert dispatch_due(cal, D(2026, 2, 12), major=True) == D(2026, 2, 24)
    assert dispatch_due(cal, D(2026, 2, 12), major=False, has_assist=True) == D(2026, 2, 24)
    assert dispatch_due(cal, D(2026, 2, 12), major=False, escalation=True) == D(2026, 2, 24)


def test_handling_due_general_is_five_working_days(cal):
    # 9/30 Wed +5: 10/8, 9, 10 (Sat workday), 12, 13
    assert handling_due(cal, D(2026, 9, 30), "一般") == D(2026, 10, 13)


def test_handling_due_major_is_one_month(cal):
    # 9/7 -> 10/7 (国庆) -> 10/8
    assert handling_due(cal, D(2026, 9, 7), "重大") == D(2026, 10, 8)
    # 1/31 -> 2/28 (Sat workday)
    assert handling_due(cal, D(2026, 1, 31), "重大") == D(2026, 2, 28)


def test_extension_limit(cal):
    # 一般: 15 working days. 9/21 Mon +15 -> 10/19
    assert extension_limit(cal, D(2026, 9, 21), "一般") == D(2026, 10, 19)
    # 重大: still the one-month limit
    assert extension_limit(cal, D(2026, 9, 7), "重大") == D(2026, 10, 8)


@given(received=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 12, 31)), tier=st.sampled_from(TIERS))
def test_extension_limit_never_before_handling_due(received, tier):
    c = build_calendar()
    assert extension_limit(c, received, tier) >= handling_due(c, received, tier)


@pytest.mark.parametrize(
    ("kw", "why"),
    [
        ({"assist": True, "major": False, "tier": "一般"}, "多个部门"),
        ({"assist": False, "major": True, "tier": "一般"}, "重大"),
        ({"assist": False, "major": False, "tier": "重大"}, "重大"),
        ({"assist": True, "major": True, "tier": "重大"}, "多个部门"),
    ],
)
def test_check_approval_refuses_director(kw, why):
    with pytest.raises(LcqyError) as exc:
        check_approval("主任", **kw)
    msg = exc.value.message
    assert "主任" in msg
    assert "副组长" in msg
    assert why in msg
    assert exc.value.code == 1


def test_check_approval_director_may_approve_a_simple_case():
    assert check_approval("主任", assist=False, major=False, tier="一般") is None


@given(
    level=st.sampled_from([lv for lv in APPROVAL_LEVELS if lv != "主任"]),
    assist=st.booleans(),
    major=st.booleans(),
    tier=st.sampled_from(TIERS),
)
def test_check_approval_higher_levels_always_allowed(level, assist, major, tier):
    assert check_approval(level, assist=assist, major=major, tier=tier) is None


# --------------------------------------------------------------------------- validate: phone


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        "0883-2123456",
        "08832123456",
        "0883-2123456-123",
        "0883-2123456转123",
        "010-12345678",
        " 13812345678 ",
        "138 1234 5678",
        "+8613812345678",
        "0883－2123456",  # full-width hyphen
    ],
)
def test_phone_accepts(value):
    got = validate.phone("联系电话", value)
    assert got == got.strip()
    assert " " not in got


def test_phone_normalises_spaces_and_dashes():
    assert validate.phone("联系电话", "138 1234 5678") == "13812345678"
    assert validate.phone("联系电话", "0883－2123456") == "0883-2123456"


@pytest.mark.parametrize(
    "value",
    [
        "12345",
        "2123456",  # no area code
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "12812345678",  # no such mobile prefix
        "",
        "abc",
        "0883-212345",  # 6-digit local number
    ],
)
def test_phone_refuses(value):
    with pytest.raises(LcqyError) as exc:
        validate.phone("联系电话", value)
    assert "联系电话" in exc.value.message


def test_phone_message_names_the_field_given():
    with pytest.raises(LcqyError) as exc:
        validate.phone("企业联系人电话", "12345")
    assert "企业联系人电话" in exc.value.message
    assert "12345" in exc.value.message


# --------------------------------------------------------------------------- validate: email


@pytest.mark.parametrize(
    "value", ["qiye@example.com", "first.last+tag@sub.example.cn", " a_b@x-y.com.cn ", "Q1@EXAMPLE.ORG"]
)
def test_email_accepts(value):
    assert validate.email("电子邮箱", value) == value.strip()


@pytest.mark.parametrize(
    "value",
    [
        "",
        "qiye",
        "qiye@",
        "@example.com",
        "qiye@example",
        "qiye@example.c",
        "q iye@example.com",
        "qiye@@example.com",
        "qiye@example.com.",
        "qiye@exa mple.com",
    ],
)
def test_email_refuses(value):
    with pytest.raises(LcqyError) as exc:
        validate.email("电子邮箱", value)
    assert "电子邮箱" in exc.value.message


# --------------------------------------------------------------------------- validate: dates


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-05",
        "2026-3-5",
        "2026/3/5",
        "2026/03/05",
        "2026年3月5日",
        "2026年03月05日",
        "2026年3月5",
        "2026.3.5",
        "20260305",
        " 2026-03-05 ",
    ],
)
def test_parse_date_forms(text):
    assert validate.parse_date("受理日期", text) == D(2026, 3, 5)


def test_parse_date_passes_a_date_through():
    assert validate.parse_date("受理日期", D(2026, 3, 5)) == D(2026, 3, 5)


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",
        "2026/2/30",
        "2026年2月30日",
        "20260230",
        "2026-13-01",
        "2025-02-29",
        "abc",
        "",
        None,
        "2026-3",
        "3/5/2026",
        "2026-03-05T00:00",
    ],
)
def test_parse_date_refuses(text):
    with pytest.raises(LcqyError) as exc:
        validate.parse_date("受理日期", text)
    assert "受理日期" in exc.value.message
    assert "2026-03-05" in exc.value.message  # shows the expected form


def test_parse_date_accepts_leap_day():
    assert validate.parse_date("受理日期", "2024-02-29") == D(2024, 2, 29)


def test_parse_date_refuses_years_outside_the_span():
    for text in ("1999-12-31", "2100-01-01", "0001-01-01", "9999-12-31"):
        with pytest.raises(LcqyError, match="年份"):
            validate.parse_date("受理时间", text)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31)))
def test_parse_date_round_trips_every_form(d):
    forms = [
        d.isoformat(),
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month}.{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        d.strftime("%Y%m%d"),
    ]
    for text in forms:
        assert validate.parse_date("日期", text) == d


def test_not_future():
    today = D(2026, 3, 5)
    assert validate.not_future("受理日期", D(2026, 3, 5), today) == D(2026, 3, 5)
    assert validate.not_future("受理日期", D(2026, 3, 4), today) == D(2026, 3, 4)
    with pytest.raises(LcqyError) as exc:
        validate.not_future("受理日期", D(2026, 3, 6), today)
    assert "受理日期" in exc.value.message
    assert "2026-03-06" in exc.value.message


def test_not_before():
    accepted = D(2026, 3, 5)
    assert validate.not_before("交办日期", D(2026, 3, 5), "受理日期", accepted) == D(2026, 3, 5)
    assert validate.not_before("交办日期", D(2026, 3, 6), "受理日期", accepted) == D(2026, 3, 6)
    with pytest.raises(LcqyError) as exc:
        validate.not_before("交办日期", D(2026, 3, 4), "受理日期", accepted)
    assert "交办日期" in exc.value.message
    assert "受理日期" in exc.value.message


def test_choice_and_text_fields():
    assert validate.choice("问题类别", " 用地审批 ", ["用地审批", "其它"]) == "用地审批"
    with pytest.raises(LcqyError) as exc:
        validate.choice("问题类别", "别的", ["用地审批", "其它"])
    assert "问题类别" in exc.value.message
    with pytest.raises(LcqyError) as exc:
        validate.required_text("问题描述", "  ")
    assert "问题描述" in exc.value.message
    with pytest.raises(LcqyError) as exc:
        validate.optional_text("备注", "字" * 11, max_len=10)
    assert "备注" in exc.value.message
    assert validate.optional_text("备注", None) == ""


# --------------------------------------------------------------------------- numbering


def test_format_number_exact():
    assert format_number("临翔", "交", 2026, 8) == "临翔服企办交（2026）第8号"
    assert format_number("临翔", "收", 2026, 15) == "临翔服企办收（2026）第15号"


def test_parse_number():
    assert parse_number("临翔服企办交（2026）第8号") == Number("临翔", "交", 2026, 8)
    assert parse_number("临翔服企办交(2026)第8号") == Number("临翔", "交", 2026, 8)  # half-width
    assert parse_number("  临翔服企办报（2026）第 12 号 ") == Number("临翔", "报", 2026, 12)
    assert parse_number("临翔服企办发（2026）第8号") is None  # not a ledger kind
    assert parse_number("2026-8") is None
    assert parse_number("") is None


@given(
    prefix=st.text(alphabet="临翔沧源双江耿马凤庆云县永德镇康市区", min_size=1, max_size=6),
    kind=st.sampled_from(NUMBER_KINDS),
    year=st.integers(min_value=2000, max_value=2099),
    seq=st.integers(min_value=1, max_value=100_000),
)
def test_number_round_trip(prefix, kind, year, seq):
    text = format_number(prefix, kind, year, seq)
    assert parse_number(text) == Number(prefix, kind, year, seq)
    assert parse_number(text.replace("（", "(").replace("）", ")")) == Number(prefix, kind, year, seq)
    assert parse_case_ref(text, this_year=1999) == (kind, year, seq)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("临翔服企办收（2026）第15号", ("收", 2026, 15)),
        ("临翔服企办交（2025）第8号", ("交", 2025, 8)),
        ("临翔服企办报(2026)第3号", ("报", 2026, 3)),
        ("2026-15", ("收", 2026, 15)),
        ("2025-15", ("收", 2025, 15)),
        ("2026/15", ("收", 2026, 15)),
        (" 2026 - 15 ", ("收", 2026, 15)),
        ("15", ("收", 2026, 15)),
        (" 7 ", ("收", 2026, 7)),
    ],
)
def test_parse_case_ref(text, expected):
    assert parse_case_ref(text, this_year=2026) == expected


def test_parse_case_ref_bare_number_uses_this_year():
    assert parse_case_ref("15", this_year=2027) == ("收", 2027, 15)


@pytest.mark.parametrize(
    "text", ["", "abc", "第15号", "2026-", "-15", "26-15", "15号", "临翔服企办收2026第15号", "2026-15-1", None]
)
def test_parse_case_ref_refuses_garbage(text):
    with pytest.raises(LcqyError) as exc:
        parse_case_ref(text, this_year=2026)
    assert "案件" in exc.value.message
    assert "2026-15" in exc.value.message  # shows an accepted form


# --------------------------------------------------------------------------- states


def test_dispatching_a_closed_case_is_refused():
    with pytest.raises(LcqyError) as exc:
        states.check("dispatch", "closed")
    assert "已销号" in exc.value.message
    assert "交办" in exc.value.message


@pytest.mark.parametrize(
    ("act", "state", "nxt"),
    [
        ("dispatch", "registered", "dispatched"),
        ("dispatch", "meeting", "dispatched"),
        ("meeting", "registered", "meeting"),
        ("escalate", "registered", "escalated"),
        ("return", "dispatched", "registered"),
        ("reply", "dispatched", "replied"),
        ("reply", "escalated", "replied"),
        ("close", "replied", "closed"),
        ("extend", "dispatched", None),
        ("urge", "dispatched", None),
        ("edit", "closed", None),
        ("void", "registered", "void"),
    ],
)
def test_check_returns_next_state(act, state, nxt):
    assert states.check(act, state) == nxt


@pytest.mark.parametrize(
    ("act", "state"),
    [
        ("close", "dispatched"),
        ("reply", "registered"),
        ("void", "dispatched"),
        ("meeting", "meeting"),
        ("edit", "void"),
        ("edit", "merged"),
        ("return", "replied"),
    ],
)
def test_check_refuses(act, state):
    with pytest.raises(LcqyError) as exc:
        states.check(act, state)
    assert STATES[state] in exc.value.message
    assert states.TRANSITIONS[act][0] in exc.value.message


@given(act=st.sampled_from(sorted(states.TRANSITIONS)), state=st.sampled_from(sorted(STATES)))
def test_check_matches_the_table(act, state):
    label, allowed, nxt = states.TRANSITIONS[act]
    try:
        got = states.check(act, state)
    except LcqyError as exc:
        assert state not in allowed
        assert STATES[state] in exc.message
        assert label in exc.message
    else:
        assert state in allowed
        assert got == nxt


def test_transition_table_is_closed():
    for label, allowed, nxt in states.TRANSITIONS.values():
        assert label
        assert allowed <= set(STATES)
        assert nxt is None or nxt in STATES
    assert states.TERMINAL <= set(STATES)


def test_terminal_states_only_allow_edit():
    for state in states.TERMINAL:
        for act in states.TRANSITIONS:
            if act == "edit":
                continue
            with pytest.raises(LcqyError):
                states.check(act, state)
