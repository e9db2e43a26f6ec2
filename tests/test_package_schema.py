"""Every field of every package member, of every wrong type: one sentence, exit 1, ledger unchanged."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import zipfile

import pytest
import test_exchange
from conftest import signer_of

from lcqy.rules.package import build_package

_built = test_exchange._built
WRONG = {"int": 7, "list": ["x"], "dict": {"a": 1}, "null": None, "bool": True, "10kB": "长" * 10_000}


@pytest.fixture(scope="module")
def packages(_built, tmp_path_factory):
    """An escalation (for the city), a result and a send-back (for the county), and the ledgers."""
    county, city, pkg, _ = _built
    base = tmp_path_factory.mktemp("schema")
    c2, k2 = base / "city.db", base / "county.db"
    shutil.copy(city, c2)
    shutil.copy(county, k2)

    def c(*args):
        r = test_exchange._cli("--db", str(c2), *args)
        assert r.code == 0, r.err
        return r

    c("receive", str(pkg), "--date", "2026-11-18")
    c("dispatch", "1", "--dept", "临沧供电局", "--approver", "市主任", "--level", "主任", "--date", "2026-11-19")
    c("reply", "1", "--result", "B", "--mode", "书面", "--summary", "正在增容", "--plan", "12月底前接电",
      "--plan-due", "2026-12-31", "--date", "2026-11-24")  # fmt: skip
    result = base / "结果.lcqy"
    c("send-result", "1", "-o", str(result), "--date", "2026-11-24")
    back_city = base / "city2.db"
    shutil.copy(city, back_city)
    r = test_exchange._cli("--db", str(back_city), "receive", str(pkg), "--date", "2026-11-18")
    assert r.code == 0
    back = base / "退回.lcqy"
    r = test_exchange._cli("--db", str(back_city), "send-back", "1", "--reason", "属县级事权", "-o", str(back))
    assert r.code == 0, r.err
    return {
        "escalation": (pkg, city, signer_of(county)),
        "result": (result, k2, signer_of(c2)),
        "send-back": (back, k2, signer_of(back_city)),
    }


def _paths(obj, prefix=()):
    """Every key path in a JSON value (a list's first item stands for the others)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list) and obj:
        yield (*prefix, 0)
        yield from _paths(obj[0], (*prefix, 0))


def _set(obj, path, value):
    for p in path[:-1]:
        obj = obj[p]
    obj[path[-1]] = value


def _get(obj, path):
    for p in path:
        obj = obj[p]
    return obj


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _variants(kind: str, pkg):
    """(name, changed manifest, changed case.json) for each field and wrong value."""
    m = _members(pkg)
    manifest = json.loads(m["manifest.json"])
    data = json.loads(m["case.json"])
    for path in _paths(data):
        for name, value in WRONG.items():
            d = copy.deepcopy(data)
            was = _get(d, path)
            _set(d, path, value)
            yield f"case.json:{'.'.join(map(str, path))}={name}:{type(was).__name__}", manifest, d
    for path in _paths({k: v for k, v in manifest.items() if k != "members"}):
        for name, value in WRONG.items():
            mf = copy.deepcopy(manifest)
            was = _get(mf, path)
            _set(mf, path, value)
            yield f"manifest:{'.'.join(map(str, path))}={name}:{type(was).__name__}", mf, data


def _build(pkg, manifest, data, sign) -> bytes:
    m = {n: b for n, b in _members(pkg).items() if n not in ("manifest.json", "signature.json", "case.json")}
    head = {k: v for k, v in manifest.items() if k not in ("members", "format", "version")}
    blob = build_package(head, data, m, sign=sign)
    if manifest.get("format") == "lcqy-exchange" and type(manifest.get("version")) is int and manifest["version"] == 1:
        return blob
    # format and version themselves changed: written into the manifest and signed again
    members = _members_of(blob)
    mf = json.loads(members["manifest.json"])
    mf["format"], mf["version"] = manifest.get("format"), manifest.get("version")
    members["manifest.json"] = json.dumps(mf, ensure_ascii=False).encode()
    members["signature.json"] = json.dumps(sign(members["manifest.json"])).encode()
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    return buf.getvalue()


def _members_of(blob: bytes):
    import io

    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", ["escalation", "result", "send-back"])
def test_every_field_of_every_wrong_type(kind, packages, run, tmp_path):
    pkg, ledger, sign = packages[kind]
    shutil.copy(ledger, run.db)
    bad = tmp_path / "坏.lcqy"
    said: dict[str, str] = {}
    accepted = []
    for name, manifest, data in _variants(kind, pkg):
        bad.write_bytes(_build(pkg, manifest, data, sign))
        before = _digest(run.db)
        r = run("receive", str(bad), "--date", "2026-11-26")
        assert "内部错误" not in r.err and "Traceback" not in r.err, (name, r.err)
        assert r.code in (0, 1), (name, r.err)
        if r.code == 1:
            assert r.err.startswith("错误：交换包 坏.lcqy 不能接收：") and r.err.strip().endswith("台帐未改动。"), (
                name,
                r.err,
            )
            assert r.err.count("\n") == 1, (name, r.err)  # one sentence
            assert _digest(run.db) == before, name
            said[name] = r.err
        else:  # a value that may be empty (null), of the right type: taken, never as a Python repr
            accepted.append(name)
            dump = "\n".join(__import__("sqlite3").connect(run.db).iterdump())
            assert "{'a': 1}" not in dump and "['x']" not in dump, name
            shutil.copy(ledger, run.db)
    # The wrong types are named with the field.
    same = {"int": "int", "list": "list", "dict": "dict", "bool": "bool"}
    for name, err in said.items():
        field, wrong = name.split("=")
        wrong, was = wrong.split(":")
        if wrong in same and same[wrong] != was:
            assert any(
                w in err for w in ("应为", "允许的值", "缺少", "不是", "未定义的字段", "不受支持", "交换包类型")
            ), (name, err)
    # Taken only: an empty optional field, or a value of the field's own type.
    assert all(n.split("=")[1].startswith("null:") or n.split("=")[1] in ("int:int", "bool:int") for n in accepted), [
        n for n in accepted if not n.split("=")[1].startswith("null:")
    ]


def test_the_reported_crashes(packages, run, tmp_path):
    """The ten fields that once ended in 内部错误, each now one sentence naming it."""
    cases = [
        ("escalation", ("manifest", ("type",)), ["x"], "未知的交换包类型"),
        ("escalation", ("data", ("attachments", 0, "member")), {"a": 1}, "attachments.0.member（附件成员名）应为文字"),
        ("escalation", ("data", ("escalation", "approver")), 5, "escalation.approver（签批领导）应为文字，包中是整数"),
        ("escalation", ("data", ("escalation", "instruction")), 5, "escalation.instruction（领导批示）应为文字"),
        ("escalation", ("data", ("escalation", "suggestion")), ["a"], "（办理建议）应为文字，包中是列表"),
        ("escalation", ("data", ("case", "enterprise")), {"a": 1}, "case.enterprise（企业名称）应为文字，包中是对象"),
        (
            "escalation",
            ("data", ("case", "remarks")),
            json.loads("[" * 900 + "]" * 900),
            "case.remarks（备注）应为文字",
        ),
        ("escalation", ("manifest", ("version",)), True, "不受支持"),
        ("escalation", ("manifest", ("version",)), 1.0, "不受支持"),
        ("result", ("data", ("reply", "summary")), 5, "reply.summary（办理情况）应为文字"),
        ("result", ("data", ("city", "lead_dept")), 5, "city.lead_dept（牵头部门）应为文字"),
        ("result", ("data", ("reply", "plan")), {"a": 1}, "reply.plan（措施和时限或说明）应为文字"),
        ("send-back", ("data", ("city", "reason")), 5, "city.reason（退回理由）应为文字"),
    ]
    bad = tmp_path / "坏.lcqy"
    for kind, (where, path), value, said in cases:
        pkg, ledger, sign = packages[kind]
        shutil.copy(ledger, run.db)
        m = _members(pkg)
        manifest, data = json.loads(m["manifest.json"]), json.loads(m["case.json"])
        _set(manifest if where == "manifest" else data, path, value)
        bad.write_bytes(_build(pkg, manifest, data, sign))
        before = _digest(run.db)
        r = run("receive", str(bad))
        assert r.code == 1 and said in r.err and "台帐未改动" in r.err, (path, r.err)
        assert _digest(run.db) == before


def test_field_labels_follow_the_registration_form():
    """The schema's names for the 登记表's fields are the form's own (rules sit below the acts)."""
    from lcqy.acts.intake.register import FIELDS
    from lcqy.rules.package_schema import CASE_LABELS

    assert CASE_LABELS == {k: label for k, (label, _) in FIELDS.items()}
