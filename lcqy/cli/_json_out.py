"""JSON and text that scale with the ledger written out as they come (list --json, overdue
--json, agenda --json): one record a line, constant memory; UTF-8 from SQLite goes out as it is
when the output is UTF-8, checked rather than decoded and encoded again."""

from __future__ import annotations

import codecs
import os
import sqlite3
import sys
from collections.abc import Iterable
from itertools import islice
from typing import BinaryIO, TextIO

from lcqy.cli._rows import no_collector


def _utf8_bytes(out: object) -> BinaryIO | None:
    """The byte stream under a text stream, if any: JSON goes there as UTF-8 whatever the
    text layer's encoding (GBK on a Windows console) and line ends."""
    return getattr(out, "buffer", None)


# Records joined and written at a time: about 500 KB of list records, which stay in the
# processor's cache while checked and written (4,096 cost 0.1 s more for 1,000,000 records).
_RECORDS = 1024


def print_json_texts(texts: Iterable[str | bytes]) -> int:
    """A JSON array of records already in JSON, written as they come, one a line: constant
    memory at any size. Records given as UTF-8 bytes (SQLite's own, CAST AS BLOB) go out as they
    are when the output is UTF-8 (checked, not decoded into text and encoded again)."""
    out: TextIO | BinaryIO = sys.stdout
    texts = iter(texts)
    first = next(texts, None)
    if first is None:
        out.write("[]\n")
        return 0
    start, sep, end = "[\n", ",\n", "\n]\n"
    raw = _utf8_bytes(out)
    if raw is None:  # a stream of text only
        if isinstance(first, bytes):
            texts, first = (_text(t) for t in texts), _text(first)
    else:
        out.flush()
        _wide_pipe(raw)
        if isinstance(first, bytes):
            _text(first)  # stored text another program wrote may not be UTF-8
        else:
            texts, first = (t.encode() for t in texts), first.encode()
        out, start, sep, end = raw, b"[\n", b",\n", b"\n]\n"
    n = 1
    with no_collector():
        out.write(start + first)
        while chunk := list(islice(texts, _RECORDS)):
            joined = sep.join(chunk)
            if isinstance(joined, bytes):
                _check_utf8(joined)
            out.write(sep)
            out.write(joined)  # not sep + joined: a copy of every chunk (490 MB for list --all at 1,000,000 cases)
            n += len(chunk)
        out.write(end)
    out.flush()
    return n


def _wide_pipe(out: object) -> None:
    """A pipe to the reader widened to 1 MiB (Linux; 64 KiB by default) for output that runs to
    hundreds of megabytes: the reader is woken a sixteenth as often (3 % of the CPU and 10 % of
    the time of `agenda --json` at 1,000,000 cases). Anything else is left as it is."""
    try:
        import fcntl
        import stat

        fd = out.fileno()  # type: ignore[attr-defined]
        if hasattr(fcntl, "F_SETPIPE_SZ") and stat.S_ISFIFO(os.fstat(fd).st_mode):  # Linux only
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, OSError, AttributeError, ValueError):
        pass  # no fcntl (Windows), no file descriptor, or a lower limit for pipes: as it is


def write_utf8(pieces: Iterable[bytes]) -> None:
    """Text given as UTF-8 pieces (SQLite's own, CAST AS BLOB), written as it comes: as it is
    when the output is UTF-8 (checked, not decoded into text and encoded again), else through
    the text layer (a GBK console)."""
    out = sys.stdout
    raw = _utf8_bytes(out)
    try:
        utf8 = raw is not None and codecs.lookup(out.encoding or "utf-8").name == "utf-8"
    except LookupError:
        utf8 = False
    if utf8:
        out.flush()
        _wide_pipe(raw)
    # Checked as one text: a piece may end inside a character the next one finishes.
    check, cut = codecs.getincrementaldecoder("utf-8")(), b""
    with no_collector():
        for piece in pieces:  # stored text another program wrote may not be UTF-8
            if utf8:  # a megabyte a piece: checked a slice at a time, not decoded whole
                cut = _check_utf8(piece, cut, final=False)
                raw.write(piece)
            else:
                out.write(_checked(check, piece))
        _check_utf8(b"", cut) if utf8 else _checked(check, b"", final=True)
    out.flush()


def _checked(decoder: codecs.IncrementalDecoder, piece: bytes, final: bool = False) -> str:
    try:
        return decoder.decode(piece, final)
    except UnicodeDecodeError as exc:
        raise sqlite3.DataError(f"有文字不是有效的 UTF-8 编码：{exc.object[exc.start : exc.end + 8]!r}") from None


# Bytes checked at a time: a chunk's text (2 MB at 4,096 list records) decoded whole makes a
# 4 MB string out of memory not yet touched, which cost as much as the check itself (0.3 s of
# list --all --json's 0.55 s at 1,000,000 cases); a slice's fits in the processor's cache.
_SLICE = 65536


def _check_utf8(data: bytes, cut: bytes = b"", final: bool = True) -> bytes:
    """Raise sqlite3.DataError unless `cut` + `data` is UTF-8 throughout, checked a slice at a
    time (a character cut by a slice's end carried over into the next). `cut`: the bytes of a
    character the previous piece ended inside; unless `final`, those of one `data` ends inside
    are returned for the next piece (a spooled text's pieces are cut anywhere)."""
    if cut:  # that character finished first from this piece's first bytes: `data` is not copied
        need = (2 if cut[0] < 0xE0 else 3 if cut[0] < 0xF0 else 4) - len(cut)
        if len(data) < need and not final:
            return cut + data
        _utf8_slices(cut + data[:need], True)
        data = memoryview(data)[need:]
    return _utf8_slices(data, final)


def _utf8_slices(data: bytes | memoryview, final: bool) -> bytes:
    view, at, end = memoryview(data), 0, len(data)
    # At least a character's four bytes, so that each slice takes one whole at least.
    step = max(_SLICE, 4)
    try:
        while at < end:
            _, used = codecs.utf_8_decode(view[at : at + step], "strict", final and at + step >= end)
            if not used:  # only a cut character is left (not final)
                break
            at += used
    except UnicodeDecodeError as exc:
        bad = at + exc.start
        raise sqlite3.DataError(f"有文字不是有效的 UTF-8 编码：{bytes(view[bad : at + exc.end + 8])!r}") from None
    return bytes(view[at:])


def decoded(text: bytes) -> str:
    """UTF-8 bytes from SQLite as text; sqlite3.DataError when they are not UTF-8."""
    return _text(text)


def _text(record: bytes) -> str:
    try:
        return record.decode()
    except UnicodeDecodeError as exc:
        # What the sqlite3 module says when it cannot decode a text column, in Chinese.
        raise sqlite3.DataError(f"有文字不是有效的 UTF-8 编码：{exc.object[exc.start : exc.end + 8]!r}") from None


def say_plain(text: str) -> None:
    """A line of text, unwrapped (callers keep it within 80 cells)."""
    sys.stdout.write(text + "\n")
