"""City-wide monthly figures: a county's month package, received and shown beside the city."""

from __future__ import annotations

import json
import zipfile

import pytest
from conftest import register_args, snapshot
from docx.oxml.ns import qn

from lcqy.errors import LcqyError
from lcqy.rules import month_figures as mf

CITY_INIT = ["init", "--office-name", "临沧市服务企业发展领导小组办公室", "--prefix", "临沧", "--level", "city",
             "--clerk", "钱丽"]  # fmt: skip


def _counts(**given) -> dict:
    from lcqy.rules.figures import COUNTS

    return {k: given.get(k, 0) for k in COUNTS}


def test_check_and_combine():
    by = {"category": {"用电保障": 2}, "channel": {"来电反映": 1, "县区转报": 1}}
    counts, got = mf.check(_counts(received=2, reply_a=1, replies=1), by)
    assert counts["received"] == 2 and got["category"]["融资服务"] == 0
    with pytest.raises(LcqyError, match="分列的受理件数与受理合计不符"):
        mf.check(_counts(received=3), by)
    with pytest.raises(LcqyError, match="“答复”的件数不对"):
        mf.check(_counts(received=2, replies=-1), by)
    with pytest.raises(LcqyError, match="按问题类别分列的受理件数不对"):
        mf.check(_counts(received=2), {"category": {"盗窃": 2}, "channel": by["channel"]})
    city = _counts(received=2, dispatched=2, dispatched_on_time=1)
    county = _counts(received=5, escalated=1, escalated_on_time=1)
    total = mf.combine([city, county], city_from_counties=1)
    assert total["received"] == 6 and total["dispatched"] == 2 and total["escalated"] == 1
    assert total["on_time_dispatch_rate"] == 2 / 3
    assert mf.month_key("2026-2") == "2026-02"


def test_county_month_package_received_at_city(ledger, tmp_path):
    city = tmp_path / "city.db"

    def c(*args):
        return ledger("--db", str(city), *args)

    assert c(*CITY_INIT).code == 0
    assert ledger("register", *register_args(), "--date", "2026-11-02").code == 0  # never dispatched: late
    assert ledger("register", *register_args(category="融资服务"), "--date", "2026-10-30").code == 0  # October
    pkg = tmp_path / "十一月.lcqy"
    r = ledger("package-month", "2026-11", "-o", str(pkg))
    assert r.code == 0, r.err
    r = c("receive", str(pkg), "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out) == {"type": "figures", "from": "临翔区服务企业发展领导小组办公室", "month": "2026-11",
                                 "as_of": "2026-11-27", "received": 1, "late_now": 2, "replaced": False}  # fmt: skip
    lines = json.loads(c("figures", "2026-11", "--json").out)
    assert [(x["office_name"], x["received"], x["dispatched"], x["late_now"]) for x in lines] == [
        ("临沧市服务企业发展领导小组办公室", 0, 0, 0),
        ("临翔区服务企业发展领导小组办公室", 1, 0, 2),  # late: both undispatched cases, October's too
        ("全市合计", 1, 0, 2),
    ]
    # The same package again: refused, unchanged.
    before = snapshot(city)
    r = c("receive", str(pkg))
    assert r.code == 1 and "2026-11 的办理情况已于 2026-11-27 接收，内容相同，不能重复接收" in r.err
    assert snapshot(city) == before
    # A corrected month replaces the earlier figures.
    assert ledger("dispatch", "2026-1", "--dept", "临翔供电局", "--approver", "张主任", "--level", "主任").code == 0
    assert ledger("package-month", "2026-11", "-o", str(pkg), "--force").code == 0
    r = c("receive", str(pkg))
    assert r.code == 0 and "替换此前收到的数字" in r.out
    lines = json.loads(c("figures", "2026-11", "--json").out)
    assert (lines[1]["dispatched"], lines[1]["late_now"], lines[1]["on_time_dispatch_rate"]) == (1, 1, 0.0)
    shown = c("figures", "2026-11").out
    assert "临翔区服务企业发展领导小组办公室   2026-11-27" in shown and "0.0%" in shown
    # Figures that do not add up are refused even with matching hashes.
    with zipfile.ZipFile(pkg) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    data = json.loads(members["case.json"])
    data["figures"]["received"] = 9
    from lcqy.rules.package import build_package

    manifest = json.loads(members["manifest.json"])
    bad = tmp_path / "坏.lcqy"
    bad.write_bytes(build_package({k: v for k, v in manifest.items() if k != "members"}, data, {}))
    before = snapshot(city)
    r = c("receive", str(bad))
    assert r.code == 1 and "分列的受理件数与受理合计不符" in r.err
    assert snapshot(city) == before
    # A county ledger does not take figures; the city does not send them.
    r = ledger("receive", str(pkg))
    assert r.code == 1 and "应由市服企办的市级台帐接收" in r.err
    r = c("package-month", "2026-11")
    assert r.code == 1 and "由县（区）服企办报市服企办" in r.err
    assert c("check").code == 0


