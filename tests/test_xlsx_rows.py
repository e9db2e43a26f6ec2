"""The category sheets' rows written as SpreadsheetML text (lcqy.xlsx.sheet_data): the values a
reader gets back are those openpyxl itself writes for the same cells."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.exceptions import IllegalCharacterError

from lcqy.xlsx import sheet_data
from lcqy.xlsx.writer import ESTIMATED_DATE_FORMAT, LATE_FILL_COLOR, write_ledger
from lcqy.xlsx.xml_rows import Package

D = dt.date
HEAD = 3
TRICKY = [
    "  前后有空格  ",
    "\t制表符开头",
    "A&B <c> d>e",
    "第一行\r\n第二行\r第三行",
    "=SUM(A1:A2)",
    "#N/A",
    "+86 139",
    "-",
    "@x",
    "　全角空格",
    "长" * 40_000,  # past Excel's 32,767: cut there, as openpyxl does
    "𠀀𠀁 astral",
    "&amp; already escaped",
]


def _row(**kw) -> dict:
    base = {
        "reg_no": "临翔服企办收（2026）第1号",
        "category": "用地审批",
        "reported_on": D(2026, 3, 5),
        "enterprise": "临沧恒达茶业有限公司",
        "channel": "来电反映",
        "problem": "扩建厂房用地规划调整申请久未批复。",
        "request": "请协调有关部门尽快办理。",
        "dispatch_no": "",
        "lead_dept": "",
        "assist_depts": [],
        "due_date": None,
        "due_estimated": False,
        "result": "",
        "replied_on": None,
        "satisfaction": "",
        "state": "待交办",
        "supervision": "",
        "days_late": 0,
        "urge_count": 0,
        "remarks": "",
    }
    base.update(kw)
    return base


def _openpyxl_writes(values: list) -> Workbook:
    """A sheet openpyxl writes itself with these values as text cells, formula-like text kept
    as text (the ledger's rule)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    for v in values:
        cell = WriteOnlyCell(ws, v)
        cell.data_type = "s"
        ws.append([cell])
    return wb


def _data_cells(path, sheet: str, header: str) -> list:
    ws = openpyxl.load_workbook(path)[sheet]
    col = [c.value for c in ws[HEAD]].index(header) + 1
    return [ws.cell(row=r, column=col) for r in range(HEAD + 1, ws.max_row + 1)]


def test_tricky_text_reads_back_as_openpyxl_writes_it(tmp_path):
    rows = [_row(reg_no=f"临翔服企办收（2026）第{i}号", remarks=v) for i, v in enumerate(TRICKY, 1)]
    ours = tmp_path / "ours.xlsx"
    write_ledger(ours, rows, office_name="服企办")
    ref = tmp_path / "ref.xlsx"
    _openpyxl_writes(TRICKY).save(ref)
    expected = [(c.value, c.data_type) for (c,) in openpyxl.load_workbook(ref)["x"].iter_rows()]
    got = [(c.value, c.data_type) for c in _data_cells(ours, "用地审批", "备注")]
    assert got == expected
    assert len(got[10][0]) == sheet_data.MAX_TEXT
    assert got[3][0] == "第一行\r\n第二行\r第三行"  # CR kept, not turned into a line feed
    # Formula-like text keeps the quote prefix; the rest does not.
    quoted = [c.quotePrefix for c in _data_cells(ours, "用地审批", "备注")]
    assert quoted == [v[0] in "=+-@#" for v in TRICKY]


def test_import_reader_agrees_with_openpyxl(tmp_path):
    """import-ledger's streaming reader (xml_rows) gets every value openpyxl gets."""
    rows = [_row(reg_no=f"第{i}号", remarks=v, due_date=D(2026, 4, i)) for i, v in enumerate(TRICKY, 1)]
    path = tmp_path / "x.xlsx"
    write_ledger(path, rows, office_name="服企办")
    wb = openpyxl.load_workbook(path, read_only=True)
    package = Package(path, "x.xlsx")
    try:
        for title, member in package.sheets:
            ours = {n: {c: v for c, v in values.items() if v is not None} for n, values, _, _ in package.rows(member)}
            ours = {n: values for n, values in ours.items() if values}
            theirs = {
                r[0].row: {c.column - 1: c.value for c in r if c.value is not None}
                for r in wb[title].iter_rows()
                if any(c.value is not None for c in r)
            }
            assert ours == theirs, title
    finally:
        package.close()
        wb.close()


def test_values_types_and_styles(tmp_path):
    rows = [
        _row(due_date=D(2027, 2, 10), due_estimated=True, days_late=3, urge_count=2, assist_depts=["甲局", "乙局"]),
        _row(reg_no="临翔服企办收（2026）第2号", reported_on=dt.datetime(2026, 3, 6, 9, 30), due_date=D(1900, 1, 15)),
        _row(reg_no="临翔服企办收（2026）第3号", reported_on=None, enterprise="", urge_count=0),
    ]
    path = tmp_path / "x.xlsx"
    write_ledger(path, rows, office_name="服企办")
    ws = openpyxl.load_workbook(path)["用地审批"]
    head = [c.value for c in ws[HEAD]]

    def cell(r, h):
        return ws.cell(row=HEAD + r, column=head.index(h) + 1)

    assert cell(1, "序号").value == 1 and cell(3, "序号").value == 3
    due = cell(1, "办结时限")
    assert due.value == dt.datetime(2027, 2, 10) and due.is_date and due.number_format == ESTIMATED_DATE_FORMAT
    assert due.font.i
    assert cell(1, "超期工作日").value == 3 and cell(1, "催办次数").value == 2
    assert cell(1, "配合部门").value == "甲局、乙局"
    assert all(c.fill.fgColor.rgb == LATE_FILL_COLOR for c in ws[HEAD + 1])
    assert cell(2, "反映时间").value == dt.datetime(2026, 3, 6)  # a datetime is written as its day
    assert cell(2, "办结时限").value == dt.datetime(1900, 1, 15)  # before Excel's phantom leap day
    assert cell(2, "办结时限").number_format == "yyyy-mm-dd"
    for h in ("反映时间", "企业名称", "催办次数"):  # empty, but styled: bordered like the rest
        c = cell(3, h)
        assert c.value is None and c.border.left.style == "thin", h


@pytest.mark.parametrize(
    ("text", "error"),
    [("控制\x01字符", IllegalCharacterError), ("非字符\ufffe", ValueError), ("代理\ud800", ValueError)],
)
def test_characters_a_sheet_cannot_hold_are_refused(tmp_path, text, error):
    path = tmp_path / "x.xlsx"
    with pytest.raises(error):
        write_ledger(path, [_row(problem=text)], office_name="服企办")
    assert list(tmp_path.iterdir()) == []


def test_many_rows_tall_rows_and_the_package(tmp_path):
    # More rows than one batch of the row file, across two sheets, some tall.
    rows = [
        _row(
            reg_no=f"临翔服企办收（2026）第{i}号", category=("用地审批", "其它")[i % 2], problem="很长的问题" * (i % 50)
        )
        for i in range(1, 1500)
    ]
    path = tmp_path / "x.xlsx"
    assert write_ledger(path, rows, office_name="服企办")["rows"] == 1499
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
    wb = openpyxl.load_workbook(path)
    for sheet in ("用地审批", "其它"):
        ws = wb[sheet]
        assert ws.max_row == HEAD + 1499 // 2 + (sheet == "其它")
        assert ws.auto_filter.ref.endswith(str(ws.max_row))
        tall = [r for r, d in ws.row_dimensions.items() if r > HEAD and d.ht]
        assert tall and all(ws.row_dimensions[r].customHeight for r in tall)
        assert all(ws.row_dimensions[r].ht <= 409 for r in tall)
