"""The counts of a period from the per-day counts migration 27 keeps (fig_days).

A query of lcqy.acts.figures.counts named here is answered, over a long period (those of
ANY_PERIOD over any period), by summing the days of the period instead of reading each of its
rows: the same counts, grouped the same way (nothing, the lead department, the category).
What depends on the as-of day or the period's end (a reply followed up by the day, a case's
latest reply up to the end) is kept as what holds with no bound, and the rows the bound changes
are read from a partial index: none when the period ends today, the usual long period.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from lcqy.store.migrations.m027_figure_days import JUDGED

# query name -> (source, {measure: column of fig_days}); the measures are those of the query
SOURCES: dict[str, tuple[str, dict[str, str]]] = {
    "received": ("rcv", {"received": "n"}),
    "ended": ("end", {"rejected": "a", "forwarded": "b", "closed": "c"}),
    "dispatched": ("dsp", {"dispatched": "n", "dispatched_on_time": "a", "extended": "b", "over_limit": "c"}),
    "replies": ("rep", {"replies": "n", "reply_a": "a", "reply_b": "b", "reply_c": "c", "replies_followed": "d"}),
    "latest": ("rep", {"latest": "e", "latest_a": "f"}),
    "followups": ("fol", {"followups": "n", "satisfied": "a"}),
    # read by _due and _first_replies
    "due": ("due", {"fell_due": "n", "due_on_time": "a"}),
    "first_replies": ("frp", {"first_replies": "n"}),
}
GROUPINGS = (None, "dept", "category")
# Read from the days over any period, not only a long one: nothing is read past the period's
# bounds (a month's replies would read those followed up or answered again after it).
ANY_PERIOD = ("received", "ended", "dispatched", "followups", "due")
_KEYS = {None: "''", "dept": "dept", "category": "category"}
# the same keys read from the spans or the side tables
_ROW_KEYS = {None: "''", "dept": "coalesce({t}.lead_dept, '')", "category": "coalesce({t}.category, '')"}
Exact = Callable[[dict], Iterable[tuple]]

# The replies in the period followed up only after the as-of day: "followed up at all" less these.
_FOLLOWED_LATER = (
    "SELECT {key}, count(*) FROM reply_keys INDEXED BY reply_keys_followed "
    "WHERE followed_on > :a AND replied_on BETWEEN :s AND :e GROUP BY 1"
)
# The replies in the period whose case's next reply came only after the period's end: the
# latest up to the end, though not the latest of all.
_NEXT_LATER = (
    "SELECT {key}, count(*), sum(result = 'A') FROM reply_keys INDEXED BY reply_keys_next "
    "WHERE next_on > :e AND replied_on BETWEEN :s AND :e GROUP BY 1"
)


def rows(db: sqlite3.Connection, name: str, by: str | None, params: dict, exact: Exact) -> list[tuple] | None:
    """(key, *the query's measures in its order) per group with rows in the period, as the
    query over the rows gives them (a group only where a row of the query falls); None where
    the query over the rows is to be read instead. `exact(params)`: that query's rows
    (key, *measures, n) over other bounds."""
    if name == "due":
        return _due(db, by, params, exact)
    if name == "first_replies":
        return _first_replies(db, by, params)
    src, measures = SOURCES[name]
    key = _KEYS[by]
    cols = ", ".join(f"sum({c})" for c in measures.values())
    got = {
        k: [n, *vals]
        for k, n, *vals in db.execute(
            f"SELECT {key}, sum(n), {cols} FROM fig_days WHERE src = '{src}' AND day BETWEEN :s AND :e GROUP BY 1",
            params,
        )
    }
    side_key = _ROW_KEYS[by].format(t="reply_keys")
    if name == "replies":
        for k, later in db.execute(_FOLLOWED_LATER.format(key=side_key), params):
            if k in got:  # (always, but for a ledger whose day counts another program changed)
                got[k][-1] -= later
    elif name == "latest":
        for k, later, later_a in db.execute(_NEXT_LATER.format(key=side_key), params):
            group = got.setdefault(k, [0, 0, 0])
            group[1] += later
            group[2] += later_a or 0
        # the query's rows are the latest replies themselves: a group only where there is one
        return [(k, *vals) for k, (_, *vals) in got.items() if vals[0]]
    return [(k, *vals) for k, (n, *vals) in got.items() if n]


# The dispatches fallen due judged on the calendar (wf, wdue: the working-day table at the
# reply and at the limit), as ON_TIME_SQL below judges them (counts reads it from here).
_JUDGED_ON_TIME = (
    "SELECT {key}, sum({on_time}) FROM dispatch_spans s INDEXED BY dispatch_spans_due_judged "
    "LEFT JOIN wdn wf ON wf.day = s.first_reply_on LEFT JOIN wdn wdue ON wdue.day = s.due_current "
    f"WHERE {JUDGED.replace('first_reply_', 's.first_reply_').replace('due_current', 's.due_current')} "
    "AND s.status <> 'returned' AND s.due_current BETWEEN :s AND :m GROUP BY 1"
)


# A 交办单 answered on time by the as-of day: its first reply came by then and no working day
# after its 办结时限 (wf, wdue: the working-day table at the reply and at the limit); a reply
# brought in by import-ledger keeps its sheet's number (lcqy.rules.lateness). The reply's mode
# is looked up only where the stored number and the dates disagree (rare: a calendar changed
# later, an imported sheet), so that 70,000 交办单 cost two look-ups each, not three.
ON_TIME_SQL = (
    "coalesce(s.first_reply_on <= :a AND CASE WHEN (s.first_reply_late = 0) = (wf.n <= wdue.n) THEN wf.n <= wdue.n "
    "WHEN (SELECT mode FROM replies WHERE id = s.first_reply_id) = '导入' THEN s.first_reply_late = 0 "
    "ELSE wf.n <= wdue.n END, 0)"
)


def _due(db: sqlite3.Connection, by: str | None, params: dict, exact: Exact) -> list[tuple]:
    """Fallen due: each limit up to the day before the as-of day counts (fig_days), and is on
    time if answered by then and not late by an imported sheet's number (fig_days) or, for the
    rest, as the calendar judges (_JUDGED_ON_TIME); a limit on the as-of day itself counts only
    once answered: that day is read as the rows give it."""
    start, end, as_of = (date.fromisoformat(params[k]) for k in ("s", "e", "a"))
    last = min(end, as_of - timedelta(days=1))
    got: dict[str, list[int]] = {}
    if start <= last:
        m = {**params, "m": last.isoformat()}
        due = f"SELECT {_KEYS[by]}, sum(n), sum(a) FROM fig_days WHERE src = 'due' AND day BETWEEN :s AND :m GROUP BY 1"
        for k, n, on_time in db.execute(due, m):
            got[k] = [n, on_time]
        sql = _JUDGED_ON_TIME.format(key=_ROW_KEYS[by].format(t="s"), on_time=ON_TIME_SQL)
        for k, on_time in db.execute(sql, m):
            got.setdefault(k, [0, 0])[1] += on_time or 0
    if start <= as_of <= end:
        for k, fell, on_time, n in exact({**params, "s": params["a"], "e": params["a"]}):
            if n:
                group = got.setdefault(k or "", [0, 0])
                group[0] += fell or 0
                group[1] += on_time or 0
    return [(k, n, on_time) for k, (n, on_time) in got.items() if n]


def _first_replies(db: sqlite3.Connection, by: str | None, params: dict) -> list[tuple] | None:
    """First replies in the period and their working days from receipt: the sum over the
    period's days of each day's replies times its working-day number, less the same for the
    days received, which is the sum over all first replies (fig_days) less those outside the
    period (read from their rows: few, for a long period; else None, read the period's rows).
    None also where a day lacks a working-day number (the rows' query leaves such a row out)."""
    key = _KEYS[by]
    inside = {
        k: (n, w, missing)
        for k, n, w, missing in db.execute(
            f"SELECT {key}, sum(f.n), sum(f.n * w.n), count(*) - count(w.n) FROM fig_days f "
            "LEFT JOIN wdn w ON w.day = f.day WHERE f.src = 'frp' AND f.day BETWEEN :s AND :e GROUP BY 1",
            params,
        )
    }
    (total,) = db.execute("SELECT sum(n) FROM fig_days WHERE src = 'frp'").fetchone()
    count_in = sum(n for n, _, _ in inside.values())
    if any(m for _, _, m in inside.values()) or (total or 0) - count_in > count_in:
        return None
    received = {}
    for k, w, missing in db.execute(
        f"SELECT {key}, sum(f.n * w.n), count(*) - count(w.n) FROM fig_days f "
        "LEFT JOIN wdn w ON w.day = f.day WHERE f.src = 'frr' AND f.n <> 0 GROUP BY 1"
    ):
        if missing:
            return None
        received[k] = w
    key_s = _ROW_KEYS[by].format(t="s")
    outside = {}
    for k, w, n in db.execute(
        f"SELECT {key_s}, sum(wd.n), count(*) - count(wd.n) FROM dispatch_spans s "
        "INDEXED BY dispatch_spans_first_reply LEFT JOIN wdn wd ON wd.day = s.received_on "
        "WHERE s.first_reply_on IS NOT NULL AND (s.first_reply_on < :s OR s.first_reply_on > :e) GROUP BY 1",
        params,
    ):
        if n:
            return None
        outside[k] = w
    return [(k, n, w - (received.get(k) or 0) + (outside.get(k) or 0)) for k, (n, w, _) in inside.items() if n]


def kept_apart(conn: sqlite3.Connection) -> list[str]:
    """The sources whose kept day counts differ from the rows counted again (`check --deep`):
    a ledger another program edited, or whose triggers it dropped, would give wrong figures."""
    from lcqy.store.migrations.m027_figure_days import SOURCES as KEPT
    from lcqy.store.migrations.m027_figure_days import backfill

    apart = []
    for src in KEPT:
        counted = backfill(src).split(" ", 3)[3]  # the SELECT of what the rows should be
        kept = f"SELECT * FROM fig_days WHERE src = '{src}' AND (n, a, b, c, d, e, f) <> (0, 0, 0, 0, 0, 0, 0)"
        both = f"SELECT * FROM ({counted} EXCEPT {kept}) UNION ALL SELECT * FROM ({kept} EXCEPT {counted})"
        (n,) = conn.execute(f"SELECT count(*) FROM ({both})").fetchone()
        if n:
            apart.append(src)
    return apart
