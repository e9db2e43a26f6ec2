"""Signed packages: trust on first use, a known office's key, replays, the addressee, lcqy keys."""

from __future__ import annotations

import json
import zipfile

import test_exchange
from conftest import signer_of, snapshot
from test_exchange import _members, _write

from lcqy.rules.package import build_package

# The exchange tests' ledgers and package, shared.
_built = test_exchange._built
pair = test_exchange.pair


def _rebuilt(pkg, sign, **manifest_changes) -> bytes:
    """The package's content again, its manifest changed and its hashes recomputed."""
    m = _members(pkg)
    manifest = json.loads(m.pop("manifest.json"))
    m.pop("signature.json", None)
    data = json.loads(m.pop("case.json"))
    manifest = {k: v for k, v in manifest.items() if k != "members"} | manifest_changes
    return build_package(manifest, data, m, sign=sign)


def _other_key(raw: bytes) -> dict:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from lcqy.store.keys import _b64, _raw

    key = Ed25519PrivateKey.generate()
    return {"algorithm": "Ed25519", "public_key": _b64(_raw(key)[1]), "signature": _b64(key.sign(raw))}


def _refused(pair, path, said: str):
    before = snapshot(pair["city_db"])
    r = pair["city"]("receive", str(path), "--date", "2026-11-18")
    assert r.code == 1 and said in r.err, r.err
    assert r.err.strip().endswith("台帐未改动。") and "内部错误" not in r.err
    assert snapshot(pair["city_db"]) == before
    return r


def test_first_package_records_the_key_later_ones_must_match(pair):
    county_fp = json.loads(pair["county"]("keys", "show", "--json").out)["fingerprint"]
    r = pair["city"]("receive", str(pair["pkg"]), "--date", "2026-11-18")
    assert r.code == 0 and "首次收到" in r.out and county_fp in r.out
    peers = json.loads(pair["city"]("keys", "show", "--json").out)["peers"]
    assert [(p["prefix"], p["fingerprint"], p["how"]) for p in peers] == [("临翔", county_fp, "tofu")]
    # The same office under another key: refused, both fingerprints named.
    forged = pair["dir"] / "冒名.lcqy"
    forged.write_bytes(_rebuilt(pair["pkg"], _other_key, key="escalation:临翔:other"))
    r = _refused(pair, forged, "签名密钥与本台帐记录的")
    assert county_fp in r.err and r.err.count("SHA256:") == 2


