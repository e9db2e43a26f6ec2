"""The data rows of the ledger's category sheets, written as SpreadsheetML text.

openpyxl makes a cell object and an lxml element for every cell, and writes each Chinese
character as a character reference (`&#20020;`, 8 bytes for 3): at 100,000 cases, 2.4 million
cells, that was two thirds of the export and 260 MB of XML to compress. The rows here are simple
(inline strings, whole numbers, dates as serial numbers, a style index on every cell), so they are
formatted as text straight into a temporary file per sheet. openpyxl still writes everything else
(styles, widths, panes, the header rows, filter, print setup, the 汇总 sheet) and `splice` puts the
rows into its package. The cells are those openpyxl writes for the same values: `inlineStr` with
`xml:space` on text with outer blanks, `t="n"` for numbers, dates and empty styled cells, text cut
at 32,767 characters, the same characters refused; a reader sees the same values, types and styles.
"""

from __future__ import annotations

import datetime as _dt
import re
import shutil
import tempfile
import zipfile
from typing import IO

from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import IllegalCharacterError

MAX_TEXT = 32_767  # Excel's limit for a cell; openpyxl cuts longer text there
# Control characters openpyxl refuses (IllegalCharacterError), then what XML 1.0 cannot hold
# (lxml refused those with a ValueError).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Serial numbers count from 1899-12-30 for every date from 1900-03-01 (Excel's phantom 1900-02-29
# shifts the earlier ones; those go through openpyxl's own conversion).
_C0_BAD = bytes(b for b in range(32) if b not in (9, 10, 13))
SERIAL_ZERO = _dt.date(1899, 12, 30).toordinal()
MARCH_1900 = _dt.date(1900, 3, 1).toordinal()
_FLUSH_ROWS = 256
# Above this a part needs ZIP64 sizes (zipfile must know before it starts the member).
_ZIP64_FROM = (1 << 31) - (1 << 24)


def escape(text: str) -> str:
    """Text content as XML: markup characters escaped; a CR as a reference, which a parser
    would otherwise turn into a line feed."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def inline_text(value: str) -> str:
    """The inline string of a text cell, as openpyxl writes it: cut at Excel's limit, blanks
    at either end kept."""
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    space = ' xml:space="preserve"' if value != value.strip() else ""
    if "&" in value or "<" in value or ">" in value or "\r" in value:
        value = escape(value)
    return f"<is><t{space}>{value}</t></is>"


def date_serial(value: _dt.date) -> str:
    """A date as Excel's serial day number, as openpyxl writes it (iso_dates off)."""
    day = value.toordinal()
    if day >= MARCH_1900:
        return str(day - SERIAL_ZERO)
    return number(to_excel(value))


def number(value: int | float) -> str:
    return str(value) if type(value) is int else f"{value:.16g}"


def _refuse(rows: list[str]) -> Exception:
    """The error openpyxl (a control character) or lxml (what XML cannot hold) raised for the
    first text of `rows` that holds such a character."""
    for xml in rows:
        for text in re.findall(r"<t[^>]*>([^<]*)</t>", xml):
            if _CONTROL.search(text):
                return IllegalCharacterError(f"{text} cannot be used in worksheets.")
            if _NOT_XML.search(text):
                return ValueError(f"All strings must be XML compatible: {text!r}")
    return ValueError("All strings must be XML compatible")


class RowFile:
    """A sheet's rows as UTF-8 XML in an unnamed temporary file (in tempfile's directory:
    export-ledger points it at a private one), written a few hundred rows at a time."""

    def __init__(self) -> None:
        self.fh: IO[bytes] = tempfile.TemporaryFile()
        self.pending: list[str] = []
        self.size = 0

    def add(self, xml: str) -> None:
        self.pending.append(xml)
        if len(self.pending) >= _FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            try:
                data = "".join(self.pending).encode()
            except UnicodeEncodeError:  # a lone surrogate
                raise _refuse(self.pending) from None
            # One pass over the bytes for the characters a worksheet cannot hold: C0 controls but
            # tab, LF and CR (which text may hold; CR is escaped) and U+FFFE, U+FFFF.
            if len(data.translate(None, _C0_BAD)) != len(data) or b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data:
                raise _refuse(self.pending)
            self.pending = []
            self.size += len(data)
            self.fh.write(data)

    def copy_to(self, out: IO[bytes]) -> None:
        self.flush()
        self.fh.seek(0)
        shutil.copyfileobj(self.fh, out, 1 << 20)

    def close(self) -> None:
        self.fh.close()


def splice(package: IO[bytes], dest: str, rows: dict[str, RowFile], compresslevel: int) -> None:
    """Copy the xlsx `package` to `dest`, each worksheet part named in `rows` with those rows
    added at the end of its sheetData; every part deflated at `compresslevel`."""
    with (
        zipfile.ZipFile(package) as src,
        zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=compresslevel) as out,
    ):
        for info in src.infolist():
            body = src.read(info)
            data = rows.get(info.filename)
            if data is None:
                out.writestr(info.filename, body)
                continue
            at = body.rfind(b"</sheetData>")
            if at < 0:
                raise ValueError(f"{info.filename}: no sheetData to add rows to")
            data.flush()
            with out.open(info.filename, "w", force_zip64=len(body) + data.size > _ZIP64_FROM) as part:
                part.write(body[:at])
                data.copy_to(part)
                part.write(body[at:])
