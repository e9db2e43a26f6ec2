"""Odd input and odd files: every refusal is one Chinese message, exit 1, nothing changed."""

from __future__ import annotations

import json
import sqlite3

import pytest
from openpyxl import Workbook

from tests.conftest import INIT, UNKNOWN, register_args, snapshot


def refused(run, *args, word):
    before = snapshot(run.db) if run.db.exists() and run.db.stat().st_size else None
    r = run(*args)
    assert r.code == 1, (args, r.out, r.err)
    assert word in r.err, (args, r.err)
    assert "Traceback" not in r.err and "内部错误" not in r.err
    if before is not None:
        assert snapshot(run.db) == before
    return r


@pytest.mark.parametrize(
    "over,word",
    [
        ({"remarks": "a\x07b"}, "控制字符"),
        ({"enterprise": "甲\n乙"}, "换行"),
        ({"enterprise": "甲\u202e乙"}, "控制字符"),
        ({"date": "2021-03-30"}, "办法施行日"),
        ({"date": "1900-01-01"}, "年份"),
        ({"phone": "138-1234-5678x"}, "联系电话"),
    ],
)
def test_register_refuses_pasted_oddities(ledger, over, word):
    refused(ledger, "register", *register_args(**over), word=word)


def test_full_width_digits_are_read(ledger):
    r = ledger("register", *register_args(phone="１３８１２３４５６７８"), "--date", "２０２６－０３－０２", "--json")
    assert r.code == 0, r.err
    rec = json.loads(r.out)
    assert rec["phone"] == "13812345678" and rec["accepted_on"] == "2026-03-02"
    assert json.loads(ledger("show", "１", "--json").out)["reg_no"] == rec["reg_no"]


@pytest.mark.parametrize(
    "args,word",
    [
        (["show", "99999999999999999999"], "写法不对"),
        (["list", "--year", "99999"], "年度"),
        (["overdue", "--as-of", "9999-12-31"], "年份"),
        (["calendar", "check", "0"], "年份"),
        (["calendar", "show", "99999-01"], "月份"),
        (["overdue", "--dept", "人社局"], "不在部门名单"),
        (["export-ledger", "-o", "/no/such/dir/a.xlsx"], "不存在"),
        (["form", "register", "1", "-o", "/no/such/dir/a.docx"], "不存在"),
    ],
)
def test_out_of_range_arguments(ledger, args, word):
    ledger("register", *register_args(), "--date", "2026-03-02")
    refused(ledger, *args, word=word)


def test_db_is_a_directory_or_not_a_ledger(run, tmp_path, monkeypatch):
    monkeypatch.setenv("LCQY_DB", str(tmp_path))
    r = run("list")
    assert r.code == 1 and "目录" in r.err
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv("LCQY_DB", str(junk))
    r = run("list")
    assert r.code == 1 and "不是 lcqy 台帐" in r.err


def test_damaged_ledger_gives_a_message_not_a_traceback(ledger):
    for _ in range(30):
        ledger("register", *register_args(problem="长" * 1500), "--date", "2026-03-02")
    data = bytearray(ledger.db.read_bytes())
    data[8192 : 8192 + 20000] = b"\xff" * 20000
    ledger.db.write_bytes(bytes(data))
    for args in (["list"], ["show", "5"], ["overdue"], ["export-ledger", "-o", str(ledger.db.parent / "x.xlsx")]):
        r = ledger(*args)
        assert r.code in (0, 1), args
        assert "Traceback" not in r.err and "内部错误" not in r.err
    r = ledger("check")
    assert r.code == 1 and "完整性" in r.out + r.err, r.out + r.err


