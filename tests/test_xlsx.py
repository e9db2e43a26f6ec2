"""Excel export and import of the ledger."""

from __future__ import annotations

import datetime as dt
import random

import openpyxl
import pytest
from openpyxl import Workbook

from lcqy.rules.constants import CATEGORIES
from lcqy.xlsx.reader import SheetRow, read_ledger, read_workbook, unknown_headers
from lcqy.xlsx.writer import (
    COLUMNS,
    CONTACT_COLUMNS,
    ESTIMATED_DATE_FORMAT,
    LATE_FILL_COLOR,
    text_width,
    write_ledger,
)

D = dt.date
INJECTIONS = ['=HYPERLINK("x")', "+8613912345678", "-1", "@x"]


def _row(**kw) -> dict:
    base = {
        "reg_no": "收2026-00001",
        "category": "用地审批",
        "reported_on": D(2026, 3, 5),
        "enterprise": "临川金达新材料科技有限公司",
        "channel": "来电反映",
        "problem": "企业新建厂房用地手续办理周期较长，影响项目开工建设进度，企业多次前往咨询未果。",
        "request": "希望协调县自然资源局加快办理用地审批手续。",
        "dispatch_no": "交2026-00001",
        "lead_dept": "县自然资源局",
        "assist_depts": ["县发改委", "县住建局"],
        "due_date": D(2026, 3, 19),
        "due_estimated": False,
        "result": "",
        "replied_on": None,
        "satisfaction": "",
        "state": "办理中",
        "supervision": "",
        "days_late": 0,
        "urge_count": 0,
        "remarks": "",
        "address": "临川县工业园区纬一路8号",
        "contact": "张伟",
        "contact_title": "总经理",
        "phone": "13912345678",
        "email": "jinda@example.cn",
        "accepted_on": D(2026, 3, 5),
        "accepted_by": "周干事",
    }
    base.update(kw)
    return base


def sample_rows() -> list[dict]:
    return [
        _row(),
        _row(
            reg_no="收2026-00002",
            category="用电保障",
            enterprise="东乡宏远机械制造有限公司",
            problem="生产线扩产后用电负荷不足，变压器容量需要增容。",
            lead_dept="县供电公司",
            assist_depts=[],
            state="已答复",
            result="A",
            replied_on=D(2026, 3, 20),
            satisfaction="满意",
        ),
        # Late row with an estimated due date and an urge.
        _row(
            reg_no="收2026-00003",
            category="用地审批",
            state="办理中",
            days_late=4,
            urge_count=2,
            due_date=D(2027, 2, 10),
            due_estimated=True,
            remarks=INJECTIONS[0],
        ),
        _row(
            reg_no="收2026-00004",
            category="融资服务",
            enterprise="金溪绿源食品有限公司",
            request=INJECTIONS[1],
            remarks=INJECTIONS[2],
            dispatch_no="",
            state="待交办",
            due_date=None,
            lead_dept="",
        ),
        _row(
            reg_no="收2026-00005",
            category="其它",
            enterprise=INJECTIONS[3],
            state="已销号",
            result="B",
            replied_on=D(2026, 4, 1),
            satisfaction="基本满意",
        ),
        _row(
            reg_no="收2026-00006",
            category="用电保障",
            state="已答复",
            result="C",
            replied_on=D(2026, 4, 2),
            days_late=1,
            satisfaction="不满意",
        ),
    ]


@pytest.fixture
def written(tmp_path):
    path = tmp_path / "台帐.xlsx"
    calls = []
    counts = write_ledger(
        path,
        sample_rows(),
        office_name="临川县服企办",
        title_note="截至2026年4月30日",
        progress=calls.append,
        made_on=D(2026, 4, 30),
        period="2026年度",
    )
    return path, counts, calls


HEAD = 3  # title, 制表单位/制表日期, then the header


def _cell_by_header(ws, header_text, row):
    """Data row `row` counted as before the title rows (2 = first data row)."""
    headers = [c.value for c in ws[HEAD]]
    return ws.cell(row=row + HEAD - 1, column=headers.index(header_text) + 1)


