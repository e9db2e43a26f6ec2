"""File names as Windows accepts them: the names of papers that arrive in exchange packages and
of the files lcqy writes must open on the office's Windows PC, whatever system made them.

Windows refuses a name that is a device (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any
extension: `nul.txt` is the device too), one holding < > : " / \\ | ? * or a control character,
and one ending in a dot or a space; it counts a name's length in UTF-16 units (255 at most),
not in bytes.
"""

from __future__ import annotations

import re

MAX_NAME_UNITS = 255  # UTF-16 units in one name (NTFS; also the usual POSIX limit in bytes)
MAX_PATH_UNITS = 260  # a whole path, unless long paths are switched on in Windows
_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{kind}{n}" for kind in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")
}
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def utf16_units(text: str) -> int:
    """The length Windows counts: characters outside the BMP (𠮷) take two units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def is_reserved_name(name: str) -> bool:
    """A device name, with or without an extension (`CON`, `nul.txt`, `Com1.docx`)."""
    stem = name.split(".", 1)[0].rstrip(" ")
    return stem.upper() in _DEVICES


def name_problem(name: str) -> str | None:
    """Why Windows would not take `name` as a file name, in Chinese; None when it would."""
    if not name or name in (".", ".."):
        return "文件名为空"
    if is_reserved_name(name):
        return f"“{name}”是 Windows 的设备名（CON、NUL、COM1 等），不能作文件名"
    bad = sorted(set(_FORBIDDEN.findall(name)))
    if bad:
        shown = " ".join(repr(ch)[1:-1] if ord(ch) < 32 else ch for ch in bad)
        return f"文件名“{name}”含有 Windows 不允许的字符：{shown}"
    if name[-1] in ". ":
        return f"文件名“{name}”以点或空格结尾，Windows 不允许"
    if utf16_units(name) > MAX_NAME_UNITS:
        return f"文件名太长：{utf16_units(name)} 个字符，Windows 最多 {MAX_NAME_UNITS} 个"
    return None


def windows_safe_name(name: str, max_units: int = MAX_NAME_UNITS) -> str:
    """`name` changed as little as possible so that Windows takes it: forbidden characters
    become _, a trailing dot or space goes, a device name gets a _ in front (`_CON.txt`), and
    a long name is shortened before its extension. A name Windows takes is returned as is."""
    name = _FORBIDDEN.sub("_", name).rstrip(". ")
    if not name or set(name) <= {"."}:
        name = "_"
    if is_reserved_name(name):
        name = "_" + name
    if utf16_units(name) <= max_units:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or utf16_units(ext) > 16:  # no extension worth keeping
        stem, ext = name, ""
    keep = max_units - (utf16_units(ext) + 1 if ext else 0)
    out, used = [], 0
    for ch in stem:
        w = 2 if ord(ch) > 0xFFFF else 1
        if used + w > keep:
            break
        out.append(ch)
        used += w
    stem = "".join(out).rstrip(". ") or "_"
    return f"{stem}.{ext}" if ext else stem