def test_locked_ledger_says_busy(ledger, monkeypatch):
    import lcqy.store.db as store

    monkeypatch.setattr(store, "BUSY_SECONDS", 0.2)
    other = sqlite3.connect(ledger.db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        r = ledger("register", *register_args())
        assert r.code == 1 and ("另一个" in r.err), r.err
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_init_takes_over_an_empty_file(run):
    run.db.write_bytes(b"")
    assert run(*INIT).code == 0


def test_backup_refuses_itself_and_directories(ledger, tmp_path):
    refused(ledger, "backup", str(ledger.db), "--force", word="台帐文件本身")
    refused(ledger, "backup", str(tmp_path), "--force", word="目录")


def test_usage_messages(ledger):
    r = ledger("list", "--json=1")
    assert r.code == 2 and "开关" in r.err
    r = ledger("reply", "1")
    assert r.code == 2 and "缺少办理结果（--result）" in r.err


def _dispatched(ledger, on="2026-03-02", d="2026-03-03"):
    ledger("register", *register_args(), "--date", on)
    n = json.loads(ledger("list", "--json").out)[-1]["reg_seq"]
    r = ledger("dispatch", str(n), "--dept", "临翔供电局", "--approver", "王强", "--level", "主任", "--date", d)
    assert r.code == 0, r.err
    return str(n)


def test_urge_only_what_is_late_and_unanswered(ledger):
    n = _dispatched(ledger)  # due 3/10
    refused(ledger, "urge", n, "--no-letter", "--date", "2026-03-10", word="尚未超期")
    ledger("reply", n, "--result", "A", "--mode", "书面", "--summary", "已办", "--date", "2026-03-12")
    refused(ledger, "urge", n, "--no-letter", word="已答复")


def test_merge_into_a_finished_case_is_refused(ledger):
    ledger("register", *register_args(), "--date", "2026-03-02")
    ledger("register", *register_args(), "--date", "2026-03-02")
    ledger("reject", "1", "--reason", "诉讼")
    refused(ledger, "merge", "2", "--into", "1", word="不予受理")


def test_flags_cannot_change_after_dispatch(ledger):
    n = _dispatched(ledger)
    refused(ledger, "edit", n, "--field", "major", "--value", "是", word="交办前")
    ledger("register", *register_args(), "--date", "2026-03-02")
    r = ledger("edit", "2", "--field", "major", "--value", "是", "--json")
    assert json.loads(r.out)["after"] == "是"
    # 3 working days from 3/2 now: 3/3, 3/4, 3/5
    assert json.loads(ledger("show", "2", "--json").out)["dispatch_due"] == "2026-03-05"


def test_return_restarts_the_dispatch_limit(ledger):
    n = _dispatched(ledger)
    ledger("return", n, "--reason", "不属本部门职责", "--date", "2026-03-09")
    v = json.loads(ledger("show", n, "--json").out)
    assert v["dispatch_due"] == "2026-03-11"  # 3/9 + 2
    rows = json.loads(ledger("overdue", "--as-of", "2026-03-10", "--json").out)
    assert rows[0]["status"] == "soon" and rows[0]["due"] == "2026-03-11"


def test_meeting_level_without_a_meeting_is_still_late(ledger):
    ledger("register", *register_args(), "--date", "2026-03-02")
    r = ledger(
        "dispatch",
        "1",
        "--dept",
        "临翔供电局",
        "--approver",
        "区长",
        "--level",
        "专题会议",
        "--date",
        "2026-03-10",
        "--json",
    )
    assert json.loads(r.out)["late"] == 1


def test_calendar_change_moves_open_deadlines(ledger):
    ledger("register", *register_args(), "--date", "2026-03-02")  # 1: dispatch limit 3/4
    n = _dispatched(ledger, "2026-03-02", "2026-03-03")  # 2: due 3/10
    r = ledger("calendar", "set", "2026-03-04", "holiday", "--note", "停电")
    assert r.code == 0 and "调整了 2 个期限" in r.out
    assert json.loads(ledger("show", "1", "--json").out)["dispatch_due"] == "2026-03-05"
    v = json.loads(ledger("show", n, "--json").out)
    assert v["dispatches"][0]["due_current"] == "2026-03-11"
    assert any(e["action"] == "recalc" for e in v["events"])
    ledger("calendar", "unset", "2026-03-04")
    assert json.loads(ledger("show", "1", "--json").out)["dispatch_due"] == "2026-03-04"


def test_confirming_a_year_ends_the_estimate(ledger):
    y, u = UNKNOWN - 1, str(UNKNOWN)
    ledger("register", *register_args(), "--date", f"{y}-12-30", today=f"{y}-12-31")
    assert json.loads(ledger("show", "1", "--json").out)["dispatch_due_estimated"] == 1
    refused(ledger, "calendar", "confirm", u, word="还没有录入")
    refused(ledger, "calendar", "confirm", str(y), word="已经收录")
    # The office enters the first days of the year (元旦), then confirms it.
    for day in ("01-01", "01-02", "01-03"):
        assert ledger("calendar", "set", f"{u}-{day}", "holiday", "--note", "元旦").code == 0
    refused(ledger, "calendar", "set", f"{u}-01-01", "holiday", word="已经定为")
    r = ledger("calendar", "confirm", u)
    assert r.code == 0
    assert json.loads(ledger("show", "1", "--json").out)["dispatch_due_estimated"] == 0
    assert "本办公室已逐日录入" in ledger("calendar", "check", u).out
    refused(ledger, "calendar", "confirm", u, word="已确认")


def _sheet(path, header, *rows):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)