def test_city_stats_by_office_and_report_show_counties(ledger, run, tmp_path):
    city = tmp_path / "city.db"
    other = tmp_path / "凤庆.db"

    def c(*args):
        return ledger("--db", str(city), *args)

    assert c(*CITY_INIT).code == 0
    assert c("register", *register_args(), "--date", "2026-11-03").code == 0  # the city's own case
    # 临翔: two cases in November (one dispatched), one in October; 凤庆: one in November.
    assert ledger("register", *register_args(), "--date", "2026-10-29").code == 0
    assert ledger("register", *register_args(), "--date", "2026-11-02").code == 0
    assert ledger("register", *register_args(category="融资服务"), "--date", "2026-11-04").code == 0
    assert ledger("dispatch", "2026-2", "--dept", "临翔供电局", "--approver", "张主任", "--level", "主任").code == 0
    fq = ["--db", str(other)]
    init = ["init", "--office-name", "凤庆县服务企业发展领导小组办公室", "--prefix", "凤庆", "--level", "county"]
    assert run(*fq, *init, "--clerk", "王芳").code == 0
    assert run(*fq, "register", *register_args(), "--date", "2026-11-05").code == 0
    for m in ("2026-10", "2026-11"):
        assert ledger("package-month", m, "-o", str(tmp_path / f"临翔{m}.lcqy")).code == 0
        assert c("receive", str(tmp_path / f"临翔{m}.lcqy")).code == 0
    assert run(*fq, "package-month", "2026-11", "-o", str(tmp_path / "凤庆.lcqy")).code == 0
    assert c("receive", str(tmp_path / "凤庆.lcqy")).code == 0

    r = c("stats", "--by", "office", "--year", "2026", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    got = [(x["key"], x["received"], x["dispatched"], x["months"][-1], len(x["months"])) for x in data["rows"]]
    assert got == [
        ("临沧市服务企业发展领导小组办公室", 1, 0, "2026-11", 11),
        ("临翔区服务企业发展领导小组办公室", 3, 1, "2026-11", 2),  # October's 1 + November's 2
        ("凤庆县服务企业发展领导小组办公室", 1, 0, "2026-11", 1),
        ("全市合计", 5, 1, "2026-11", 11),
    ]
    # Late now is the state on November's as-of day, not October's added again: 临翔's October
    # case and its undispatched November case.
    assert data["rows"][1]["late_dispatch"] == 2 and data["period"]["as_of"] == "2026-11-27"
    shown = c("stats", "--by", "office", "--year", "2026").out
    assert "按县区统计（2026年，截至 2026-11-27）" in shown and "凤庆县服务企业发展领导小组办公室" in shown

    rep = json.loads(c("report", "--month", "2026-11", "--json").out)
    assert [(x["office_name"], x["received"], x["dispatched"]) for x in rep["offices"]] == [
        ("临沧市服务企业发展领导小组办公室", 1, 0),
        ("临翔区服务企业发展领导小组办公室", 2, 1),
        ("凤庆县服务企业发展领导小组办公室", 1, 0),
        ("全市合计", 4, 1),
    ]
    shown = c("report", "--month", "2026-11").out
    assert "各县区情况（本月）" in shown and "全市合计" in shown
    # The city's 简报 carries the same table, by place name, with a header row repeated on
    # every page and rows that do not split.
    from docx import Document

    assert c("report", "--month", "2026-11", "-o", str(tmp_path / "市简报.docx")).code == 0
    doc = Document(str(tmp_path / "市简报.docx"))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "单位")
    cols = [x.text for x in table.rows[0].cells]
    got = [(r.cells[0].text, r.cells[cols.index("受理")].text, r.cells[cols.index("交办")].text)
           for r in table.rows[1:]]  # fmt: skip
    # the city's own row is 市本级 beside the counties and 全市合计 (issue 20)
    assert got == [("市本级", "1", "0"), ("临翔区", "2", "1"), ("凤庆县", "1", "0"), ("全市合计", "4", "1")]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "全市2026年11月情况如下" in body and "{" not in body
    # a city's 简报 goes to the counties too: a 发 line in its 版记, and the 印数 under it
    imprint = next(t for t in doc.tables if t.rows[0].cells[0].text.startswith("报："))
    lines = [r.cells[0].text for r in imprint.rows]
    assert lines[1] == "发：各县（区）服务企业发展领导小组办公室" and lines[-1].startswith("（共印")

    # A county ledger has no counties: refused, and its report has no such table.
    before = snapshot(run.db)
    r = ledger("stats", "--by", "office")
    assert r.code == 1 and "按县区统计（--by office）只在市级台帐使用" in r.err
    assert snapshot(run.db) == before
    assert json.loads(ledger("report", "--month", "2026-11", "--json").out)["offices"] is None
    assert ledger("report", "--month", "2026-11", "-o", str(tmp_path / "县简报.docx")).code == 0
    county_doc = Document(str(tmp_path / "县简报.docx"))
    assert not [t for t in county_doc.tables if t.rows[0].cells[0].text == "单位"]
    assert "情况如下（各县区数字" not in "\n".join(p.text for p in county_doc.paragraphs)
    r = c("stats", "--by", "office", "--from", "2026-11-01")
    assert r.code == 1 and "请用 --year" in r.err
    r = c("stats", "--by", "office", "-o", str(tmp_path / "x.xlsx"))
    assert r.code == 1 and "不能与 --evaluation、-o 同用" in r.err and not (tmp_path / "x.xlsx").exists()
