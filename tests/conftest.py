"""Tests run the real command line in-process; each gets its own ledger file via LCQY_DB."""

from __future__ import annotations

import io
import os
import sqlite3
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from lcqy.cli import main

# The holiday calendar's cache file goes to a folder of this run, never the user's own
# (set before anything loads the calendar; subprocesses inherit it).
if "LCQY_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["LCQY_CACHE_DIR"] = tempfile.mkdtemp(prefix="lcqy-test-cache-")

# No per-example deadline (the first call loads the holiday tables); in CI the examples are
# derandomized, so a run there is reproducible, while local runs keep exploring.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def first_unknown_year() -> int:
    """The first year whose official holiday schedule the installed `holidays` lacks (2027 with
    holidays 0.109): tests of estimates use it, so a newer package does not break them."""
    from lcqy.store.calendar_source import known_years

    return min(y for y in range(2026, 2100) if y not in known_years())


UNKNOWN = first_unknown_year()

# Tests of what only a POSIX system has (file mode bits, chmod advice) carry
# @pytest.mark.posix_only("why"): on Windows they are skipped with that reason. The rest of a
# test that merely also checks a mode uses assert_private, which says what Windows can check.
POSIX = os.name != "nt"


def pytest_configure(config):
    config.addinivalue_line("markers", "posix_only(reason): needs POSIX (mode bits, chmod); skipped on Windows")


def pytest_collection_modifyitems(config, items):
    if POSIX:
        return
    for item in items:
        mark = item.get_closest_marker("posix_only")
        if mark is not None:
            reason = mark.args[0] if mark.args else "needs a POSIX system"
            item.add_marker(pytest.mark.skip(reason=f"POSIX only: {reason}"))


def assert_private(path: Path) -> None:
    """R14: readable by its owner only. On Windows the file takes its folder's ACL (the README
    says so and `check` reminds once): there the mode bits say nothing and are not checked."""
    if POSIX:
        import stat

        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, oct(os.stat(path).st_mode)

DEPTS = ["区发展和改革局", "区自然资源局", "临翔供电局", "区人力资源和社会保障局", "区财政局", "区住房和城乡建设局"]


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(monkeypatch, tmp_path):
    """run(*args, today=...) -> Result, with LCQY_DB pointing at tmp_path/ledger.db."""
    db = tmp_path / "ledger.db"
    monkeypatch.setenv("LCQY_DB", str(db))
    monkeypatch.setenv("LCQY_TODAY", "2026-11-27")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("LCQY_NOW", raising=False)

    def _run(*args: str, today: str | None = None, stdin: str = "") -> Result:
        if today:
            monkeypatch.setenv("LCQY_TODAY", today)
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = 0
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return Result(code, out.getvalue(), err.getvalue())

    _run.db = db
    return _run


INIT = [
    "init",
    "--office-name",
    "临翔区服务企业发展领导小组办公室",
    "--prefix",
    "临翔",
    "--level",
    "county",
    "--clerk",
    "赵晓云",
]


@pytest.fixture
def ledger(run):
    """An initialised county ledger (临翔) with a department list."""
    r = run(*INIT)
    assert r.code == 0, r.err
    assert run("dept", "add", *DEPTS).code == 0
    return run


REG = {
    "--enterprise": "临沧南美坚果开发有限公司",
    "--category": "用电保障",
    "--channel": "来电反映",
    "--contact": "李华",
    "--phone": "0883-2123456",
    "--problem": "新上生产线需增容至800千伏安，报装后迟迟未接电",
    "--request": "请协调供电部门尽快完成增容接电",
}


def register_args(**over: str) -> list[str]:
    args = dict(REG)
    for k, v in over.items():
        args["--" + k.replace("_", "-")] = v
    flat: list[str] = []
    for k, v in args.items():
        if v is None:
            continue
        if v is True:
            flat.append(k)
        else:
            flat += [k, v]
    return flat


def snapshot(db: Path) -> list[str]:
    """Every row of every table, for 'nothing changed' checks."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def signer_of(db: Path):
    """Signs a manifest as the office whose ledger is `db`: hostile packages built with a real
    office's key, so that what is tested is the check after the signature's."""
    from types import SimpleNamespace

    from lcqy.store import keys

    def sign(raw: bytes) -> dict:
        conn = sqlite3.connect(db)
        try:
            return keys.sign(SimpleNamespace(conn=conn), raw)
        finally:
            conn.close()

    return sign


@pytest.fixture
def ctx(tmp_path):
    """An act context on a new county ledger (临翔) with the department list, today 2026-11-27,
    acting as the clerk (by=None). `ctx.as_user(name)` is the same ledger under another actor,
    as the web layer will call the acts."""
    from datetime import date

    from lcqy.acts.context import Ctx
    from lcqy.acts.departments import dept_add
    from lcqy.acts.office import init_ledger

    led = init_ledger(tmp_path / "ledger.db", office_name=INIT[2], prefix="临翔", level="county", clerk="赵晓云")
    c = Ctx(ledger=led, today=date(2026, 11, 27))
    dept_add(c, DEPTS)
    c.as_user = lambda name: Ctx(ledger=led, today=c.today, by=name)
    yield c
    led.close()


# A registration as the acts take it (the CLI's REG, by field name).
CASE_FIELDS = {
    "enterprise": "临沧南美坚果开发有限公司",
    "category": "用电保障",
    "channel": "来电反映",
    "contact": "李华",
    "phone": "0883-2123456",
    "problem": "新上生产线需增容至800千伏安，报装后迟迟未接电",
    "request": "请协调供电部门尽快完成增容接电",
}


def dead_pid() -> int:
    """The id of a process that has ended: a part file named by it is a killed run's leftover."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)
