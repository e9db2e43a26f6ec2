"""Every write command with hostile values: U+FFFE/U+FFFF, lone surrogates, controls, bidi
overrides, formulas, very long text and file names, odd dates, other offices' numbers.

After each call: no traceback and no 内部错误, exit code 0, 1 or 2; a refused call leaves the
ledger as it was; and whenever `check` passes, `export-ledger` works. Then every command of the
command line with random arguments, and hostile exchange packages through `receive`."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import zipfile
from pathlib import Path

import pytest
import test_exchange
from conftest import DEPTS, REG, signer_of, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lcqy.rules.constants import (
    APPROVAL_LEVELS,
    CATEGORIES,
    CHANNELS,
    FOLLOWUP_METHODS,
    REJECT_REASONS,
    REPLY_MODES,
    SATISFACTION,
    STATES,
    TIERS,
)
from lcqy.store.outputs import PART

SPECIAL = [
    "\ufffe", "\uffff", "\ufdd0", "\U0010ffff", "\ud800", "\udcff", "\x00", "\x07", "\x1b[2J", "\u202e",
    "x" * 3000, "临" * 201, "\n", "\r\n",
]  # fmt: skip
# Odd but acceptable: these get stored, and the export must still work.
ODD = [
    "=HYPERLINK(\"http://x\",\"y\")", "+1", "-1", "@x", "%", "_", "'; DROP TABLE cases; --", "Ａ", "其他", "其它",
    "{{ 7 }}", "{% for %}", "<w:t>", "&amp;", "\u3000临翔\u3000", "临" * 199, "😀", "\U00020000",
]  # fmt: skip
DATES = [
    "2026-02-30", "2026-13-01", "1999-12-31", "2100-01-01", "0", "-1", "２０２６－１０－１４", "2026/10/14",
    "20261014", "2026年10月14日", "2026-10-14T00:00", "9" * 30, "2027-01-01", "2026-10-01", "2026-10-10", "",
]  # fmt: skip
NAMES = ["x" * 300 + ".docx", "a\ufffe.docx", "\ud800.docx", "con.docx", ".docx", "a.txt", "sub", "x" * 300 + ".db"]

hostile = st.one_of(
    st.sampled_from(SPECIAL),
    st.sampled_from(ODD),
    st.sampled_from(ODD),
    st.text(max_size=20),
    st.tuples(st.text(max_size=4), st.sampled_from(SPECIAL), st.text(max_size=4)).map("".join),
)
date = st.one_of(st.sampled_from(DATES), hostile)
REFS = ["1", "2", "3", "4", "2026-2", "临翔服企办收（2026）第3号", "耿马服企办收（2026）第1号"]
case = st.one_of(st.sampled_from(REFS), hostile)


def either(valid: str, bad=hostile):
    """Mostly the valid value, so that calls also get through with a hostile value elsewhere."""
    return st.one_of(st.just(valid), st.just(valid), bad)


FIELDS = {**REG, "--address": "临翔区工业园区", "--email": "a@b.cn", "--title": "经理", "--remarks": "无"}


def _register():
    """A registration with one hostile field (or a hostile date), the others valid."""
    return st.tuples(st.sampled_from([*FIELDS, "--date", "--reported-on"]), hostile).map(
        lambda kv: ["register", *[x for k, v in {**FIELDS, kv[0]: kv[1]}.items() for x in (k, v)]]
    )


def _act(name: str, *parts):
    return st.tuples(*[p if isinstance(p, st.SearchStrategy) else st.just(p) for p in parts]).map(lambda t: [name, *t])


COMMANDS = st.one_of(
    _register(),
    _act("dispatch", case, "--dept", either(DEPTS[0]), "--approver", either("王"), "--level", either("组长"),
         "--date", either("2026-11-20", date)),
    _act("reply", case, "--result", either("A"), "--mode", either("书面"), "--summary", hostile, "--plan", hostile),
    _act("extend", case, "--until", either("2026-12-04", date), "--reason", hostile),
    _act("urge", case, "--note", hostile, "-o", either("u.docx", st.sampled_from(NAMES)), "--force"),
    _act("followup", case, "--method", either("电话回询"), "--satisfaction", either("满意"), "--note", hostile),
    _act("reject", case, "--reason", either("其他"), "--note", hostile),
    _act("void", case, "--reason", hostile),
    _act("forward", case, "--dept", either(DEPTS[1]), "--note", hostile),
    _act("escalate", case, "--approver", hostile, "--suggestion", hostile),
    _act("edit", case, "--field", st.sampled_from(["enterprise", "phone", "remarks", "accepted_by", "问题类别"]),
         "--value", hostile),
    _act("merge", case, "--into", case),
    _act("return", case, "--reason", hostile, "--date", date),
    _act("close", case, "--date", date),
    _act("dept", "add", hostile),
    _act("calendar", "set", date, either("holiday"), "--note", hostile),
    _act("backup", st.sampled_from(NAMES)),
    _act("form", "register", case, "-o", st.sampled_from(NAMES)),
    _act("config", "templates", hostile),
)  # fmt: skip


@settings(max_examples=70, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(args=COMMANDS)
def test_hostile_values_never_break_the_ledger(ledger, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    if not ledger.db.with_suffix(".ready").exists():
        for _ in range(3):
            assert ledger("register", *[x for kv in REG.items() for x in kv], "--date", "2026-11-16").code == 0
        r = ledger("dispatch", "1", "--dept", DEPTS[0], "--approver", "王", "--level", "组长", "--date", "2026-11-17")
        assert r.code == 0, r.err
        ledger.db.with_suffix(".ready").touch()
    # A process's arguments cannot hold NUL (execve ends each at the first one); text typed
    # at a prompt can, and the same checks see it there.
    args = [a.replace("\x00", "\x01") for a in args]
    before = snapshot(ledger.db)
    r = ledger(*args)
    said = r.out + r.err
    assert r.code in (0, 1, 2), (args, said)
    assert "Traceback" not in said and "内部错误" not in said, (args, said)
    if r.code != 0:
        assert snapshot(ledger.db) == before, args
        return
    if ledger("check").code == 0:
        r = ledger("export-ledger", "-o", str(tmp_path / "台帐.xlsx"), "--force")
        assert r.code == 0, (args, r.err)


def test_odd_but_valid_text_is_stored_and_exported(ledger, tmp_path):
    """The acceptable oddities, each stored in every kind of text field, still export."""
    import openpyxl

    for n, odd in enumerate(ODD, start=1):
        over = {"--enterprise": f"企{odd}"[:200], "--contact": odd}
        over |= {"--problem": odd, "--request": odd, "--remarks": odd}
        args = [x for k, v in {**FIELDS, **over}.items() for x in (k, v)]
        r = ledger("register", *args, "--date", "2026-11-16")
        assert r.code == 0, (odd, r.err)
        r = ledger(
            "dispatch", str(n), "--dept", DEPTS[0], "--approver", odd[:50], "--level", "组长", "--date", "2026-11-17"
        )
        assert r.code == 0, (odd, r.err)
        r = ledger("reply", str(n), "--result", "C", "--mode", "书面", "--summary", odd, "--plan", odd)
        assert r.code == 0, (odd, r.err)
    assert ledger("check").code == 0
    out = tmp_path / "台帐.xlsx"
    r = ledger("export-ledger", "-o", str(out))
    assert r.code == 0, r.err
    wb = openpyxl.load_workbook(out)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    formula = [c for c in cells if c.value.startswith("=HYPERLINK")]
    assert formula and all(c.data_type == "s" for c in formula)
    assert any("{{ 7 }}" in c.value for c in cells) and any("😀" in c.value for c in cells)


# -- every command of the command line, random arguments --------------------------------------
#
# The commands are read from the Typer app, so a new command is fuzzed the day it is added. Each
# call gets its required parameters and some of its others, each value either one the command
# could take (a case of the ledger, a department, a valid date) or a hostile one (random Unicode:
# CJK, combining marks, RTL, controls; bytes of another encoding; very long text; odd numbers and
# dates; paths to a FIFO, a directory, a missing file, the ledger itself, a hostile package). A
# fixed seed and a fixed number of calls: the same run everywhere, a few seconds in CI; more
# with LCQY_FUZZ_CALLS=N (calls per command) and another LCQY_FUZZ_SEED.


SEED = int(os.environ.get("LCQY_FUZZ_SEED", "20261207"))
CALLS = int(os.environ.get("LCQY_FUZZ_CALLS", "6"))  # per command
SAMPLE = Path(__file__).resolve().parents[1] / "sample_ledger.db"
# `serve` runs until stopped: with valid options it would never return.
NOT_FUZZED = {("serve",)}
HANG_SECONDS = 20

_built = test_exchange._built

_BLOCKS = [
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF),  # CJK, extension A, B
    (0x0300, 0x036F), (0x1AB0, 0x1AFF),  # combining marks
    (0x0590, 0x05FF), (0x0600, 0x06FF), (0x202A, 0x202E), (0x2066, 0x2069),  # RTL, bidi controls
    (0x0001, 0x001F), (0x007F, 0x009F),  # controls (no NUL: an argument cannot hold one)
    (0x0020, 0x007E), (0x3000, 0x303F), (0xFF00, 0xFFEF),  # ASCII, CJK punctuation, full width
    (0x2000, 0x200F), (0xFE00, 0xFE0F), (0xFFF0, 0xFFFF), (0xE000, 0xE0FF),  # spaces, variation, specials
    (0x1F300, 0x1F64F), (0xFDD0, 0xFDEF),  # emoji, noncharacters
]  # fmt: skip
NUMBERS = ["0", "-1", "-99999", "1", "2", "3", "7", "64", "1000", "99999999999999999999999", "1e3", "1.5", "٣",
           "３", "0x10", " 5", "nan", "-0", "2147483648", "1_000"]  # fmt: skip
DAYS = ["2026-11-27", "2026-11-20", "2026-10-14", "2026-02-30", "2026-13-01", "2026-00-10", "0000-00-00",
        "1900-01-01", "9999-12-31", "-2026-01-01", "2026-1-1", "２０２６－１１－２７", "2026/11/27", "20261127",
        "2026年11月27日", "2027-01-01", "2026-11-28", "2100-02-29", "today", ""]  # fmt: skip
MONTHS = ["2026-10", "2026-11", "2026-01", "2026-13", "2026-00", "2025-12", "0-0", "2026年10月", "2026-1", "9999-12"]


def _unicode(rng: random.Random, size: int | None = None) -> str:
    if size is None:
        size = rng.choice([0, 1, 2, 5, 12, 40, 200, rng.randint(1000, 6000)])
    out = []
    for _ in range(size):
        lo, hi = rng.choice(_BLOCKS)
        ch = rng.randint(lo, hi)
        out.append(chr(ch))
    return "".join(out)


def _bytes_text(rng: random.Random) -> str:
    """Bytes of another encoding (GBK, say), as Python receives them from a terminal."""
    raw = rng.choice(["临翔".encode("gbk"), rng.randbytes(rng.randint(1, 12)).replace(b"\0", b"")])
    return os.fsdecode(raw) if raw else "x"


class Hung(BaseException):
    """A command that did not return (reading a FIFO, say): not caught by the command line."""


class World:
    """The ledger copy, its cases and departments, and the paths the arguments point at."""

    def __init__(self, tmp: Path, packages: list[Path], source: Path):
        self.tmp = tmp
        self.db = tmp / "台帐.db"
        shutil.copy(source, self.db)
        os.chmod(self.db, 0o600)
        conn = sqlite3.connect(self.db)
        self.cases = [r[0] for r in conn.execute("SELECT reg_no FROM cases ORDER BY id")]
        self.depts = [r[0] for r in conn.execute("SELECT name FROM departments")]
        conn.close()
        self.fifo = tmp / "管道"
        os.mkfifo(self.fifo)
        (tmp / "目录").mkdir()
        self.plain = tmp / "说明.pdf"
        self.plain.write_bytes(b"%PDF-1.4 fuzz")
        (tmp / "表.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
        noise = random.Random(SEED).randbytes(5000)  # random bytes under names that promise more
        for name in ("随机.xlsx", "随机.json", "随机.lcqy", "随机.docx"):
            (tmp / name).write_bytes(noise)
        (tmp / "坏模板").mkdir()  # a template folder whose every template is noise
        for name in ("register", "dispatch", "escalate", "urge", "report", "receipt"):
            (tmp / "坏模板" / f"{name}.docx").write_bytes(noise)
        (tmp / "环").symlink_to(tmp / "环")
        self.inputs = [
            self.fifo, tmp / "目录", tmp / "没有.pdf", tmp / "没有目录" / "x.pdf", self.plain, tmp / "表.xlsx",
            tmp / "环", self.db, Path("/dev/null"), Path("/proc/self/status"), *packages,
            *[tmp / f"随机{s}" for s in (".xlsx", ".json", ".lcqy", ".docx")], tmp / "坏模板",
        ]  # fmt: skip

    def output(self, rng: random.Random) -> str:
        suffix = rng.choice([".docx", ".xlsx", ".lcqy", ".pdf", ".db", ".json", ".txt", ""])
        name = rng.choice(["输出", _unicode(rng, rng.randint(1, 30)), "长" * 90, "x" * 300, "con", ".hidden"])
        return str(rng.choice([
            self.tmp / f"{name}{suffix}", self.tmp / f"{name}{suffix}", self.fifo, self.tmp / "目录",
            self.tmp / "没有目录" / f"a{suffix}", self.db, self.plain, Path("/dev/null"), Path("/proc/x.docx"),
        ]))  # fmt: skip

    def hostile(self, rng: random.Random) -> str:
        pick = rng.randrange(10)
        if pick < 4:
            return _unicode(rng)
        if pick == 4:
            return _bytes_text(rng)
        if pick == 5:
            return rng.choice(NUMBERS)
        if pick == 6:
            return rng.choice(DAYS + MONTHS)
        if pick == 7:
            return str(rng.choice(self.inputs))
        if pick == 8:
            return rng.choice(SPECIAL + ODD)
        return rng.choice(self.cases) + _unicode(rng, rng.randint(0, 3))

    def plausible(self, rng: random.Random, name: str) -> str | None:
        """A value the parameter could take, by its name (None: no better idea than hostile)."""
        pools = {
            "case": self.cases + ["1", "2026-2", "临翔服企办收（2026）第3号"],
            "into": self.cases,
            "dept": self.depts, "assist": self.depts, "old": self.depts, "new": ["新部门", *self.depts],
            "name": self.depts, "names": ["新设局", *self.depts],
            "result": ["A", "B", "C", "a"], "mode": list(REPLY_MODES), "satisfaction": list(SATISFACTION),
            "method": list(FOLLOWUP_METHODS), "level": list(APPROVAL_LEVELS), "tier": list(TIERS),
            "category": list(CATEGORIES), "channel": list(CHANNELS), "state": list(STATES),
            "status": list(STATES.values()), "reason": list(REJECT_REASONS) + ["企业撤回"],
            "supervision": ["ledger", "special", "督办台帐"], "by": ["dept", "category", "month"],
            "paper": ["A3", "A4", "a4"], "role": ["dept", "leader", "clerk"], "login": ["zhang", "admin"],
            "field": ["enterprise", "phone", "remarks", "problem", "category"], "key": ["templates", "letterhead",
            "report", "evaluation"], "value": ["是", "否", "-"], "ident": ["1", "2", "ABCD-1234"],
            "phone": ["0883-2123456", "13912345678"], "email": ["a@b.cn"], "day": DAYS, "month": MONTHS,
            "year": ["2026", "2025", "2027"], "n": ["1", "2"], "limit": ["5"], "within": ["3"], "issue": ["1", "12"],
        }  # fmt: skip
        if name == "kind":
            pool = ["register", "dispatch", "escalate", "urge", "instruction", "receipt", "登记表", "督办函",
                    "holiday", "workday", "批示笺", "企业材料"]  # fmt: skip
        elif name in ("date", "reported_on", "until", "plan_due", "as_of", "date_from", "date_to", "received"):
            pool = DAYS
        elif name in ("output",):
            return self.output(rng)
        elif name in ("file", "files", "templates", "package"):
            return str(rng.choice(self.inputs))
        else:
            pool = pools.get(name)
        return rng.choice(pool) if pool else None


def _leaves(group, path=()):
    if hasattr(group, "list_commands"):
        for name in group.list_commands(None):
            yield from _leaves(group.get_command(None, name), (*path, name))
    else:
        yield path, group


def all_commands():
    import typer

    from lcqy.cli import load

    return [(p, c) for p, c in _leaves(typer.main.get_command(load())) if p not in NOT_FUZZED]


def _arguments(rng: random.Random, world: World, path: tuple, command) -> list[str]:
    args = list(path)
    params = [p for p in command.params if p.name != "help"]
    # Half the calls are valid but for one value, to get past the first check into the act.
    spoiled = rng.choice(params).name if params and rng.random() < 0.5 else None
    for p in params:
        flag = getattr(p, "is_flag", False)
        if not p.required and rng.random() > (0.5 if flag else 0.4) and p.name != spoiled:
            continue
        if flag:
            args.append(p.opts[0])
            continue
        many = getattr(p, "multiple", False) or p.nargs == -1
        for _ in range(rng.choice([1, 1, 2, 3]) if many else 1):
            if spoiled is not None:
                value = None if p.name == spoiled else world.plausible(rng, p.name)
            else:
                value = world.plausible(rng, p.name) if rng.random() < 0.6 else None
            value = world.hostile(rng) if value is None else value
            if p.param_type_name == "option":
                args += [rng.choice(p.opts), value]
            else:
                args.append(value)
    roll = rng.random()
    if roll < 0.05:
        args.append("--" + _unicode(rng, 3))  # no such option
    elif roll < 0.1:
        args.append(world.hostile(rng))  # one argument too many
    elif roll < 0.13 and len(args) > len(path) + 1:
        args.insert(len(path), "--json")
    return [a.replace("\x00", "\x01") for a in args]  # a process's arguments cannot hold NUL


def _dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _on_alarm(signum, frame):
    raise Hung()


def _checked(run, args: list[str], failures: list, before: list[str], db: Path, folder: Path) -> list[str]:
    """Run one call; note what is wrong with it; the ledger's dump after it."""
    good = db.with_name(db.name + ".good")
    shutil.copy(db, good)  # to go on after a call that destroys the ledger
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(HANG_SECONDS)
    try:
        r = run(*args)
    except Hung:
        failures.append((args, "hung", ""))
        return _dump(db)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    said = r.out + r.err
    if r.code == 3 or "内部错误" in said or "Traceback" in said:
        failures.append((args, r.code, said[-800:]))
    try:
        after = _dump(db)
    except sqlite3.DatabaseError as exc:  # the ledger file itself written over
        failures.append((args, f"the ledger is no longer a database ({exc})", said[-300:]))
        shutil.copy(good, db)
        return before
    if r.code != 0 and after != before:
        failures.append((args, f"refused ({r.code}) but the ledger changed", r.err[-300:]))
    left = [p.name for p in folder.rglob(f"*{PART}*")]
    if left:
        failures.append((args, "part files left", left))
        for p in folder.rglob(f"*{PART}*"):
            p.unlink()
    return after


