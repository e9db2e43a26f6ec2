"""County ⇄ city exchange packages: the round trip, the send-back, hostile packages."""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from contextlib import redirect_stderr, redirect_stdout

import pytest
from conftest import Result, assert_private, register_args, signer_of, snapshot

from lcqy.cli import main
from lcqy.rules.package import sha256

CITY_INIT = ["init", "--office-name", "临沧市服务企业发展领导小组办公室", "--prefix", "临沧", "--level", "city",
             "--clerk", "钱丽"]  # fmt: skip
ESC_NO = "临翔服企办报（2026）第1号"


def _cli(*args: str) -> Result:
    """The command line outside a test's own fixtures (for the module's shared ledgers)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LCQY_TODAY", "2026-11-27")
        mp.delenv("LCQY_NOW", raising=False)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 0
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def _built(tmp_path_factory):
    """Built once: a county ledger (临翔) with an escalated case and its package, and a city ledger."""
    from conftest import DEPTS, INIT

    base = tmp_path_factory.mktemp("exchange")
    county, city = base / "county.db", base / "city.db"

    def k(*args):
        return _cli("--db", str(county), *args)

    assert k(*INIT).code == 0 and k("dept", "add", *DEPTS).code == 0
    assert _cli("--db", str(city), *CITY_INIT).code == 0
    assert _cli("--db", str(city), "dept", "add", "临沧供电局", "市自然资源和规划局").code == 0
    assert k("register", *register_args(), "--date", "2026-11-16").code == 0
    paper = base / "企业情况说明.pdf"
    paper.write_bytes(os.urandom(150_000))
    assert k("attach", "1", str(paper), "--date", "2026-11-16").code == 0
    out = base / "out"
    out.mkdir()
    r = k(
        "escalate", "1", "--approver", "王组长", "--suggestion", "请市里协调供电局增容",
        "--instruction", "此事急，请市服企办协调。", "--package", str(out), "--date", "2026-11-17",
    )  # fmt: skip
    assert r.code == 0, r.err
    pkg = out / f"{ESC_NO}.lcqy"
    assert f"已生成转报包 {pkg}" in r.out
    return county, city, pkg, paper


@pytest.fixture
def pair(run, tmp_path, _built):
    """Fresh copies of the built ledgers and package for one test (county is the default --db)."""
    county, city, pkg, paper = _built
    ledger = run
    shutil.copy(county, ledger.db)
    for src in (city, pkg, paper):
        shutil.copy(src, tmp_path / src.name)

    def c(*args):
        return ledger("--db", str(tmp_path / city.name), *args)

    return {"county": ledger, "city": c, "city_db": tmp_path / city.name, "pkg": tmp_path / pkg.name,
            "paper": tmp_path / paper.name, "dir": tmp_path}  # fmt: skip


def test_escalation_package_contents(pair):
    with zipfile.ZipFile(pair["pkg"]) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        data = json.loads(zf.read("case.json"))
    assert manifest["format"] == "lcqy-exchange" and manifest["version"] == 1 and manifest["type"] == "escalation"
    assert manifest["from"] == {"office_name": "临翔区服务企业发展领导小组办公室", "prefix": "临翔", "level": "county"}
    forms = {f"{ESC_NO}转报单.docx", f"{ESC_NO}批示笺.docx"}
    assert names == {"manifest.json", "signature.json", "case.json", "附件/01_企业情况说明.pdf"} | forms
    assert set(manifest["members"]) == names - {"manifest.json", "signature.json"}
    assert data["escalation"]["no"] == ESC_NO and data["case"]["reg_no"] == "临翔服企办收（2026）第1号"
    assert data["escalation"]["instruction"] == "此事急，请市服企办协调。"
    assert_private(pair["pkg"])
    # The 转报单 for people lists what goes with it in its 附件 line.
    from docx import Document

    with zipfile.ZipFile(pair["pkg"]) as zf:
        form = Document(io.BytesIO(zf.read(f"{ESC_NO}转报单.docx")))
    text = "\n".join(p.text for p in form.paragraphs)
    assert "附件：1. 企业反映困难问题登记表\n2. 领导批示笺\n3. 企业情况说明.pdf" in text


def test_round_trip_county_city_county(pair):
    county, city, d = pair["county"], pair["city"], pair["dir"]
    r = city("receive", str(pair["pkg"]), "--date", "2026-11-18", "--json")
    assert r.code == 0, r.err
    got = json.loads(r.out)
    assert got["reg_no"] == "临沧服企办收（2026）第1号" and got["county_reg_no"] == "临翔服企办收（2026）第1号"
    assert got["escalate_no"] == ESC_NO and got["attachments"] == 1
    shown = city("show", "1").out
    assert "县区转报" in shown and "临翔区服务企业发展领导小组办公室：登记编号 临翔服企办收（2026）第1号" in shown
    assert "转报编号 临翔服企办报（2026）第1号" in shown
    listed = city("list", "--channel", "县区转报", "--json")
    assert [x["reg_no"] for x in json.loads(listed.out)] == ["临沧服企办收（2026）第1号"]
    # The paper arrives byte for byte.
    assert city("attachment", "1", "1", "-o", str(d / "市收到.pdf")).code == 0
    assert (d / "市收到.pdf").read_bytes() == pair["paper"].read_bytes()
    # 第十三条: the city dispatches as usual, under its own numbers.
    r = city("dispatch", "1", "--dept", "临沧供电局", "--approver", "市主任", "--level", "主任", "--date", "2026-11-19")
    assert r.code == 0 and "临沧服企办交（2026）第1号" in r.out
    r = city("reply", "1", "--result", "A", "--mode", "书面", "--summary", "已完成增容接电", "--doc-no",
             "临供发〔2026〕12号", "--date", "2026-11-24")  # fmt: skip
    assert r.code == 0, r.err
    reply_paper = d / "供电局答复.pdf"
    reply_paper.write_bytes(os.urandom(30_000))
    assert city("attach", "1", str(reply_paper), "--kind", "答复文件", "--date", "2026-11-24").code == 0
    res = d / "结果.lcqy"
    r = city("send-result", "1", "-o", str(res), "--date", "2026-11-24")
    assert r.code == 0, r.err
    assert city("check").code == 0

    before = snapshot(county.db)
    r = county("receive", str(res), "--date", "2026-11-25")
    assert r.code == 0, r.err
    assert "对 临翔服企办收（2026）第1号 的办理结果：A类（2026-11-24），附件 1 件" in r.out
    v = json.loads(county("show", "1", "--json").out)
    assert v["state_label"] == "已答复"
    got = [(x["result"], x["replied_on"], x["doc_no"]) for x in v["replies"]]
    assert got == [("A", "2026-11-24", "临供发〔2026〕12号")]
    shown = county("show", "1").out
    assert "市级办理" in shown and "登记编号 临沧服企办收（2026）第1号，交办编号 临沧服企办交（2026）第1号" in shown
    assert county("attachment", "1", "2", "-o", str(d / "县收到.pdf")).code == 0
    assert (d / "县收到.pdf").read_bytes() == reply_paper.read_bytes()
    # The same result twice: refused, nothing changes.
    after = snapshot(county.db)
    assert after != before
    r = county("receive", str(res))
    assert r.code == 1 and "该办理结果包已于 2026-11-25 接收（临翔服企办收（2026）第1号），不能重复接收" in r.err
    assert snapshot(county.db) == after
    # The county follows up and closes.
    assert county("followup", "1", "--method", "电话回询", "--satisfaction", "满意", "--date", "2026-11-26").code == 0
    r = county("close", "1", "--date", "2026-11-27")
    assert r.code == 0, r.err
    assert county("check").code == 0 and city("check").code == 0
    # And the escalation package again at the city: refused.
    snap = snapshot(pair["city_db"])
    r = city("receive", str(pair["pkg"]))
    assert r.code == 1 and "该转报包已于 2026-11-18 接收（临沧服企办收（2026）第1号），不能重复接收" in r.err
    assert snapshot(pair["city_db"]) == snap


def test_send_back_and_redispatch_at_county(pair):
    county, city, d = pair["county"], pair["city"], pair["dir"]
    assert city("receive", str(pair["pkg"]), "--date", "2026-11-18").code == 0
    back = d / "退回.lcqy"
    r = city("send-back", "1", "--reason", "属县级事权，请县区按职责交办", "-o", str(back), "--date", "2026-11-19")
    assert r.code == 0, r.err
    assert json.loads(city("show", "1", "--json").out)["state_label"] == "不予受理"
    r = county("receive", str(back), "--date", "2026-11-20")
    assert r.code == 0, r.err
    assert "退回 临翔服企办收（2026）第1号：属县级事权，请县区按职责交办。案件回到待交办，交办时限 2026-11-24" in r.out
    v = json.loads(county("show", "1", "--json").out)
    assert v["state_label"] == "待交办"
    assert "市级退回" in county("show", "1").out
    # Re-dispatched within 2 working days of the send-back: on time.
    r = county("dispatch", "1", "--dept", "临翔供电局", "--approver", "张主任", "--level", "主任",
               "--date", "2026-11-24", "--json")  # fmt: skip
    assert r.code == 0, r.err
    assert json.loads(r.out)["late"] == 0
    assert county("check").code == 0 and city("check").code == 0


def test_city_level_rules(pair):
    city = pair["city"]
    assert city("receive", str(pair["pkg"]), "--date", "2026-11-18").code == 0
    r = city("register", *register_args(channel="县区转报"))
    assert r.code == 1 and "只用于市级台帐接收县区转报包" in r.err
    r = city("send-result", "1")
    assert r.code == 1 and "还没有答复" in r.err
    # A county receiving an escalation package (wrong level), and the city's own case has no county.
    snap = snapshot(pair["county"].db)
    r = pair["county"]("receive", str(pair["pkg"]))
    assert r.code == 1 and "应由市服企办的市级台帐接收" in r.err
    assert snapshot(pair["county"].db) == snap


# -- hostile packages --------------------------------------------------------------------------


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _write(path, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    path.write_bytes(buf.getvalue())


def _with_manifest(m: dict[str, bytes], **changes) -> dict[str, bytes]:
    manifest = json.loads(m["manifest.json"])
    manifest.update(changes)
    return {**m, "manifest.json": json.dumps(manifest, ensure_ascii=False).encode()}


def _hostile(pkg, kind: str, tmp, sign=None):
    m = _members(pkg)
    bad = tmp / f"{kind}.lcqy"
    if kind == "truncated":
        raw = pkg.read_bytes()
        bad.write_bytes(raw[: len(raw) // 2])
    elif kind == "hash":
        data = json.loads(m["case.json"])
        data["case"]["request"] = "改过的诉求"
        _write(bad, {**m, "case.json": json.dumps(data, ensure_ascii=False).encode()})
    elif kind == "version":
        _write(bad, _with_manifest(m, version=2))
    elif kind == "dotdot":
        _write(bad, {**m, "../../etc/evil.txt": b"x"})
    elif kind == "absolute":
        _write(bad, {**m, "/tmp/evil.txt": b"x"})
    elif kind == "oversize":
        _write(bad, {**m, "附件/99_大文件.bin": os.urandom(1024) * (50 * 1024 + 1)}, zipfile.ZIP_STORED)
    elif kind == "bomb":
        _write(bad, {**m, "附件/99_炸弹.bin": bytes(20 * 1024 * 1024)})
    elif kind == "many":
        _write(bad, {**m, **{f"附件/x{i}.txt": b"x" for i in range(70)}})
    elif kind == "unlisted":
        _write(bad, {**m, "附件/99_夹带.exe": b"MZ"})
    elif kind in ("badfield", "deepjson"):
        # Consistent hashes, hostile content: rebuilt with the manifest recomputed.
        from lcqy.rules.package import build_package

        manifest = json.loads(m.pop("manifest.json"))
        m.pop("signature.json")
        data = json.loads(m.pop("case.json"))
        data["case"]["phone"] = "请拨打"
        blob = build_package({k: v for k, v in manifest.items() if k != "members"}, data, m, sign=sign)
        if kind == "deepjson":
            rebuilt = _members(io.BytesIO(blob))
            rebuilt["case.json"] = b"[" * 200_000 + b"]" * 200_000
            manifest = json.loads(rebuilt["manifest.json"])
            manifest["members"]["case.json"] = {"size": 400_000, "sha256": sha256(rebuilt["case.json"])}
            rebuilt["manifest.json"] = json.dumps(manifest).encode()
            rebuilt["signature.json"] = json.dumps(sign(rebuilt["manifest.json"])).encode()
            _write(bad, rebuilt)
        else:
            bad.write_bytes(blob)
    elif kind == "notzip":
        bad.write_bytes(b"this is not a zip file at all")
    return bad


HOSTILE = {
    "truncated": "文件已损坏或不完整",
    "hash": "成员 case.json 的 SHA-256 与清单不符",
    "version": "交换包格式版本“2”不受支持",
    "dotdot": "含有 .. 或空路径段",
    "absolute": "是绝对路径",
    "oversize": "过大（50.0 MB，最多 50.0 MB）",
    "bomb": "压缩比异常（疑似压缩炸弹）",
    "many": "成员过多（76 个，最多 64 个）",
    "unlisted": "不在清单中",
    "notzip": "文件已损坏或不完整",
    "badfield": "联系电话“请拨打”格式不对",
    "deepjson": "case.json 不是有效的 JSON",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_packages_are_refused(pair, kind):
    bad = _hostile(pair["pkg"], kind, pair["dir"], sign=signer_of(pair["county"].db))
    before = snapshot(pair["city_db"])
    r = pair["city"]("receive", str(bad))
    assert r.code == 1, r.out + r.err
    assert r.err.startswith(f"错误：交换包 {bad.name} 不能接收：") and HOSTILE[kind] in r.err
    assert r.err.strip().endswith("台帐未改动。") and "Traceback" not in r.err
    assert snapshot(pair["city_db"]) == before
    assert not (pair["dir"] / "evil.txt").exists()


def test_package_for_another_office(pair):
    """A result addressed to 临翔 is refused by 耿马's ledger, and by 临翔's once it was received."""
    city, d = pair["city"], pair["dir"]
    assert city("receive", str(pair["pkg"]), "--date", "2026-11-18").code == 0
    back = d / "退回.lcqy"
    assert city("send-back", "1", "--reason", "不属市级事项", "-o", str(back), "--date", "2026-11-19").code == 0
    other = d / "gengma.db"
    run = pair["county"]
    assert run("--db", str(other), "init", "--office-name", "耿马县服务企业发展领导小组办公室", "--prefix", "耿马",
               "--level", "county", "--clerk", "孙").code == 0  # fmt: skip
    before = snapshot(other)
    r = run("--db", str(other), "receive", str(back))
    assert r.code == 1 and "这是发给临翔区服务企业发展领导小组办公室的退回包，不是本办的" in r.err
    assert snapshot(other) == before


def test_send_result_not_recorded_while_its_package_is_held_open(pair, monkeypatch):
    """Windows: a result package Excel/WPS (or another program) holds open refuses send-result;
    the city's ledger records no exchange without its file."""
    from lcqy.store import outputs

    city, d = pair["city"], pair["dir"]
    assert city("receive", str(pair["pkg"]), "--date", "2026-11-18").code == 0
    r = city("dispatch", "1", "--dept", "临沧供电局", "--approver", "市主任", "--level", "主任", "--date", "2026-11-19")
    assert r.code == 0, r.err
    r = city("reply", "1", "--result", "A", "--mode", "书面", "--summary", "已完成增容接电", "--date", "2026-11-24")
    assert r.code == 0, r.err
    res = d / "结果.lcqy"
    res.write_bytes(b"held")
    before = snapshot(pair["city_db"])

    def held(src, dst, *args, **kwargs):
        exc = PermissionError(13, "另一个程序正在使用此文件，进程无法访问。", str(src), None, str(dst))
        exc.winerror = 32
        raise exc

    monkeypatch.setattr(outputs, "HELD_SECONDS", 0.1)
    monkeypatch.setattr(os, "replace", held)
    r = city("send-result", "1", "-o", str(res), "--force", "--date", "2026-11-24")
    assert r.code == 1 and "文件正被 Excel/WPS 打开，请先关闭" in r.err and "结果.lcqy" in r.err, r.err
    assert snapshot(pair["city_db"]) == before and res.read_bytes() == b"held"
