"""Issue: the Excel problem ledger through the CLI — export, formula injection, import, round trip."""

from __future__ import annotations

import json

import openpyxl
from openpyxl import Workbook

from lcqy.rules.constants import CATEGORIES
from tests.conftest import INIT, register_args, snapshot


def _fill(ledger):
    assert ledger("register", *register_args(), "--date", "2026-09-28").code == 0  # 1 用电保障, late
    ledger("dispatch", "1", "--dept", "临翔供电局", "--approver", "王强", "--level", "主任", "--date", "2026-09-29")
    assert (
        ledger(
            "register",
            *register_args(
                enterprise='=HYPERLINK("http://x","点我")',
                category="融资服务",
                problem="-1 元的贷款",
                request="@所有人 +86 请协调",
            ),
            "--date",
            "2026-11-02",
        ).code
        == 0
    )  # 2
    assert ledger("register", *register_args(category="用地审批"), "--date", "2026-03-02").code == 0  # 3
    ledger("dispatch", "3", "--dept", "区自然资源局", "--approver", "王强", "--level", "主任", "--date", "2026-03-03")
    ledger("reply", "3", "--result", "A", "--mode", "书面", "--summary", "已批", "--date", "2026-03-06")
    ledger("followup", "3", "--method", "电话回询", "--satisfaction", "满意", "--date", "2026-03-09")
    ledger("close", "3", "--date", "2026-03-10")


