"""The clerk's morning list: every open case that needs her today, in one section each, worst
section first, each with the next command to run (第十二至十八条).

Built for 1,000,000 cases and more. Each state of an open case has its arm: a SELECT that SQLite
runs over an index of the cases in that state, in the section's order (most days late, earliest
due date, registration number), yielding each case's section, note and next command, so that
Python handles no row of the bulk. A few are placed apart into temp.agenda_items (the urged late
cases, the answered cases under 督办, the online requests) and merged in. Today every section is
counted first from migration 32's narrow indexes, then read in order and written as it is read;
each `agenda --json` item is joined by SQLite from what an index or a text kept per day holds
(the case's part, the item up to its command), the JSON text printed as it comes, a chunk at a
time.

A day in the past is drawn up from the ledger as it stood that day: acts dated later are left
out (lcqy.acts.boards.then), and the same fillers read the cases' state then from a temporary
table in place of the cases' own columns.

The arms that place the cases are in lcqy.acts.boards.agenda_arms: a new section is a key in
SECTIONS (lcqy.acts.boards.agenda_texts, with the commands and the item's fixed text) and an arm
in ARMS (or a placer, lcqy.acts.boards.agenda_placed) that yields the section's rows; this module
reads the sections, counts them and writes them out."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial

from lcqy.acts.boards import tracking
from lcqy.acts.boards.agenda_arms import ARMS, Arm
from lcqy.acts.boards.agenda_day import NOW, Day
from lcqy.acts.boards.agenda_placed import fill
from lcqy.acts.boards.agenda_texts import (
    CLOSE,
    DAYS_LATE,
    FOLLOWUP,
    MEETING,
    NUMBER,
    PACKAGE,
    REPLY,
    SECTIONS,
    URGE,
    lit,
)
from lcqy.acts.context import Ctx

_CHUNK = 4096  # items read at a time
_KEYS = ("case", "reg_no", "enterprise", "lead_dept", "due", "days_late", "note", "next")
# What a section lists of a row, over the names every arm yields (and agenda_items has).
_RECORD = "reg_year || '-' || reg_seq, reg_no, enterprise, coalesce(lead, ''), due, late, note, next"
# One item as json.dumps(indent=2) writes it at its depth in the list (json_quote escapes as
# Python's encoder with ensure_ascii=False does), as UTF-8 bytes: what is printed. The number and
# the next command hold no character JSON escapes (digits, and the commands' own text).
_JSON_FORMAT = {"case": '"%d-%d"', "days_late": "%d"}
_JSON_ARGS = (
    "reg_year, reg_seq, json_quote(reg_no), json_quote(enterprise), json_quote(coalesce(lead, '')), "
    "json_quote(due), late"
)
# The commands go into a printf format and a JSON string as they stand.
assert not any(c in t for t in (URGE, REPLY, PACKAGE, MEETING, FOLLOWUP, CLOSE) for c in '"\\%')


def _json_item(arm: Arm | None, key: str, head: bool = False) -> str:
    """The item of a row of `arm` in section `key` (None: a row placed in Python, with its note
    and command as values): one printf, the note's format and the command the arm's for the
    section when it gives them. `head`: the row's case part read as the arm's `head` (migration
    28's text, the same bytes), leaving a few values to format."""
    spec = arm.json.get(key) if arm else None
    note, args, nxt = spec if spec else ("%s", "json_quote(note)", "")
    if nxt:
        pre, _, post = nxt.partition("{n}")
        nxt, args = f'"{pre}%s{post}"', ", ".join(x for x in (args, NUMBER) if x)
    else:
        nxt, args = '"%s"', f"{args}, next"
    tail = [f'          "note": {note}', f'          "next": {nxt}']
    if head and arm:  # the due date and days late the day's (dated arms), or none
        fmt, first = ("%s%s", "head, jdue") if arm.dated else ("%snull" + DAYS_LATE + "0", "head")
        fmt += ",\n" + ",\n".join(tail)
    else:
        lines = [f'          "{k}": {_JSON_FORMAT.get(k, "%s")}' for k in _KEYS[:-2]]
        fmt, first = "        {\n" + ",\n".join([*lines, *tail]), _JSON_ARGS
    if head and arm and key in arm.joined:  # read from an index or kept per day: joined, no printf
        return f"CAST({arm.joined[key]} || {lit(chr(34) + chr(10) + '        }')} AS BLOB)"
    return f"CAST(printf({lit(fmt + chr(10) + '        }')}, {first}, {args}) AS BLOB)"


_NONE: frozenset = frozenset()


def _section_sql(
    day: Day, keys: tuple[str, ...], view: Callable[[Arm | None, str], str], placed: bool, empty: frozenset = _NONE
) -> str:
    """The rows of the sections `keys` in order, each as the value `view` makes of a row of an
    arm (None: of the rows placed apart) in its section: the arms that place cases in them, each
    read in its own order, merged with the rows placed apart (when `placed`). One key: the
    values; more (sections one arm fills, read in one pass): (section, value). `empty`: the
    (arm, section) pairs counted with no row, left out (nothing to merge them with)."""
    arms = [a for a in ARMS if any(k in a.sections and (a.select, k) not in empty for k in keys)]
    cond = "section = " + lit(keys[0]) if len(keys) == 1 else f"section IN ({', '.join(map(lit, keys))})"

    def value(arm: Arm | None) -> str:
        if len(keys) == 1:
            return view(arm, keys[0])
        return "CASE section " + " ".join(f"WHEN {lit(k)} THEN {view(arm, k)}" for k in keys) + " END"

    def bound(arm: Arm) -> str:  # the stretch of the index the sections are read from
        got = [arm.bounds.get(k, "") for k in keys if k in arm.sections]
        got = [(b[0] if day.src is NOW else b[1]) if isinstance(b, tuple) else b for b in got]
        if len(got) == 1 or not all(got):
            return got[0] if len(got) == 1 else ""
        return "AND (" + " OR ".join(f"({b.removeprefix('AND ')})" for b in got) + ")"

    def cols(arm: Arm | None) -> str:
        return value(arm) if len(keys) == 1 else f"section, {value(arm)}"

    if not arms:  # placed rows only, in the table's order
        return (
            f"SELECT {cols(None)} FROM temp.agenda_items WHERE {cond} ORDER BY nlate, due_key, reg_year, reg_seq, tie"
        )
    selects = [(a, day.sql(a.select(day, bound(a)))) for a in arms]

    def where(arm: Arm) -> str:  # a stretch of an index that holds these sections alone: no row tested
        return "" if day.src is NOW and set(keys) <= set(arm.exact) else f" WHERE {cond}"

    if len(arms) == 1 and not placed:  # one arm, in the index's order: nothing to merge
        arm, select = selects[0]
        return f"SELECT {cols(arm)} FROM ({select}){where(arm)} ORDER BY o, reg_year, reg_seq"
    parts = [f"SELECT section, {value(a)} AS v, o, reg_year, reg_seq FROM ({s}){where(a)}" for a, s in selects]
    if placed:  # supervised rows: their days late fall as their due dates rise, as the arms' do
        parts.append(f"SELECT section, {value(None)} AS v, due, reg_year, reg_seq FROM temp.agenda_items WHERE {cond}")
    # SQLite merges the parts, each already in this order (a supervised case has one row).
    return f"SELECT {'v' if len(keys) == 1 else 'section, v'} FROM ({' UNION ALL '.join(parts)} ORDER BY 3, 4, 5)"


def _counts(day: Day) -> tuple[dict[str, int], set[str], frozenset]:
    """Each section's count (the arms' and the placed rows'), the sections with placed rows, and
    the (arm, section) pairs with no row. Today each section of an arm that has them is counted
    from its narrow index (migration 32); the other arms, and every arm on a day in the past,
    count the rows they work out."""
    conn, params = day.ctx.ledger.conn, day.params()
    counts: dict[str, int] = {}
    empty = set()
    for arm in ARMS:
        if day.src is NOW and arm.counted:
            tally = f"SELECT count(*) FROM cases c INDEXED BY {arm.tally} WHERE "
            got = [conn.execute(tally + arm.counted[key], params).fetchone()[0] for key in arm.sections]
        else:  # a count a section, in one pass (a GROUP BY would sort the rows first)
            each = ", ".join(f"count(CASE WHEN section = '{key}' THEN 1 END)" for key in arm.sections)
            got = conn.execute(f"SELECT {each} FROM ({day.sql(arm.select(day))})", params).fetchone()
        for key, n in zip(arm.sections, got):
            if n:
                counts[key] = counts.get(key, 0) + n
            else:
                empty.add((arm.select, key))
    placed = dict(conn.execute("SELECT section, count(*) FROM temp.agenda_items GROUP BY section"))
    for key, n in placed.items():
        counts[key] = counts.get(key, 0) + n
    return counts, set(placed), frozenset(empty)


# Sections the enterprises' side draws up whole (lcqy.acts.boards.tracking): key -> its function.
_WHOLE = {"online": "agenda_section", "enterprise_added": "added_section"}


def _whole(ctx: Ctx, as_of: date, key: str, title: str, limit: int | None) -> dict:

    return getattr(tracking, _WHOLE[key])(ctx, as_of, key, title, limit)


def agenda(ctx: Ctx, *, as_of: date, limit: int | None = None) -> list[dict]:
    """The sections in order, each {key, title, count, items}; every open case at most once, in
    the worst section it belongs to. `limit`: items given per section (count is still all)."""
    conn = ctx.ledger.conn
    out = []
    with ctx.ledger.reading():
        day = fill(ctx, as_of)
        counts, placed, empty = _counts(day)
        cut = "" if limit is None else f" LIMIT {int(limit)}"
        for key, title in SECTIONS.items():
            if key in _WHOLE:
                out.append(_whole(ctx, as_of, key, title, limit))
                continue
            items = []
            if counts.get(key):
                sql = _section_sql(day, (key,), lambda arm, k: f"json_array({_RECORD})", key in placed, empty) + cut
                items = [dict(zip(_KEYS, json.loads(t))) for (t,) in conn.execute(sql, {**day.params(), "key": key})]
            out.append({"key": key, "title": title, "count": counts.get(key, 0), "items": items})
    return out


# Sections one arm fills, next to each other in SECTIONS: --json reads them in one pass on a day
# in the past (today each is its own stretch of an index, in order: read apart, nothing sorted).
_TOGETHER = {"followup": ("followup", "ready_close")}


class _Items:
    """A section's items as they are read, counted: the first chunk held, more in an unnamed
    temporary file (flat memory however long the section)."""

    def __init__(self) -> None:
        self.count, self.held, self.file = 0, [], None

    def add(self, items: list[bytes]) -> None:
        if not items:  # a chunk of a pass over two sections may hold none of this one
            return
        self.count += len(items)
        if self.file is None:
            self.held += items
            if len(self.held) <= _CHUNK:
                return
            import tempfile  # a day in the past only

            self.file, items, self.held = tempfile.TemporaryFile(), self.held, []
        self.file.write(b",\n".join(items))
        self.file.write(b",\n")

    def pieces(self) -> Iterator[bytes]:
        """The items' text, separated as json.dumps does; the file closed once read."""
        if self.file is None:
            if self.held:
                yield b"\n" + b",\n".join(self.held)
            return
        with self.file as f:
            size = f.tell() - 2  # without the last separator
            f.seek(0)
            yield b"\n"
            while size > 0:
                piece = f.read(min(size, 1 << 20))
                size -= len(piece)
                yield piece


def _read(day: Day, keys: tuple[str, ...], placed: set[str]) -> dict[str, _Items]:
    """The items of the sections `keys` on a day in the past, read in one pass."""
    got = {k: _Items() for k in keys}
    view = partial(_json_item, head=False)  # a past day's items are written whole
    rows = day.ctx.ledger.conn.execute(_section_sql(day, keys, view, bool(placed & set(keys))), day.params())
    while chunk := rows.fetchmany(_CHUNK):
        if len(keys) == 1:
            got[keys[0]].add([t for (t,) in chunk])
            continue
        routed: dict[str, list[bytes]] = {k: [] for k in keys}
        for key, t in chunk:
            routed[key].append(t)
        for key, items in routed.items():
            got[key].add(items)
    return got


def _stream(day: Day, key: str, placed: set[str], count: int, empty: frozenset) -> Iterator[bytes]:
    """A section's items as they are read, a chunk at a time, its count known (today)."""
    view = partial(_json_item, head=True)
    rows, n = day.ctx.ledger.conn.execute(_section_sql(day, (key,), view, key in placed, empty), day.params()), 0
    while chunk := rows.fetchmany(_CHUNK):
        yield b",\n" if n else b"\n"
        yield b",\n".join([t for (t,) in chunk])
        n += len(chunk)
    if n != count:  # the counts and the arms disagree: a fault of lcqy's, not of the ledger
        raise RuntimeError(f"agenda: section {key} counted {count}, listed {n}")


def agenda_json(ctx: Ctx, *, as_of: date) -> Iterator[bytes]:
    """`agenda --json`, the document json.dumps(indent=2) makes of {as_of, sections}, as UTF-8
    in pieces of a few thousand items: the same text at any size in flat memory. A section's
    count goes before its items: today the sections are counted first, from migration 32's
    narrow indexes, and written as they are read; on a day in the past a long section is
    counted as it is read, its items held in an unnamed temporary file meanwhile."""
    conn = ctx.ledger.conn
    with ctx.ledger.reading():
        day = fill(ctx, as_of)
        counts, placed, empty = _counts(day) if day.src is NOW else (None, set(), frozenset())
        if counts is None:
            placed = {k for (k,) in conn.execute("SELECT DISTINCT section FROM temp.agenda_items")}
        yield ('{\n  "as_of": ' + json.dumps(as_of.isoformat()) + ',\n  "sections": [').encode()
        ahead: dict[str, _Items] = {}
        for i, (key, title) in enumerate(SECTIONS.items()):
            if key in _WHOLE:  # a few items: as json.dumps writes it at this depth
                whole = json.dumps(_whole(ctx, as_of, key, title, None), ensure_ascii=False, indent=2, default=str)
                yield (("," if i else "") + "\n    " + whole.replace("\n", "\n    ")).encode()
                continue
            if counts is not None:
                count, items = counts.get(key, 0), None
            else:
                if key not in ahead:
                    ahead = _read(day, _TOGETHER.get(key, (key,)), placed)
                items = ahead.pop(key)
                count = items.count
            head = {"key": key, "title": title, "count": count}
            text = json.dumps(head, ensure_ascii=False, indent=2).replace("\n", "\n    ")[:-6]
            yield (("," if i else "") + "\n    " + text + ',\n      "items": [').encode()
            if not count:
                yield b"]\n    }"
                continue
            yield from _stream(day, key, placed, count, empty) if items is None else items.pieces()
            yield b"\n      ]\n    }"
        yield b"\n  ]\n}\n"
