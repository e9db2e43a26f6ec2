"""How much text a form cell holds, so a form stays one page (pure; no docx import).

The cells use exact line spacing (`CELL_LINE_PT`), so the height of a text depends on its
number of lines only, whatever font Word, WPS or LibreOffice substitutes. A text longer than its
cell holds is cut with “……（全文见附页）” and printed whole on a 附页 after the form.
"""

from __future__ import annotations

import math
import re

# Grid of the forms: group label | label | value | label | value, 156 mm in all (the GB/T 9704
# text width). Widths hold, in 小四: two characters a line of 企业基本情况, the seven of
# 需要办理或协调, the four of 电子邮箱, and a date such as 2026年11月27日 on one line; the
# last column is wide enough for each half of an ordinary e-mail address in 五号.
COLUMNS_MM = (14, 34, 39, 21, 48)
CELL_MARGIN_MM = 1.5
CELL_PT = 12.0  # 小四
CELL_LINE_PT = 16.0
EMAIL_PT = 10.5  # 五号
PT_MM = 25.4 / 72

MORE = "……（全文见附页）"


def span_mm(first: int, last: int) -> float:
    """Text width of a cell spanning grid columns first..last."""
    return sum(COLUMNS_MM[first : last + 1]) - 2 * CELL_MARGIN_MM


def per_line(width_mm: float, size_pt: float = CELL_PT) -> int:
    """Whole ems a line holds, less one for the punctuation that may not start a line."""
    return max(1, math.floor(width_mm / (size_pt * PT_MM)) - 1)


def line_count(text: str, width_mm: float, size_pt: float = CELL_PT) -> int:
    """Lines the text takes, broken as a word processor breaks it (a number is not cut, Latin
    text is counted as wide as the widest fallback font sets it: see letter_fit)."""
    from lcqy.docs.letter_fit import line_count as wrapped

    return wrapped(text, per_line(width_mm, size_pt))


def fit(text: str, width_mm: float, max_lines: int, size_pt: float = CELL_PT, more: str = MORE) -> tuple[str, bool]:
    """(what the cell shows, whether the text was cut). A cut text ends with `more`."""
    text = text or ""
    if line_count(text, width_mm, size_pt) <= max_lines:
        return text, False
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits together with the mark
        mid = (lo + hi + 1) // 2
        if line_count(text[:mid].rstrip() + more, width_mm, size_pt) <= max_lines:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip("，、；： \n") + more, True


WORD_JOINER = "\u2060"


def email_breaks(address: str, width_mm: float, size_pt: float = EMAIL_PT) -> str:
    """An e-mail address too long for one line of its cell, with a break chance (zero-width
    space) after the @, so no line is cut inside a word; a part still too long for a line gets
    break chances after its dots and underscores. Never at a hyphen: a line ending in one reads
    as a word hyphenated, so a word joiner holds it to what follows (LibreOffice honours it in
    Latin text)."""
    address = address or ""
    cap = per_line(width_mm, size_pt) * 2  # half-width characters
    if "@" not in address or len(address) <= cap:
        return address
    local, _, domain = address.partition("@")
    parts = []
    for part in (local, domain):
        if len(part) > cap:
            for mark in "._":
                part = part.replace(mark, mark + "\u200b")
        parts.append(part.replace("-", "-" + WORD_JOINER))
    return parts[0] + "@\u200b" + parts[1]


def name_lines(names, width_mm: float, size_pt: float = CELL_PT, sep: str = "、") -> str:
    """Names (a list, or a text joined by 、，,) for a cell `width_mm` wide: joined by `sep`, on
    one line where they fit, else broken between names with a newline, never inside one. A name
    longer than a whole line is the only one left to break."""
    from lcqy.docs.letter_fit import width_em

    if isinstance(names, str):
        names = [x.strip() for x in re.split(r"[、，,]", names) if x.strip()]
    cap = per_line(width_mm, size_pt) + 1  # per_line keeps one em for a closing mark: 、 is one
    lines: list[str] = []
    line = ""
    for i, name in enumerate(names):
        piece = name + (sep if i < len(names) - 1 else "")
        if line and width_em(line + piece) > cap:
            lines.append(line)
            line = ""
        if width_em(piece) > cap:  # longer than a line: broken after its place, not at random
            head, piece = _place_split(piece, cap)
            lines.append(line + head)
        line += piece
    if line:
        lines.append(line)
    return "\n".join(lines)


