"""An xlsx package read by streaming its XML: the worksheets in order, and each sheet's rows as
{column index: value}, with the values openpyxl's read-only, data-only mode gives (shared and
inline strings, numbers, dates by their number format, booleans, cached formula results).

openpyxl builds a dict and a cell object for every cell, which was half the time of importing a
100,000-case ledger. The sheets and the shared strings go through expat with small handlers
(ElementTree's tree builder was slower still: it joins the text of every character reference
&#NNNNN; one by one, and our export writes Chinese that way). Files from outside are hostile: no
DTD is taken (no entity expansion), no tree is kept (the small parts' elements are dropped once
read), a row may hold at most MAX_CELLS cells and a cell or shared string at most MAX_TEXT
characters, so memory stays bounded whatever the XML holds (the caller bounds the unpacked sizes
and the number of rows).
"""

from __future__ import annotations

import posixpath
import pyexpat
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from lcqy.errors import LcqyError

MAX_CELLS = 16_384  # Excel's column count
MAX_TEXT = 1_000_000  # characters of one cell or shared string (Excel keeps at most 32,767)

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIGITS = "0123456789"
_ROW, _C, _V, _F, _IS, _T, _RPH, _SI = range(8)
# Element names as expat reports them ("namespace local"), transitional and strict OOXML.
_MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
_LOCAL = {"row": _ROW, "c": _C, "v": _V, "f": _F, "is": _IS, "t": _T, "rPh": _RPH, "si": _SI}
_CODES = {f"{ns} {local}": code for ns in _MAIN for local, code in _LOCAL.items()}


def _refuse(name: str, what: str) -> LcqyError:
    return LcqyError(f"{name} {what}，不像是 Excel 台帐，未导入（台帐未改动）。")


def _elements(z: zipfile.ZipFile, member: str) -> Iterator:
    """(event, element) of a small part, each element dropped from its parent once ended."""
    stack: list = []
    with z.open(member) as fh:
        for ev, el in iterparse(fh, events=("start", "end")):
            if ev == "start":
                stack.append(el)
                continue
            stack.pop()
            yield el
            if stack:
                stack[-1].clear()  # the parent's attributes were read at its start


