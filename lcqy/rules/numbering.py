"""Official document numbers (R5): 临翔服企办交（2026）第8号."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from lcqy.errors import LcqyError
from lcqy.rules.constants import NUMBER_KINDS

_NUMBER = re.compile(r"^\s*(.+?)服企办([收交报])[（(]\s*(\d{4})\s*[）)]第\s*(\d+)\s*号\s*$")
_SHORT = re.compile(r"^\s*(\d{4})\s*[-－/]\s*(\d+)\s*$")
_BARE = re.compile(r"^\s*(\d+)\s*$")


# The letters the office sends under 第十八条 are numbered in sequences of their own (not case
# references): 催 for a 催办函, 督 for a 督办函 (督办台帐 and 专项督办), so that a letter's
# number says what its title says. Ledgers written before the 督 series keep the 催 numbers
# their 督办函 were given.
LETTER_KIND = "催"
SUPERVISION_LETTER_KIND = "督"
LETTER_KINDS = (LETTER_KIND, SUPERVISION_LETTER_KIND)


def letter_kind(urge_kind: str) -> str:
    """The number series of an urge's letter: 催 for a 催办, 督 for either 督办."""
    return LETTER_KIND if urge_kind == "催办" else SUPERVISION_LETTER_KIND


def format_number(prefix: str, kind: str, year: int, seq: int) -> str:
    assert kind in NUMBER_KINDS or kind in LETTER_KINDS
    return f"{prefix}服企办{kind}（{year}）第{seq}号"


@dataclass(frozen=True)
class Number:
    prefix: str
    kind: str
    year: int
    seq: int


def parse_number(text: str) -> Number | None:
    m = _NUMBER.match(text or "")
    if not m:
        return None
    return Number(m[1], m[2], int(m[3]), int(m[4]))


def short_ref(reg_no: str, this_year: int) -> str:
    """How a clerk names a case in a command: N for this year, YEAR-N for another year (the
    registration number itself when it is not one of ours to parse)."""
    num = parse_number(reg_no)
    if num is None:
        return reg_no
    return str(num.seq) if num.year == this_year else f"{num.year}-{num.seq}"


MAX_SEQ = 10**6  # far beyond any office's year; larger is a typing error


def parse_case_ref(text: str, this_year: int, prefix: str | None = None) -> tuple[str, int, int]:
    """A case named by its 登记编号 (or a 交办/转报编号), by YEAR-N, or by N for
    this year -> (kind, year, seq); kind is 收 for the short forms. A full number must
    carry the office's own `prefix`: another office's 第28号 is not this office's case 28."""
    s = unicodedata.normalize("NFKC", text or "").strip()
    num = parse_number(s)
    got = None
    if num is not None:
        own = unicodedata.normalize("NFKC", prefix or "").strip()
        if own and num.prefix.strip() != own:
            raise LcqyError(
                f"编号“{s}”是“{num.prefix}服企办”的编号，不是本台帐的：本办编号以“{own}服企办”开头，"
                f"如 {format_number(own, num.kind, num.year, num.seq)}，也可只写 {num.year}-{num.seq}。"
            )
        got = num.kind, num.year, num.seq
    elif m := _SHORT.match(s):
        got = "收", int(m[1]), int(m[2])
    elif m := _BARE.match(s):
        got = "收", this_year, int(m[1])
    if got and 1 <= got[2] <= MAX_SEQ and 2000 <= got[1] <= 2099:
        return got
    raise LcqyError(f"案件“{s}”写法不对：请用登记编号（如 临翔服企办收（2026）第15号）、2026-15 或 15（本年）。")
