"""City-wide monthly figures: a county's month package, received and shown beside the city."""

from __future__ import annotations

import json
import zipfile

import pytest
from conftest import register_args, snapshot

from lcqy.errors import LcqyError
from lcqy.rules import month_figures as mf

CITY_INIT = ["init", "--office-name", "临沧市服务企业发展领导小组办公室", "--prefix", "临沧", "--level", "city",
             "--clerk", "钱丽"]  # fmt: skip


def test_summarize_and_check():
    rows = [
        {"category": "用电保障", "state": "待交办", "days_late": 2, "result": ""},
        {"category": "用电保障", "state": "已答复", "days_late": 0, "result": "B"},
        {"category": "融资服务", "state": "已销号", "days_late": 1, "result": "A"},
    ]
    fig = mf.summarize(rows)
    assert fig["用电保障"] == {"states": {"待交办": 1, "已答复": 1}, "late": 1, "A": 0, "B": 1, "C": 0}
    assert mf.totals(fig) == {"cases": 3, "states": {"待交办": 1, "已答复": 1, "已销号": 1}, "late": 2,
                              "A": 1, "B": 1, "C": 0}  # fmt: skip
    assert mf.check(json.loads(json.dumps(fig))) == fig
    bad = json.loads(json.dumps(fig))
    bad["用电保障"]["late"] = 5
    with pytest.raises(LcqyError, match="超期或答复件数大于案件数"):
        mf.check(bad)
    with pytest.raises(LcqyError, match="问题类别不对"):
        mf.check({"盗窃": {}})
    with pytest.raises(LcqyError, match="状态“完成”或件数不对"):
        mf.check({"用电保障": {"states": {"完成": 1}, "late": 0, "A": 0, "B": 0, "C": 0}})
    assert mf.month_span("2026-2") == (mf.date(2026, 2, 1), mf.date(2026, 2, 28))
    with pytest.raises(LcqyError, match="应写成 2026-11"):
        mf.month_span("2026-13")


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
                                 "as_of": "2026-11-27", "cases": 1, "late": 1, "replaced": False}  # fmt: skip
    lines = json.loads(c("figures", "2026-11", "--json").out)
    assert [(x["office_name"], x["cases"], x["late"], x["states"]) for x in lines] == [
        ("临沧市服务企业发展领导小组办公室", 0, 0, {}),
        ("临翔区服务企业发展领导小组办公室", 1, 1, {"待交办": 1}),
        ("全市合计", 1, 1, {"待交办": 1}),
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
    assert lines[1]["states"] == {"办理中": 1}
    assert "临翔区服务企业发展领导小组办公室" in c("figures", "2026-11").out
    # Figures that do not add up are refused even with matching hashes.
    with zipfile.ZipFile(pkg) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    data = json.loads(members["case.json"])
    data["figures"]["用电保障"]["A"] = 9
    from lcqy.rules.package import build_package

    manifest = json.loads(members["manifest.json"])
    bad = tmp_path / "坏.lcqy"
    bad.write_bytes(build_package({k: v for k, v in manifest.items() if k != "members"}, data, {}))
    before = snapshot(city)
    r = c("receive", str(bad))
    assert r.code == 1 and "“用电保障”的超期或答复件数大于案件数" in r.err
    assert snapshot(city) == before
    # A county ledger does not take figures; the city does not send them.
    r = ledger("receive", str(pkg))
    assert r.code == 1 and "应由市服企办的市级台帐接收" in r.err
    r = c("package-month", "2026-11")
    assert r.code == 1 and "由县（区）服企办报市服企办" in r.err
    assert c("check").code == 0