def _values(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_export_sheets_cells_and_injection(ledger, tmp_path):
    _fill(ledger)
    out = tmp_path / "台帐.xlsx"
    r = ledger("export-ledger", "-o", str(out))
    assert r.code == 0, r.err
    assert "3 件" in r.out
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", *CATEGORIES]
    ws = wb["用电保障"]
    assert ws["A1"].value == "临翔区服务企业发展领导小组办公室问题台帐（截至2026年11月27日）·用电保障"
    assert ws["A2"].value.startswith("制表单位：临翔区服务企业发展领导小组办公室　　制表日期：2026年11月27日")
    headers = [c.value for c in ws[3]]
    assert headers[:4] == ["序号", "登记编号", "反映时间", "企业名称"] and "联系电话" not in headers
    row = [c for c in ws[4]]
    assert row[0].value == 1
    assert row[1].value == "临翔服企办收（2026）第1号"
    assert row[2].is_date and row[2].value.date().isoformat() == "2026-09-28"
    due = row[headers.index("办结时限")]
    assert due.is_date and due.value.date().isoformat() == "2026-10-12"
    # late as of 2026-11-27: 10/13 .. 11/27 working days
    assert row[headers.index("超期工作日")].value == 34
    assert row[0].fill.fgColor.rgb == "FFFFC7CE"
    assert ws.freeze_panes == "C4" and ws.auto_filter.ref.startswith("A3:")
    inj = wb["融资服务"]
    cells = {c.value: c for c in inj[4]}
    for text in ('=HYPERLINK("http://x","点我")', "-1 元的贷款", "@所有人 +86 请协调"):
        assert text in cells and cells[text].data_type == "s" and cells[text].quotePrefix
    closed = wb["用地审批"][4]
    assert closed[headers.index("办理结果")].value == "A" and closed[headers.index("状态")].value == "已销号"
    assert closed[headers.index("满意度")].value == "满意"


def test_export_filters_contacts_and_no_overwrite(ledger, tmp_path):
    _fill(ledger)
    out = tmp_path / "a.xlsx"
    assert ledger("export-ledger", "-o", str(out), "--with-contacts", "--status", "已销号").code == 0
    vals = _values(out)
    assert sum(len(v) - 3 for k, v in vals.items() if k != "汇总") == 1
    assert "联系电话" in vals["用地审批"][2] and "0883-2123456" in vals["用地审批"][3]
    r = ledger("export-ledger", "-o", str(out))
    assert r.code == 1 and "--force" in r.err
    r = ledger("export-ledger", "-o", str(out), "--force", "--from", "2026-09-01", "--to", "2026-10-31")
    assert r.code == 0
    assert sum(len(v) - 3 for k, v in _values(out).items() if k != "汇总") == 1


def test_round_trip_through_a_new_ledger(ledger, tmp_path, run, monkeypatch):
    _fill(ledger)
    first = tmp_path / "first.xlsx"
    assert ledger("export-ledger", "-o", str(first), "--with-contacts").code == 0
    other = tmp_path / "other.db"
    monkeypatch.setenv("LCQY_DB", str(other))
    assert run(*INIT).code == 0
    r = run("import-ledger", str(first), "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["rows"] == 3
    second = tmp_path / "second.xlsx"
    assert run("export-ledger", "-o", str(second), "--with-contacts").code == 0
    assert _values(first) == _values(second)
    # Imported numbers advanced the counter: the next registration is number 4.
    r = run("register", *register_args(), "--json")
    assert json.loads(r.out)["reg_no"] == "临翔服企办收（2026）第4号"
    # Importing the same sheet again is refused: every number is already in the ledger.
    before = snapshot(other)
    r = run("import-ledger", str(first))
    assert r.code == 1 and "已在台帐中" in r.err and "第4行" in r.err  # the first data row, under the title rows
    assert snapshot(other) == before


def _office_sheet(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "2026年台帐"
    ws.append(
        [
            "企业名称",
            "问题类别",
            "反映时间",
            "反映形式",
            "联系人",
            "联系电话",
            "主要困难和问题",
            "希望协调解决的具体事项",
            "牵头部门",
            "配合部门",
        ]
    )
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_import_office_sheet_all_or_nothing(ledger, tmp_path):
    good = ["临沧佤山食品有限公司", "招工用工", "2026/3/5", "来电反映", "李华", "13812345678", "缺工", "招工", "", ""]
    bad_phone = ["临翔区博尚制衣厂", "招工用工", "2026年3月6日", "来电反映", "张丽", "12345", "缺工", "招工", "", ""]
    bad_cat = ["临翔区博尚制衣厂", "用工", "2026-03-06", "来电反映", "张丽", "13812345678", "缺工", "招工", "", ""]
    path = tmp_path / "office.xlsx"
    _office_sheet(path, [good, bad_phone, bad_cat])
    before = snapshot(ledger.db)
    r = ledger("import-ledger", str(path))
    assert r.code == 1
    assert "工作表“2026年台帐”第3行" in r.err and "联系电话" in r.err
    assert "第4行" in r.err and "问题类别" in r.err
    assert snapshot(ledger.db) == before
    _office_sheet(path, [good, good])
    r = ledger("import-ledger", str(path), "--dry-run")
    assert r.code == 0 and "检查通过" in r.out
    assert snapshot(ledger.db) == before
    r = ledger("import-ledger", str(path))
    assert r.code == 0 and "已导入 2 件" in r.out
    rows = json.loads(ledger("list", "--json").out)
    assert [x["reg_no"] for x in rows] == ["临翔服企办收（2026）第1号", "临翔服企办收（2026）第2号"]
    assert rows[0]["accepted_on"] == "2026-03-05"


def test_import_refuses_a_foreign_prefix_and_a_non_workbook(ledger, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["登记编号", "企业名称", "问题类别", "反映时间", "反映形式", "主要困难和问题"])
    ws.append(["双江服企办收（2026）第3号", "某公司", "其它", "2026-03-05", "来电反映", "路灯坏了"])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    r = ledger("import-ledger", str(path))
    assert r.code == 1 and "双江" in r.err
    txt = tmp_path / "not.xlsx"
    txt.write_text("hello")
    r = ledger("import-ledger", str(txt))
    assert r.code == 1 and "无法作为 Excel" in r.err


def test_a_damaged_workbook_is_named_as_damaged(run, tmp_path, monkeypatch):
    """Bytes changed inside a sheet's compressed data: one sentence saying what is wrong and what
    to do, never a Python exception's name, and the ledger as it was."""
    import shutil
    import zipfile
    from pathlib import Path

    from conftest import INIT, snapshot

    sample = tmp_path / "sample.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "sample_ledger.db", sample)
    monkeypatch.setenv("LCQY_DB", str(sample))
    good = tmp_path / "good.xlsx"
    assert run("export-ledger", "-o", str(good)).code == 0
    monkeypatch.setenv("LCQY_DB", str(tmp_path / "new.db"))
    assert run(*INIT).code == 0
    with zipfile.ZipFile(good) as z:
        member = max(z.infolist(), key=lambda i: i.compress_size)
    data = bytearray(good.read_bytes())
    start = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra)
    for i in range(start + member.compress_size // 3, start + member.compress_size // 3 + 64):
        data[i] ^= 0x5A
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    before = snapshot(tmp_path / "new.db")
    r = run("import-ledger", str(bad))
    assert r.code == 1, r.err
    assert "无法作为 Excel 台帐读取：" in r.err and "另存为 .xlsx" in r.err and "台帐未改动" in r.err
    assert "Error" not in r.err and "（error）" not in r.err
    assert snapshot(tmp_path / "new.db") == before


def test_sample_ledger_round_trip_every_state(run, tmp_path, monkeypatch):
    """The sample holds every state (merged duplicates, escalations, returns, voided numbers)."""
    from tests.test_lifecycle import sample_exported

    first = sample_exported(run, tmp_path, monkeypatch, "first.xlsx", "--with-contacts")
    monkeypatch.setenv("LCQY_DB", str(tmp_path / "new.db"))
    assert run(*INIT).code == 0
    r = run("import-ledger", str(first))
    assert r.code == 0, r.err
    second = tmp_path / "second.xlsx"
    assert run("export-ledger", "-o", str(second), "--with-contacts").code == 0
    assert _values(first) == _values(second)
    assert run("check").code == 0
    merged = [x for x in json.loads(run("list", "--state", "已合并", "--json").out)]
    assert merged and all(json.loads(run("show", x["reg_no"], "--json").out)["merged_into"] for x in merged)
