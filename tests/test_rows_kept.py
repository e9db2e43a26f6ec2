"""The long lists at 1,000,000 cases: what migration 22 keeps on the case for `list` follows every
act and an import, and `overdue`'s two passes lay out the same table as all the rows at once."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from lcqy.acts.records import write as import_write
from lcqy.cli import _rows, board
from lcqy.cli._rows import Col, Widths, cells, print_chunks, print_table
from lcqy.store.migrations import m022_list_latest as m22
from tests.conftest import INIT
from tests.test_lifecycle import DISPATCH, act, answered_then_changed, reg

_KEPT = {
    "result_now": m22.RESULT_NOW,
    "satisfaction_now": m22.SATISFACTION_NOW,
    "dispatch_no_now": m22.DISPATCH_NO_NOW,
    "assist_now": m22.ASSIST_NOW,
    "due_current_now": m22.DUE_CURRENT_NOW,
}
# `list --json` as it was read before migration 22: the latest reply, follow-up and active
# dispatch looked up for each case.
_LOOKED_UP = """
SELECT json_object('reg_no', c.reg_no, 'lead_dept', d.lead_dept,
    'assist', iif(d.assist IS NULL, json('[]'), json(d.assist)), 'dispatch_no', d.no, 'due_current', d.due_current,
    'result', r.result, 'satisfaction', f.satisfaction)
