"""The ledger's history as a hash chain (migration 18): tamper-evident, as an append-only log.

Each link holds the SHA-256 of the previous link's hash and its own content. A link is either
an event (every row of `events`, whoever wrote it through `Ledger.event` or otherwise inside
`Ledger.write`) or the stored state of a case after a transaction changed it: its state,
督办 mark, dispatch limit, end, merge, dispatches (number, lead department, status, due
date), escalations, numbers with their voids and reply results. Links are written when the
transaction commits (`seal`), so the state is the one the acts left.

What this detects and what it cannot: an event deleted, edited or added by another program;
a link deleted or edited; a case's stored state changed without an act (`check --deep`). A
person who rewrites the whole file and recomputes every hash is found only against a copy
of the head noted earlier (`check --head`, a backup, the 简报).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable

from lcqy.store.clock import now_text
from lcqy.store.marks import record_mark
from lcqy.store.schema import CHAIN
from lcqy.store.sqltext import statements

EVENT_COLUMNS = "id, case_id, at, act_on, actor, action, CAST(detail AS BLOB)"
# A case's stored state as one JSON text, computed by SQLite for many cases at once.
STATE_SQL = """
SELECT c.id, json_array(
    c.state, c.supervision, c.dispatch_due, c.ended_on, c.merged_into,
    (SELECT json_group_array(json_array(no, lead_dept, status, due_current))
       FROM (SELECT no, lead_dept, status, due_current FROM dispatches WHERE case_id = c.id ORDER BY id)),
    (SELECT json_group_array(no) FROM (SELECT no FROM escalations WHERE case_id = c.id ORDER BY id)),
    (SELECT json_group_array(json_array(text, voided))
       FROM (SELECT text, voided FROM numbers WHERE case_id = c.id ORDER BY id)),
    (SELECT json_group_array(result) FROM (SELECT result FROM replies WHERE case_id = c.id ORDER BY id))
) FROM cases c"""
STATE_FIELDS = (
    "状态", "督办标记", "交办时限", "办结日期", "并入案件", "交办单（编号、牵头部门、状态、办结时限）",
    "转报编号", "编号及其作废", "答复结果",
)  # fmt: skip
# Tables whose rows belong to one case (case_id): a write to them changes that case's state.
_CASE_TABLES = ("dispatches", "escalations", "numbers", "replies")
_BATCH = 5000


def exists(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chain'").fetchone() is not None


def link_hash(prev: str, payload: bytes) -> str:
    return hashlib.sha256(prev.encode() + b"\n" + payload).hexdigest()


def event_payload(row: tuple) -> bytes:
    """An event's content: its fields, then its detail's bytes as stored (read as a BLOB: no
    decoding, a quarter of the time of a full check --deep at 100,000 cases)."""
    *fields, detail = row
    size = -1 if detail is None else len(detail)
    head = json.dumps(["event", *fields, size], ensure_ascii=False, separators=(",", ":")).encode()
    return head + b"\n" + (detail or b"")


def state_payload(case_id: int, state: str) -> bytes:
    return json.dumps(["state", case_id, state], ensure_ascii=False, separators=(",", ":")).encode()


# -- writing ----------------------------------------------------------------------------------


def base(conn: sqlite3.Connection) -> tuple[int, int] | None:
    """Where this transaction starts: the last event and the last change noted (check_log).
    None when the ledger has no chain yet (its migration is about to run)."""
    if not exists(conn):
        return None
    (events,) = conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'check_log'").fetchone()
    return events, (row[0] if row else 0)


def seal(conn: sqlite3.Connection, start: tuple[int, int] | None) -> int:
    """Chain the events written since `start` and the state of every case they or other writes
    touched; the number of links added. Events another program put in before this transaction
    stay off the chain, for `check` to report.

    Written a batch at a time: an import chains every one of its cases twice, and 200,000 links
    held at once were 40 MiB, a quarter of its peak. The links are the same: the event links
    are not state links (nothing below reads them), and each batch of cases reads only its own."""
    if start is None or not exists(conn):
        return 0
    first_event, first_change = start
    last = conn.execute("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = last if last else (0, "")
    added = 0
    touched: set[int] = set()
    after = first_event
    while rows := conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT {_BATCH}", [after]
    ).fetchall():
        links: list[tuple] = []
        for row in rows:
            seq += 1
            prev = link_hash(prev, event_payload(row))
            links.append((seq, row[0], row[1], None, prev))
            if row[1] is not None:
                touched.add(row[1])
        after = rows[-1][0]
        added += _link(conn, links)
    touched |= _touched(conn, first_change)
    ids = sorted(touched)
    for i in range(0, len(ids), _BATCH):
        links = []
        for case_id, state in _changed_states(conn, ids[i : i + _BATCH]):
            seq += 1
            prev = link_hash(prev, state_payload(case_id, state))
            links.append((seq, None, case_id, state, prev))
        added += _link(conn, links)
    return added


def _link(conn: sqlite3.Connection, links: list[tuple]) -> int:
    conn.executemany("INSERT INTO chain (seq, event_id, case_id, state, hash) VALUES (?, ?, ?, ?, ?)", links)
    return len(links)


def _touched(conn: sqlite3.Connection, since: int) -> set[int]:
    """Cases whose rows were inserted or changed since log entry `since` (migration 13's log)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'check_log'").fetchone():
        return set()
    parts = ["SELECT rid FROM check_log WHERE seq > ? AND tbl = 'cases'"]
    parts += [
        f"SELECT case_id FROM {t} WHERE id IN (SELECT rid FROM check_log WHERE seq > ? AND tbl = '{t}')"
        for t in _CASE_TABLES
    ]
    sql = " UNION ".join(parts)
    return {r[0] for r in conn.execute(sql, [since] * len(parts)) if r[0] is not None}


def states(conn: sqlite3.Connection, ids: list[int]) -> Iterable[tuple[int, str]]:
    for i in range(0, len(ids), _BATCH):
        part = json.dumps(ids[i : i + _BATCH])
        yield from conn.execute(f"{STATE_SQL} WHERE c.id IN (SELECT value FROM json_each(?)) ORDER BY c.id", [part])


def recorded_states(conn: sqlite3.Connection, ids: list[int]) -> dict[int, str]:
    """Each case's latest state link."""
    out: dict[int, str] = {}
    for i in range(0, len(ids), _BATCH):
        part = json.dumps(ids[i : i + _BATCH])
        out.update(
            conn.execute(
                "SELECT case_id, state FROM chain WHERE seq IN (SELECT max(seq) FROM chain "
                "WHERE case_id IN (SELECT value FROM json_each(?)) AND +event_id IS NULL GROUP BY case_id)",
                [part],
            ).fetchall()
        )
    return out


def _changed_states(conn: sqlite3.Connection, ids: list[int]) -> list[tuple[int, str]]:
    if not ids:
        return []
    have = recorded_states(conn, ids)
    return [(i, s) for i, s in states(conn, ids) if have.get(i) != s]


def start(led) -> int:
    """Migration 18: chain the history already in the ledger, in the order it was written, and
    give the office its signing key. Said once, when a ledger with history is upgraded."""
    from lcqy.store import keys

    conn = led.conn
    n_events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    fingerprint = keys.ensure_own(led)  # its history entry is chained with the rest
    n = seal(conn, (0, 0))
    ids = [
        i
        for (i,) in conn.execute(
            "SELECT id FROM cases WHERE id NOT IN (SELECT case_id FROM chain WHERE case_id IS NOT NULL)"
        )
    ]
    if ids:  # cases whose state no event touched (none in a ledger lcqy wrote)
        rows = list(states(conn, ids))
        last = conn.execute("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = last if last else (0, "")
        links = []
        for case_id, state in rows:
            seq += 1
            prev = link_hash(prev, state_payload(case_id, state))
            links.append((seq, None, case_id, state, prev))
        conn.executemany("INSERT INTO chain (seq, event_id, case_id, state, hash) VALUES (?, ?, ?, ?, ?)", links)
    has_meta = conn.execute("SELECT 1 FROM meta LIMIT 1").fetchone()
    if has_meta:
        import sys

        print(
            f"台帐已升级：已有的 {n_events} 条操作记录连成历史记录哈希链（lcqy check 核对），"
            f"本办交换包签名密钥已生成，指纹 {fingerprint}（lcqy keys show）。",
            file=sys.stderr,
            flush=True,
        )
    return n


# -- reading ----------------------------------------------------------------------------------


def head(conn: sqlite3.Connection) -> dict | None:
    row = conn.execute("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    if row is None:
        return None
    return {"links": row[0], "hash": row[1]}


def _names(conn: sqlite3.Connection, ids: Iterable[int | None]) -> dict[int, str]:
    ids = sorted({i for i in ids if i is not None})
    out: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        out.update(conn.execute(f"SELECT id, reg_no FROM cases WHERE id IN ({', '.join('?' * len(part))})", part))
    return out


_LINK_SQL = (
    "SELECT c.seq, c.event_id, c.case_id, c.state, c.hash, e.id, e.case_id, e.at, e.act_on, e.actor, e.action, "
    "CAST(e.detail AS BLOB) FROM chain c LEFT JOIN events e ON e.id = c.event_id"
)


class _Found:
    """Problems of the chain, one per case or link, in order."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.items: list[tuple[int | None, str]] = []

    def add(self, case_id: int | None, text: str) -> None:
        self.items.append((case_id, text))

    def said(self) -> list[str]:
        names = _names(self.conn, (c for c, _ in self.items))
        # Once each, in order; a dict, not a list scan: a ledger whose history was lost can have
        # a problem for each of a million cases.
        out: dict[str, None] = {}
        for case_id, text in self.items:
            who = f"{names.get(case_id, f'案件{case_id}')}：" if case_id is not None else ""
            out.setdefault(f"历史记录：{who}{text}")
        return list(out)


def _check_link(found: _Found, row: tuple, prev_seq: int | None, prev_hash: str | None) -> None:
    seq, event_id, case_id, state, stored = row[:5]
    if prev_seq is not None and seq != prev_seq + 1:
        found.add(case_id, f"历史记录链第 {prev_seq + 1}–{seq - 1} 环已被删除，链在此断开")
        return
    if event_id is not None:
        if row[5] is None:
            found.add(case_id, f"第 {event_id} 条记录已被删除（历史记录链第 {seq} 环）")
            return
        payload = event_payload(row[5:12])
        if row[6] != case_id:
            found.add(case_id, f"第 {event_id} 条记录被移到了其他案件（历史记录链第 {seq} 环）")
            return
    else:
        payload = state_payload(case_id, state)
    if prev_hash is not None and link_hash(prev_hash, payload) != stored:
        what = f"第 {event_id} 条记录" if event_id is not None else "办理状态记录"
        found.add(case_id, f"{what}在写入后被改动（历史记录链第 {seq} 环的哈希不符）")


def _walk(found: _Found, conn: sqlite3.Connection, after: int, prev_hash: str) -> tuple[int, str]:
    """Check every link after `after` (whose hash is `prev_hash`) against its predecessor; the
    last link seen."""
    prev_seq: int = after
    last = (after, prev_hash)
    for row in conn.execute(f"{_LINK_SQL} WHERE c.seq > ? ORDER BY c.seq", [after]):
        _check_link(found, row, prev_seq, prev_hash)
        prev_seq, prev_hash = row[0], row[4]
        last = (row[0], row[4])
    return last


def _spot(found: _Found, conn: sqlite3.Connection, seqs: Iterable[int]) -> None:
    """The links at `seqs` and each one's successor, against their predecessors."""
    for seq in sorted(set(seqs)):
        rows = conn.execute(f"{_LINK_SQL} WHERE c.seq >= ? ORDER BY c.seq LIMIT 2", [seq]).fetchall()
        pred = conn.execute("SELECT seq, hash FROM chain WHERE seq < ? ORDER BY seq DESC LIMIT 1", [seq]).fetchone()
        prev_seq, prev_hash = pred if pred else (0, "")
        for row in rows:  # a link that is gone shows as a gap before its successor
            _check_link(found, row, prev_seq, prev_hash)
            prev_seq, prev_hash = row[0], row[4]


def _triggers_intact(conn: sqlite3.Connection) -> bool:
    """Migration 18's triggers are there as written (else every write may have gone unnoted)."""
    have = {
        n: " ".join((s or "").split())
        for n, s in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    }
    pieces = [" ".join(p.split()).rstrip(";") for p in statements(CHAIN)]
    wanted = [p for p in pieces if p.startswith("CREATE TRIGGER")]
    return all(have.get(w.split()[2]) == w for w in wanted)


def verify(led, deep: bool = False) -> tuple[list[str], dict | None]:
    """The chain's problems, and the mark a clean pass may record (`record`)."""
    conn = led.conn
    if not exists(conn):
        return [], None
    found = _Found(conn)
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    mark = conn.execute("SELECT seq, hash, event_id, log_seq, schema_version FROM chain_marks WHERE id = 1").fetchone()
    (log_top,) = conn.execute("SELECT coalesce(max(seq), 0) FROM chain_log").fetchone()
    full = deep or mark is None or mark[4] != version or not _triggers_intact(conn)
    if full:
        top, top_hash = _walk(found, conn, 0, "")
        unchained = (
            "SELECT id, case_id FROM events WHERE id NOT IN (SELECT event_id FROM chain WHERE event_id IS NOT NULL)"
        )
        args: list = []
        if mark is not None:
            _against_mark(found, conn, mark)
    else:
        m_seq, m_hash, m_event, m_log, _ = mark
        _against_mark(found, conn, mark)
        top, top_hash = _walk(found, conn, m_seq, m_hash)
        logged = conn.execute("SELECT tbl, rid FROM chain_log WHERE seq > ?", [m_log]).fetchall()
        seqs = [rid for tbl, rid in logged if tbl == "chain"]
        for tbl, rid in logged:
            if tbl != "events":
                continue
            link = conn.execute("SELECT seq FROM chain WHERE event_id = ?", [rid]).fetchone()
            if link:
                seqs.append(link[0])
            elif not conn.execute("SELECT 1 FROM events WHERE id = ?", [rid]).fetchone():
                found.add(None, f"第 {rid} 条记录已被删除")
        _spot(found, conn, seqs)
        unchained = (
            "SELECT id, case_id FROM events WHERE id > ? AND id NOT IN (SELECT event_id FROM chain WHERE event_id > ?)"
        )
        args = [m_event, m_event]
    for event_id, case_id in conn.execute(unchained, args):
        found.add(case_id, f"第 {event_id} 条记录不在历史记录链上（不是由 lcqy 写入的）")
    if deep:
        _states(found, conn)
        for (reg_no,) in conn.execute(
            "SELECT reg_no FROM cases WHERE id NOT IN (SELECT case_id FROM events WHERE case_id IS NOT NULL) "
            "ORDER BY id"
        ):
            found.add(None, f"{reg_no} 没有任何历史记录（登记记录已被删除）")
    problems = found.said()
    if problems or top_hash is None:
        return problems, None
    (top_event,) = conn.execute("SELECT coalesce(max(event_id), 0) FROM chain WHERE seq <= ?", [top]).fetchone()
    return [], {"seq": top, "hash": top_hash, "event_id": top_event, "log_seq": log_top, "version": version}


def _against_mark(found: _Found, conn: sqlite3.Connection, mark: tuple) -> None:
    """The head a clean check saw is still there, unchanged: the newest links cannot go unseen."""
    row = conn.execute("SELECT hash FROM chain WHERE seq = ?", [mark[0]]).fetchone()
    if row is None:
        found.add(None, f"上次检查时历史记录链已有 {mark[0]} 环，现已不全（最近的记录被删除）")
    elif row[0] != mark[1]:
        found.add(None, f"历史记录链第 {mark[0]} 环与上次检查时不同（记录被改写）")


def _states(found: _Found, conn: sqlite3.Connection) -> None:
    """Every case's stored state against the state its latest link recorded (deep)."""
    ids = [i for (i,) in conn.execute("SELECT id FROM cases ORDER BY id")]
    for i in range(0, len(ids), _BATCH):
        part = ids[i : i + _BATCH]
        have = recorded_states(conn, part)
        for case_id, state in states(conn, part):
            was = have.get(case_id)
            if was is None:
                found.add(case_id, "案件不在历史记录链上（不是由 lcqy 登记的）")
            elif was != state:
                found.add(case_id, differs(state, was))


def _shown(value: object, k: int) -> str:
    from lcqy.rules.constants import STATES, SUPERVISION

    if isinstance(value, str) and value.startswith("["):
        value = json.loads(value)
    if value is None or value == "" or value == []:
        return "无"
    if k == 0:
        return STATES.get(str(value), str(value))
    if k == 1:
        return SUPERVISION.get(str(value), str(value))
    if isinstance(value, list):
        return "；".join("、".join(str(x) for x in v) if isinstance(v, list) else str(v) for v in value)[:200]
    return str(value)[:80]


def differs(now: str, was: str) -> str:
    """Which stored fields differ from what the latest act left."""
    a, b = json.loads(now), json.loads(was)
    parts = [
        f"{name}现为“{_shown(x, k)}”，最近一次办理后为“{_shown(y, k)}”"
        for k, (name, x, y) in enumerate(zip(STATE_FIELDS, a, b))
        if x != y
    ]
    return "；".join(parts) + "：存储的内容被其他程序改过，请用备份核对"


def record(led, mark: dict) -> None:
    """Note how far a clean check verified the chain (bookkeeping: skipped when busy)."""

    def write(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM chain_log WHERE seq <= ?", [mark["log_seq"]])
        conn.execute(
            "INSERT OR REPLACE INTO chain_marks VALUES (1, ?, ?, ?, ?, ?, ?)",
            [mark["seq"], mark["hash"], mark["event_id"], mark["log_seq"], mark["version"], now_text()],
        )

    record_mark(led, mark["version"], write)


def case_problems(conn: sqlite3.Connection, case_id: int) -> list[str]:
    """One case's history against the chain (for `show`): its links, its events, its state."""
    if not exists(conn):
        return []
    found = _Found(conn)
    seqs = [s for (s,) in conn.execute("SELECT seq FROM chain WHERE case_id = ?", [case_id])]
    _spot(found, conn, seqs)
    for (event_id,) in conn.execute(
        "SELECT id FROM events WHERE case_id = ? AND id NOT IN (SELECT event_id FROM chain WHERE case_id = ? "
        "AND event_id IS NOT NULL)",
        [case_id, case_id],
    ):
        found.add(case_id, f"第 {event_id} 条记录不在历史记录链上（不是由 lcqy 写入的）")
    now = dict(states(conn, [case_id])).get(case_id)
    was = recorded_states(conn, [case_id]).get(case_id)
    if now is not None and was is not None and now != was:
        found.add(case_id, differs(now, was))
    return list(dict.fromkeys(text for _, text in found.items))
