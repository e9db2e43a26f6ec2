"""Issue: official documents through the CLI — the ledger's values land in the labelled cells."""

from __future__ import annotations

import json
import shutil

import docx
from docx.shared import Mm

from lcqy.store.outputs import PART
from tests.conftest import dead_pid, register_args, snapshot


def _cells_right_of(doc: docx.Document, label: str) -> list[str]:
    """Text of the first distinct cell right of every cell whose text is `label`, its lines
    joined."""
    out = []
    for table in doc.tables:
        for row in table.rows:
            cells = row.cells
            for i, c in enumerate(cells):
                if c.text.replace(" ", "") == label.replace(" ", ""):
                    nxt = next((x for x in cells[i + 1 :] if x._tc is not c._tc), None)
                    if nxt is not None:  # read whole: the document sets its own lines
                        out.append(nxt.text.replace("\n", ""))
    return out


def _setup(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = register_args(address="临翔区南美乡坝卡村", title="总经理", email="nanmei@example.com")
    assert ledger("register", *args, "--date", "2026-09-28").code == 0
    r = ledger(
        "dispatch",
        "1",
        "--dept",
        "临翔供电局",
        "--assist",
        "区财政局",
        "--approver",
        "李明",
        "--level",
        "副组长",
        "--date",
        "2026-09-29",
    )
    assert r.code == 0, r.err


def test_dispatch_form_with_attachment(ledger, tmp_path, monkeypatch):
    _setup(ledger, tmp_path, monkeypatch)
    r = ledger("form", "dispatch", "1")
    assert r.code == 0, r.err
    path = tmp_path / "临翔服企办交（2026）第1号交办单.docx"
    assert path.exists()
    doc = docx.Document(path)
    assert _cells_right_of(doc, "牵头办理部门") == ["临翔供电局"]
    assert _cells_right_of(doc, "配合办理部门") == ["区财政局"]
    # 9/29 + 5 working days across 国庆: 10/12
    assert _cells_right_of(doc, "办结时限") == ["2026年10月12日前（5个工作日）"]
    assert _cells_right_of(doc, "交办日期") == ["2026年9月29日"]
    assert _cells_right_of(doc, "签批领导") == ["李明"]
    assert _cells_right_of(doc, "联系电话")[0] == "0883-2123456"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "临翔服企办交（2026）第1号" in text and "临翔区服务企业发展领导小组办公室" in text
    assert "附件" in text
    # the attached 登记表 carries the registration
    assert "临翔服企办收（2026）第1号" in text
    assert _cells_right_of(doc, "电子邮箱") == ["nanmei@example.com"]
    assert _cells_right_of(doc, "受理时间") == ["2026年9月28日"]
    xml = doc.element.xml
    assert "{{" not in xml and "None" not in xml
    s = doc.sections[0]
    assert (s.top_margin.twips, s.bottom_margin.twips, s.left_margin.twips, s.right_margin.twips) == (
        Mm(37).twips,
        Mm(35).twips,
        Mm(28).twips,
        Mm(26).twips,
    )
    assert "仿宋_GB2312" in xml and "w:eastAsia" in xml


def test_register_and_escalate_forms(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    assert (
        ledger("escalate", "1", "--approver", "李明", "--suggestion", "需市级协调电网规划", "--date", "2026-03-03").code
        == 0
    )
    r = ledger("form", "register", "1", "-o", "登记表.docx")
    assert r.code == 0, r.err
    doc = docx.Document(tmp_path / "登记表.docx")
    assert _cells_right_of(doc, "企业名称") == ["临沧南美坚果开发有限公司"]
    assert _cells_right_of(doc, "职 务") == [""]  # empty prints as blank, never "None"
    r = ledger("form", "escalate", "1")
    assert r.code == 0, r.err
    doc = docx.Document(tmp_path / "临翔服企办报（2026）第1号转报单.docx")
    assert _cells_right_of(doc, "办理建议") == ["需市级协调电网规划"]
    assert _cells_right_of(doc, "转报日期") == ["2026年3月3日"]


def test_form_refusals(ledger, tmp_path, monkeypatch):
    _setup(ledger, tmp_path, monkeypatch)
    assert ledger("form", "dispatch", "1").code == 0
    r = ledger("form", "dispatch", "1")
    assert r.code == 1 and "--force" in r.err
    assert ledger("form", "dispatch", "1", "--force").code == 0
    r = ledger("form", "escalate", "1")
    assert r.code == 1 and "没有转报" in r.err
    r = ledger("form", "notice", "1")
    assert r.code == 1 and "register" in r.err
    r = ledger("form", "register", "1", "-o", "x.pdf")
    assert r.code == 1 and ".docx" in r.err


def test_office_templates_and_missing_placeholder(ledger, tmp_path, monkeypatch):
    _setup(ledger, tmp_path, monkeypatch)
    from lcqy.docs.render import DEFAULT_TEMPLATE_DIR

    mine = tmp_path / "我的模板"
    shutil.copytree(DEFAULT_TEMPLATE_DIR, mine)
    assert ledger("config", "templates", str(mine)).code == 0
    assert str(mine) in ledger("config").out
    # Break one template: drop the lead department placeholder.
    d = docx.Document(mine / "dispatch.docx")
    for t in d.tables:
        for row in t.rows:
            for c in row.cells:
                for p in c.paragraphs:
                    for run in p.runs:
                        run.text = run.text.replace("{{ lead_dept }}", "")
    d.save(mine / "dispatch.docx")
    r = ledger("form", "dispatch", "1")
    assert r.code == 1 and "lead_dept" in r.err
    before = snapshot(ledger.db)
    r = ledger("config", "templates", str(mine))
    assert r.code == 1 and "lead_dept" in r.err
    assert snapshot(ledger.db) == before
    assert ledger("config", "templates", "-").code == 0
    assert ledger("form", "dispatch", "1").code == 0


def test_urge_letter(ledger, tmp_path, monkeypatch):
    _setup(ledger, tmp_path, monkeypatch)
    r = ledger("urge", "1", "--date", "2026-10-15", "--json")
    assert r.code == 0, r.err
    letter = json.loads(r.out)["letter"]
    # each paragraph read whole: the letter sets its own lines (no date or number cut)
    text = "\n".join(p.text.replace("\n", "") for p in docx.Document(tmp_path / letter).paragraphs)
    assert "临翔供电局" in text and "临翔服企办交（2026）第1号" in text
    # due 10/12, urged 10/15: 3 working days late, answer by 10/20
    assert "3个工作日" in text.replace(" ", "") or "3 个工作日" in text
    assert "2026年10月20日" in text and "第1次" in text
    assert "{{" not in text


def test_form_urge_says_when_the_letter_was_missing(ledger, tmp_path, monkeypatch):
    _setup(ledger, tmp_path, monkeypatch)
    r = ledger("urge", "1", "--date", "2026-10-15", "--json")
    assert r.code == 0, r.err
    letter = tmp_path / json.loads(r.out)["letter"]
    number = json.loads(r.out)["letter_no"]
    assert letter.name == "临翔服企办交（2026）第1号第1次催办函.docx" and number == "临翔服企办催（2026）第1号"
    # The letter is where urge put it: form urge refuses to overwrite it, or rewrites it with --force.
    r = ledger("form", "urge", "1")
    assert r.code == 1 and "--force" in r.err
    r = ledger("form", "urge", "1", "--force")
    assert r.code == 0 and r.out.strip() == f"已生成 {letter.name}"
    # A copy elsewhere while the letter is in its folder: nothing to report either.
    r = ledger("form", "urge", "1", "-o", "copy.docx")
    assert r.code == 0 and r.out.strip() == "已生成 copy.docx"

    letter.unlink()
    before = snapshot(ledger.db)
    r = ledger("form", "urge", "1")
    assert r.code == 0, r.err
    assert r.out.strip() == (
        f"未找到上次的催办函（{letter.name}），已按原编号{number}、原日期2026年10月15日重新生成：{letter.name}"
    )
    assert len(r.out.strip().splitlines()) == 1 and not r.err
    text = [p.text for p in docx.Document(letter).paragraphs]
    assert text[1] == number and "\t2026年10月15日" in text  # its own number and date, not today's
    assert snapshot(ledger.db) == before  # writing a form records nothing


def test_a_lost_supervision_letter_is_found_under_its_own_title(ledger, tmp_path, monkeypatch):
    """A 督办函 left as its part file by a killed urge is written on the next urge, as a 催办函 is."""
    _setup(ledger, tmp_path, monkeypatch)
    for step in (
        ("reply", "1", "--result", "A", "--mode", "书面", "--summary", "已办结", "--date", "2026-10-09"),
        ("followup", "1", "--method", "电话回询", "--satisfaction", "不满意", "--date", "2026-10-12"),
        ("supervise", "1", "--until", "2026-10-20", "--reason", "企业不满意", "--date", "2026-10-13"),
    ):
        assert ledger(*step).code == 0
    r = ledger("urge", "1", "--date", "2026-11-02", "--json")
    assert r.code == 0, r.err
    letter = tmp_path / json.loads(r.out)["letter"]
    assert letter.name.endswith("督办函.docx")
    part = letter.with_name(f".{letter.name}.{dead_pid()}{PART}")
    letter.rename(part)  # as if killed between the commit and putting the letter in place
    r = ledger("urge", "1", "--date", "2026-11-09")
    assert r.code == 0, r.err
    assert f"的督办函没有写成，现已补写：{letter.name}" in r.err
    assert letter.is_file() and not part.exists()


def test_form_urge_of_an_unnumbered_urge(tmp_path, monkeypatch, run):
    """The sample ledger's urges predate numbered letters: the line says the letter has none."""
    from tests import print_sweep

    monkeypatch.chdir(tmp_path)
    db = tmp_path / "sample.db"
    shutil.copy(print_sweep.SAMPLE, db)
    monkeypatch.setenv("LCQY_DB", str(db))
    r = run("form", "urge", "2026-2")
    assert r.code == 0, r.err
    name = "临翔服企办交（2026）第2号第3次催办函.docx"
    assert r.out.strip() == f"未找到上次的催办函（{name}），已按原日期2026年1月27日重新生成（该次催办没有函号）：{name}"