FROM cases c
LEFT JOIN dispatches d ON d.id = (SELECT max(id) FROM dispatches WHERE case_id = c.id AND status = 'active')
LEFT JOIN replies r ON r.id = (SELECT max(id) FROM replies WHERE case_id = c.id)
LEFT JOIN followups f ON f.id = (SELECT max(id) FROM followups WHERE case_id = c.id)
ORDER BY c.reg_year, c.reg_seq"""


def _stored(db: Path) -> dict[int, dict]:
    """The kept columns of each case, each checked against what it stands for."""
    conn = sqlite3.connect(db)
    try:
        cols = ", ".join(f"{k}, {v}" for k, v in _KEPT.items())
        rows = conn.execute(f"SELECT reg_seq, {cols} FROM cases").fetchall()
    finally:
        conn.close()
    out = {}
    for seq, *values in rows:
        kept, really = values[0::2], values[1::2]
        assert kept == really, (seq, kept, really)
        out[seq] = dict(zip(_KEPT, kept))
    return out


def _list_agrees(run, db: Path) -> list[dict]:
    """`list --all --json` shows what looking the acts up gives."""
    shown = json.loads(run("list", "--all", "--json").out)
    conn = sqlite3.connect(db)
    try:
        looked_up = [json.loads(t) for (t,) in conn.execute(_LOOKED_UP)]
    finally:
        conn.close()
    assert [{k: r[k] for k in looked_up[0]} for r in shown] == looked_up
    return shown


def test_kept_columns_follow_every_act(ledger):
    a = ["--mode", "书面", "--summary", "已办"]
    reg(ledger, "2026-11-02")
    assert _stored(ledger.db)[1] == dict.fromkeys(_KEPT)
    multi = ["--approver", "李明", "--level", "副组长"]
    act(ledger, "dispatch", "1", "--dept", "临翔供电局", "--assist", "区财政局", *multi, "--date", "2026-11-03")
    got = _stored(ledger.db)[1]
    assert got["dispatch_no_now"] == "临翔服企办交（2026）第1号" and got["due_current_now"] == "2026-11-10"
    assert json.loads(got["assist_now"]) == ["区财政局"]
    act(ledger, "extend", "1", "--until", "2026-11-20", "--reason", "需现场核查", "--date", "2026-11-05")
    assert _stored(ledger.db)[1]["due_current_now"] == "2026-11-20"
    # returned and dispatched again: the new dispatch's number and limit
    assert ledger("return", "1", "--reason", "不属本部门职责", "--date", "2026-11-06").code == 0
    assert _stored(ledger.db)[1] == dict.fromkeys(_KEPT)
    act(ledger, "dispatch", "1", "--dept", "区财政局", *DISPATCH, "--date", "2026-11-09")
    got = _stored(ledger.db)[1]
    assert got["dispatch_no_now"] == "临翔服企办交（2026）第2号" and got["assist_now"] == "[]"
    act(ledger, "reply", "1", "--result", "B", *a, "--plan", "分期", "--plan-due", "2026-11-30", "--date", "2026-11-10")
    assert _stored(ledger.db)[1]["result_now"] == "B"
    assert ledger("followup", "1", "--method", "电话回询", "--satisfaction", "满意", "--date", "2026-11-11").code == 0
    act(ledger, "reply", "1", "--result", "A", *a, "--date", "2026-11-12")
    got = _stored(ledger.db)[1]
    assert (got["result_now"], got["satisfaction_now"]) == ("A", "满意")
    shown = _list_agrees(ledger, ledger.db)
    assert (shown[0]["result"], shown[0]["satisfaction"], shown[0]["lead_dept"]) == ("A", "满意", "区财政局")
    # undone: the reply before it is the latest again
    assert ledger("undo", "1", "--reason", "录错了").code == 0
    assert _stored(ledger.db)[1]["result_now"] == "B"
    _list_agrees(ledger, ledger.db)
    text = ledger("list", "--all").out
    assert "B" in next(line for line in text.splitlines() if line.startswith("1 "))


def test_check_deep_finds_a_kept_result_another_program_changed(ledger):
    r = answered_then_changed(
        ledger,
        "UPDATE cases SET result_now = 'C', due_current_now = '2026-12-31'",
    )
    assert r.code != 0
    assert "最近一次答复的办理结果（存为“C”，记录为“A”）" in r.out, r.out
    assert "当前交办的办理时限（存为“2026-12-31”，记录为“2026-11-10”）" in r.out, r.out


def test_show_leaves_the_kept_columns_out(ledger):
    reg(ledger, "2026-11-02")
    act(ledger, "dispatch", "1", "--dept", "临翔供电局", *DISPATCH, "--date", "2026-11-03")
    shown = json.loads(ledger("show", "1", "--json").out)
    assert not set(_KEPT) & set(json.dumps(shown, ensure_ascii=False).replace('"', " ").split())


@pytest.mark.parametrize("reindex", [False, True])
def test_an_imported_ledger_keeps_them_as_its_acts_would(run, tmp_path, monkeypatch, reindex):
    sample = tmp_path / "sample.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "sample_ledger.db", sample)
    monkeypatch.setenv("LCQY_DB", str(sample))
    sheet = tmp_path / "sample.xlsx"
    assert run("export-ledger", "-o", str(sheet), "--with-contacts").code == 0
    before = _list_agrees(run, sample)
    assert any(r["result"] for r in before) and any(r["satisfaction"] for r in before)
    assert any(r["assist"] for r in before) and any(r["dispatch_no"] for r in before)

    db = tmp_path / "new.db"
    monkeypatch.setenv("LCQY_DB", str(db))
    assert run(*INIT).code == 0
    monkeypatch.setattr(import_write, "BATCH", 7)
    monkeypatch.setattr(import_write, "REINDEX_ROWS", 1 if reindex else 10**9)
    r = run("import-ledger", str(sheet))
    assert r.code == 0, r.err
    kept = _stored(db)
    assert any(v["result_now"] for v in kept.values())
    after = _list_agrees(run, db)
    assert [(x["reg_no"], x["result"], x["satisfaction"]) for x in after] == [
        (x["reg_no"], x["result"], x["satisfaction"]) for x in before
    ]
    conn = sqlite3.connect(db)
    try:
        triggers = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    finally:
        conn.close()
    # the set-aside triggers are back as migration 22 made them
    for name in ("replies_latest_insert", "followups_latest_insert", "dispatches_lead_insert"):
        assert triggers[name] in m22.SQL
    assert run("check", "--deep").code == 0


# -- overdue: two passes, the same table -------------------------------------------------------

_NAMES = [
    "临翔区昔归茶业有限责任公司" * 5,  # 65 characters
    "云南Lincang咖啡Co.有限公司" * 20,  # mixed CJK and Latin, 380 characters
    "临沧" + "恒达蔗糖" * 150,  # 602 characters
    "ABC Trading Ltd",
    "双江·勐库茶厂（普通合伙）",  # a middle dot: not a character of the wide blocks
    "Café Lincang Crème",  # Latin letters of two UTF-8 bytes
    "A\u0301临翔🚀公司",  # a combining accent and an emoji
    "临翔区",
]


def _board_rows() -> list[tuple[str, ...]]:
    rows = []
    for i, name in enumerate(_NAMES * 3):
        rows.append(
            (
                str(i + 1) if i % 4 else f"2025-{i + 1}",
                name,
                ("用电保障", "软环境建设", "其他")[i % 3],
                ("", "临翔供电局", "区人力资源和社会保障局")[i % 3],
                "2026-11-10" + ("≈" if i % 2 else ""),
                str(i * 7 % 13),
                str(i % 3),
                ("dispatched", "soon", "meeting")[i % 3],
            )
        )
    return rows


def render_chunked(monkeypatch, width: int | None, rows, chunk: int | None, cols=None, title=None) -> str:
    """The table as print_table lays out all rows at once (chunk None) or as print_chunks does
    chunk rows at a time (overdue's two passes); the overdue board's columns unless given."""
    out = io.StringIO()
    monkeypatch.setattr(_rows, "terminal_width", lambda: width)
    monkeypatch.setattr(sys, "stdout", out)
    cols = board.OVERDUE_COLUMNS if cols is None else cols
    title = "截至 2026-11-27 超期与将到期案件" if title is None else title
    if chunk is None:
        print_table(title, cols, rows)
    else:
        pieces = [[list(c) for c in zip(*rows[k : k + chunk])] for k in range(0, len(rows), chunk)]
        widths = Widths(cols)
        for columns in pieces:
            widths.add(columns)
        print_chunks(title, cols, widths.natural, pieces)
    monkeypatch.setattr(sys, "stdout", sys.__stdout__)
    return out.getvalue()


@pytest.mark.parametrize("width", [None, 80, 200, 60])
@pytest.mark.parametrize("ambiguous_wide", [False, True])
@pytest.mark.parametrize("few", [512, 1])
def test_overdue_in_chunks_lays_out_what_all_rows_at_once_do(monkeypatch, width, ambiguous_wide, few):
    """Long names (60 to 600 characters), CJK mixed with Latin, characters outside the wide
    blocks: chunks of 1, 2 and 5 rows (a chunk of names all CJK and one with a middle dot, the
    column looks kept across chunks, or with `few` 1 every column of more than one value padded
    a whole column at a time) print what one table of every row prints."""
    monkeypatch.setattr(_rows, "_FEW", few)
    _rows.set_ambiguous_wide(ambiguous_wide)
    try:
        rows = _board_rows()
        whole = render_chunked(monkeypatch, width, rows, None)
        for chunk in (1, 2, 5):
            assert render_chunked(monkeypatch, width, rows, chunk) == whole, chunk
        lines = whole.splitlines()
        if width is None:  # to a pipe every name is whole, the next column aligned after the longest
            assert all(name in whole for name in _NAMES)
            starts = {cells(line.split("  用电保障")[0]) for line in lines if "  用电保障" in line}
            assert len(starts) == 1
        else:
            assert any("…" in line for line in lines)
            if not ambiguous_wide:  # (… itself is two cells there)
                assert all(cells(line) <= width for line in lines)
    finally:
        _rows.set_ambiguous_wide(False)


def test_an_empty_last_cell_is_stripped_as_before(monkeypatch):
    cols = [Col("编号"), Col("企业", share=3, least=6), Col("牵头部门")]
    rows = [("1", "临翔区昔归茶业有限公司", ""), ("22", "ab", "区财政局")]
    out = io.StringIO()
    monkeypatch.setattr(_rows, "terminal_width", lambda: None)
    monkeypatch.setattr(sys, "stdout", out)
    widths = Widths(cols)
    columns = [list(c) for c in zip(*rows)]
    widths.add(columns)
    print_chunks(None, cols, widths.natural, [columns])
    chunked = out.getvalue()
    out.seek(0)
    out.truncate()
    print_table(None, cols, rows)
    assert chunked == out.getvalue() and chunked.splitlines()[2] == "1     临翔区昔归茶业有限公司"


def test_every_character_of_the_wide_blocks_takes_two_cells():
    """A column of these characters and ASCII is measured by its UTF-8 bytes: each of them must
    take two cells, whatever the console counts ambiguous characters as."""
    for wide in (False, True):
        _rows.set_ambiguous_wide(wide)
        try:
            for a, b in _rows.WIDE_BLOCKS:
                text = "".join(map(chr, range(a, b + 1)))
                assert cells(text) == 2 * len(text), (hex(a), hex(b))
                assert len(text.encode()) == 3 * len(text)
        finally:
            _rows.set_ambiguous_wide(False)
