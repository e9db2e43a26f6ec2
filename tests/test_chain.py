"""The history chain: a checked ledger tampered with in each way is reported; acts keep it whole."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from conftest import register_args, snapshot


def _sql(db, *statements: str) -> None:
    conn = sqlite3.connect(db)
    try:
        with conn:
            for s in statements:
                conn.execute(s)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A county ledger with cases in several states, a paper and an undo, checked clean."""
    from conftest import DEPTS, INIT
    from test_exchange import _cli

    base = tmp_path_factory.mktemp("chain")
    db = base / "ledger.db"

    def k(*args):
        r = _cli("--db", str(db), *args)
        assert r.code == 0, (args, r.out, r.err)
        return r

    k(*INIT)
    k("dept", "add", *DEPTS)
    for _ in range(5):
        k("register", *register_args(), "--date", "2026-11-02")
    lead = ("--dept", "临翔供电局", "--approver", "王主任", "--level", "主任")
    k("dispatch", "2", *lead, "--date", "2026-11-03")
    k("dispatch", "3", *lead, "--date", "2026-11-03")
    k("reply", "3", "--result", "A", "--mode", "书面", "--summary", "已接电", "--date", "2026-11-05")
    k("dispatch", "4", *lead, "--date", "2026-11-03")
    k("undo", "4", "--reason", "交办错了案件", "--date", "2026-11-04")
    paper = base / "说明.pdf"
    paper.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 40)
    k("attach", "5", str(paper), "--date", "2026-11-04")
    k("check")
    k("check", "--deep")
    return db


TAMPER = {
    "first event": ("DELETE FROM events WHERE id = (SELECT min(id) FROM events)", True, "已被删除"),
    "middle event": ("DELETE FROM events WHERE action = 'dispatch' AND case_id = 3", True, "已被删除"),
    "last event": ("DELETE FROM events WHERE id = (SELECT max(id) FROM events)", True, "已被删除"),
    "a case's whole history": ("DELETE FROM events WHERE case_id = 2", True, "已被删除"),
    "newest event and its link": (
        (
            "DELETE FROM events WHERE id = (SELECT max(id) FROM events)",
            "DELETE FROM chain WHERE seq = (SELECT max(seq) FROM chain)",
        ),
        True,
        "现已不全",
    ),
    "event text": (
        "UPDATE events SET detail = replace(detail, '已接电', '未接电') WHERE action = 'reply'",
        True,
        "被改动",
    ),
    "event added": (
        "INSERT INTO events (case_id, at, act_on, actor, action, detail) "
        "VALUES (1, '2026-11-27T10:00:00', '2026-11-27', '赵晓云', 'close', '{}')",
        True,
        "不在历史记录链上",
    ),
    "void a live number": ("UPDATE numbers SET voided = 1 WHERE kind = '收' AND seq = 1", False, "编号及其作废"),
    "state": ("UPDATE cases SET state = 'closed' WHERE id = 1", False, "状态现为“已销号”"),
    "due date": ("UPDATE dispatches SET due_current = '2026-12-31' WHERE case_id = 2", False, "交办单"),
    "lead department": ("UPDATE dispatches SET lead_dept = '区财政局' WHERE case_id = 2", False, "区财政局"),
    "drop trigger": ("DROP TRIGGER cases_due_open_insert", False, "缺少触发器 cases_due_open_insert"),
    "alter trigger": (
        (
            "DROP TRIGGER events_chain_delete",
            "CREATE TRIGGER events_chain_delete AFTER DELETE ON events BEGIN SELECT 1 WHERE 0; END",
        ),
        False,
        "触发器 events_chain_delete与迁移建立的不同",
    ),
    "own key swapped": ("UPDATE office_keys SET fingerprint = 'SHA256:forged' WHERE own = 1", False, "签名密钥：本办"),
    "drop index": ("DROP INDEX dispatches_case", False, "缺少索引 dispatches_case"),
    "attachment byte": (
        "UPDATE blobs SET data = CAST(replace(CAST(data AS TEXT), 'PDF', 'PDG') AS BLOB)",
        False,
        "SHA-256",
    ),
}


@pytest.mark.parametrize("name", list(TAMPER))
def test_tampering_is_reported(name, checked, run, tmp_path):
    sql, daily, said = TAMPER[name]
    shutil.copy(checked, run.db)
    assert run("check").code == 0
    _sql(run.db, *([sql] if isinstance(sql, str) else sql))
    deep = run("check", "--deep")
    assert deep.code == 1 and said in deep.out, deep.out
    assert "内部错误" not in deep.out + deep.err
    if daily:
        r = run("check")
        assert r.code == 1 and said in r.out, r.out


