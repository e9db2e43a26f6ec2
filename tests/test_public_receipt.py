"""`form receipt CASE`: the one-page 回执 with the case's 查询码, for every channel (issue 24)."""

from __future__ import annotations

import json

from tests.conftest import register_args


def cells(path) -> dict[str, str]:
    import docx

    table = docx.Document(str(path)).tables[0]
    out = {}
    for row in table.rows:
        texts = [c.text for c in row.cells]
        for i in range(0, len(texts) - 1):
            if texts[i] and texts[i] != texts[i + 1]:
                out.setdefault(texts[i], texts[i + 1])
    return out


def test_receipt_carries_the_code_the_address_and_the_dispatch_limit(ledger, tmp_path, monkeypatch):
    r = ledger("register", *register_args(), "--date", "2026-11-26", "--json")
    code = json.loads(r.out)["tracking_code"]
    monkeypatch.setenv("LCQY_PUBLIC_URL", "https://fqb.linxiang.gov.cn/")
    out = tmp_path / "回执.docx"
    r = ledger("form", "receipt", "1", "-o", str(out))
    assert r.code == 0, r.err
    got = cells(out)
    assert got["查询码"] == code and got["查询网址"] == "https://fqb.linxiang.gov.cn/track"
    assert got["企业名称"] == "临沧南美坚果开发有限公司" and got["反映形式"] == "来电反映"
    assert got["交办时限"] == "2026年11月30日前交办承办部门"
    import docx

    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "临翔服企办收（2026）第1号" in text and "受理回执" in text and "联系电话后四位" in text
    # Refused for a voided registration; an unknown case is named.
    assert ledger("void", "1", "--reason", "误录").code == 0
    r = ledger("form", "receipt", "1", "-o", str(tmp_path / "x.docx"))
    assert r.code == 1 and "作废" in r.err
    r = ledger("form", "receipt", "9")
    assert r.code == 1 and "没有案件" in r.err


def test_receipt_without_an_address_names_the_page(ledger, tmp_path, monkeypatch):
    monkeypatch.delenv("LCQY_PUBLIC_URL", raising=False)
    assert ledger("register", *register_args()).code == 0
    out = tmp_path / "r.docx"
    assert ledger("form", "receipt", "1", "-o", str(out)).code == 0
    assert "/track" in cells(out)["查询网址"]
