"""The counts of a long period from the per-day counts migration 27 keeps (fig_days).

A query of lcqy.acts.figures.counts named here is answered, over a long period, by summing the
days of the period instead of reading each of its rows: the same counts, grouped the same way
(nothing, the lead department, the category). What depends on the as-of day or the period's
end (a reply followed up by the day, a case's latest reply up to the end) is kept as what holds
with no bound, and the rows the bound changes are read from a partial index: none when the
period ends today, the usual long period.
"""

from __future__ import annotations

import sqlite3

# query name -> (source, {measure: column of fig_days}); the measures are those of the query
SOURCES: dict[str, tuple[str, dict[str, str]]] = {
    "received": ("rcv", {"received": "n"}),
    "ended": ("end", {"rejected": "a", "forwarded": "b", "closed": "c"}),
    "dispatched": ("dsp", {"dispatched": "n", "dispatched_on_time": "a", "extended": "b", "over_limit": "c"}),
    "replies": ("rep", {"replies": "n", "reply_a": "a", "reply_b": "b", "reply_c": "c", "replies_followed": "d"}),
    "latest": ("rep", {"latest": "e", "latest_a": "f"}),
    "followups": ("fol", {"followups": "n", "satisfied": "a"}),
}
GROUPINGS = (None, "dept", "category")

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


def rows(db: sqlite3.Connection, name: str, by: str | None, params: dict) -> list[tuple]:
    """(key, *the query's measures in its order) per group with rows in the period, as the
    query over the rows gives them (a group only where a row of the query falls)."""
    src, measures = SOURCES[name]
    key = {None: "''", "dept": "dept", "category": "category"}[by]
    cols = ", ".join(f"sum({c})" for c in measures.values())
    got = {
        k: [n, *vals]
        for k, n, *vals in db.execute(
            f"SELECT {key}, sum(n), {cols} FROM fig_days WHERE src = '{src}' AND day BETWEEN :s AND :e GROUP BY 1",
            params,
        )
    }
    side_key = {None: "''", "dept": "coalesce(lead_dept, '')", "category": "coalesce(category, '')"}[by]
    if name == "replies":
        for k, later in db.execute(_FOLLOWED_LATER.format(key=side_key), params):
            got[k][-1] -= later
    elif name == "latest":
        for k, later, later_a in db.execute(_NEXT_LATER.format(key=side_key), params):
            group = got.setdefault(k, [0, 0, 0])
            group[1] += later
            group[2] += later_a or 0
        # the query's rows are the latest replies themselves: a group only where there is one
        return [(k, *vals) for k, (_, *vals) in got.items() if vals[0]]
    return [(k, *vals) for k, (n, *vals) in got.items() if n]
