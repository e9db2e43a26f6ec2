"""What a clerk reads after the small acts: the 销号 record in the follow-up's own words, forms
asked for by their Chinese names, the escalated case's 交办单, quoted paths in suggested
commands, a paper attached twice, and each act's --json being what the act returns."""

from __future__ import annotations

import json
import shlex

from conftest import INIT, register_args, snapshot

DISPATCH = ["--dept", "临翔供电局", "--approver", "李明", "--level", "主任"]


def _replied_a(ledger) -> None:
    assert ledger("register", *register_args(), "--date", "2026-11-02").code == 0
    assert ledger("dispatch", "1", *DISPATCH, "--date", "2026-11-03").code == 0
    r = ledger("reply", "1", "--result", "A", "--mode", "书面", "--summary", "已接电", "--date", "2026-11-06")
    assert r.code == 0, r.err


def test_close_record_says_basically_satisfied(ledger):
    _replied_a(ledger)
    assert ledger("followup", "1", "--method", "电话回询", "--satisfaction", "基本满意").code == 0
    r = ledger("close", "1")
    assert r.code == 0 and "已销号（2026-11-27，A类答复，企业基本满意）" in r.out
    shown = ledger("show", "1").out
    assert "最近一次答复为A类，企业基本满意" in shown and "企业满意" not in shown.replace("企业基本满意", "")
    # the --json of the act carries it too
    assert ledger("undo", "1", "--reason", "销号录早了").code == 0
    assert json.loads(ledger("close", "1", "--json").out)["satisfaction"] == "基本满意"


def test_close_record_of_a_satisfied_enterprise(ledger):
    _replied_a(ledger)
    assert ledger("followup", "1", "--method", "现场走访", "--satisfaction", "满意").code == 0
    assert ledger("close", "1").code == 0
    assert "最近一次答复为A类，企业满意" in ledger("show", "1").out


