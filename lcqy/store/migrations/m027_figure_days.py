"""Migration 27: the figures' counts per day, kept by triggers (`stats`, the 简报's year to date).

Over a long period (at 1,000,000 cases the year holds nearly every row) each count of the
figures read 235,000-1,000,000 index entries. What a count takes from a row depends on that
row alone and its date, so it is added up per (day, department, category, channel) as rows
change: a long period then sums a few thousand small rows. Nothing here depends on the as-of
day or the working-day calendar (按期办结, 超期, working days to reply stay computed at query
time from the calendar); the replies' "followed up by the day" and "latest up to the period's
end" are kept as "followed up at all" and "no later reply at all", and what the day changes is
read from the two partial indexes below (none for a period ending today).

Each source is a table and its date; every trigger takes the old row's part away and adds the
new one's, so any act, undo, correction or re-dispatch stays right by construction. The side
tables of migrations 14 and 24 are written with INSERT OR REPLACE (see _REPLACED).
"""

import re

# source -> (table, date, department, category, channel, the rows counted, measures a..f);
# each measure is a condition on the row (NULL counts as not). The departments and categories
# are those lcqy.acts.figures.counts groups the same counts by.
SOURCES = {
    # received: by the day accepted, not void or merged (channel for the 简报's breakdown)
    "rcv": ("cases", "accepted_on", "''", "category", "channel", "state NOT IN ('void', 'merged')", ()),
    # ended: by the day ended, the case's lead department (migration 16), by how it ended
    "end": ("cases", "ended_on", "lead_now", "category", "''", "1",
            ("state = 'rejected'", "state = 'forwarded'", "state = 'closed'")),
    # dispatched: the spans carry the dispatch's columns and its case's category (migration 24)
    "dsp": ("dispatch_spans", "dispatched_on", "lead_dept", "category", "''", "1",
            ("late = 0", "due_current <> due_original", "override_reason <> ''")),
    # fallen due: by the limit (as extended), not 退单; a: answered by the limit and not late by
    # an imported sheet's number, on time whatever the calendar (the rest is judged at query time)
    "due": ("dispatch_spans", "due_current", "lead_dept", "category", "''", "status <> 'returned'",
            ("first_reply_on <= due_current AND first_reply_late = 0",)),
    # first replies by their day, and by the day their dispatch was received: the working days
    # between them are a sum of either's counts times the calendar's working-day number
    "frp": ("dispatch_spans", "first_reply_on", "lead_dept", "category", "''", "1", ()),
    "frr": ("dispatch_spans", "received_on", "lead_dept", "category", "''", "first_reply_on IS NOT NULL", ()),
    "rep": ("reply_keys", "replied_on", "lead_dept", "category", "''", "1",
            ("result = 'A'", "result = 'B'", "result = 'C'", "followed_on IS NOT NULL",
             "next_on IS NULL", "next_on IS NULL AND result = 'A'")),
    "fol": ("followup_keys", "followed_on", "lead_dept", "category", "''", "1",
            ("satisfaction IN ('满意', '基本满意')",)),
}  # fmt: skip
MEASURES = ("a", "b", "c", "d", "e", "f")


def _part(src: str, row: str, sign: str, where: str = "") -> str:
    """Adding (sign '+') or taking away ('-') the part of `row` (NEW, OLD, or a table's alias
    with `where` the rows it reads) in source `src`: the day's row is made if missing, then
    updated from the same one-row SELECT (x); a row left counting nothing is removed."""
    table, day, dept, category, channel, counted, measures = SOURCES[src]
    keys = [f"coalesce({row}.{x}, '')" if x != "''" else x for x in (dept, category, channel)]
    vals = [f"{sign}1"] + [f"{sign}coalesce(({_on(m, row)}), 0)" for m in measures]
    vals += ["0"] * (len(MEASURES) - len(measures))
    frm = f" FROM {table} {row}" if where else ""
    cond = f"{row}.{day} IS NOT NULL AND ({_on(counted, row)})" + (f" AND {where}" if where else "")
    names = ("day", "dept", "category", "channel", "n", *MEASURES)
    cols = ", ".join(f"{v} AS {k}" for k, v in zip(names, [f"{row}.{day}", *keys, *vals]))
    x = f"(SELECT {cols}{frm} WHERE {cond}) x"
    same = f"{{t}}.src = '{src}' AND " + " AND ".join(f"{{t}}.{k} = x.{k}" for k in names[:4])
    sets = ", ".join(f"{m} = fig_days.{m} + x.{m}" for m in ("n", *MEASURES))
    out = (
        f"INSERT INTO fig_days SELECT '{src}', x.day, x.dept, x.category, x.channel, 0, 0, 0, 0, 0, 0, 0 FROM {x} "
        f"WHERE NOT EXISTS (SELECT 1 FROM fig_days f WHERE {same.format(t='f')}); "
        f"UPDATE fig_days SET {sets} FROM {x} WHERE {same.format(t='fig_days')}"
    )
    if sign == "-":  # a day's row counting nothing goes: an act undone leaves the table as it was
        zero = " AND ".join(f"{m} = 0" for m in ("n", *MEASURES))
        out += (
            f"; DELETE FROM fig_days WHERE (src, day, dept, category, channel) IN "
            f"(SELECT '{src}', x.day, x.dept, x.category, x.channel FROM {x}) AND {zero}"
        )
    return out


def _on(expr: str, row: str) -> str:
    """`expr`'s columns read from `row` (its words that are columns of the source's table)."""
    keep = {"NOT", "IN", "IS", "NULL", "AND", "OR"}
    return re.sub(r"(?<!['\w.])([a-z_]+)(?![\w'(])", lambda m: m[1] if m[1].upper() in keep else f"{row}.{m[1]}", expr)