class Package:
    """The parts of a workbook that its values need: sheet list, shared strings, number formats."""

    def __init__(self, path, name: str):
        self.name = name
        self.zip = zipfile.ZipFile(path)
        try:
            self._read_parts()
        except BaseException:
            self.zip.close()
            raise

    def close(self) -> None:
        self.zip.close()

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type's last word, member path) of a part."""
        folder, base = posixpath.split(part)
        rels_path = posixpath.join(folder, "_rels", base + ".rels")
        out: dict[str, tuple[str, str]] = {}
        if rels_path not in self.zip.NameToInfo:
            return out
        for el in _elements(self.zip, rels_path):
            if el.tag == _PKG + "Relationship" and el.get("Id") and el.get("Target"):
                target = el.get("Target")
                path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                out[el.get("Id")] = ((el.get("Type") or "").rsplit("/", 1)[-1], path)
        return out

    def _read_parts(self) -> None:
        main = next((p for kind, p in self._rels("").values() if kind == "officeDocument"), "xl/workbook.xml")
        rels = self._rels(main)
        self.sheets: list[tuple[str, str]] = []  # (title, member), worksheets only, in order
        self.epoch = CALENDAR_WINDOWS_1900
        for el in _elements(self.zip, main):
            local = el.tag.rsplit("}", 1)[-1]
            if local == "sheet":
                kind, path = rels.get(el.get(_REL) or "", ("", ""))
                if kind == "worksheet":
                    self.sheets.append((el.get("name") or "", path))
            elif local == "workbookPr" and (el.get("date1904") or "").lower() in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904
        by_kind = {kind: path for kind, path in rels.values()}
        self.shared = self._shared(by_kind["sharedStrings"]) if "sharedStrings" in by_kind else []
        self.formats: list[str] = []  # number format code of each cell style (cellXfs index)
        if "styles" in by_kind and by_kind["styles"] in self.zip.NameToInfo:
            self._styles(by_kind["styles"])
        self.date_styles = {i for i, fmt in enumerate(self.formats) if is_date_format(fmt)}
        self.timedelta_styles = {i for i, fmt in enumerate(self.formats) if is_timedelta_format(fmt)}

    def _styles(self, member: str) -> None:
        custom: dict[int, str] = {}
        xfs: list[int] = []
        stack: list = []
        with self.zip.open(member) as fh:
            for ev, el in iterparse(fh, events=("start", "end")):
                local = el.tag.rsplit("}", 1)[-1]
                if ev == "start":
                    stack.append(local)
                    if local == "numFmt":
                        custom[int(el.get("numFmtId") or 0)] = el.get("formatCode") or ""
                    elif local == "xf" and len(stack) > 1 and stack[-2] == "cellXfs":
                        xfs.append(int(el.get("numFmtId") or 0))
                    continue
                stack.pop()
                el.clear()
        self.formats = [custom.get(i) or BUILTIN_FORMATS.get(i, "General") for i in xfs]

    def _shared(self, member: str) -> list[str]:
        """The shared-strings table: each entry's text without its phonetic runs (as openpyxl)."""
        strings: list[str] = []
        parts: list[str] = []
        state = {"t": False, "rph": 0, "size": 0}

        def start(name, attrs):
            code = _CODES.get(name)
            if code == _T:
                state["t"] = not state["rph"]
            elif code == _SI:
                parts.clear()
                state["size"] = 0
            elif code == _RPH:
                state["rph"] += 1

        def end(name):
            code = _CODES.get(name)
            if code == _T:
                state["t"] = False
            elif code == _SI:
                strings.append("".join(parts).replace("x005F_", ""))
            elif code == _RPH:
                state["rph"] -= 1

        def data(text):
            if state["t"]:
                parts.append(text)
                state["size"] += len(text)
                if state["size"] > MAX_TEXT:
                    raise _refuse(self.name, "的共享文字中有一项过长")

        for _ in self._parse(member, start, end, data):
            pass
        return strings

    def _parse(self, member: str, start, end, data) -> Iterator[None]:
        """Feed a part to expat a chunk at a time, yielding after each chunk. No DTD is taken:
        no package part has one, and entity declarations are how XML expands without bound."""
        parser = pyexpat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.buffer_size = 1 << 16
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = data

        def dtd(*_):
            raise _refuse(self.name, f"的 {member} 带有文档类型定义")

        parser.StartDoctypeDeclHandler = dtd
        parser.EntityDeclHandler = dtd
        with self.zip.open(member) as fh:
            while chunk := fh.read(1 << 20):
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
        yield

    def rows(self, member: str) -> Iterator[tuple[int, dict[int, object], dict[int, int], set[int]]]:
        """(row number, {column index from 0: value}, {column: style index}, {columns of formulas
        the file keeps no computed value for}) of every row that holds a cell, in file order.
        Rows numbered out of order are skipped (as openpyxl does)."""
        shared, dates, spans, epoch = self.shared, self.date_styles, self.timedelta_styles, self.epoch
        name = self.name
        code_of = _CODES.get
        column_of: dict[str, int] = {}
        out: list[tuple] = []
        parts: list[str] = []
        # The handlers run for every element of the sheet (millions): plain closure variables,
        # the commonest elements tested first.
        number = last = cells = size = rph = 0
        keep = collect = in_is = inline = formula = False
        values: dict[int, object] = {}
        styles: dict[int, int] = {}
        formulas: set[int] = set()
        col, kind, style = -1, "n", 0
        C, V, T, IS, ROW, F, RPH = _C, _V, _T, _IS, _ROW, _F, _RPH

        def start(tag, attrs):
            nonlocal number, last, cells, size, rph, keep, collect, in_is, inline, formula
            nonlocal values, styles, formulas, col, kind, style
            code = code_of(tag)
            if code == C:
                cells += 1
                if cells > MAX_CELLS:
                    raise _refuse(name, f"第{number}行的单元格超过 {MAX_CELLS:,} 个")
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip(_DIGITS)
                    col = column_of.get(letters, -1)
                    if col < 0:
                        col = column_of[letters] = _column(letters)
                else:
                    col += 1
                kind = attrs.get("t", "n")
                s = attrs.get("s")
                style = int(s) if s else 0
                formula = inline = False
                parts.clear()
                size = 0
            elif code == T:
                collect = in_is and not rph
            elif code == IS:
                in_is = inline = True
            elif code == V:
                collect = True
            elif code == ROW:
                r = attrs.get("r")
                number = int(r) if r else last + 1
                keep = number > last
                last = max(last, number)
                values, styles, formulas = {}, {}, set()
                cells, col = 0, -1
            elif code == F:
                formula = True
            elif code == RPH:
                rph += 1

        def end(tag):
            nonlocal collect, in_is, rph
            code = code_of(tag)
            if code == C:
                v = "".join(parts) if parts else None
                if kind == "inlineStr":
                    value = v if inline else None
                    v = None
                elif not v:
                    value = None
                elif kind == "n":
                    value = float(v) if ("." in v or "E" in v or "e" in v) else int(v)
                    if style in dates:
                        try:
                            value = from_excel(value, epoch, timedelta=style in spans)
                        except (OverflowError, ValueError):
                            value = "#VALUE!"
                elif kind == "s":
                    value = shared[int(v)]
                elif kind == "b":
                    value = bool(int(v))
                elif kind == "d":
                    value = from_ISO8601(v)
                else:  # str (a formula's text result), e (an error such as #N/A)
                    value = v
                if formula and not (v or "").strip() and not inline:
                    formulas.add(col)
                values[col] = value
                if style:
                    styles[col] = style
            elif code == T or code == V:
                collect = False
            elif code == IS:
                in_is = False
            elif code == ROW:
                if keep and values:
                    out.append((number, values, styles, formulas))
            elif code == RPH:
                rph -= 1

        def data(text):
            nonlocal size
            if collect:
                parts.append(text)
                size += len(text)
                if size > MAX_TEXT:
                    raise _refuse(name, f"第{number}行有一格文字过长")

        for _ in self._parse(member, start, end, data):
            yield from out
            out.clear()


def _column(letters: str) -> int:
    """'A' -> 0, 'AB' -> 27; anything else (a broken reference) -> ValueError."""
    n = 0
    for ch in letters:
        if not "A" <= ch <= "Z":
            raise ValueError(f"bad cell reference {letters!r}")
        n = n * 26 + ord(ch) - 64
    if not 0 < n <= MAX_CELLS:
        raise ValueError(f"bad cell reference {letters!r}")
    return n - 1
