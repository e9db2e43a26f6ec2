"""The ledger stays whole: another office's numbers, text no export can hold, a newer schema,
acts entered out of order, merge chains, damaged or open files, letters lost to a kill."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest
from conftest import dead_pid, register_args, snapshot

from lcqy.store.outputs import PART


def _dispatched(ledger, n: int = 1, on: str = "2026-10-13") -> None:
    for _ in range(n):
        assert ledger("register", *register_args(), "--date", "2026-10-12").code == 0
    for i in range(1, n + 1):
        r = ledger("dispatch", str(i), "--dept", "区发展和改革局", "--approver", "王", "--level", "主任", "--date", on)
        assert r.code == 0, r.err


# -- 3. another office's prefix ------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["void", "耿马服企办收（2026）第1号", "--reason", "重复登记"],
        ["dispatch", "沧源服企办收（2026）第1号", "--dept", "区发展和改革局", "--approver", "王", "--level", "主任"],
        ["show", "耿马服企办交（2026）第1号"],
    ],
)
def test_a_number_of_another_office_is_refused(ledger, args):
    assert ledger("register", *register_args()).code == 0
    before = snapshot(ledger.db)
    r = ledger(*args)
    assert r.code == 1
    assert "不是本台帐的" in r.err and "本办编号以“临翔服企办”开头" in r.err, r.err
    assert "临翔服企办" in r.err and ("2026-1" in r.err)
    assert snapshot(ledger.db) == before
    assert ledger("show", "临翔服企办收（2026）第1号").code == 0


# -- 4. code points no .xlsx/.docx can hold ------------------------------------


@pytest.mark.parametrize("bad", ["\ufffe", "\uffff", "\ufdd0", "\U0001fffe", "\x0b", "\ud800"])
def test_unstorable_characters_are_refused_everywhere(ledger, bad):
    _dispatched(ledger)
    before = snapshot(ledger.db)
    calls = [
        ["register", *register_args(enterprise=f"临沧{bad}公司")],
        ["register", *register_args(problem=f"问{bad}题")],
        ["register", *register_args(phone=f"0883-212{bad}3456")],
        ["edit", "1", "--field", "remarks", "--value", f"备{bad}注"],
        ["reply", "1", "--result", "A", "--mode", "书面", "--summary", f"已{bad}办结"],
        ["extend", "1", "--until", "2026-10-27", "--reason", f"理{bad}由"],
        ["urge", "1", "--note", f"说{bad}明", "--no-letter"],
        ["dept", "add", f"区{bad}局"],
    ]
    for args in calls:
        r = ledger(*args)
        assert r.code == 1, (args, r.err)
        # A lone surrogate is caught where the command line is read (bytes a terminal could not decode).
        assert any(w in r.err for w in ("无法保存的字符", "控制字符", "格式不对", "无法识别的字符")), (args, r.err)
        assert "内部错误" not in r.err
    assert snapshot(ledger.db) == before


def test_check_reports_unstorable_text_already_stored(ledger, tmp_path):
    _dispatched(ledger)
    conn = sqlite3.connect(ledger.db)
    conn.execute("UPDATE cases SET problem = ? WHERE id = 1", ["问题\uffff"])
    conn.commit()
    conn.close()
    r = ledger("check")
    assert r.code == 1
    assert "临翔服企办收（2026）第1号：字段 problem 含有无法写入 Excel/Word 的字符 U+FFFF" in r.out + r.err


def test_check_names_the_table_row_of_unstorable_text_outside_cases(ledger):
    _dispatched(ledger)
    conn = sqlite3.connect(ledger.db)
    conn.execute("UPDATE dispatches SET approver = ? WHERE id = 1", ["王\U0001fffe强"])
    conn.execute("UPDATE cases SET request = ? WHERE id = 1", ["\ufdd0"])
    conn.commit()
    conn.close()
    r = ledger("check")
    assert r.code == 1
    assert "dispatches 表第1行：字段 approver 含有无法写入 Excel/Word 的字符 U+1FFFE" in r.out + r.err
    assert "临翔服企办收（2026）第1号：字段 request 含有无法写入 Excel/Word 的字符 U+FDD0" in r.out + r.err
    # The full-text index repeats the case's text: each character is reported once.
    assert (r.out + r.err).count("U+FDD0") == 1


# -- 5. a ledger written by a newer lcqy ---------------------------------------


@pytest.mark.parametrize("how", ["user_version", "migration"])
def test_a_newer_ledger_is_read_but_never_written(ledger, how):
    assert ledger("register", *register_args()).code == 0
    conn = sqlite3.connect(ledger.db)
    if how == "user_version":
        conn.execute("PRAGMA user_version = 99")
    else:
        conn.execute("INSERT INTO _migrations VALUES (99, '2027-01-01T00:00:00')")
    conn.execute("CREATE TABLE future (x)")
    conn.execute("CREATE TRIGGER fired AFTER INSERT ON cases BEGIN INSERT INTO future VALUES (1); END")
    conn.commit()
    conn.close()
    before = snapshot(ledger.db)
    r = ledger("register", *register_args())
    assert r.code == 1 and "本台帐由更新版本的 lcqy 建立，请升级" in r.err, r.err
    assert snapshot(ledger.db) == before
    r = ledger("list")
    assert r.code == 0 and "临沧南美坚果开发有限公司" in r.out and "更新版本" in r.err
    assert snapshot(ledger.db) == before


def test_migrations_set_user_version(ledger):
    from lcqy.store.db import LATEST

    conn = sqlite3.connect(ledger.db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    conn.close()


# -- 6. chronology --------------------------------------------------------------


def test_acts_cannot_predate_the_latest_act_of_the_case(ledger):
    _dispatched(ledger)
    r = ledger("extend", "1", "--until", "2026-10-23", "--reason", "需现场核实", "--date", "2026-10-14")
    assert r.code == 0, r.err
    assert "2026-10-20 → 2026-10-23" in r.out
    # The message says what the limit was before this extension: the current one.
    r = ledger("extend", "1", "--until", "2026-10-26", "--reason", "再延", "--date", "2026-10-15")
    assert r.code == 0 and "2026-10-23 → 2026-10-26" in r.out, r.out
    before = snapshot(ledger.db)
    for args in (
        ["extend", "1", "--until", "2026-10-27", "--reason", "补录", "--date", "2026-10-14"],
        ["return", "1", "--reason", "不属本部门职责", "--date", "2026-10-14"],
        ["edit", "1", "--field", "remarks", "--value", "补", "--date", "2026-10-13"],
        ["reply", "1", "--result", "A", "--mode", "书面", "--summary", "办结", "--date", "2026-10-14"],
    ):
        r = ledger(*args)
        assert r.code == 1, (args, r.out)
        assert "早于 临翔服企办收（2026）第1号 已记录的最近一次办理（2026-10-15）" in r.err, r.err
    assert snapshot(ledger.db) == before
    r = ledger("reply", "1", "--result", "A", "--mode", "书面", "--summary", "办结", "--date", "2026-10-15")
    assert r.code == 0, r.err


# -- 7. merge chains --------------------------------------------------------------


def test_merging_moves_duplicates_to_the_final_case(ledger):
    for _ in range(4):
        assert ledger("register", *register_args(), "--date", "2026-10-12").code == 0
    assert ledger("merge", "1", "--into", "2").code == 0
    r = ledger("merge", "2", "--into", "3")
    assert r.code == 0, r.err
    # 1 pointed at 2, which is now merged: it follows to 3, recorded on both.
    # Merging into a merged case goes to the end of its chain.
    r = ledger("merge", "4", "--into", "1")
    assert r.code == 0, r.err
    conn = sqlite3.connect(ledger.db)
    rows = dict(conn.execute("SELECT reg_seq, merged_into FROM cases WHERE state = 'merged'").fetchall())
    assert rows == {1: 3, 2: 3, 4: 3}
    moved = conn.execute("SELECT detail FROM events WHERE action = 'merged-moved'").fetchall()
    assert [json.loads(d[0])["after"] for d in moved] == ["临翔服企办收（2026）第3号"]
    conn.close()
    r = ledger("check")
    assert "合并链" not in r.out + r.err
    assert ledger("merge", "3", "--into", "1").code == 1  # 1 ends in 3 itself


def test_check_reports_merge_chains(ledger):
    for _ in range(3):
        assert ledger("register", *register_args(), "--date", "2026-10-12").code == 0
    assert ledger("merge", "2", "--into", "3").code == 0
    conn = sqlite3.connect(ledger.db)
    conn.execute("UPDATE cases SET state = 'merged', merged_into = 2, ended_on = '2026-11-27' WHERE id = 1")
    conn.commit()
    conn.close()
    r = ledger("check")
    assert r.code == 1
    assert "临翔服企办收（2026）第1号：并入的 临翔服企办收（2026）第2号 本身又并入了其他案件" in r.out + r.err


# -- 8. minor ----------------------------------------------------------------------


def test_a_letter_lost_to_a_kill_is_written_on_the_next_urge(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _dispatched(ledger)
    r = ledger("urge", "1", "--date", "2026-11-20")
    assert r.code == 0, r.err
    letter = next(tmp_path.glob("*第1次催办函.docx"))
    # As if killed between the commit and putting the letter in place: its part file, named by
    # a process that is gone.
    pid = dead_pid()
    part = letter.with_name(f".{letter.name}.{pid}{PART}")
    letter.rename(part)
    old = tmp_path / f".临翔服企办交（2026）第9号第1次催办函.docx.{pid}{PART}"
    old.write_bytes(b"x")
    r = ledger("urge", "1", "--date", "2026-11-27")
    assert r.code == 0, r.err
    assert "上次催办" in r.err and "没有写成，现已补写" in r.err and letter.name in r.err
    assert letter.is_file() and next(tmp_path.glob("*第2次催办函.docx")).is_file()
    assert not [p for p in tmp_path.iterdir() if PART in p.name]


def test_a_truncated_ledger_is_called_damaged(ledger):
    data = ledger.db.read_bytes()
    ledger.db.write_bytes(data[:60])
    r = ledger("list")
    assert r.code == 1 and "已损坏" in r.err and "备份" in r.err and "不是 lcqy 台帐文件" not in r.err, r.err
    ledger.db.write_bytes(b"hello, not a database at all" * 10)
    r = ledger("list")
    assert r.code == 1 and "不是 lcqy 台帐文件" in r.err


@pytest.mark.posix_only("mode bits and the chmod advice; Windows gets check's one remark instead")
def test_an_open_ledger_gets_one_warning_per_write(ledger):
    os.chmod(ledger.db, 0o644)
    r = ledger("register", *register_args())
    assert r.code == 0
    assert r.err.count(f"chmod 600 {ledger.db}") == 1, r.err
    assert "chmod" not in ledger("list").err  # reading only: check reports it
    os.chmod(ledger.db, 0o600)
    assert "chmod" not in ledger("register", *register_args()).err


def test_a_required_field_cannot_be_blanked(ledger):
    assert ledger("register", *register_args()).code == 0
    before = snapshot(ledger.db)
    for field in ("accepted_by", "enterprise", "contact", "phone", "problem"):
        r = ledger("edit", "1", "--field", field, "--value", "")
        assert r.code == 1 and ("不能为空" in r.err or "格式不对" in r.err), (field, r.err)
    assert snapshot(ledger.db) == before


# -- issue 10: the forms a clerk types ----------------------------------------------


def test_choices_accept_full_width_and_both_qita(ledger):
    r = ledger("register", *register_args(category="其他"), "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["category"] == "其它"
    _dispatched(ledger, 0)
    r = ledger("dispatch", "1", "--dept", "区发展和改革局", "--approver", "王", "--level", "主任")
    assert r.code == 0, r.err
    r = ledger("reply", "1", "--result", "Ａ", "--mode", "书面", "--summary", "已办结")
    assert r.code == 0, r.err
    assert ledger("register", *register_args()).code == 0
    r = ledger("reject", "2", "--reason", "其它", "--note", "不属受理范围")
    assert r.code == 0, r.err


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("(0883)6121234", "0883-6121234"),
        ("（0883）6121234", "0883-6121234"),
        ("0883 6121234", "0883-6121234"),
        ("0883－6121234", "0883-6121234"),
        ("08836121234", "0883-6121234"),
        ("0883-6121234-123", "0883-6121234转123"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
    ],
)
def test_phones_are_stored_in_one_form(ledger, typed, stored):
    r = ledger("register", *register_args(phone=typed), "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["phone"] == stored