HEAD = [
    "企业名称",
    "问题类别",
    "反映时间",
    "反映形式",
    "主要困难和问题",
    "状态",
    "交办编号",
    "牵头部门",
    "办理结果",
    "答复时间",
    "满意度",
    "催办次数",
]


@pytest.mark.parametrize(
    "row,word",
    [
        (["甲", "其它", "2026-03-05", "来电反映", "x", "办理中", None, None, None, None, None, 0], "须有交办编号"),
        (
            [
                "甲",
                "其它",
                "2026-03-05",
                "来电反映",
                "x",
                "已销号",
                "临翔服企办交（2026）第1号",
                "区财政局",
                "C",
                "2026-03-09",
                "不满意",
                0,
            ],
            "A类结果",
        ),
        (["甲", "其它", "2026-03-05", "来电反映", "x", "已合并", None, None, None, None, None, 0], "并入"),
        (
            [
                "甲",
                "其它",
                "2026-03-05",
                "来电反映",
                "x",
                "待交办",
                "临翔服企办交（2026）第1号",
                "区财政局",
                None,
                None,
                None,
                0,
            ],
            "不应有",
        ),
        (["甲", "其它", "2026-03-05", "来电反映", "x", "", None, None, None, None, None, -3], "催办次数"),
    ],
)
def test_import_refuses_states_that_do_not_add_up(ledger, tmp_path, row, word):
    path = tmp_path / "x.xlsx"
    _sheet(path, HEAD, row)
    refused(ledger, "import-ledger", str(path), word=word)


def test_import_reads_excel_serial_dates(ledger, tmp_path):
    path = tmp_path / "x.xlsx"
    # 46086 is 2026-03-05 as Excel counts days
    _sheet(path, HEAD, ["甲", "其它", 46086, "来电反映", "x", None, None, None, None, None, None, 0])
    r = ledger("import-ledger", str(path))
    assert r.code == 0, r.err
    assert json.loads(ledger("show", "1", "--json").out)["reported_on"] == "2026-03-05"


H2 = [
    "登记编号",
    "企业名称",
    "问题类别",
    "反映时间",
    "反映形式",
    "主要困难和问题",
    "状态",
    "交办编号",
    "交办日期",
    "牵头部门",
    "办结时限",
    "办理结果",
    "答复时间",
    "督办",
    "并入",
    "催办次数",
]
N = "临翔服企办收（2026）第{}号"
D = "临翔服企办交（2026）第{}号"


