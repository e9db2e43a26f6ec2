"""Which act may follow which state (第十至十八条). One table, one check."""

from __future__ import annotations

from lcqy.errors import LcqyError
from lcqy.rules.constants import STATES

OPEN_BEFORE_DISPATCH = frozenset({"registered", "meeting"})

# act -> (label, states it may start from, state it leads to or None if unchanged)
TRANSITIONS: dict[str, tuple[str, frozenset[str], str | None]] = {
    "reject": ("不予受理", OPEN_BEFORE_DISPATCH, "rejected"),
    "forward": ("转交答复", OPEN_BEFORE_DISPATCH, "forwarded"),
    "dispatch": ("交办", OPEN_BEFORE_DISPATCH, "dispatched"),
    "meeting": ("提请专题会议", frozenset({"registered"}), "meeting"),
    "escalate": ("转报", OPEN_BEFORE_DISPATCH, "escalated"),
    "return": ("退单", frozenset({"dispatched"}), "registered"),
    "extend": ("延期", frozenset({"dispatched"}), None),
    "reply": ("答复", frozenset({"dispatched", "replied", "escalated"}), "replied"),
    "followup": ("回访", frozenset({"replied"}), None),
    "close": ("销号", frozenset({"replied"}), "closed"),
    # After a reply, only a case under 督办台帐 or 专项督办 (第十八条) is urged: a 督办.
    "urge": ("催办", frozenset({"dispatched", "replied"}), None),
    "supervise": ("设定专项督办时限", frozenset({"replied"}), None),
    "redispatch": ("重新交办", frozenset({"replied", "dispatched"}), "dispatched"),
    "merge": ("合并", OPEN_BEFORE_DISPATCH, "merged"),
    "void": ("作废", frozenset({"registered"}), "void"),
    "edit": ("更正", frozenset(STATES) - {"void", "merged"}, None),
}

TERMINAL = frozenset({"closed", "rejected", "forwarded", "merged", "void"})
# the states of a case still being handled, in the order of STATES
OPEN_STATES = tuple(s for s in STATES if s not in TERMINAL)


def check(act: str, state: str) -> str | None:
    """Refuse an act the case's state does not allow; return the next state."""
    label, allowed, nxt = TRANSITIONS[act]
    if state not in allowed:
        ok = "、".join(STATES[s] for s in STATES if s in allowed)
        raise LcqyError(f"该案件当前状态为“{STATES[state]}”，不能{label}（{label}只适用于：{ok}）。")
    return nxt


def close_blockers(rep: dict | None, fol: dict | None) -> list[str]:
    """What stands between a case and 销号 (第十八条): latest reply A, enterprise satisfied.

    `fol` is the latest follow-up; it counts only if it followed the latest reply.
    """
    out = []
    if rep is None:
        return ["还没有答复"]
    if rep["result"] != "A":
        out.append(f"最近一次答复是{rep['result']}类，须为A类（已解决或基本解决）")
    if fol is None or fol["reply_id"] != rep["id"]:
        out.append("最近一次答复后还没有回访企业（lcqy followup）")
    elif fol["satisfaction"] not in ("满意", "基本满意"):
        out.append(f"企业回访结果为“{fol['satisfaction']}”，须为满意或基本满意")
    elif fol["incomplete"]:
        out.append("回访认定办理不彻底")
    return out
