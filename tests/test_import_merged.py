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