def _r(n, state="", disp=None, on=None, lead=None, due=None, result=None, replied=None, sup=None, into=None, urges=0):
    return [
        N.format(n),
        "甲公司",
        "其它",
        "2026-03-02",
        "来电反映",
        "路灯坏了",
        state,
        disp and D.format(disp),
        on,
        lead,
        due,
        result,
        replied,
        sup,
        into and N.format(into),
        urges,
    ]


@pytest.mark.parametrize(
    "rows,word",
    [
        ([_r(1), _r(2, into=1)], "并入的案件状态应为已合并"),
        ([_r(1, "已合并", into=1)], "并入它自己"),
        ([_r(1), _r(900)], "请核对编号"),
        ([_r(1, "已答复", 1, "2026-03-03", "区财政局", None, "A", "2027-01-05")], "答复时间"),
        ([_r(1, "办理中", 1, "2025-12-30", "区财政局")], "交办日期"),
        ([_r(1, "", None, "2026-03-03", "区财政局")], "没有交办/转报编号"),
        ([_r(1, "", None, None, None, None, None, None, "专项督办")], "只用于已答复"),
    ],
)
def test_import_refuses_rows_that_cannot_be(ledger, tmp_path, rows, word):
    path = tmp_path / "x.xlsx"
    _sheet(path, H2, *rows)
    refused(ledger, "import-ledger", str(path), word=word)


def test_imported_dates_stay_and_prior_urges_count(ledger, tmp_path):
    path = tmp_path / "x.xlsx"
    # An imported dispatch whose due date was extended in the old ledger: 3/3 + 5 would be 3/10.
    _sheet(path, H2, _r(1, "办理中", 1, "2026-03-03", "区财政局", "2026-03-20", urges=3))
    assert ledger("import-ledger", str(path)).code == 0
    r = ledger("calendar", "set", "2026-03-12", "holiday")
    assert "调整" not in r.out
    v = json.loads(ledger("show", "1", "--json").out)
    assert v["dispatches"][0]["due_current"] == "2026-03-20" and v["urge_count"] == 3
    r = ledger("urge", "1", "--no-letter", "--date", "2026-03-24", "--json")
    assert json.loads(r.out)["count"] == 4
    refused(ledger, "urge", "1", "--no-letter", "--date", "2026-03-23", word="上次催办")


def test_escalation_after_a_return_counts_from_the_return(ledger):
    n = _dispatched(ledger)  # accepted 3/2, dispatched 3/3
    ledger("return", n, "--reason", "不属本部门职责", "--date", "2026-04-01")
    r = ledger("escalate", n, "--approver", "张文", "--suggestion", "需市级协调", "--date", "2026-04-02", "--json")
    assert json.loads(r.out)["late"] == 0 and json.loads(r.out)["limit_due"] == "2026-04-07"
    refused(
        ledger,
        "reply",
        n,
        "--result",
        "A",
        "--mode",
        "书面",
        "--summary",
        "市级已办",
        "--date",
        "2026-04-01",
        word="早于",
    )


def test_merge_cannot_predate_the_target(ledger):
    ledger("register", *register_args(), "--date", "2026-03-02")
    ledger("register", *register_args(), "--date", "2026-03-09")
    refused(ledger, "merge", "1", "--into", "2", "--date", "2026-03-05", word="受理时间")


def test_urge_with_a_bad_output_records_nothing(ledger, tmp_path):
    n = _dispatched(ledger)
    refused(ledger, "urge", n, "-o", str(tmp_path / "no" / "x.docx"), word="不存在")
    refused(ledger, "urge", n, "-o", str(tmp_path / "x.txt"), word=".docx")


def test_show_says_flag_edits_in_words(ledger):
    ledger("register", *register_args(), "--date", "2026-03-02")
    ledger("edit", "1", "--field", "major", "--value", "是")
    assert "重大问题：否 → 是" in ledger("show", "1").out


