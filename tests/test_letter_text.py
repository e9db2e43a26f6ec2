"""The letters as a department reads them, written by `urge` from the ledger: a 催办函 names the
交办编号, the 办结时限 and the working days late; a 督办函 of the 督办台帐 the reply received and the
date it promised; a 专项督办 督办函 the reason and its 督办时限; each titled as it is numbered."""

from __future__ import annotations

import json

import docx
from conftest import register_args

DISPATCH = ["--dept", "临翔供电局", "--assist", "区财政局", "--approver", "李明", "--level", "副组长"]


def _dispatched(ledger, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert ledger("register", *register_args(), "--date", "2026-10-12").code == 0
    assert ledger("dispatch", "1", *DISPATCH, "--date", "2026-10-13").code == 0  # due 10-20


def _letter(ledger, tmp_path, *args: str) -> tuple[str, dict, docx.Document]:
    r = ledger("urge", "1", *args, "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    doc = docx.Document(tmp_path / out["letter"])
    return "".join(p.text.replace("\n", "") for p in doc.paragraphs), out, doc  # lines are set by hand


def test_reminder_names_its_dispatch_deadline_and_days_late(ledger, tmp_path, monkeypatch):
    _dispatched(ledger, tmp_path, monkeypatch)
    text, out, _ = _letter(ledger, tmp_path, "--date", "2026-10-23")
    assert text.startswith("催办函临翔服企办催（2026）第1号临翔供电局：")
    assert "交办编号：临翔服企办交（2026）第1号" in text
    assert "办结时限为2026年10月20日。截至目前，该问题已超过办结时限3个工作日，我办尚未收到你单位的办理结果" in text
    # a problem of one short sentence is quoted whole
    assert "反映的“新上生产线需增容至800千伏安，报装后迟迟未接电”问题" in text
    assert out["letter_no"] == "临翔服企办催（2026）第1号"


def test_ledger_letter_names_the_reply_and_the_promise(ledger, tmp_path, monkeypatch):
    _dispatched(ledger, tmp_path, monkeypatch)
    r = ledger(
        "reply", "1", "--result", "B", "--mode", "书面", "--summary", "正在办理", "--plan", "分两期完成",
        "--plan-due", "2026-10-30", "--doc-no", "临翔供电函〔2026〕12号", "--date", "2026-10-19",
    )  # fmt: skip
    assert r.code == 0, r.err
    text, out, _ = _letter(ledger, tmp_path, "--date", "2026-11-03")
    assert text.startswith("督办函临翔服企办督（2026）第1号")
    assert (
        "你单位已于2026年10月19日以临翔供电函〔2026〕12号答复我办，答复为B类（正在解决或列入规划逐步解决），"
        "承诺于2026年10月30日前办结。截至目前，已超过承诺完成时限2个工作日，该问题仍未办结。" in text
    )
    assert "办结时限为" not in text and "尚未收到你单位的办理结果" not in text
    assert out["letter"].endswith("督办函.docx")


def test_special_letter_names_the_reason_and_its_deadline(ledger, tmp_path, monkeypatch):
    _dispatched(ledger, tmp_path, monkeypatch)
    for step in (
        ("reply", "1", "--result", "A", "--mode", "书面", "--summary", "已接电", "--date", "2026-10-16"),
        ("followup", "1", "--method", "电话回询", "--satisfaction", "不满意", "--date", "2026-10-19"),
        ("supervise", "1", "--until", "2026-10-26", "--reason", "答复含糊", "--date", "2026-10-20"),
    ):
        assert ledger(*step).code == 0
    text, _, _ = _letter(ledger, tmp_path, "--date", "2026-10-28")
    assert text.startswith("督办函临翔服企办督（2026）第1号")
    assert "你单位已于2026年10月16日答复我办，答复为A类（已经解决或基本解决）。" in text
    assert "经回访，企业不满意，答复含糊。专项督办时限为2026年10月26日。截至目前，已超过督办时限2个工作日" in text
    assert "办结时限为" not in text and "承诺" not in text


def test_form_urge_writes_the_same_letter_again(ledger, tmp_path, monkeypatch):
    _dispatched(ledger, tmp_path, monkeypatch)
    first, out, _ = _letter(ledger, tmp_path, "--date", "2026-10-23")
    assert ledger("form", "催办函", "1", "-o", "again.docx").code == 0
    again = "".join(p.text.replace("\n", "") for p in docx.Document(tmp_path / "again.docx").paragraphs)
    assert again == first


def test_letterhead_follows_the_setting(ledger, tmp_path, monkeypatch):
    _dispatched(ledger, tmp_path, monkeypatch)
    _, _, doc = _letter(ledger, tmp_path, "--date", "2026-10-23")
    head = doc.sections[0].first_page_header.paragraphs[0].text
    assert doc.sections[0].different_first_page_header_footer and head == "临翔区服务企业发展领导小组办公室"
    assert ledger("config", "letterhead", "否").code == 0
    assert ledger("form", "urge", "1", "-o", "plain.docx").code == 0
    assert not docx.Document(tmp_path / "plain.docx").sections[0].different_first_page_header_footer
