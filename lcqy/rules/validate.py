"""Field checks for what the clerk types. Each failure is one Chinese sentence
naming the field and what is allowed; nothing here touches the ledger."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from lcqy.errors import LcqyError

_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
# Mainland mobile, or a landline with its area code (0883-2123456, 08832123456),
# optionally with an extension (转123 / -123).
_MOBILE = re.compile(r"^(?:\+?86[- ]?)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:(?:-|转)\d{1,6})?$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


def parse_date(label: str, text: str | date | None) -> date:
    if isinstance(text, date):
        return text
    s = (text or "").strip()
    for form in _DATE_FORMS:
        m = form.match(s)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                break
    raise LcqyError(f"{label}“{s}”不是有效日期，请写成 2026-03-05 的形式。")


def choice(label: str, value: str | None, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    v = (value or "").strip()
    if v not in allowed:
        raise LcqyError(f"{label}“{v}”不在可选范围内，可选：{'、'.join(allowed)}。")
    return v


def phone(label: str, value: str) -> str:
    v = value.strip().replace(" ", "") if value else ""
    v = v.replace("－", "-").replace("—", "-")
    if _MOBILE.match(v) or _LANDLINE.match(v):
        return v
    raise LcqyError(f"{label}“{value}”格式不对：应为11位手机号（如 13812345678）或带区号的座机（如 0883-2123456）。")


def email(label: str, value: str) -> str:
    v = (value or "").strip()
    if _EMAIL.match(v):
        return v
    raise LcqyError(f"{label}“{value}”不是有效的电子邮箱地址（如 qiye@example.com）。")


def required_text(label: str, value: str | None, max_len: int = 2000) -> str:
    v = (value or "").strip()
    if not v:
        raise LcqyError(f"{label}不能为空。")
    if len(v) > max_len:
        raise LcqyError(f"{label}过长（{len(v)}字），最多{max_len}字。")
    return v


def optional_text(label: str, value: str | None, max_len: int = 2000) -> str:
    v = (value or "").strip()
    if len(v) > max_len:
        raise LcqyError(f"{label}过长（{len(v)}字），最多{max_len}字。")
    return v


def not_future(label: str, d: date, today: date) -> date:
    if d > today:
        raise LcqyError(f"{label}{d.isoformat()}晚于今天{today.isoformat()}，不能登记未来的日期。")
    return d


def not_before(label: str, d: date, other_label: str, other: date) -> date:
    if d < other:
        raise LcqyError(f"{label}{d.isoformat()}早于{other_label}{other.isoformat()}。")
    return d