def test_urge_whose_letter_cannot_be_written_is_not_recorded(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    n = _dispatched(ledger)  # due 3/10
    (tmp_path / "临翔服企办交（2026）第1号第1次催办函.docx").write_text("the clerk's own file")
    refused(ledger, "urge", n, "--date", "2026-03-12", word="--force")
    assert (tmp_path / "临翔服企办交（2026）第1号第1次催办函.docx").read_text() == "the clerk's own file"


def test_letters_count_urges_per_department(ledger, tmp_path, monkeypatch):
    import docx

    monkeypatch.chdir(tmp_path)
    n = _dispatched(ledger)  # 交办第1号 to 临翔供电局, due 3/10
    assert ledger("urge", n, "--date", "2026-03-12").code == 0
    ledger("return", n, "--reason", "不属本部门职责", "--date", "2026-03-13")
    ledger("dispatch", n, "--dept", "区财政局", "--approver", "王强", "--level", "主任", "--date", "2026-03-13")
    r = json.loads(ledger("urge", n, "--date", "2026-03-25", "--json").out)  # due 3/20
    assert r["count"] == 1 and r["letter"].endswith("第2号第1次催办函.docx")
    text = "".join(p.text.replace("\n", "") for p in docx.Document(tmp_path / r["letter"]).paragraphs)  # lines set
    assert "区财政局" in text and "第1次催办" in text
    assert json.loads(ledger("show", n, "--json").out)["urge_count"] == 2  # the case's total


def test_round_trip_keeps_how_late_the_first_reply_was(ledger, tmp_path, run, monkeypatch):
    from tests.test_excel_cli import _values

    a = _dispatched(ledger)  # due 3/10; B on time, then A later: not 超期办结
    ledger(
        "reply", a, "--result", "B", "--mode", "书面", "--summary", "在办", "--plan", "年底前",
        "--plan-due", "2026-12-31", "--date", "2026-03-09",
    )  # fmt: skip
    ledger("reply", a, "--result", "A", "--mode", "书面", "--summary", "已办", "--date", "2026-03-20")
    b = _dispatched(ledger)  # due 3/10; answered 3/12: 2 working days late
    ledger("reply", b, "--result", "A", "--mode", "书面", "--summary", "已办", "--date", "2026-03-12")
    first = tmp_path / "a.xlsx"
    assert ledger("export-ledger", "-o", str(first), "--with-contacts").code == 0
    rows = _values(first)["用电保障"][2:]  # under the title and 制表 lines
    late = rows[0].index("超期工作日")
    assert [r[late] for r in rows[1:]] == [None, 2]
    monkeypatch.setenv("LCQY_DB", str(tmp_path / "b.db"))
    assert run(*INIT).code == 0 and run("import-ledger", str(first)).code == 0
    second = tmp_path / "b.xlsx"
    assert run("export-ledger", "-o", str(second), "--with-contacts").code == 0
    assert _values(first) == _values(second)


def test_refused_urge_leaves_an_existing_letter_alone(ledger, tmp_path, monkeypatch):
    import lcqy.store.db as store

    monkeypatch.chdir(tmp_path)
    n = _dispatched(ledger)
    keep = tmp_path / "keep.docx"
    keep.write_text("the clerk's own letter")
    monkeypatch.setattr(store, "BUSY_SECONDS", 0.3)
    reader = sqlite3.connect(ledger.db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM cases").fetchone()  # a long export holds such a lock
    try:
        refused(ledger, "urge", n, "-o", str(keep), "--force", "--date", "2026-03-12", word="另一个")
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    assert keep.read_text() == "the clerk's own letter"
    assert not list(tmp_path.glob(".*.part"))


def test_edit_refuses_no_change_and_dates_before_registration(ledger):
    ledger("register", *register_args(), "--date", "2026-03-02")
    refused(ledger, "edit", "1", "--field", "phone", "--value", "0883-2123456", word="不需要更正")
    refused(ledger, "edit", "1", "--field", "title", "--value", "厂长", "--date", "2026-03-01", word="受理时间")
