"""`check` reads the history chain's text from its last clean pass on (migration 25): whatever
another program does to a link, the routine check still finds what a full reading finds."""

from __future__ import annotations

import json
import sqlite3

import pytest
from conftest import register_args

BAD = "办理中\uffff"
SAID = "字段 state 含有无法写入 Excel/Word 的字符 U+FFFF"


def _sql(db, *statements: str, args=()) -> None:
    conn = sqlite3.connect(db)
    for s in statements:
        conn.execute(s, args if "?" in s else ())
    conn.commit()
    conn.close()


def _one(db, sql: str):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()
    finally:
        conn.close()


@pytest.fixture
def passed(ledger):
    """A ledger with a few links, checked clean once (so the next check reads from the mark)."""
    for _ in range(3):
        assert ledger("register", *register_args(), "--date", "2026-10-12").code == 0
    r = ledger("dispatch", "1", "--dept", "区发展和改革局", "--approver", "王", "--level", "主任",
               "--date", "2026-10-13")  # fmt: skip
    assert r.code == 0, r.err
    assert ledger("check").code == 0
    top = _one(ledger.db, "SELECT max(seq) FROM chain")[0]
    assert top > 4
    assert _one(ledger.db, "SELECT through_seq FROM check_passes WHERE part = 'chain'") == (top,)
    return ledger


def _as_full_reading(ledger) -> list[str]:
    """The routine check's problems, which must be a full reading's (marks dropped) too."""
    r = ledger("check", "--json")
    assert r.code == 1, r.out
    routine = json.loads(r.out)["problems"]
    _sql(ledger.db, "DELETE FROM check_passes")
    full = json.loads(ledger("check", "--json").out)["problems"]
    assert routine == full
    return routine


def _text_problems(problems: list[str]) -> list[str]:
    return [p for p in problems if SAID in p]


def test_a_clean_chain_is_read_from_its_mark_only(passed):
    top = _one(passed.db, "SELECT max(seq) FROM chain")[0]
    assert passed("register", *register_args(), "--date", "2026-10-14").code == 0
    assert _one(passed.db, "SELECT count(*) FROM check_log WHERE tbl = 'chain'") == (0,)  # appends: not noted
    assert passed("check").code == 0
    assert _one(passed.db, "SELECT through_seq FROM check_passes WHERE part = 'chain'")[0] > top


def test_an_old_link_changed_is_found(passed):
    _sql(passed.db, "UPDATE chain SET state = ? WHERE seq = 2", args=[BAD])
    assert _text_problems(_as_full_reading(passed)) == [f"chain 表第2行：{SAID}，导出会失败；请用 lcqy edit 更正。"]


@pytest.mark.parametrize("where", ["seq = 2", "seq = (SELECT max(seq) FROM chain)"])
def test_an_old_link_replaced_is_found(passed, where):
    # INSERT OR REPLACE deletes the old row without firing a delete trigger: the insert says so.
    _sql(
        passed.db,
        "INSERT OR REPLACE INTO chain (seq, event_id, case_id, state, hash) "
        f"SELECT seq, event_id, case_id, ?, hash FROM chain WHERE {where}",
        args=[BAD],
    )
    assert len(_text_problems(_as_full_reading(passed))) == 1


def test_a_link_put_back_after_the_newest_were_deleted_is_found(passed):
    top = _one(passed.db, "SELECT max(seq) FROM chain")[0]
    # Now an append again, at or below the last clean pass's newest link.
    _sql(
        passed.db,
        f"CREATE TEMP TABLE kept AS SELECT * FROM chain WHERE seq = {top - 1}",
        f"DELETE FROM chain WHERE seq >= {top - 1}",
        "INSERT INTO chain (seq, event_id, case_id, state, hash) SELECT seq, event_id, case_id, ?, hash FROM kept",
        args=[BAD],
    )
    assert _text_problems(_as_full_reading(passed)) == [
        f"chain 表第{top - 1}行：{SAID}，导出会失败；请用 lcqy edit 更正。"
    ]


def test_a_link_added_past_the_mark_is_found(passed):
    _sql(
        passed.db,
        "INSERT INTO chain (seq, event_id, case_id, state, hash) SELECT max(seq) + 1, NULL, 1, ?, 'x' FROM chain",
        args=[BAD],
    )
    assert len(_text_problems(_as_full_reading(passed))) == 1


def test_without_the_triggers_the_chain_is_read_in_full(passed):
    # Dropping a trigger moves the schema's version, and the triggers are looked for as written.
    _sql(
        passed.db,
        "DROP TRIGGER chain_check_upd",
        "UPDATE chain SET state = ? WHERE seq = 2",
        args=[BAD],
    )
    assert len(_text_problems(_as_full_reading(passed))) == 1


def test_a_problem_found_stays_found_until_mended(passed):
    _sql(passed.db, "UPDATE chain SET state = ? WHERE seq = 2", args=[BAD])
    for _ in range(2):  # not clean: no pass recorded, so the next check reads the same rows
        assert SAID in passed("check").out