def test_sheets_headers_and_counts(written):
    path, counts, calls = written
    assert counts == {"rows": 6, "late": 2}
    assert calls == [6]  # fewer than 1000 rows: one final call
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总", *CATEGORIES]
    ws = wb["用地审批"]
    assert ws["A1"].value == "临川县服企办问题台帐（2026年度）·用地审批"
    assert ws["A1"].alignment.horizontal == "centerContinuous"
    assert ws["A2"].value == "制表单位：临川县服企办　　制表日期：2026年4月30日　　（截至2026年4月30日）"
    assert [c.value for c in ws[HEAD]] == ["序号", *[h for _, h, _ in COLUMNS]]
    assert [ws.cell(row=r, column=1).value for r in (4, 5)] == [1, 2]
    assert ws.max_row == 5
    for name in CATEGORIES:
        assert [c.value for c in wb[name][HEAD]] == ["序号", *[h for _, h, _ in COLUMNS]]


def test_dates_panes_filter_print_widths(written):
    path, _, _ = written
    wb = openpyxl.load_workbook(path)
    ws = wb["用地审批"]
    cell = _cell_by_header(ws, "反映时间", 2)
    assert cell.is_date
    assert cell.value.date() == D(2026, 3, 5)
    assert cell.number_format == "yyyy-mm-dd"
    assert ws.freeze_panes == "C4"  # 序号 and 登记编号 stay with the header
    assert ws.auto_filter.ref == "A3:X5"  # 序号, 17 ledger columns, 6 kept for the round trip
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 8  # A3
    assert not ws.print_options.gridLines
    for i, (_, header, cap) in enumerate(COLUMNS, start=2):
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width
        assert 6 <= width <= cap, header
    # The long problem text hits the cap and wraps.
    problem = _cell_by_header(ws, "主要困难和问题", 2)
    assert problem.alignment.wrap_text and problem.alignment.vertical == "top"
    assert problem.font.name == "宋体"
    assert problem.border.left.style == problem.border.bottom.style == "thin"
    # Empty category sheets still carry the layout.
    assert wb["人才服务"].freeze_panes == "C4"
    assert wb["人才服务"].auto_filter.ref == "A3:X3"


def test_estimated_due_date_stays_a_date(written):
    path, _, _ = written
    ws = openpyxl.load_workbook(path)["用地审批"]
    due = _cell_by_header(ws, "办结时限", 3)
    assert due.is_date and due.value.date() == D(2027, 2, 10)
    assert due.number_format == ESTIMATED_DATE_FORMAT
    assert due.font.italic
    plain = _cell_by_header(ws, "办结时限", 2)
    assert plain.number_format == "yyyy-mm-dd" and not plain.font.italic


def test_late_row_filled_and_missing_date_empty(written):
    path, _, _ = written
    wb = openpyxl.load_workbook(path)
    ws = wb["用地审批"]
    for cell in ws[HEAD + 2]:
        assert cell.fill.fgColor.rgb == LATE_FILL_COLOR, cell.coordinate
    for cell in ws[HEAD + 1]:
        assert cell.fill.fill_type is None
    assert _cell_by_header(ws, "超期工作日", 3).value == 4
    assert _cell_by_header(ws, "超期工作日", 2).value is None  # 0 shown blank
    assert _cell_by_header(wb["融资服务"], "办结时限", 2).value is None


def test_injection_strings_stay_text(written):
    path, _, _ = written
    wb = openpyxl.load_workbook(path)
    found = {}
    for ws in wb.worksheets[1:]:
        for row in ws.iter_rows(min_row=HEAD + 1):
            for cell in row:
                if cell.value in INJECTIONS:
                    # text, and quote-prefixed so that editing the cell in Excel keeps it text
                    found[cell.value] = (cell.data_type, cell.quotePrefix)
    assert found == dict.fromkeys(INJECTIONS, ("s", True))


