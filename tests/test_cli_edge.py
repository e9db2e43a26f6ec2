"""The command line's edge, tried as a new clerk and a careless terminal would: help at 80
columns, typos, misplaced --db, --version, repeated options, foreign encodings, long names."""

from __future__ import annotations

import re

import typer

from lcqy import __version__
from lcqy.cli import load
from lcqy.rules.constants import APPROVAL_LEVELS, CATEGORIES, CLERK_CHANNELS
from tests.conftest import register_args, snapshot
from tests.test_core_cli import _walk

LONG = "长" * 90  # 270 bytes in UTF-8: over the 255-byte limit of one file name


def _flat(text: str) -> str:
    """Help text with the box drawing and the line breaks taken out, as a reader joins it."""
    return re.sub(r"[\s│╭╮╰╯─]", "", text)


def test_help_at_80_columns_wraps_never_truncates(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    root = typer.main.get_command(load())
    for path, _cmd in _walk(root):
        r = run(*path.split()[1:], "--help")
        assert r.code == 0, (path, r.err)
        assert "…" not in r.out, f"{path} --help cuts text:\n{r.out}"
        assert max(len(line) for line in r.out.splitlines()) <= 80
    flat = _flat(run("register", "--help").out)
    assert "、".join(CATEGORIES) in flat and "、".join(CLERK_CHANNELS) in flat
    flat = _flat(run("dispatch", "--help").out)
    assert "、".join(APPROVAL_LEVELS) in flat
    assert "不能晚于今天、不能早于上一步" in flat
    flat = _flat(run("--help").out)
    assert "备份台帐：得到一致的副本（其他命令正在写入也不影响），仅本人可读。" in flat


def test_typo_of_a_command_suggests_the_right_one(ledger):
    r = ledger("dispach", "1")
    assert r.code == 2 and "没有这个命令：dispach。您是否要用：dispatch" in r.err
    r = ledger("dept", "ad", "区财政局")
    assert r.code == 2 and "您是否要用：add？" in r.err
    r = ledger("shout")  # 0.67 like "show": too far to suggest
    assert r.code == 2 and "没有这个命令：shout。" in r.err and "您是否" not in r.err
    r = ledger("xyzzy")
    assert r.code == 2 and "没有这个命令：xyzzy。" in r.err and "您是否" not in r.err


def test_db_after_the_command_says_where_it_goes(ledger, tmp_path):
    r = ledger("list", "--db", str(tmp_path / "x.db"))
    assert r.code == 2
    assert "--db 是总选项，要写在命令之前，如：lcqy --db 台帐.db list …" in r.err
    r = ledger("dept", "list", "--db", "x.db")
    assert r.code == 2 and "lcqy --db 台帐.db dept list …" in r.err


def test_version(run):
    r = run("--version")
    assert r.code == 0 and r.out == f"lcqy {__version__}\n"


def test_repeated_single_value_option_is_refused(ledger):
    assert ledger("register", *register_args()).code == 0
    before = snapshot(ledger.db)
    r = ledger("dispatch", "1", "--dept", "区发展和改革局", "--dept", "区财政局", "--approver", "王", "--level", "主任")
    assert r.code == 2 and "选项 --dept 只能写一次" in r.err
    r = ledger(
        "dispatch", "1", "--dept", "区财政局", "--approver", "王", "--level", "主任",
        "--date", "2026-11-26", "--date", "",
    )  # fmt: skip
    assert r.code == 2 and "选项 --date 只能写一次" in r.err
    r = ledger("--db", str(ledger.db), "--db", str(ledger.db), "list")
    assert r.code == 2 and "选项 --db 只能写一次" in r.err
    assert snapshot(ledger.db) == before
    # An option that takes several values, and a repeated switch, stay allowed.
    r = ledger(
        "dispatch", "1", "--dept", "区财政局", "--assist", "区发展和改革局", "--assist", "区自然资源局",
        "--approver", "王", "--level", "副组长", "--json", "--json",
    )  # fmt: skip
    assert r.code == 0, r.err
    assert "区自然资源局" in ledger("show", "1").out


def test_non_utf8_argument_bytes_get_a_message(ledger):
    before = snapshot(ledger.db)
    gbk = "临沧坚果公司".encode("gbk").decode("utf-8", "surrogateescape")  # what Python makes of GBK argv
    r = ledger("register", *register_args(enterprise=gbk))
    assert r.code == 1
    assert "选项 --enterprise 的值含有无法识别的字符（按 GBK 读作“临沧坚果公司”）" in r.err
    assert "UTF-8" in r.err and "Traceback" not in r.err and "内部错误" not in r.err
    r = ledger("show", "\udcff")
    assert r.code == 1 and "第 2 个参数含有无法识别的字符" in r.err
    assert snapshot(ledger.db) == before


def test_file_names_over_255_bytes_get_a_message_naming_the_path(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ledger("register", *register_args(date="2026-11-02")).code == 0
    r = ledger("dispatch", "1", "--dept", "区财政局", "--approver", "王", "--level", "主任", "--date", "2026-11-02")
    assert r.code == 0, r.err
    before = snapshot(ledger.db)
    calls = [
        ("backup", f"{LONG}.db"),
        ("form", "register", "1", "-o", f"{LONG}.docx"),
        ("export-ledger", "-o", f"{LONG}.xlsx"),
        ("urge", "1", "-o", f"{LONG}.docx"),
        ("config", "templates", str(tmp_path / LONG)),
    ]
    for args in calls:
        r = ledger(*args)
        assert r.code == 1, (args, r.err)
        assert "文件名太长" in r.err and LONG in r.err, (args, r.err)
        assert "Traceback" not in r.err and "内部错误" not in r.err
    assert snapshot(ledger.db) == before


def test_gbk_ledger_path_and_gbk_answer_at_a_prompt(ledger, monkeypatch):
    import io
    import sys

    from lcqy.cli import main

    before = snapshot(ledger.db)
    monkeypatch.setenv("LCQY_DB", "台帐.db".encode("gbk").decode("utf-8", "surrogateescape"))
    r = ledger("list")
    assert r.code == 1 and "环境变量 LCQY_DB 的值含有无法识别的字符（按 GBK 读作“台帐.db”）" in r.err
    monkeypatch.setenv("LCQY_DB", str(ledger.db))

    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    gbk_answer = Terminal(io.BytesIO("临沧坚果公司\n".encode("gbk")), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", gbk_answer)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    args = [a for a in register_args() if a not in ("--enterprise", "临沧南美坚果开发有限公司")]
    try:
        main(["register", *args])
    except SystemExit as exc:
        assert exc.code == 1
    assert "输入的企业名称不是 UTF-8 编码（终端可能使用 GBK）" in err.getvalue()
    assert snapshot(ledger.db) == before


def test_command_index_matches_the_areas():
    """Each run loads only its command's area through lcqy/cli/_commands.py: the index must
    name every command and group of every area, and only those."""
    import importlib

    from lcqy import cli
    from lcqy.cli._commands import COMMANDS

    found = {}
    for area in cli._AREAS:
        probe = typer.Typer()
        importlib.import_module(f"lcqy.cli.{area}").register(probe)
        found.update({c.name: area for c in probe.registered_commands})
        found.update({g.name: area for g in probe.registered_groups})
    assert COMMANDS == found


def test_one_command_loads_one_area():
    """`lcqy overdue` imports the board area, not the Excel, document or exchange areas."""
    import subprocess
    import sys

    code = (
        "import sys; from lcqy import cli; cli.load('overdue'); "
        "print(sorted(cli._loaded), 'openpyxl' in sys.modules, 'docx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["['board']", "False", "False"]


def test_help_keeps_the_area_order_after_single_loads(run):
    """Commands run one at a time and then --help list the commands in the same order as a fresh --help."""
    from lcqy import cli

    fresh = [c.name for c in cli.load().registered_commands]
    run("overdue")
    run("report", "--help")
    assert [c.name for c in cli.load().registered_commands] == fresh
    assert fresh.index("init") < fresh.index("register") < fresh.index("overdue")
