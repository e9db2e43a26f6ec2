"""`check` at any size: the stored text and papers re-read as they change (a full pass once, then
the rows written since), `--deep` re-reading everything, the rules read from indexes, and the
same problems found as a full reading would."""

from __future__ import annotations

import json
import sqlite3

import pytest
from conftest import register_args


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


def _dispatched(ledger, n: int = 2) -> None:
    for _ in range(n):
        assert ledger("register", *register_args(), "--date", "2026-10-12").code == 0
    for i in range(1, n + 1):
        r = ledger("dispatch", str(i), "--dept", "区发展和改革局", "--approver", "王", "--level", "主任",
                   "--date", "2026-10-13")  # fmt: skip
        assert r.code == 0, r.err


def test_a_clean_pass_is_recorded_and_later_writes_are_read_again(ledger):
    _dispatched(ledger)
    assert _one(ledger.db, "SELECT count(*) FROM check_log")[0] > 0  # the acts' rows, noted
    assert ledger("check").code == 0
    (upto,) = _one(ledger.db, "SELECT through_seq FROM check_passes WHERE part = 'stored'")
    assert upto > 0 and _one(ledger.db, f"SELECT count(*) FROM check_log WHERE seq <= {upto}")[0] == 0
    # An old row changed behind lcqy's back (any SQLite client fires the triggers).
    _sql(ledger.db, "UPDATE dispatches SET approver = ? WHERE id = 1", args=["王\uffff"])
    _sql(ledger.db, "UPDATE cases SET remarks = ? WHERE id = 2", args=["备注\ufdd0"])
    r = ledger("check")
    assert r.code == 1
    assert "dispatches 表第1行：字段 approver 含有无法写入 Excel/Word 的字符 U+FFFF" in r.out
    assert "临翔服企办收（2026）第2号：字段 remarks 含有无法写入 Excel/Word 的字符 U+FDD0" in r.out
    # Not clean: nothing recorded, so the next check finds them again.
    assert "U+FFFF" in ledger("check").out
    _sql(ledger.db, "UPDATE dispatches SET approver = '王' WHERE id = 1", "UPDATE cases SET remarks = '' WHERE id = 2")
    assert ledger("check").code == 0


def test_a_changed_paper_is_found_after_a_clean_pass(ledger, tmp_path):
    _dispatched(ledger, 1)
    paper = tmp_path / "批示.pdf"
    paper.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 40)
    assert ledger("attach", "1", str(paper)).code == 0
    assert ledger("check").code == 0
    _sql(ledger.db, "UPDATE blobs SET data = zeroblob(size)")
    r = ledger("check")
    assert r.code == 1 and "与其 SHA-256 不符（已损坏）" in r.out


def test_a_schema_change_since_the_pass_means_a_full_reading(ledger):
    _dispatched(ledger)
    assert ledger("check").code == 0
    # Writes while the trigger is gone are not noted; the schema's version moved, so check
    # no longer trusts the log and reads everything.
    _sql(
        ledger.db,
        "DROP TRIGGER cases_check_upd",
        "UPDATE cases SET problem = '问题\uffff' WHERE id = 1",
    )
    r = ledger("check")
    assert r.code == 1 and "临翔服企办收（2026）第1号：字段 problem 含有无法写入 Excel/Word 的字符 U+FFFF" in r.out


def test_deep_reads_what_the_log_never_saw(ledger):
    _dispatched(ledger)
    assert ledger("check").code == 0
    # As if written by a program that turned triggers off: the log has no trace of it.
    _sql(ledger.db, "UPDATE cases SET request = '请\U0001ffff' WHERE id = 1", "DELETE FROM check_log")
    assert ledger("check").code == 0  # the routine check reads the rows written since its last pass
    r = ledger("check", "--deep", "--json")
    assert r.code == 1
    assert json.loads(r.out)["problems"] == [
        "临翔服企办收（2026）第1号：字段 request 含有无法写入 Excel/Word 的字符 U+1FFFF，"
        "导出会失败；请用 lcqy edit 更正。"
    ]


def test_deep_matches_index_entries_to_rows(ledger):
    _dispatched(ledger)
    # An index whose entries no longer match its rows: its pages are sound, so only the full
    # integrity check (index entry by entry) sees it.
    conn = sqlite3.connect(ledger.db)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX numbers_case ON numbers(issued_on) WHERE case_id IS NOT NULL' "
        "WHERE name = 'numbers_case'"
    )
    conn.commit()
    conn.close()
    assert ledger("check").code == 0
    r = ledger("check", "--deep")
    assert r.code == 1 and "数据库完整性：" in r.out and "numbers_case" in r.out, r.out


def test_deep_checks_the_search_index_against_the_cases(ledger):
    _dispatched(ledger)
    # Text changed while the index's trigger was gone: `list --text` would miss the new words.
    _sql(ledger.db, "DROP TRIGGER cases_fts_update", "UPDATE cases SET problem = '厂区道路积水' WHERE id = 1")
    assert ledger("check").code == 0
    r = ledger("check", "--deep")
    assert r.code == 1 and "全文检索索引 cases_fts 与案件内容不一致" in r.out, r.out


def test_a_newer_ledger_is_checked_but_not_written(ledger):
    _dispatched(ledger, 1)
    _sql(ledger.db, "PRAGMA user_version = 99")
    r = ledger("check")
    assert r.code == 0 and "更新版本" in r.err
    assert _one(ledger.db, "SELECT count(*) FROM check_passes")[0] == 0