def _hostile_packages(folder: Path, county: Path, pkg: Path, rng: random.Random) -> list[Path]:
    """The escalation package of `county`, made hostile in every way the receiver checks, most
    signed with the county's own key so that the checks after the signature's are reached."""
    import test_package_schema as schema

    from lcqy.rules.package import build_package

    sign = signer_of(county)
    out = [test_exchange._hostile(pkg, kind, folder, sign=sign) for kind in sorted(test_exchange.HOSTILE)]
    members = test_exchange._members(pkg)

    def rebuilt(name: str, change) -> Path:
        m = dict(members)
        manifest = json.loads(m.pop("manifest.json"))
        m.pop("signature.json")
        data = json.loads(m.pop("case.json"))
        manifest = {k: v for k, v in manifest.items() if k not in ("members", "format", "version")}
        blob = build_package(*change(manifest, data, m), sign=sign)
        path = folder / f"{name}.lcqy"
        path.write_bytes(blob)
        return path

    # A huge manifest, signed.
    out.append(rebuilt("大清单", lambda mf, d, m: ({**mf, "note": "长" * 3_000_000}, d, m)))
    # An attachment member marked as a symbolic link (to /etc/passwd), its hash and signature valid.
    link = folder / "符号链接.lcqy"
    with zipfile.ZipFile(pkg) as src, zipfile.ZipFile(link, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("附件/"):
                info.external_attr = (0o120777 << 16) | info.external_attr
                info.create_system = 3
            dst.writestr(info, body)
    out.append(link)
    # Wrong types in every field (a sample of them, by the seed).
    variants = list(schema._variants("escalation", pkg))
    for i, (what, manifest, data) in enumerate(rng.sample(variants, min(40, len(variants)))):
        # Named by the change (case.json:case.phone=int:str): a value that may be empty (null),
        # or of the field's own type, is taken.
        kept = what.split("=")[1].startswith("null:") or what.split("=")[1] in ("int:int", "bool:int")
        path = folder / f"{'可收' if kept else '错类型'}{i}.lcqy"
        path.write_bytes(schema._build(pkg, manifest, data, sign))
        out.append(path)
    # Random bytes changed, random lengths cut.
    raw = pkg.read_bytes()
    for i in range(12):
        b = bytearray(raw)
        for _ in range(rng.choice([1, 4, 64])):
            b[rng.randrange(len(b))] = rng.randrange(256)
        (folder / f"改字节{i}.lcqy").write_bytes(bytes(b))
        (folder / f"截断{i}.lcqy").write_bytes(raw[: rng.randrange(len(raw))])
        out += [folder / f"改字节{i}.lcqy", folder / f"截断{i}.lcqy"]
    (folder / "空.lcqy").write_bytes(b"")
    out.append(folder / "空.lcqy")
    return out


def _report(failures: list) -> str:
    return "\n".join(f"{args!r}\n  -> {what}: {said}" for args, what, said in failures[:15])


@pytest.mark.posix_only("FIFOs, SIGALRM")
@pytest.mark.parametrize("level", ["county", "city"])
def test_every_command_with_random_arguments(run, tmp_path, monkeypatch, _built, level):
    """Every command, random arguments, on the county's sample ledger and on a city ledger
    holding a county's escalation: never 内部错误 (exit 3) or a traceback, a refused call
    leaves the ledger's dump as it was, and no part file is left behind."""
    county, city, pkg, _ = _built
    rng = random.Random(f"{SEED}-{level}")
    hostile = tmp_path / "包"
    hostile.mkdir()
    source = SAMPLE
    if level == "city":
        source = tmp_path / "市.db"
        shutil.copy(city, source)
        assert run("--db", str(source), "receive", str(pkg), "--date", "2026-11-18").code == 0
    world = World(tmp_path, _hostile_packages(hostile, county, pkg, rng)[::6], source)
    monkeypatch.setenv("LCQY_DB", str(world.db))
    monkeypatch.chdir(tmp_path)
    commands = all_commands()
    assert len(commands) > 60 and ("register",) in [p for p, _ in commands]
    failures: list = []
    assert run("check").code == 0  # at this version's schema: nothing to migrate
    before = _dump(world.db)
    calls = [(path, command) for path, command in commands for _ in range(CALLS if level == "county" else CALLS // 3)]
    rng.shuffle(calls)
    for path, command in calls:
        before = _checked(run, _arguments(rng, world, path, command), failures, before, world.db, tmp_path)
    assert not failures, f"{len(failures)} of {len(calls)} calls went wrong:\n{_report(failures)}"


@pytest.mark.posix_only("symbolic links in a zip")
def test_hostile_packages_are_refused_in_one_sentence(run, tmp_path, _built):
    """Truncated, a zip bomb, members escaping the folder or linking elsewhere, a huge manifest,
    wrong types in every field, random bytes changed: received by the city, each is refused (or,
    harmless, taken) without 内部错误, and a refused one leaves the city's ledger as it was."""
    county, city, pkg, _ = _built
    rng = random.Random(SEED)
    folder = tmp_path / "包"
    folder.mkdir()
    packages = _hostile_packages(folder, county, pkg, rng)
    shutil.copy(city, run.db)
    clean = run.db.read_bytes()
    failures: list = []
    taken = []
    for path in packages:
        before = _dump(run.db)
        after = _checked(run, ["receive", str(path), "--date", "2026-11-18"], failures, before, run.db, folder)
        if after != before:
            taken.append(path.name)
            run.db.write_bytes(clean)
    assert not failures, _report(failures)
    # Taken only: an empty optional field, or the attachment marked as a link (stored as the
    # bytes it holds; nothing is made a link on the disk).
    assert all(n.startswith("可收") or n == "符号链接.lcqy" for n in taken), taken
    assert not [p for p in tmp_path.rglob("*") if p.is_symlink()] and not (tmp_path / "evil.txt").exists()


# -- what the fuzz found ------------------------------------------------------------------------

pair = test_exchange.pair


def _spoiled(pkg: Path, out: Path, member: str, method: int) -> Path:
    """The package with `member` compressed by `method` and its compressed bytes spoiled: the
    zip's directory is whole, the stream cannot be expanded."""
    members = test_exchange._members(pkg)
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body, compress_type=method if name == member else zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(out) as zf:
        info = zf.getinfo(member)
    raw = bytearray(out.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start : start + 8] = b"\xff" * 8
    out.write_bytes(bytes(raw))
    return out


def test_a_member_that_cannot_be_expanded_is_refused(pair):
    """A changed byte in a member's deflate stream (zlib.error: invalid distance too far back)
    once ended in 内部错误; an LZMA member likewise (lzma.LZMAError)."""
    for method, name in ((zipfile.ZIP_DEFLATED, "坏流.lcqy"), (zipfile.ZIP_LZMA, "坏LZMA.lcqy")):
        bad = _spoiled(pair["pkg"], pair["dir"] / name, "case.json", method)
        before = snapshot(pair["city_db"])
        r = pair["city"]("receive", str(bad), "--date", "2026-11-18")
        assert r.code == 1, r.err
        assert r.err == f"错误：交换包 {name} 不能接收：文件已损坏（成员无法解压或校验和不符）。台帐未改动。\n"
        assert snapshot(pair["city_db"]) == before