def test_forms_by_their_chinese_names(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _replied_a(ledger)
    r = ledger("form", "交办单", "1", "-o", "交办单.docx")
    assert r.code == 0, r.err
    assert (tmp_path / "交办单.docx").is_file()
    assert ledger("form", "登记表", "1", "-o", "登记表.docx").code == 0
    r = ledger("form", "通知书", "1")
    assert r.code == 1
    for word in ("register（登记表）", "dispatch（交办单）", "urge（催办函）", "instruction（批示笺）", "中文名称"):
        assert word in r.err
    r = ledger("form", "批示笺", "1")
    assert r.code == 1 and "没有记录领导批示" in r.err  # the 批示笺 kind is known, the case has none


def test_form_help_names_every_kind(ledger):
    r = ledger("form", "--help")
    assert r.code == 0
    flat = "".join(r.out.split())
    for word in ("register", "dispatch", "escalate", "urge", "instruction", "批示笺", "督办函"):
        assert word in flat, word


def test_dispatch_form_of_an_escalated_case(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ledger("register", *register_args(), "--date", "2026-11-20").code == 0
    assert ledger("escalate", "1", "--approver", "王组长", "--suggestion", "请市级协调").code == 0
    r = ledger("form", "dispatch", "1")
    assert r.code == 1 and "尚未交办" not in r.err
    assert "已于 2026-11-27 转报市服企办（临翔服企办报（2026）第1号），由市级交办" in r.err
    assert "lcqy form escalate" in r.err
    assert ledger("form", "转报单", "1").code == 0


def test_suggested_commands_quote_a_path_with_spaces(run, tmp_path):
    db = tmp_path / "服企办 台帐" / "ledger 2026.db"
    db.parent.mkdir()
    r = run("--db", str(db), "list")
    assert r.code == 1
    # the command as suggested, split as a shell splits it, names the ledger as one argument
    cmd = r.err.split("请先建立台帐：", 1)[1].split(" --office-name")[0]
    assert shlex.split(cmd) == ["lcqy", "--db", str(db), "init"]
    db.write_bytes(b"")
    r = run("--db", str(db), "list")
    assert r.code == 1 and f'lcqy --db "{db}" init' in r.err


def test_plain_paths_stay_unquoted(run, tmp_path):
    r = run("--db", str(tmp_path / "台帐.db"), "list")
    assert r.code == 1 and f"lcqy --db {tmp_path / '台帐.db'} init" in r.err


def test_the_same_file_twice_is_refused_unless_again(ledger, tmp_path):
    assert ledger("register", *register_args(), "--date", "2026-11-20").code == 0
    paper = tmp_path / "营业执照.pdf"
    paper.write_bytes(b"%PDF-1.4 licence")
    assert ledger("attach", "1", str(paper)).code == 0
    before = snapshot(ledger.db)
    renamed = tmp_path / "执照副本.pdf"
    renamed.write_bytes(paper.read_bytes())
    for given in (paper, renamed):  # same content, whatever its name
        r = ledger("attach", "1", str(given))
        assert r.code == 1
        assert "与 临翔服企办收（2026）第1号 的第 1 号附件（营业执照.pdf，2026-11-27 附上）内容相同" in r.err
        assert "--again" in r.err
    assert snapshot(ledger.db) == before
    r = ledger("attach", "1", str(paper), "--again", "--json")
    assert r.code == 0
    assert [a["n"] for a in json.loads(r.out)["attachments"]] == [2]
    other = tmp_path / "章程.pdf"
    other.write_bytes(b"%PDF-1.4 articles")
    assert ledger("attach", "1", str(other)).code == 0  # new content: no question asked


def test_acts_json_is_what_they_return(ledger):
    """edit, void, merge print the act's own record; return and extend name their dispatch."""
    assert ledger("register", *register_args(), "--date", "2026-11-20").code == 0
    assert ledger("register", *register_args(), "--date", "2026-11-20").code == 0
    assert ledger("register", *register_args(enterprise="临沧另一家公司"), "--date", "2026-11-20").code == 0
    r = json.loads(ledger("edit", "1", "--field", "联系电话", "--value", "13987654321", "--json").out)
    assert r == {
        "reg_no": "临翔服企办收（2026）第1号",
        "field": "phone",
        "before": "0883-2123456",
        "after": "13987654321",
        "label": "联系电话",
    }
    r = json.loads(ledger("merge", "2", "--into", "1", "--json").out)
    assert r == {"reg_no": "临翔服企办收（2026）第2号", "state": "merged", "into": "临翔服企办收（2026）第1号"}
    r = json.loads(ledger("void", "3", "--reason", "重复登记", "--json").out)
    assert r == {"reg_no": "临翔服企办收（2026）第3号", "state": "void", "reason": "重复登记"}
    assert ledger("dispatch", "1", *DISPATCH).code == 0  # due 2026-12-04
    r = json.loads(ledger("extend", "1", "--until", "2026-12-08", "--reason", "需现场核实", "--json").out)
    assert r["dispatch"] == "临翔服企办交（2026）第1号" and r["due_current"] == "2026-12-08"
    text = ledger("return", "1", "--reason", "不属本部门职责").out
    assert "临翔服企办交（2026）第1号 已由 临翔供电局 退单" in text
    assert ledger("dispatch", "1", *DISPATCH).code == 0
    r = json.loads(ledger("return", "1", "--reason", "不属本部门职责", "--json").out)
    assert r["dispatch"] == "临翔服企办交（2026）第2号" and r["returns"] == 2


def test_register_json_carries_its_duplicates(ledger):
    assert ledger("register", *register_args(), "--date", "2026-11-20").code == 0
    r = json.loads(ledger("register", *register_args(), "--json").out)
    assert [d["reg_no"] for d in r["duplicates"]] == ["临翔服企办收（2026）第1号"]
    assert r["duplicates"][0]["merge_command"] == "lcqy merge 2 --into 1"


def test_a_close_suggestion_names_another_years_case_with_its_year(run):
    assert run(*INIT).code == 0
    assert run("dept", "add", "临翔供电局").code == 0
    assert run("register", *register_args(), "--date", "2026-12-01", today="2026-12-01").code == 0
    assert run("dispatch", "1", *DISPATCH, today="2026-12-02").code == 0
    assert run("reply", "1", "--result", "A", "--mode", "书面", "--summary", "x", today="2026-12-03").code == 0
    r = run("followup", "1", "--method", "电话回询", "--satisfaction", "不满意", today="2026-12-04")
    assert r.code == 0
    r = run("followup", "2026-1", "--method", "电话回询", "--satisfaction", "满意", today="2027-01-05")
    assert r.code == 0 and "可以销号（lcqy close 2026-1）" in r.out


def test_letterhead_setting(ledger):
    assert "letterhead = 是" in ledger("config", "letterhead").out  # on unless the office says so
    r = ledger("config", "letterhead", "否")
    assert r.code == 0 and "已保存：letterhead = 否" in r.out
    assert "letterhead = 否" in ledger("config", "letterhead").out
    r = ledger("config", "letterhead", "红色")
    assert r.code == 1 and "版头（letterhead）只能设为：是 或 否" in r.err
    assert ledger("check").code == 0
