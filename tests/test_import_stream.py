"""import-ledger's own sheet reader (streamed XML) against openpyxl, its bounds on hostile XML,
and the batched writing: the ledger it leaves is the one row-by-row inserts leave."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from lcqy.acts.records import write as import_write
from lcqy.xlsx import xml_rows
from lcqy.xlsx.reader import read_workbook
from tests.conftest import INIT, snapshot
from tests.test_import_limits import HEAD, _sheet

ROW = ["", "临沧佤山食品有限公司", "招工用工", "2026-03-05", "来电反映", "李华", "13812345678", "缺工"]


def _openpyxl_cells(path) -> dict[str, dict[tuple[int, int], tuple[object, str]]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out = {}
    for ws in wb.worksheets:
        ws.reset_dimensions()
        out[ws.title] = {
            (c.row, c.column - 1): (c.value, c.number_format)
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        }
    wb.close()
    return out


def _stream_cells(path) -> dict[str, dict[tuple[int, int], tuple[object, str]]]:
    pkg = xml_rows.Package(path, "x.xlsx")
    out = {}
    try:
        for title, member in pkg.sheets:
            got = out[title] = {}
            for number, values, styles, _ in pkg.rows(member):
                for col, value in values.items():
                    if value is not None:
                        style = styles.get(col, 0)
                        got[(number, col)] = (value, pkg.formats[style] if style < len(pkg.formats) else "General")
    finally:
        pkg.close()
    return out


@pytest.mark.parametrize("epoch_1904", [False, True])
def test_values_are_those_openpyxl_reads(tmp_path, epoch_1904):
    wb = Workbook()
    if epoch_1904:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "台帐"
    ws.append(["文字", "整数", "小数", "日期", "时刻", "布尔", "公式", "大数"])
    ws.append(["临沧 佤山", 13812345678, 2.5, dt.datetime(2026, 3, 5, 9, 30), dt.time(14, 5), True, "=1+1", 1e20])
    ws.append([" 前后空格 ", -3, 0.1, dt.date(2027, 1, 8), None, False, None, "x005F_y"])
    ws["D3"].number_format = "yyyy-mm-dd（预估）"
    ws["B3"].number_format = "0.00"
    ws["C5"] = CellRichText("红色", TextBlock(InlineFont(color="FF0000"), "加粗"), "结尾")
    ws["AB7"] = "远处的一格"  # a gap of rows and of columns
    other = wb.create_sheet("第二张")
    other.append(["只有一格"])
    path = tmp_path / "types.xlsx"
    wb.save(path)
    expected = _openpyxl_cells(path)
    assert expected["台帐"][(2, 3)][0] == dt.datetime(2026, 3, 5, 9, 30)
    assert _stream_cells(path) == expected


def test_write_only_inline_strings_read_alike(tmp_path):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台帐")
    ws.append(HEAD)
    no = "临翔服企办收（2026）第1号"
    ws.append([no, "甲&乙<公司>", "其它", dt.date(2026, 3, 5), "来电反映", "李华", 13812345678, "缺工"])
    path = tmp_path / "wo.xlsx"
    wb.save(path)
    assert _stream_cells(path) == _openpyxl_cells(path)


def _with_sheet_xml(path: Path, edit) -> Path:
    """A copy of the workbook whose first sheet's XML is edit(xml)."""
    out = path.with_name("edited.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data)
            dst.writestr(info, data)
    return out


def test_hostile_sheet_xml_is_refused_with_the_ledger_unchanged(ledger, tmp_path, monkeypatch):
    before = snapshot(ledger.db)
    plain = _sheet(tmp_path / "x.xlsx", [ROW])
    # An entity declaration (how XML expands without bound): no package part has one.
    bomb = _with_sheet_xml(
        plain, lambda x: x.replace(b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]><worksheet', 1)
    )
    r = ledger("import-ledger", str(bomb))
    assert r.code == 1 and "带有文档类型定义" in r.err and "不像是 Excel 台帐" in r.err
    assert "Traceback" not in r.err
    # Bounds on one row and one cell (Excel's own limits, lowered here).
    monkeypatch.setattr(xml_rows, "MAX_CELLS", 5)
    r = ledger("import-ledger", str(plain))
    assert r.code == 1 and "第1行的单元格超过 5 个" in r.err
    monkeypatch.setattr(xml_rows, "MAX_CELLS", 16_384)
    monkeypatch.setattr(xml_rows, "MAX_TEXT", 10)
    r = ledger("import-ledger", str(plain))
    assert r.code == 1 and "有一格文字过长" in r.err
    # A broken cell reference: refused as a file that is not a workbook.
    monkeypatch.setattr(xml_rows, "MAX_TEXT", 1_000_000)
    broken = _with_sheet_xml(plain, lambda x: x.replace(b'r="B2"', b'r="B$2"', 1))
    r = ledger("import-ledger", str(broken))
    assert r.code == 1 and "无法作为 Excel 台帐读取" in r.err
    assert snapshot(ledger.db) == before
    assert ledger("import-ledger", str(plain)).code == 0


def test_rows_are_read_one_at_a_time(tmp_path):
    """The import's first pass holds one row at a time: the reader yields a row before it has
    read the rest of the sheet."""
    from lcqy.xlsx.reader import LedgerRead, iter_workbook

    path = _sheet(tmp_path / "x.xlsx", [ROW] * 3 + [["", "", "", "三月初", "", "", "", ""]])
    got = LedgerRead()
    rows = iter_workbook(path, got)
    first = next(rows)
    assert (first.sheet, first.row, first.values["enterprise"]) == ("2026年台帐", 2, "临沧佤山食品有限公司")
    assert [r.row for r in rows] == [3, 4, 5]
    assert read_workbook(path).rows[-1].values["reported_on"] == "三月初"


def _fresh(run, tmp_path, monkeypatch, name: str) -> Path:
    db = tmp_path / name
    monkeypatch.setenv("LCQY_DB", str(db))
    assert run(*INIT).code == 0
    return db


def _schema(db: Path) -> set[tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return set(conn.execute("SELECT type, name, sql FROM sqlite_master"))
    finally:
        conn.close()


@pytest.mark.parametrize("reindex", [False, True])
def test_batched_import_leaves_the_ledger_row_by_row_inserts_leave(run, tmp_path, monkeypatch, reindex):
    """The sample (every state) exported and imported: the open due dates are what migration 4's
    triggers compute, the search index agrees with the cases, the triggers and indexes are back as
    they were (SQLite's integrity check compares each index with its table), and `list --text`
    finds the same cases as in the sample."""
    sample = tmp_path / "sample.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "sample_ledger.db", sample)
    monkeypatch.setenv("LCQY_DB", str(sample))
    sheet = tmp_path / "sample.xlsx"
    assert run("export-ledger", "-o", str(sheet), "--with-contacts").code == 0
    words = ["有限公司", "增容", "用地规划", "涉及职工"]
    found = {w: sorted(x["reg_no"] for x in json.loads(run("list", "--text", w, "--all", "--json").out)) for w in words}
    assert all(found.values())

    db = _fresh(run, tmp_path, monkeypatch, "new.db")
    schema = _schema(db)
    monkeypatch.setattr(import_write, "BATCH", 7)  # several batches, and a part batch at the end
    monkeypatch.setattr(import_write, "REINDEX_ROWS", 1 if reindex else 10**9)
    dropped = []
    real_drop = import_write.Writer._drop_indexes
    monkeypatch.setattr(import_write.Writer, "_drop_indexes", lambda self: dropped.extend(real_drop(self)) or dropped)
    r = run("import-ledger", str(sheet))
    assert r.code == 0, r.err
    assert bool(dropped) == reindex and (not reindex or "cases_problem_key" in {n for n, _ in dropped})
    assert _schema(db) == schema
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("INSERT INTO cases_fts (cases_fts, rank) VALUES ('integrity-check', 1)")  # raises if not
        due = conn.execute("SELECT id, due_open, due_open_estimated FROM cases ORDER BY id").fetchall()
        assert any(d for _, d, _ in due)
        from lcqy.store.migrations.m004_open_due_and_search import _DUE

        conn.execute(_DUE.format(case="id"))
        assert conn.execute("SELECT id, due_open, due_open_estimated FROM cases ORDER BY id").fetchall() == due
        # The report's spans (migration 14) are what its own statements compute from scratch.
        from lcqy.store.migrations import m014_report_spans as m14

        spans = "SELECT * FROM dispatch_spans ORDER BY id", "SELECT * FROM case_spans ORDER BY id"
        kept = [conn.execute(q).fetchall() for q in spans]
        assert all(kept)
        conn.execute("DELETE FROM dispatch_spans")
        conn.execute("DELETE FROM case_spans")
        conn.execute(f"INSERT INTO dispatch_spans ({m14._COLUMNS}){m14._SPAN.format(replies=m14._ALL_DISPATCHES)}")
        conn.execute(m14._c("c.id").replace(" WHERE c.id = c.id", ""))
        assert [conn.execute(q).fetchall() for q in spans] == kept
        conn.rollback()
    finally:
        conn.close()
    for w in words:
        got = sorted(x["reg_no"] for x in json.loads(run("list", "--text", w, "--all", "--json").out))
        assert got == found[w], w
    assert run("check").code == 0


def test_triggers_changed_since_migration_4_are_left_to_fire(ledger, tmp_path, monkeypatch):
    """Only migration 4's own triggers are set aside: one whose text has changed since fires row
    by row as written, and the indexes it may look rows up through stay in place meanwhile."""
    monkeypatch.setattr(import_write, "REINDEX_ROWS", 1)
    dropped = []
    real_drop = import_write.Writer._drop_indexes
    monkeypatch.setattr(import_write.Writer, "_drop_indexes", lambda self: dropped.extend(real_drop(self)) or [])
    conn = sqlite3.connect(ledger.db)
    conn.executescript(
        "CREATE TABLE seen (case_id INTEGER);"
        "DROP TRIGGER cases_fts_insert;"
        "CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN "
        "INSERT INTO cases_fts (rowid, enterprise, problem, request) "
        "VALUES (NEW.id, NEW.enterprise, NEW.problem, NEW.request); "
        "INSERT INTO seen VALUES (NEW.id); END;"
    )
    conn.close()
    path = _sheet(tmp_path / "x.xlsx", [ROW, ROW])
    assert ledger("import-ledger", str(path)).code == 0
    conn = sqlite3.connect(ledger.db)
    try:
        assert conn.execute("SELECT case_id FROM seen").fetchall() == [(1,), (2,)]
        assert dropped == []
        conn.execute("INSERT INTO cases_fts (cases_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()
    r = ledger("list", "--text", "佤山食品", "--json")
    assert len(json.loads(r.out)) == 2


def test_many_problems_are_counted_and_the_first_fifty_shown(ledger, tmp_path):
    path = _sheet(tmp_path / "x.xlsx", [[*ROW[:6], "12345", ROW[7]] for _ in range(60)])
    before = snapshot(ledger.db)
    r = ledger("import-ledger", str(path))
    assert r.code == 1 and "共 60 处问题" in r.err and "……另有 10 处问题" in r.err
    assert "第2行" in r.err and "第51行" in r.err and "第52行" not in r.err
    assert snapshot(ledger.db) == before


def _two_sheets(path: Path, first: list[list], second: list[list]) -> Path:
    wb = Workbook()
    for title, rows in (("招工用工", first), ("其它", second)):
        ws = wb.create_sheet(title)
        ws.append(HEAD)
        for r in rows:
            ws.append(r)
    del wb["Sheet"]
    wb.save(path)
    return path


def test_two_processes_give_what_one_gives(ledger, run, tmp_path, monkeypatch):
    """A workbook of several sheets is read by this process and a forked one together: the same
    refusals in the same order, a refusal met by the other process, and the same ledger."""
    from lcqy.acts.records import read as import_read

    bad = [[*ROW[:6], "12345", ROW[7]]]
    refused = _two_sheets(tmp_path / "bad.xlsx", [ROW, *bad], [*bad, ROW, *bad])
    said = {}
    before = snapshot(ledger.db)
    for limit in (10**12, 0):  # one process, then two
        monkeypatch.setattr(import_read, "PARALLEL_BYTES", limit)
        r = ledger("import-ledger", str(refused))
        assert r.code == 1 and "共 3 处问题" in r.err
        said[limit] = r.err
    assert said[0] == said[10**12]
    assert said[0].index("工作表“招工用工”第3行") < said[0].index("工作表“其它”第2行") < said[0].index("“其它”第4行")
    # Bounds hold in the other process too, with the same message.
    monkeypatch.setattr(xml_rows, "MAX_CELLS", 5)
    r = ledger("import-ledger", str(refused))
    assert r.code == 1 and "的单元格超过 5 个" in r.err and "Traceback" not in r.err
    monkeypatch.setattr(xml_rows, "MAX_CELLS", 16_384)
    assert snapshot(ledger.db) == before

    sample = tmp_path / "sample.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "sample_ledger.db", sample)
    monkeypatch.setenv("LCQY_DB", str(sample))
    sheet = tmp_path / "sample.xlsx"
    assert run("export-ledger", "-o", str(sheet), "--with-contacts").code == 0
    dumps = {}
    monkeypatch.setenv("LCQY_NOW", "2026-11-27T09:00:00")  # entry times, the same in both ledgers
    for limit in (10**12, 0):
        monkeypatch.setattr(import_read, "PARALLEL_BYTES", limit)
        db = _fresh(run, tmp_path, monkeypatch, f"new{limit}.db")
        r = run("import-ledger", str(sheet), "--json")
        assert r.code == 0, r.err
        assert json.loads(r.out)["rows"] > 100
        conn = sqlite3.connect(db)
        # Each case's 查询码 is drawn at random (migration 21): the one thing the two may differ in.
        dumps[limit] = [line for line in conn.iterdump() if "tracking_codes\" VALUES" not in line]
        conn.close()
        assert run("check").code == 0
    assert dumps[0] == dumps[10**12]