def test_replay_recognised_by_office_and_number_not_by_key(pair):
    assert pair["city"]("receive", str(pair["pkg"]), "--date", "2026-11-18").code == 0
    # Re-keyed with the hashes recomputed but not signed again: the signature no longer holds.
    m = _members(pair["pkg"])
    manifest = json.loads(m["manifest.json"])
    manifest["key"] = "escalation:临翔:again"
    m["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    rekeyed = pair["dir"] / "改标识.lcqy"
    _write(rekeyed, m)
    _refused(pair, rekeyed, "签名与清单不符")
    # Re-keyed and signed again by the county itself: still the same 报 number.
    again = pair["dir"] / "再次.lcqy"
    again.write_bytes(_rebuilt(pair["pkg"], signer_of(pair["county"].db), key="escalation:临翔:again"))
    _refused(pair, again, "不能重复接收（临翔区服务企业发展领导小组办公室 的 临翔服企办报（2026）第1号 只能接收一次）")
    assert json.loads(pair["city"]("list", "--json").out)[0]["reg_no"] == "临沧服企办收（2026）第1号"
    assert len(json.loads(pair["city"]("list", "--json").out)) == 1


def test_unsigned_and_badly_signed_packages_are_refused(pair):
    unsigned = pair["dir"] / "无签名.lcqy"
    unsigned.write_bytes(_rebuilt(pair["pkg"], None))
    _refused(pair, unsigned, "没有签名")
    garbled = pair["dir"] / "乱签名.lcqy"
    m = _members(pair["pkg"])
    m["signature.json"] = b'{"algorithm": "Ed25519", "public_key": 5, "signature": []}'
    _write(garbled, m)
    _refused(pair, garbled, "签名 signature.json 的字段 signature（签名）应为文字，包中是列表")
    notjson = pair["dir"] / "坏签名.lcqy"
    m["signature.json"] = b"\xff\xfe"
    _write(notjson, m)
    _refused(pair, notjson, "签名 signature.json 不是有效的 JSON")
    # Nothing refused left a key behind.
    assert json.loads(pair["city"]("keys", "show", "--json").out)["peers"] == []


def test_escalation_to_another_city_is_refused(pair):
    sign = signer_of(pair["county"].db)
    other = pair["dir"] / "大理.lcqy"
    other.write_bytes(
        _rebuilt(pair["pkg"], sign, to={"level": "city", "office_name": "大理州服务企业发展领导小组办公室"})
    )
    _refused(pair, other, "这是报给大理州服务企业发展领导小组办公室的转报包，不是报给本办的")
    county = pair["dir"] / "县级.lcqy"
    county.write_bytes(_rebuilt(pair["pkg"], sign, to={"level": "county"}))
    _refused(pair, county, "接收单位应为市级服企办")
    named = pair["dir"] / "本市.lcqy"
    named.write_bytes(_rebuilt(pair["pkg"], sign, to={"level": "city", "prefix": "临沧"}))
    assert pair["city"]("receive", str(named), "--date", "2026-11-18").code == 0


def test_keys_exchanged_ahead_of_time(pair):
    out = pair["dir"] / "临翔公钥.json"
    assert pair["county"]("keys", "export", "-o", str(out)).code == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert "private" not in json.dumps(exported) and exported["prefix"] == "临翔"
    r = pair["city"]("keys", "trust", str(out))
    assert r.code == 0 and exported["fingerprint"] in r.out
    assert pair["city"]("keys", "trust", str(out)).code == 0  # the same key again: nothing changes
    r = pair["city"]("receive", str(pair["pkg"]), "--date", "2026-11-18")
    assert r.code == 0 and "首次收到" not in r.out
    # Another key for the same office: only with --replace, both fingerprints said.
    other = pair["dir"] / "新公钥.json"
    forged = _other_key(b"x")["public_key"]
    changed = dict(exported, public_key=forged)
    changed.pop("fingerprint")
    other.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    before = snapshot(pair["city_db"])
    r = pair["city"]("keys", "trust", str(other))
    assert r.code == 1 and "--replace" in r.err and exported["fingerprint"] in r.err and "台帐未改动" in r.err
    assert snapshot(pair["city_db"]) == before
    r = pair["city"]("keys", "trust", str(other), "--replace")
    assert r.code == 0 and "已更换" in r.out
    # A file that is not a key: one sentence, nothing changed.
    for bad in (b"not json", b"[]", json.dumps(dict(exported, public_key="AAAA")).encode()):
        path = pair["dir"] / "坏.json"
        path.write_bytes(bad)
        r = pair["city"]("keys", "trust", str(path))
        assert r.code == 1 and "台帐未改动" in r.err and "内部错误" not in r.err


def test_results_carry_the_city_signature(pair):
    """The county takes the city's key on the first result; a send-back by another key is refused."""
    city, county, d = pair["city"], pair["county"], pair["dir"]
    assert city("receive", str(pair["pkg"]), "--date", "2026-11-18").code == 0
    back = d / "退回.lcqy"
    assert city("send-back", "1", "--reason", "属县级事权", "-o", str(back), "--date", "2026-11-19").code == 0
    with zipfile.ZipFile(back) as zf:
        assert "signature.json" in zf.namelist()
    forged = d / "伪退回.lcqy"
    forged.write_bytes(_rebuilt(back, _other_key))
    county_db = county.db
    first = d / "先到.lcqy"
    first.write_bytes(_rebuilt(back, signer_of(d / "city.db")))
    r = county("receive", str(first), "--date", "2026-11-20")
    assert r.code == 0 and "首次收到" in r.out
    before = snapshot(county_db)
    r = county("receive", str(forged), "--date", "2026-11-20")
    assert r.code == 1 and "签名密钥与本台帐记录的" in r.err
    assert snapshot(county_db) == before