@pytest.mark.parametrize(
    "plant,said",
    [
        ("UPDATE cases SET accepted_on = '2026-10-01' WHERE id = 1", "第1号：受理时间早于反映时间。"),
        ("UPDATE cases SET supervision = 'special', state = 'registered' WHERE id = 1", "第1号：督办标记只应在"),
        ("UPDATE cases SET merged_into = 2 WHERE id = 1", "第1号：合并状态与“并入”不一致。"),
        ("UPDATE cases SET state = 'merged', merged_into = 1 WHERE id = 1", "第1号：并入了它自己。"),
        ("UPDATE dispatches SET due_current = '2026-10-14' WHERE id = 1", "第1号：当前办结时限早于原时限。"),
        ("UPDATE dispatches SET case_id = 1 WHERE id = 2", "第1号：有两张有效的交办单。"),
        ("UPDATE cases SET state = 'escalated' WHERE id = 2", "第2号：状态为已转报，但没有转报记录。"),
        ("UPDATE dispatches SET status = 'returned' WHERE id = 2", "第2号：状态为办理中，但没有有效的交办单。"),
        ("UPDATE dispatches SET case_id = 7 WHERE id = 2", "外键：dispatches 第2行 指向不存在的 cases"),
        ("UPDATE dispatches SET case_id = 1.5 WHERE id = 2", "外键：dispatches 第2行 指向不存在的 cases"),
        ("UPDATE dispatches SET case_id = 'x' WHERE id = 2", "外键：dispatches 第2行 指向不存在的 cases"),
        ("UPDATE numbers SET case_id = 0 WHERE id = 1", "外键：numbers 第1行 指向不存在的 cases"),
        ("UPDATE cases SET merged_into = 3 WHERE id = 1", "外键：cases 第1行 指向不存在的 cases"),
        # A key that is its table's row number (read by two seeks, not a scan).
        ("INSERT INTO tracking_codes VALUES (9, 'X')", "外键：tracking_codes 第9行 指向不存在的 cases"),
        ("INSERT INTO tracking_codes VALUES (0, 'X')", "外键：tracking_codes 第0行 指向不存在的 cases"),
        ("INSERT INTO tracking_codes VALUES (-3, 'X')", "外键：tracking_codes 第-3行 指向不存在的 cases"),
    ],
)
def test_each_rule_is_found(ledger, plant, said):
    _dispatched(ledger)
    assert ledger("check").code == 0
    conn = sqlite3.connect(ledger.db)  # foreign keys off, as in any other client
    conn.execute(plant)
    conn.commit()
    conn.close()
    r = ledger("check")
    assert r.code == 1 and said in r.out, r.out


def test_row_number_keys_are_said_in_row_order(ledger):
    _dispatched(ledger)
    _sql(ledger.db, "INSERT INTO tracking_codes VALUES (9, 'X')", "INSERT INTO tracking_codes VALUES (-3, 'Y')")
    lines = [line for line in ledger("check").out.splitlines() if line.startswith("外键")]
    assert lines == ["外键：tracking_codes 第-3行 指向不存在的 cases", "外键：tracking_codes 第9行 指向不存在的 cases"]


def test_foreign_keys_with_a_hole_in_the_ids(ledger):
    _dispatched(ledger)
    assert ledger("register", *register_args(), "--date", "2026-10-12").code == 0
    # Ids 1, 2, 4: the parent's ids have a hole, so each key is looked up.
    _sql(
        ledger.db,
        "UPDATE cases SET id = 4 WHERE id = 3",
        "UPDATE numbers SET case_id = 4 WHERE case_id = 3",
        "UPDATE events SET case_id = 4 WHERE case_id = 3",
        "UPDATE tracking_codes SET case_id = 4 WHERE case_id = 3",
    )
    # The moved events are the history chain's business (said as such); no key is broken.
    r = ledger("check")
    assert all(line.startswith("历史记录：") for line in r.out.splitlines()) and "外键" not in r.out, r.out
    _sql(ledger.db, "UPDATE dispatches SET case_id = 3 WHERE id = 2")
    r = ledger("check")
    assert r.code == 1 and "外键：dispatches 第2行 指向不存在的 cases" in r.out, r.out


def test_backdated_numbers_counted_against_every_earlier_number(ledger):
    for on in ("2026-11-20", "2026-11-10", "2026-11-12", "2026-11-23", "2026-11-21"):
        assert ledger("register", *register_args(), "--date", on).code == 0
    r = ledger("check")
    assert r.code == 0
    # 2 (11-10) and 3 (11-12) follow 1 (11-20); 5 (11-21) follows 4 (11-23).
    assert (
        "提醒：编号顺序：2026年“收”字号有 3 个编号的日期早于排在它前面的编号"
        "（如第2号 2026-11-10，前面已有 2026-11-20 的编号），另有第3、5号。" in r.out
    ), r.out


@pytest.mark.parametrize(
    "sql,index",
    [
        ("UNSOUND_CASES_SQL", "cases_unsound"),
        ("UNSOUND_DISPATCHES_SQL", "dispatches_unsound"),
        ("TWO_ACTIVE_SQL", "dispatches_active"),
        ("CHAINS_SQL", "cases_merged"),
        ("DATES_SQL", "numbers_dates"),
    ],
)
def test_rules_are_read_from_their_index(ledger, sql, index):
    """Not a timing: the query plan names the index, so the rule reads its rows, not every case."""
    from lcqy.acts.checks import run as check
    from lcqy.acts.checks import warnings as check_warnings

    text = getattr(check, sql, None) or getattr(check_warnings, sql)
    plan = [str(r[3]) for r in sqlite3.connect(ledger.db).execute("EXPLAIN QUERY PLAN " + text)]
    assert any(f"INDEX {index}" in step for step in plan), plan
    assert not [step for step in plan if step.startswith("SCAN") and "INDEX" not in step], plan  # no table read whole