def _place_split(name: str, cap: float) -> tuple[str, str]:
    """A unit name longer than a line, cut after the last place or body word that ends within
    the line (…自治县 / 人力资源和社会保障局, …有限责任公司 / 临沧双江供电局); else at the line's end."""
    limit = int(cap)
    ends = [m.end() for m in re.finditer(r"(?:自治县|自治州|公司|县|区|市|州)", name) if m.end() <= limit]
    cut = ends[-1] if ends and ends[-1] >= 2 else limit
    return name[:cut], name[cut:]


def number_breaks(number: str, width_mm: float, size_pt: float = CELL_PT) -> str:
    """A case number too long for one line of its cell (临翔服企办收（2026）第37号), broken before
    its （ rather than inside （2026）第37号."""
    number = number or ""
    head, mark, tail = number.partition("（")
    if mark and head and line_count(number, width_mm, size_pt) > 1:
        return head + "\n" + mark + tail
    return number


def phone_breaks(phone: str, width_mm: float) -> str:
    """A landline with an extension too long for one line of its cell, broken before 转 rather
    than inside the number."""
    phone = phone or ""
    if "转" in phone and line_count(phone, width_mm) > 1:
        return phone.replace("转", "\n转", 1)
    return phone


OPEN, CLOSE = "《“（(【〔‘", "》”）)】〕’"
# A cut just after a closing mark, or before a conjunction, ends a phrase rather than a word.
PHRASE_END = set(CLOSE)
PHRASE_START = set("和与及并但而或")
UNITS = set("年月日号%％万亿元个件次天人吨")


def _boundary(text: str, limit: int) -> int:
    """Where to cut `text` at most `limit` characters in: never inside 《》, quotes or brackets,
    a number or a Latin word, nor between a number and its unit; after a closing mark or before
    a conjunction where one is in the second half, else as late as allowed."""
    depth, allowed, preferred = 0, [], []
    for i in range(1, min(limit, len(text) - 1) + 1):
        ch, prev = text[i - 1], text[i]
        depth += (ch in OPEN) - (ch in CLOSE)
        if depth > 0 or (ch.isascii() and ch.isalnum() and prev.isascii() and prev.isalnum()):
            continue
        if ch.isdigit() and (prev in UNITS or prev in ".．"):
            continue
        if prev in "，、；：。！？,.;:" or ch in OPEN:
            continue
        allowed.append(i)
        if i >= limit // 2 and (ch in PHRASE_END or prev in PHRASE_START):
            preferred.append(i)
    return (preferred or allowed or [limit])[-1]


def brief(text: str, limit: int = 40) -> tuple[str, bool]:
    """The problem as a letter quotes it: its first sentence when that is short; else its first
    clauses up to `limit` characters where they make most of it, else a cut at a phrase or word
    boundary, never inside a title, a number or a name in quotes (the caller adds 等)."""
    text = " ".join((text or "").split())
    for i, ch in enumerate(text):
        if ch in "。！？；!?;":
            if i <= limit:
                return text[:i], i + 1 < len(text)
            break
    if len(text) <= limit:
        return text.rstrip("。"), False
    head = text[:limit]
    cut = max(head.rfind(c) for c in "，、,：:")
    # a clause of most of the limit reads whole; a short one (根据《…》，) is only an opening
    if cut >= limit * 3 // 5:
        return head[:cut], True
    return text[: _boundary(text, limit)].rstrip("，、,：: "), True
