"""import-ledger and export-ledger against hostile or careless files: size limits, numbers voided
by an import, openpyxl's temporary files, inverted dates, formulas without values."""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

from lcqy.store.outputs import PART
from lcqy.xlsx import reader
from tests.conftest import dead_pid, register_args, snapshot

HEAD = ["登记编号", "企业名称", "问题类别", "反映时间", "反映形式", "联系人", "联系电话", "主要困难和问题"]


def _row(seq: int | None, enterprise: str = "临沧佤山食品有限公司") -> list:
    no = f"临翔服企办收（2026）第{seq}号" if seq else ""
    return [no, enterprise, "招工用工", "2026-03-05", "来电反映", "李华", "13812345678", "缺工"]


def _sheet(path: Path, rows: list[list]) -> Path:
    """A one-sheet ledger of these rows under the usual headers."""
    wb = Workbook()
    ws = wb.active
    ws.title = "2026年台帐"
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_a_zip_bomb_is_refused_before_parsing(ledger, tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    _sheet(path, [_row(1)])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings2.xml", b"\0" * (3 * 2**20))  # 3 MB of zeros: a few KB packed
    assert path.stat().st_size < 100_000
    monkeypatch.setattr(reader, "MAX_SHARED_BYTES", 2**20)
    before = snapshot(ledger.db)
    r = ledger("import-ledger", str(path), "--dry-run")
    assert r.code == 1 and "解压后其中共享文字部分有 3 MB" in r.err and "上限 1 MB" in r.err
    assert "Traceback" not in r.err
    monkeypatch.setattr(reader, "MAX_SHARED_BYTES", 2**30)
    monkeypatch.setattr(reader, "MAX_UNPACKED_BYTES", 2 * 2**20)
    r = ledger("import-ledger", str(path))
    assert r.code == 1 and "解压后有 3 MB" in r.err and "上限 2 MB" in r.err
    assert snapshot(ledger.db) == before


def test_too_many_rows_are_refused(ledger, tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    before = snapshot(ledger.db)
    # rows counted while reading
    path = tmp_path / "many.xlsx"
    _sheet(path, [_row(None) for _ in range(5)])
    r = ledger("import-ledger", str(path))
    assert r.code == 1 and "超过 3 行的导入上限" in r.err
    assert snapshot(ledger.db) == before


def test_a_sheet_dimension_is_only_a_hint(ledger, tmp_path):
    """A valid five-row workbook whose sheet claims a million rows is read by its rows."""
    path = tmp_path / "five.xlsx"
    _sheet(path, [_row(None) for _ in range(5)])
    claimed = tmp_path / "claims.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(claimed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
                assert b"XFD1048576" in data
            dst.writestr(info, data)
    r = ledger("import-ledger", str(claimed), "--dry-run", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["rows"] == 5


def test_numbers_an_import_voids_are_named_and_many_need_allow_gaps(ledger, tmp_path):
    few = tmp_path / "few.xlsx"
    _sheet(few, [_row(4)])
    r = ledger("import-ledger", str(few), "--dry-run")
    assert r.code == 0 and "将作废表中没有的编号 3 个" in r.out and "临翔服企办收（2026）第1–3号" in r.out
    many = tmp_path / "many.xlsx"
    _sheet(many, [_row(12), _row(14, "临翔区博尚制衣厂")])
    before = snapshot(ledger.db)
    for args in ([], ["--dry-run"]):
        r = ledger("import-ledger", str(many), *args)
        assert r.code == 1 and "--allow-gaps" in r.err and "第1–11号、第13号" in r.err
        assert snapshot(ledger.db) == before
    r = ledger("import-ledger", str(many), "--allow-gaps", "--dry-run")
    assert r.code == 0 and "将作废表中没有的编号 12 个" in r.out
    assert snapshot(ledger.db) == before
    r = ledger("import-ledger", str(many), "--allow-gaps")
    assert r.code == 0 and "已作废表中没有的编号 12 个" in r.out and "第1–11号、第13号" in r.out
    # the voided numbers are never issued again: the next case is 第15号
    r = ledger("register", *register_args(), "--date", "2026-03-06")
    assert r.code == 0 and "临翔服企办收（2026）第15号" in r.out


def test_formula_cells_without_values_are_said_as_such(ledger, tmp_path):
    path = tmp_path / "formulas.xlsx"
    _sheet(path, [[*_row(None)[:1], '=CONCATENATE("临沧","佤山食品")', *_row(None)[2:]]])
    r = ledger("import-ledger", str(path), "--dry-run")
    assert r.code == 1 and "企业名称是公式，文件中没有它的计算结果" in r.err
    assert "缺少企业名称" not in r.err


def test_export_keeps_openpyxl_temporary_files_private_and_removes_them(ledger, tmp_path, monkeypatch):
    from openpyxl.worksheet import _writer

    from lcqy.acts.records import export as ledger_io
    from tests.test_lifecycle import reg

    reg(ledger, "2026-03-02")
    reg(ledger, "2026-03-03")
    made: list[str] = []
    real = _writer.create_temporary_file

    def spy(suffix=""):
        made.append(real(suffix))
        return made[-1]

    monkeypatch.setattr(_writer, "create_temporary_file", spy)
    out = tmp_path / "out" / "台帐.xlsx"
    out.parent.mkdir()
    r = ledger("export-ledger", "-o", str(out))
    assert r.code == 0, r.err
    assert made and all(f"/out/.台帐.xlsx.{os.getpid()}{PART}-tmp/" in name for name in made)
    assert sorted(p.name for p in out.parent.iterdir()) == ["台帐.xlsx"]
    # a failure half-way (and a directory left by a killed export) leaves nothing behind
    (out.parent / f".台帐.xlsx.{dead_pid()}{PART}-tmp").mkdir()
    made.clear()

    real_row = ledger_io.export_row
    calls = []

    def boom(*a, **k):
        calls.append(1)
        if len(calls) > 1:  # half-way: the first row is written
            raise RuntimeError("disk gone")
        return real_row(*a, **k)

    monkeypatch.setattr(ledger_io, "export_row", boom)
    r = ledger("export-ledger", "-o", str(out), "--force")
    assert r.code != 0 and len(calls) == 2
    assert sorted(p.name for p in out.parent.iterdir()) == ["台帐.xlsx"]


def test_export_refuses_inverted_dates(ledger, tmp_path):
    out = tmp_path / "x.xlsx"
    r = ledger("export-ledger", "-o", str(out), "--from", "2026-05-01", "--to", "2026-04-01")
    assert r.code == 1 and "--from" in r.err and "晚于" in r.err
    assert not out.exists()