def backfill(src: str, rows: str = "") -> str:
    """The counts of `src` over its table's rows (those where `rows` holds, if given)."""
    table, day, dept, category, channel, counted, measures = SOURCES[src]
    keys = [f"coalesce({x}, '')" if x != "''" else x for x in (dept, category, channel)]
    sums = ["count(*)"] + [f"coalesce(sum({m}), 0)" for m in measures] + ["0"] * (len(MEASURES) - len(measures))
    return (
        f"INSERT INTO fig_days SELECT '{src}', {day}, {', '.join(keys)}, {', '.join(sums)} FROM {table} "
        f"WHERE {day} IS NOT NULL AND ({counted}){f' AND {rows}' if rows else ''} GROUP BY 2, 3, 4, 5"
    )


# The table whose ids are each side table's (import-ledger's first new id of it).
_ID_OF = {"cases": "cases", "dispatch_spans": "dispatches", "reply_keys": "replies", "followup_keys": "followups"}


def import_replays() -> dict[str, tuple[str, str]]:
    """Trigger -> (the one statement that adds what the new rows from id ?1 on count, the table
    of that id): import-ledger sets these triggers aside while it writes (each firing per row
    made a 100,000-case import half as long again) and adds the new rows' counts once at the end."""
    out = {}
    for table in _ID_OF:
        selects = [backfill(s, "id >= ?1").split(" ", 3)[3] for s, v in SOURCES.items() if v[0] == table]
        sets = ", ".join(f"{m} = {m} + excluded.{m}" for m in ("n", *MEASURES))
        statement = (
            f"INSERT INTO fig_days SELECT * FROM ({' UNION ALL '.join(selects)}) WHERE true "
            f"ON CONFLICT DO UPDATE SET {sets}"
        )
        for kind in ("insert", "update", "delete", "replace"):
            out[f"fig_days_{_NAMES[table]}_{kind}"] = (statement, _ID_OF[table])
    return out


# The row an INSERT OR REPLACE replaces fires the delete triggers only with recursive triggers
# on (sqlite-utils turns them on for the acts; a plain connection has them off): without them
# it is taken away before the insert.
_REPLACED = "WHEN (SELECT recursive_triggers FROM pragma_recursive_triggers) = 0"


# the triggers' names: the rows' own (the side tables' names would read as theirs)
_NAMES = {"cases": "cases", "dispatch_spans": "dispatches", "reply_keys": "replies", "followup_keys": "followups"}


def _triggers() -> str:
    by_table: dict[str, list[str]] = {}
    for src, (table, *_rest) in SOURCES.items():
        by_table.setdefault(table, []).append(src)
    out = []
    for table, srcs in by_table.items():
        name = _NAMES[table]
        cols = sorted({c for s in srcs for c in _columns(s)})
        add = "; ".join(_part(s, "NEW", "+") for s in srcs)
        sub = "; ".join(_part(s, "OLD", "-") for s in srcs)
        out.append(f"CREATE TRIGGER fig_days_{name}_insert AFTER INSERT ON {table} BEGIN {add}; END")
        on_update = f"AFTER UPDATE OF {', '.join(cols)} ON {table}"
        out.append(f"CREATE TRIGGER fig_days_{name}_update {on_update} BEGIN {sub}; {add}; END")
        out.append(f"CREATE TRIGGER fig_days_{name}_delete AFTER DELETE ON {table} BEGIN {sub}; END")
        if table != "cases":  # written with INSERT OR REPLACE: see _REPLACED
            gone = "; ".join(_part(s, "o", "-", "o.id = NEW.id") for s in srcs)
            out.append(f"CREATE TRIGGER fig_days_{name}_replace BEFORE INSERT ON {table} {_REPLACED} BEGIN {gone}; END")
    return ";\n".join(out)


def _columns(src: str) -> set[str]:
    table, day, dept, category, channel, counted, measures = SOURCES[src]
    text = " ".join((day, dept, category, channel, counted, *measures))
    text = re.sub(r"'[^']*'", "", text)
    return set(re.findall(r"[a-z_]+", text)) - {"not", "in", "is", "null", "and", "or"}


# The dispatches answered whose 按期办结 is judged on the calendar at query time: answered after
# the limit, or late by an imported sheet's number.
JUDGED = "first_reply_on IS NOT NULL AND NOT coalesce(first_reply_on <= due_current AND first_reply_late = 0, 0)"
_BACKFILL = ";\n".join(backfill(s) for s in SOURCES)
SQL = f"""
CREATE TABLE fig_days (
    src TEXT NOT NULL, day TEXT NOT NULL, dept TEXT NOT NULL, category TEXT NOT NULL, channel TEXT NOT NULL,
    n INTEGER NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL, c INTEGER NOT NULL,
    d INTEGER NOT NULL, e INTEGER NOT NULL, f INTEGER NOT NULL,
    PRIMARY KEY (src, day, dept, category, channel)
) WITHOUT ROWID;
{_BACKFILL};
{_triggers()};
CREATE INDEX dispatch_spans_due_judged ON dispatch_spans(
    due_current, status, answered_on, first_reply_on, first_reply_late, first_reply_id, lead_dept, category
) WHERE {JUDGED};
CREATE INDEX reply_keys_followed ON reply_keys(followed_on, replied_on, lead_dept, category)
    WHERE followed_on IS NOT NULL;
CREATE INDEX reply_keys_next ON reply_keys(next_on, replied_on, result, lead_dept, category)
    WHERE next_on IS NOT NULL
"""
