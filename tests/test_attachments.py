"""Papers kept with a case inside the ledger, and the leader's 批示笺."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date

from conftest import register_args, snapshot


def _case(ledger, tmp_path):
    assert ledger("register", *register_args(), "--date", "2026-11-20").code == 0
    (tmp_path / "情况说明.txt").write_bytes("企业情况说明\n".encode())
    (tmp_path / "合同.pdf").write_bytes(os.urandom(200_000))


def test_attach_list_and_take_out_byte_identical(ledger, tmp_path):
    _case(ledger, tmp_path)
    r = ledger("attach", "1", str(tmp_path / "情况说明.txt"), str(tmp_path / "合同.pdf"), "--note", "企业提供")
    assert r.code == 0, r.err
    assert "附件 1：情况说明.txt（企业材料，19 B）" in r.out
    assert "附件 2：合同.pdf（企业材料，195.3 KB）" in r.out
    listed = json.loads(ledger("attachments", "1", "--json").out)
    assert [(a["n"], a["name"], a["kind"], a["size"], a["added_on"], a["added_by"]) for a in listed] == [
        (1, "情况说明.txt", "企业材料", 19, "2026-11-27", "赵晓云"),
        (2, "合同.pdf", "企业材料", 200_000, "2026-11-27", "赵晓云"),
    ]
    out = tmp_path / "取出.pdf"
    assert ledger("attachment", "1", "2", "-o", str(out)).code == 0
    assert out.read_bytes() == (tmp_path / "合同.pdf").read_bytes()
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    # An existing file is not overwritten without --force.
    r = ledger("attachment", "1", "2", "-o", str(out))
    assert r.code == 1 and "已存在" in r.err
    r = ledger("attachment", "1", "5", "-o", str(tmp_path / "x"))
    assert r.code == 1 and "没有第 5 号附件（本案有附件 1–2" in r.err
    shown = ledger("show", "1").out
    assert "附件 2" in shown and "合同.pdf（企业材料，195.3 KB，2026-11-27 赵晓云）" in shown
    assert json.loads(ledger("show", "1", "--json").out)["attachments"][0]["name"] == "情况说明.txt"


def test_same_content_is_stored_once(ledger, tmp_path):
    _case(ledger, tmp_path)
    copy = tmp_path / "副本.pdf"
    copy.write_bytes((tmp_path / "合同.pdf").read_bytes())
    # a copy given with its original is a repeat: kept twice only when the clerk says so
    r = ledger("attach", "1", str(tmp_path / "合同.pdf"), str(copy), "--kind", "其他")
    assert r.code == 1 and f"文件 {copy} 与本次的 {tmp_path / '合同.pdf'} 内容相同" in r.err
    assert ledger("attach", "1", str(tmp_path / "合同.pdf"), str(copy), "--kind", "其他", "--again").code == 0
    conn = sqlite3.connect(ledger.db)
    assert conn.execute("SELECT count(*) FROM blobs").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 2


def test_refusals_leave_the_ledger_unchanged(ledger, tmp_path):
    _case(ledger, tmp_path)
    before = snapshot(ledger.db)
    big = tmp_path / "扫描件.pdf"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024 + 1)
    r = ledger("attach", "1", str(tmp_path / "合同.pdf"), str(big))
    assert r.code == 1
    assert "扫描件.pdf 有 50.0 MB，超过每个附件 50.0 MB 的上限" in r.err
    r = ledger("attach", "1", str(tmp_path / "没有.pdf"))
    assert r.code == 1 and "找不到要附上的文件" in r.err
    r = ledger("attach", "1", str(tmp_path / "合同.pdf"), "--kind", "照片")
    assert r.code == 1 and "附件类别（--kind）“照片”不在可选范围内，可选：批示笺、企业材料、答复文件、其他" in r.err
    r = ledger("attach", "1", str(tmp_path / "合同.pdf"), "--date", "2026-11-19")
    assert r.code == 1 and "早于受理时间2026-11-20" in r.err
    assert snapshot(ledger.db) == before


def test_check_verifies_every_hash(ledger, tmp_path):
    _case(ledger, tmp_path)
    assert ledger("attach", "1", str(tmp_path / "合同.pdf")).code == 0
    assert ledger("check").code == 0
    conn = sqlite3.connect(ledger.db)
    conn.execute("UPDATE blobs SET data = zeroblob(200000)")
    conn.commit()
    conn.close()
    r = ledger("check")
    assert r.code == 1
    assert "与其 SHA-256 不符（已损坏）" in r.out + r.err


def test_backup_keeps_attachments_byte_identical(ledger, tmp_path):
    _case(ledger, tmp_path)
    assert ledger("attach", "1", str(tmp_path / "合同.pdf")).code == 0
    copy = tmp_path / "备份.db"
    assert ledger("backup", str(copy)).code == 0
    out = tmp_path / "从备份取出.pdf"
    assert ledger("--db", str(copy), "attachment", "1", "1", "-o", str(out)).code == 0
    assert out.read_bytes() == (tmp_path / "合同.pdf").read_bytes()


def test_instruction_page_and_annex_line(ledger, tmp_path):
    from docx import Document

    _case(ledger, tmp_path)
    r = ledger("form", "instruction", "1", "-o", str(tmp_path / "x.docx"))
    assert r.code == 1 and "没有记录领导批示" in r.err
    assert ledger("attach", "1", str(tmp_path / "合同.pdf")).code == 0
    r = ledger(
        "dispatch", "1", "--dept", "临翔供电局", "--approver", "张主任", "--level", "主任",
        "--instruction", "请供电局三日内完成接电，并报结果。",
    )  # fmt: skip
    assert r.code == 0, r.err
    out = tmp_path / "批示笺.docx"
    assert ledger("form", "instruction", "1", "-o", str(out)).code == 0
    doc = Document(str(out))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "请供电局三日内完成接电，并报结果。" in cells
    assert "临翔服企办交（2026）第1号" in cells and "张主任" in cells and "2026年11月27日" in cells
    assert "领导批示笺" in doc.paragraphs[0].text
    assert "张主任（交办 2026-11-27）：请供电局三日内完成接电，并报结果。" in ledger("show", "1").out
    form = tmp_path / "交办单.docx"
    assert ledger("form", "dispatch", "1", "-o", str(form)).code == 0
    lines = [p.text for p in Document(str(form)).paragraphs]
    assert "附件：1. 企业反映困难问题登记表\n2. 领导批示笺\n3. 合同.pdf" in lines

    from lcqy.acts.context import Ctx
    from lcqy.acts.papers.attachments import annex_text
    from lcqy.store.db import Ledger

    led = Ledger.open(ledger.db)
    try:
        text = annex_text(Ctx(led, date(2026, 11, 27)), 1, instruction=True)
    finally:
        led.close()
    assert text == "附件：1. 企业反映困难问题登记表\n2. 领导批示笺\n3. 合同.pdf"


def test_register_refuses_the_county_channel(ledger):
    r = ledger("register", *register_args(channel="县区转报"))
    assert r.code == 1
    assert "县区转报”只用于市级台帐接收县区转报包（lcqy receive 文件）" in r.err
