"""The Excel ledger as printed: long texts never cut by the row cap, the A4 column set, the paper
option's refusal."""

from __future__ import annotations

import math

import openpyxl
from openpyxl.utils import get_column_letter

from lcqy.xlsx.writer import A4_KEYS, COLUMNS, text_width, write_ledger
from tests.conftest import snapshot
from tests.test_xlsx import HEAD, _row


def _col(ws, header):
    headers = [c.value for c in ws[HEAD]]
    return headers.index(header) + 1


def test_long_problem_fits_under_the_row_cap(tmp_path):
    problem = "企业新建厂房用地手续办理周期较长，影响项目开工建设进度，企业多次前往咨询未果。" * 16  # 608 characters
    path = tmp_path / "long.xlsx"
    write_ledger(path, [_row(), _row(reg_no="收2026-00002", problem=problem)], office_name="服企办")
    ws = openpyxl.load_workbook(path)["用地审批"]
    col = _col(ws, "主要困难和问题")
    width = ws.column_dimensions[get_column_letter(col)].width
    lines = math.ceil(text_width(problem) / (width - 3))
    height = ws.row_dimensions[HEAD + 2].height
    assert lines * 16 <= height <= 409  # the column widened so the whole text shows within Excel's limit
    assert ws.cell(HEAD + 2, col).value == problem
    # a short row stays a few lines high
    assert (ws.row_dimensions[HEAD + 1].height or 18) <= 3 * 16


def test_a4_keeps_the_seed_columns(tmp_path):
    path = tmp_path / "a4.xlsx"
    write_ledger(path, [_row()], office_name="服企办", paper="A4")
    ws = openpyxl.load_workbook(path)["用地审批"]
    keep = {k: h for k, h, _ in COLUMNS}
    assert [c.value for c in ws[HEAD]] == ["序号", *[keep[k] for k in A4_KEYS]]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.page_margins.header < ws.page_margins.top  # the page header sits inside the margin


def test_round_trip_columns_folded_not_lost(tmp_path):
    path = tmp_path / "a3.xlsx"
    write_ledger(path, [_row(approver="李明")], office_name="服企办")
    ws = openpyxl.load_workbook(path)["用地审批"]
    dim = ws.column_dimensions[get_column_letter(_col(ws, "签批领导"))]
    assert dim.hidden and dim.outlineLevel == 1
    assert ws.cell(HEAD + 1, _col(ws, "签批领导")).value == "李明"


def test_paper_refused_with_choices(ledger, tmp_path):
    before = snapshot(ledger.db)
    r = ledger("export-ledger", "-o", str(tmp_path / "x.xlsx"), "--paper", "B5")
    assert r.code == 1
    assert "纸张" in r.err and "A3" in r.err and "A4" in r.err
    assert not (tmp_path / "x.xlsx").exists()
    assert snapshot(ledger.db) == before
