"""The program's own export imports back when a merged duplicate's target was closed later."""

from __future__ import annotations

from tests.conftest import INIT, register_args
from tests.test_excel_cli import _values
from tests.test_lifecycle import DISPATCH, act, refused


def test_merged_into_a_case_closed_later_round_trips(ledger, run, tmp_path, monkeypatch):
    for _ in range(2):
        assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    act(ledger, "merge", "2", "--into", "1", "--date", "2026-03-02")
    act(ledger, "dispatch", "1", "--dept", "区财政局", *DISPATCH, "--date", "2026-03-03")
    act(ledger, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "已办", "--date", "2026-03-05")
    act(ledger, "followup", "1", "--method", "电话回询", "--satisfaction", "满意", "--date", "2026-03-06")
    act(ledger, "close", "1", "--date", "2026-03-06")
    first = tmp_path / "a.xlsx"
    assert ledger("export-ledger", "-o", str(first), "--with-contacts").code == 0
    monkeypatch.setenv("LCQY_DB", str(tmp_path / "new.db"))
    assert run(*INIT).code == 0
    r = run("import-ledger", str(first))
    assert r.code == 0, r.err
    second = tmp_path / "b.xlsx"
    assert run("export-ledger", "-o", str(second), "--with-contacts").code == 0
    assert _values(first) == _values(second)


def test_merge_into_a_ledger_case_that_had_ended_first_is_refused(ledger, tmp_path):
    from tests.test_hardening import H2, _r, _sheet

    assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    act(ledger, "reject", "1", "--reason", "诉讼", "--date", "2026-03-03")
    late = _r(2, "已合并", into=1)
    late[3] = "2026-03-09"  # reported (and accepted) after case 1 had ended on 3/3
    path = tmp_path / "x.xlsx"
    _sheet(path, H2, late)
    refused(ledger, "import-ledger", str(path), word="早于本件受理时间")


def test_escalated_after_a_return_round_trips_on_time(ledger, run, tmp_path, monkeypatch):
    """A 退单 restarts the limit of the 转报 that follows; the sheet does not carry the 退单's date,
    only how late the 转报 was (blank: on time), and the import keeps that rather than judging
    the 转报 against the limit from acceptance (which would make it 2 working days late)."""
    import sqlite3

    assert ledger("register", *register_args(), "--date", "2026-09-14").code == 0
    act(ledger, "dispatch", "1", "--dept", "区财政局", *DISPATCH, "--date", "2026-09-14")
    act(ledger, "return", "1", "--reason", "不属本部门职责", "--date", "2026-09-16")
    # 9-20 is a Sunday worked under 调休: a working day, inside the limit restarted on 9-16.
    act(ledger, "escalate", "1", "--approver", "李明", "--suggestion", "建议市级协调。", "--date", "2026-09-20")
    first = tmp_path / "a.xlsx"
    assert ledger("export-ledger", "-o", str(first), "--with-contacts").code == 0
    monkeypatch.setenv("LCQY_DB", str(tmp_path / "new.db"))
    assert run(*INIT).code == 0
    assert run("import-ledger", str(first)).code == 0
    conn = sqlite3.connect(tmp_path / "new.db")
    assert conn.execute("SELECT escalated_on, late FROM escalations").fetchall() == [("2026-09-20", 0)]
    conn.close()
    second = tmp_path / "b.xlsx"
    assert run("export-ledger", "-o", str(second), "--with-contacts").code == 0
    assert _values(first) == _values(second)