def test_summary_counts(written):
    path, _, _ = written
    ws = openpyxl.load_workbook(path)["汇总"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "临川县服企办企业反映问题台帐汇总"
    assert rows[1][0] == "制表单位：临川县服企办　　制表日期：2026年4月30日　　（截至2026年4月30日）"
    header = rows[2]
    # States present, in STATES order, then the totals.
    assert header == ["问题类别", "待交办", "办理中", "已答复", "已销号", "合计", "超期", "A类", "B类", "C类"]
    table = {r[0]: r[1:] for r in rows[3:14]}
    assert list(table) == [*CATEGORIES, "合计"]
    assert table["用地审批"] == [0, 2, 0, 0, 2, 1, 0, 0, 0]
    assert table["用电保障"] == [0, 0, 2, 0, 2, 1, 1, 0, 1]
    assert table["融资服务"] == [1, 0, 0, 0, 1, 0, 0, 0, 0]
    assert table["其它"] == [0, 0, 0, 1, 1, 0, 0, 1, 0]
    assert table["政策执行"] == [0] * 9
    assert table["合计"] == [1, 2, 2, 1, 6, 2, 1, 1, 1]


def test_contacts_columns(tmp_path):
    path = tmp_path / "c.xlsx"
    write_ledger(path, sample_rows(), office_name="服企办", with_contacts=True)
    ws = openpyxl.load_workbook(path)["用地审批"]
    assert [c.value for c in ws[HEAD]] == ["序号", *[h for _, h, _ in COLUMNS + CONTACT_COLUMNS]]
    assert _cell_by_header(ws, "联系电话", 2).value == "13912345678"
    assert _cell_by_header(ws, "受理时间", 2).is_date


def test_unknown_category_refused(tmp_path):
    with pytest.raises(ValueError, match="不在十类"):
        write_ledger(tmp_path / "x.xlsx", [_row(category="环保")], office_name="服企办")
    assert not (tmp_path / "x.xlsx").exists()


def test_progress_every_thousand(tmp_path):
    calls = []
    rows = [_row(reg_no=f"收2026-{i:05d}") for i in range(2500)]
    write_ledger(tmp_path / "p.xlsx", rows, office_name="服企办", progress=calls.append)
    assert calls == [1000, 2000, 2500]


def _all_values(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


@pytest.mark.parametrize("with_contacts", [False, True])
def test_round_trip(tmp_path, with_contacts):
    first = tmp_path / "1.xlsx"
    second = tmp_path / "2.xlsx"
    write_ledger(first, sample_rows(), office_name="临川县服企办", with_contacts=with_contacts)
    read = read_ledger(first)
    assert all(isinstance(r, SheetRow) for r in read)
    assert len(read) == 6
    late = next(r for r in read if r.values["reg_no"] == "收2026-00003")
    assert late.sheet == "用地审批" and late.row == HEAD + 2
    assert late.values["category"] == "用地审批"
    assert late.values["due_date"] == D(2027, 2, 10)
    assert late.values["due_estimated"] is True
    assert late.values["assist_depts"] == ["县发改委", "县住建局"]
    assert late.values["remarks"] == INJECTIONS[0]
    assert late.values["days_late"] == 4
    first_row = next(r for r in read if r.values["reg_no"] == "收2026-00001")
    assert first_row.values["replied_on"] is None
    assert first_row.values["due_estimated"] is False
    write_ledger(second, [r.values for r in read], office_name="临川县服企办", with_contacts=with_contacts)
    assert _all_values(first) == _all_values(second)
    assert unknown_headers(first) == {}


def test_round_trip_random(tmp_path):
    rng = random.Random(7)
    rows = []
    for i in range(300):
        rows.append(
            _row(
                reg_no=f"收2026-{i:05d}",
                category=rng.choice(CATEGORIES),
                state=rng.choice(["待交办", "办理中", "已答复", "已销号"]),
                days_late=rng.choice([0, 0, 0, 2]),
                due_date=rng.choice([None, D(2026, 5, 1), D(2027, 1, 8)]),
                result=rng.choice(["", "A", "B", "C"]),
                remarks=rng.choice(["", "-", "=1+1", "企业要求书面答复" * rng.randint(1, 5)]),
            )
        )
        rows[-1]["due_estimated"] = rows[-1]["due_date"] == D(2027, 1, 8)
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    write_ledger(first, rows, office_name="服企办")
    write_ledger(second, [r.values for r in read_ledger(first)], office_name="服企办")
    assert _all_values(first) == _all_values(second)


def test_office_sheet_shuffled_headers(tmp_path):
    path = tmp_path / "office.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "2026年登记表"
    ws.append(["临川县企业反映问题登记表"])
    ws.append([])
    headers = [
        "企业名称",
        "问题类别",
        "反映时间",
        "职 务",
        "登记编号",
        "联系人",
        "联系电话",
        "电子邮箱",
        "详细地址",
        "反映形式",
        "主要困难和问题",
        "希望协调解决的具体事项",
        "受理时间",
        "受理人员",
        "备注",
        "牵头办理部门",
        "配合办理部门",
        "转报编号",
        "填表人",
    ]
    ws.append(headers)
    ws.append(
        [
            "临川金达新材料科技有限公司",
            "用地审批",
            "2026年3月5日",
            "总经理",
            "收2026-00001",
            "张伟",
            13912345678,
            "jinda@example.cn",
            "工业园区纬一路8号",
            "来人来函",
            "用地手续办理周期较长",
            "加快办理",
            dt.datetime(2026, 3, 6, 9, 30),
            "周干事",
            None,
            "县自然资源局",
            "县发改委、县住建局，县税务局;县财政局",
            None,
            "李",
        ]
    )
    ws.append([None] * len(headers))  # an empty row is skipped
    ws.append(
        [
            "东乡宏远机械有限公司",
            "用电保障",
            "2026/3/7",
            None,
            "收2026-00002",
            None,
            None,
            None,
            None,
            "电子邮件",
            "用电负荷不足",
            "增容",
            "2026.3.8",
            "吴干事",
            "-1",
            None,
            None,
            "报2026-001",
            None,
        ]
    )
    ws.append(
        [
            "资溪某公司",
            "其它",
            "三月初",
            None,
            "收2026-00003",
            None,
            None,
            None,
            None,
            "座谈会",
            "问题",
            "事项",
            "20260309",
            None,
            None,
            None,
            None,
            None,
            None,
        ]
    )
    wb.save(path)

    got = read_workbook(path)
    assert got.unknown_headers == {"2026年登记表": ["填表人"]}
    assert unknown_headers(path) == {"2026年登记表": ["填表人"]}
    rows = got.rows
    assert [r.row for r in rows] == [4, 6, 7]
    first = rows[0].values
    assert first["category"] == "用地审批"
    assert first["reported_on"] == D(2026, 3, 5)
    assert first["accepted_on"] == D(2026, 3, 6)
    assert first["contact_title"] == "总经理"
    assert first["phone"] == "13912345678"
    assert first["lead_dept"] == "县自然资源局"
    assert first["assist_depts"] == ["县发改委", "县住建局", "县税务局", "县财政局"]
    assert first["remarks"] == ""
    assert first["dispatch_no"] == ""
    second = rows[1].values
    assert second["reported_on"] == D(2026, 3, 7)
    assert second["accepted_on"] == D(2026, 3, 8)
    assert second["dispatch_no"] == "报2026-001"
    assert second["remarks"] == "-1"
    assert second["assist_depts"] == []
    third = rows[2].values
    assert third["reported_on"] == "三月初"  # left for the caller to refuse
    assert third["accepted_on"] == D(2026, 3, 9)


def test_sheet_without_headers_skipped(tmp_path):
    path = tmp_path / "x.xlsx"
    wb = Workbook()
    wb.active.append(["随便", "写点"])
    wb.save(path)
    got = read_workbook(path)
    assert got.rows == [] and got.skipped_sheets == ["Sheet"]


def test_text_width():
    assert text_width("abc") == 3
    assert text_width("服企办") == 6
    assert text_width("（预估）") == 8