def test_untouched_ledger_passes_both_and_show_is_clean(checked, run):
    shutil.copy(checked, run.db)
    for args in (("check",), ("check", "--deep"), ("check",)):
        r = run(*args)
        assert r.code == 0 and "通过" in r.out, r.out
    assert json.loads(run("show", "3", "--json").out)["history_problems"] == []
    assert "历史记录" not in run("show", "3").out.split("操作记录")[0]


def test_show_marks_a_case_whose_history_fails(checked, run):
    shutil.copy(checked, run.db)
    _sql(run.db, "DELETE FROM events WHERE case_id = 2 AND action = 'dispatch'")
    r = run("show", "2")
    assert r.code == 0 and "与哈希链不符" in r.out and "已被删除" in r.out
    assert json.loads(run("show", "2", "--json").out)["history_problems"]
    assert json.loads(run("show", "1", "--json").out)["history_problems"] == []
    _sql(run.db, "UPDATE cases SET state = 'replied' WHERE id = 1")
    assert "状态现为“已答复”" in " ".join(json.loads(run("show", "1", "--json").out)["history_problems"])


def test_head_is_printed_and_moves_with_each_act(checked, run):
    shutil.copy(checked, run.db)
    r = run("check", "--head")
    assert r.code == 0
    first = json.loads(run("check", "--head", "--json").out)["head"]
    assert first["hash"] in r.out and str(first["links"]) in r.out
    assert run("urge", "2", "--no-letter", "--date", "2026-11-27").code == 0
    later = json.loads(run("check", "--head", "--json").out)["head"]
    assert later["links"] > first["links"] and later["hash"] != first["hash"]


def test_chain_survives_undo_and_import(checked, run, tmp_path, monkeypatch):
    shutil.copy(checked, run.db)
    assert (
        run(
            "reply",
            "2",
            "--result",
            "B",
            "--mode",
            "面复",
            "--summary",
            "正在办理",
            "--plan",
            "月底前接电",
            "--plan-due",
            "2026-12-31",
        ).code
        == 0
    )
    assert run("undo", "2", "--reason", "录错").code == 0
    assert run("check").code == 0 and run("check", "--deep").code == 0
    sheet = tmp_path / "台帐.xlsx"
    assert run("export-ledger", "-o", str(sheet), "--with-contacts").code == 0
    fresh = tmp_path / "new.db"
    monkeypatch.setenv("LCQY_DB", str(fresh))
    from conftest import INIT

    assert run(*INIT).code == 0
    r = run("import-ledger", str(sheet))
    assert r.code == 0, r.err
    for args in (("check",), ("check", "--deep")):
        r = run(*args)
        assert r.code == 0, r.out


def test_refused_act_leaves_no_link(checked, run):
    shutil.copy(checked, run.db)
    before = snapshot(run.db)
    r = run("close", "2")
    assert r.code == 1
    assert snapshot(run.db) == before


def test_existing_ledger_gets_its_chain_on_upgrade(checked, run):
    """A ledger from before migration 18: its history is chained once, with one message."""
    shutil.copy(checked, run.db)
    _sql(
        run.db,
        "DROP TRIGGER events_chain_update",
        "DROP TRIGGER events_chain_delete",
        "DROP TABLE chain",
        "DROP TABLE chain_log",
        "DROP TABLE chain_marks",
        "DROP TABLE office_keys",
        # Migration 25 (after 18) notes changes to the chain and two other tables: made again too.
        *[f"DROP TRIGGER {t}_check_{e}" for t in ("tracking_codes", "dispatch_depts") for e in ("ins", "upd", "del")],
        "DELETE FROM _migrations WHERE n IN (18, 25)",
        "PRAGMA user_version = 17",
    )
    r = run("list")
    assert r.code == 0 and "台帐已升级" in r.err and "哈希链" in r.err and "SHA256:" in r.err
    assert "台帐已升级" not in run("list").err
    assert run("check", "--deep").code == 0
    assert run("keys", "show").code == 0


def test_the_chains_problems_are_said_once_each_in_order_with_the_case_number(ledger):
    from lcqy.store.chain import _Found

    assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    conn = sqlite3.connect(ledger.db)
    try:
        found = _Found(conn)
        for case_id, text in [(1, "甲"), (None, "乙"), (1, "甲"), (2, "丙"), (None, "乙")]:
            found.add(case_id, text)
        assert found.said() == ["历史记录：临翔服企办收（2026）第1号：甲", "历史记录：乙", "历史记录：案件2：丙"]
    finally:
        conn.close()
