"""Field checks for what the clerk types. Each failure is one Chinese sentence
naming the field and what is allowed; nothing here touches the ledger."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime

from lcqy.errors import LcqyError

_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
# Mainland mobile, or a landline with its area code (0883-2123456, 08832123456,
# (0883)2123456), optionally with an extension (转123 / -123); separators already removed.
_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
# Area codes: 010 and 02X have three digits, the others (0883 Lincang) four.
_LANDLINE = re.compile(r"^(?:\+?86)?(0(?:10|2\d|[3-9]\d{2}))-?(\d{7,8})(?:(?:-|转|ext\.?)(\d{1,6}))?$")
_PHONE_SEPARATORS = str.maketrans("", "", " ()\u00a0\u3000")
_DASHES = str.maketrans({c: "-" for c in "－—–‐‑−"})
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


# Dates outside this span are typing errors (and would overflow date arithmetic).
FIRST_YEAR, LAST_YEAR = 2000, 2099
# Control characters break Excel (openpyxl refuses them) and bidi overrides disguise
# text; both arrive with text pasted from other programs.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Code points XML (so .docx and .xlsx) cannot hold, or that SQLite cannot store as UTF-8:
# lone surrogates (bytes a terminal could not decode) and Unicode's non-characters.
_NOT_XML = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
    + "]"
)
# Forms of the same choice a clerk may type: 其他 and 其它 are both in use.
_SAME = {"其他": "其它", "其它": "其他"}


def unstorable(text: str) -> str | None:
    """The first character of `text` that a .docx/.xlsx cannot hold (or SQLite store), or None."""
    m = _NOT_XML.search(text)
    return m[0] if m else None


def _refuse_unstorable(label: str, text: str) -> None:
    ch = unstorable(text)
    if ch is not None:
        raise LcqyError(
            f"{label}含有无法保存的字符 U+{ord(ch):04X}（多见于乱码或从其他程序粘贴的文字），请删去后重新输入。"
        )


def fold(text: object) -> str:
    """Full-width digits and letters to ASCII (１３８… → 138…), spaces trimmed."""
    return unicodedata.normalize("NFKC", str(text)).strip()


def parse_date(label: str, text: str | date | None) -> date:
    if isinstance(text, datetime):
        text = text.date()
    if isinstance(text, date):
        d = text
    else:
        _refuse_unstorable(label, str(text or ""))
        s = fold(text) if text is not None else ""
        d = None
        for form in _DATE_FORMS:
            m = form.match(s)
            if m:
                try:
                    d = date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    pass
                break
        if d is None:
            raise LcqyError(f"{label}“{s}”不是有效日期，请写成 2026-03-05 的形式。")
    if not FIRST_YEAR <= d.year <= LAST_YEAR:
        raise LcqyError(f"{label} {d.isoformat()} 的年份不对，应在 {FIRST_YEAR}–{LAST_YEAR} 年之间。")
    return d


def year(label: str, value: int) -> int:
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise LcqyError(f"{label} {value} 不对，应在 {FIRST_YEAR}–{LAST_YEAR} 之间。")
    return value


def choice(label: str, value: str | None, allowed: Iterable[str]) -> str:
    """One of `allowed`; full-width forms (Ａ, ＡＢＣ) are read as their usual forms and
    其他/其它 as whichever of them the list holds."""
    allowed = tuple(allowed)
    v = (value or "").strip()
    if v not in allowed and unstorable(v) is None:
        v = fold(v)
        if v not in allowed and _SAME.get(v) in allowed:
            v = _SAME[v]
    if v not in allowed:
        raise LcqyError(f"{label}“{v}”不在可选范围内，可选：{'、'.join(allowed)}。")
    return v


def phone(label: str, value: str) -> str:
    """One stored form: a mobile as 11 digits (13812345678), a landline as area code, dash,
    number (0883-6121234), an extension after 转. Spaces, brackets round the area code and
    any kind of dash are accepted on input."""
    _refuse_unstorable(label, value or "")
    v = fold(value).translate(_DASHES).translate(_PHONE_SEPARATORS) if value else ""
    if m := _MOBILE.match(v.replace("-", "")):
        return m[1]
    if m := _LANDLINE.match(v):
        return f"{m[1]}-{m[2]}" + (f"转{m[3]}" if m[3] else "")
    raise LcqyError(f"{label}“{value}”格式不对：应为11位手机号（如 13812345678）或带区号的座机（如 0883-2123456）。")


def email(label: str, value: str) -> str:
    _refuse_unstorable(label, value or "")
    v = fold(value or "")
    if _EMAIL.match(v):
        return v
    raise LcqyError(f"{label}“{value}”不是有效的电子邮箱地址（如 qiye@example.com）。")


def optional_text(label: str, value: str | None, max_len: int = 2000, *, lines: bool | None = None) -> str:
    """Free text. One-line fields (names, numbers; max_len <= 200 unless `lines`) refuse
    line breaks; longer texts keep them. Control characters are refused everywhere."""
    v = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    _refuse_unstorable(label, v)
    multi = max_len > 200 if lines is None else lines
    if _BAD_CHARS.search(v.replace("\n", "") if multi else v.replace("\n", "\x00")):
        what = "控制字符" if multi else "换行或控制字符"
        raise LcqyError(f"{label}含有{what}（多见于从其他程序粘贴的文字），请删去后重新输入。")
    if len(v) > max_len:
        raise LcqyError(f"{label}过长（{len(v)}字），最多{max_len}字。")
    return v


def required_text(label: str, value: str | None, max_len: int = 2000, *, lines: bool | None = None) -> str:
    v = optional_text(label, value, max_len, lines=lines)
    if not v:
        raise LcqyError(f"{label}不能为空。")
    return v


def not_future(label: str, d: date, today: date) -> date:
    if d > today:
        raise LcqyError(f"{label}{d.isoformat()}晚于今天{today.isoformat()}，不能登记未来的日期。")
    return d


def not_before(label: str, d: date, other_label: str, other: date) -> date:
    if d < other:
        raise LcqyError(f"{label}{d.isoformat()}早于{other_label}{other.isoformat()}。")
    return d
