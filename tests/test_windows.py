"""The office's Windows PC, simulated here: a GBK (cp936) console or pipe, files held open by
Excel/WPS, paths as cmd and PowerShell pass them, UNC ledgers, device names in packages."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import pytest

from lcqy.cli import os_message
from lcqy.errors import LcqyError
from lcqy.rules.filenames import is_reserved_name, name_problem, utf16_units, windows_safe_name
from lcqy.store.calendar_source import cache_dir
from lcqy.store.db import expand_path, sqlite_uri
from tests.conftest import INIT, register_args, snapshot

SAMPLE = Path(__file__).resolve().parent.parent / "sample_ledger.db"
HARD = "®©™€•\u00a0𠮷"  # what GBK lacks (or, for the non-breaking space, misprints)


def _lcqy(args: list[str], db: Path, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "LCQY_DB": str(db), "LCQY_TODAY": "2026-11-27", **env}
    full.pop("COLUMNS", None)
    return subprocess.run([sys.executable, "-m", "lcqy", *args], capture_output=True, env=full, timeout=120)


def _sharing_violation(src, dst, *args, **kwargs):
    """os.replace onto a file Excel or WPS holds open, as Windows reports it."""
    exc = PermissionError(errno.EACCES, "另一个程序正在使用此文件，进程无法访问。", str(src), None, str(dst))
    exc.winerror = 32
    raise exc


# -- output through a cp936 pipe -------------------------------------------------------------
def test_gbk_pipe_never_crashes_and_json_stays_utf8(ledger):
    name = f"临沧{HARD}坚果公司"
    problem = f"设备标牌“{HARD}”…—─ 无法识别"
    assert ledger("register", *register_args(enterprise=name, problem=problem)).code == 0
    assert ledger("dispatch", "1", "--dept", "区财政局", "--approver", "张主任", "--level", "主任").code == 0
    for args in (
        ["list"],
        ["show", "1"],
        ["overdue", "--as-of", "2026-12-31"],
        ["agenda"],
        ["stats", "--by", "dept"],
        ["report", "--month", "2026-11"],
        ["list", "--text", "坚果"],
    ):
        r = _lcqy(args, ledger.db, PYTHONIOENCODING="cp936")
        assert r.returncode == 0, (args, r.stderr.decode("gbk", "replace"))
        text = r.stdout.decode("cp936")  # what the console shows: GBK throughout, ? for the rest
        assert "内部错误" not in r.stderr.decode("cp936")
        if args[0] in ("list", "show"):
            assert "临沧" in text and "坚果公司" in text, text
    for args in (["list", "--json"], ["show", "1", "--json"], ["stats", "--json"]):
        r = _lcqy(args, ledger.db, PYTHONIOENCODING="cp936")
        assert r.returncode == 0, r.stderr.decode("gbk", "replace")
        data = json.loads(r.stdout.decode("utf-8"))  # UTF-8 bytes whatever the console
        if args[0] == "list":
            assert data[0]["enterprise"] == name
        if args[0] == "show":
            assert data["enterprise"] == name and data["problem"] == problem


def test_gbk_console_counts_ambiguous_characters_wide(ledger):
    """On a cp936 console … “ ” take two cells: the columns after them stay aligned."""
    assert ledger("register", *register_args(enterprise="“甲”…公司")).code == 0
    assert ledger("register", *register_args(enterprise="乙公司")).code == 0
    r = _lcqy(["list"], ledger.db, PYTHONIOENCODING="cp936")
    lines = r.stdout.decode("cp936").splitlines()
    rows = [ln for ln in lines if "公司" in ln]
    # The category column starts at the same cell in both rows, counting “ ” … as two cells.
    from lcqy.cli import _rows

    _rows.set_ambiguous_wide(True)
    try:
        starts = {_rows.cells(ln[: ln.index("用电保障")]) for ln in rows}
    finally:
        _rows.set_ambiguous_wide(False)
    assert len(rows) == 2 and len(starts) == 1, lines


# -- OS errors, Windows' included ------------------------------------------------------------
@pytest.mark.parametrize(
    ("winerror", "said"),
    [
        (32, "文件正被 Excel/WPS 打开，请先关闭"),
        (5, "没有权限"),
        (123, "Windows 不允许的字符"),
        (206, "文件名或路径太长"),
    ],
)
def test_windows_errors_are_sentences_naming_the_target(winerror, said):
    exc = OSError(errno.EINVAL, "系统错误", r"C:\台帐\.简报.docx.part", None, r"C:\台帐\简报.docx")
    exc.winerror = winerror
    msg = os_message(exc)
    assert said in msg and r"C:\台帐\简报.docx" in msg and ".part" not in msg


def test_an_unknown_os_error_still_names_the_file():
    msg = os_message(OSError(errno.ENOTCONN, "Transport endpoint is not connected", "/mnt/共享/台帐.db"))
    assert msg.startswith("文件 /mnt/共享/台帐.db 无法使用：") and f"错误码 {errno.ENOTCONN}" in msg


def test_open_file_refused_with_its_name_for_form_export_and_backup(ledger, tmp_path, monkeypatch):
    assert ledger("register", *register_args()).code == 0
    assert ledger("dispatch", "1", "--dept", "区财政局", "--approver", "张主任", "--level", "主任").code == 0
    monkeypatch.setattr(os, "replace", _sharing_violation)
    for args, target in (
        (["form", "register", "1", "-o"], tmp_path / "登记表.docx"),
        (["export-ledger", "-o"], tmp_path / "问题台帐.xlsx"),
        (["backup"], tmp_path / "台帐备份.db"),
    ):
        before = snapshot(ledger.db)
        r = ledger(*args, str(target))
        assert r.code == 1, (args, r.err)
        assert "文件正被 Excel/WPS 打开，请先关闭" in r.err and str(target) in r.err, r.err
        assert "内部错误" not in r.err and "Traceback" not in r.err
        assert snapshot(ledger.db) == before
        assert not target.exists()


# -- paths as Windows users write them -------------------------------------------------------
def test_tilde_and_variables_in_db(run, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("LCQY_HOME_DIR", str(tmp_path / "办公室"))
    monkeypatch.delenv("LCQY_DB")
    r = run("--db", "~/台帐.db", *INIT)
    assert r.code == 0, r.err
    assert (tmp_path / "台帐.db").is_file() and not Path("~").exists()
    monkeypatch.setenv("LCQY_DB", "$LCQY_HOME_DIR/ledger.db")
    assert run(*INIT).code == 0
    assert (tmp_path / "办公室" / "ledger.db").is_file()
    assert run("--db", "~/台帐.db", "list").code == 0


def test_windows_forms_of_paths():
    env = {"USERPROFILE": r"C:\Users\zhao", "LOCALAPPDATA": r"C:\Users\zhao\AppData\Local", "OneDrive": r"D:\云盘"}
    assert expand_path(r"~\台帐.db", env, windows=True) == r"C:\Users\zhao\台帐.db"
    local = r"C:\Users\zhao\AppData\Local\lcqy\ledger.db"
    assert expand_path(r"%LocalAppData%\lcqy\ledger.db", env, windows=True) == local
    assert expand_path(r"$env_missing\%NOPE%\x.db", env, windows=True) == r"$env_missing\%NOPE%\x.db"
    assert expand_path(r"%ONEDRIVE%\台帐.db", env, windows=True) == r"D:\云盘\台帐.db"
    assert expand_path("%HOME%/x.db", {"HOME": "/home/zhao"}, windows=False) == "%HOME%/x.db"
    assert cache_dir(env, windows=True) == r"C:\Users\zhao\AppData\Local\lcqy\cache"
    assert cache_dir({"USERPROFILE": r"C:\Users\li"}, windows=True) == r"C:\Users\li\AppData\Local\lcqy\cache"


def test_default_ledger_is_local_not_roaming(monkeypatch):
    import typer

    from lcqy.cli import _common

    calls = []
    monkeypatch.setattr(typer, "get_app_dir", lambda name, roaming=True: calls.append(roaming) or "/x")
    assert _common.default_db() == Path("/x/ledger.db") and calls == [False]


def test_unc_path_opens_in_check(ledger, tmp_path):
    # The URI of a \\server\share ledger keeps the server in the path: SQLite refuses a URI
    # with a host ("invalid uri authority"), which check took for a damaged file.
    unc = PureWindowsPath(r"\\服务器\共享\临翔 台帐#1.db")
    assert unc.as_uri().startswith("file://") and not unc.as_uri().startswith("file:////")
    assert (
        sqlite_uri(unc, windows=True)
        == "file:////%E6%9C%8D%E5%8A%A1%E5%99%A8/%E5%85%B1%E4%BA%AB/%E4%B8%B4%E7%BF%94%20%E5%8F%B0%E5%B8%90%231.db?mode=ro"
    )  # noqa: E501
    assert sqlite_uri(PureWindowsPath(r"Z:\台帐.db"), windows=True).startswith("file:///Z:/")
    with pytest.raises(sqlite3.OperationalError, match="authority"):
        sqlite3.connect("file://server/share/ledger.db?mode=ro", uri=True)
    # The same form on this system: an empty authority and the path whole after it.
    conn = sqlite3.connect("file:///" + "/" + str(ledger.db).lstrip("/") + "?mode=ro", uri=True)
    assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
    conn.close()
    # A ledger named through a path with a host-like head (//…) passes check.
    r = ledger("--db", "/" + str(ledger.db), "check")
    assert r.code == 0 and "损坏" not in r.out + r.err, r.out + r.err


def test_failed_init_removes_its_file_even_when_open(run, tmp_path, monkeypatch):
    """Windows cannot delete an open file: the connection is closed before the removal, and a
    removal that still fails does not hide the first error."""
    from lcqy.store import db

    monkeypatch.setattr(db.Ledger, "_migrate", lambda self: (_ for _ in ()).throw(db.LcqyError("迁移失败（测试）")))
    r = run(*INIT)
    assert r.code == 1 and "迁移失败（测试）" in r.err
    assert not run.db.exists()


def test_windows_permission_remark_once_in_check_never_on_writes(ledger, monkeypatch):
    from lcqy.acts.checks import warnings
    from lcqy.store import db

    monkeypatch.setattr(db, "WINDOWS", True)
    monkeypatch.setattr(warnings, "WINDOWS", True)
    os.chmod(ledger.db, 0o644)
    try:
        r = ledger("register", *register_args())
        assert r.code == 0 and "chmod" not in r.err and "权限" not in r.err
        r = ledger("check")
        assert r.code == 0
        said = r.out + r.err
        assert said.count("由其所在文件夹的权限决定") == 1 and "chmod" not in said, said
    finally:
        os.chmod(ledger.db, 0o600)


# -- names Windows refuses -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["CON", "con.docx", "NUL", "nul.txt", "Com1.pdf", "LPT9", "AUX .doc", "COM¹.x"])
def test_device_names(name):
    assert is_reserved_name(name) and name_problem(name)
    safe = windows_safe_name(name)
    assert not is_reserved_name(safe) and name_problem(safe) is None and safe.startswith("_")


@pytest.mark.parametrize("name", ["CONFIG.docx", "console.pdf", "COM10.txt", "企业情况说明.pdf", "nul_1.doc"])
def test_ordinary_names_pass_unchanged(name):
    assert not is_reserved_name(name) and name_problem(name) is None and windows_safe_name(name) == name


def test_names_made_safe():
    assert windows_safe_name('问题?清单*<1>:"2"|.xlsx') == "问题_清单__1___2__.xlsx"
    assert windows_safe_name("答复. ") == "答复" and windows_safe_name("...") == "_"
    long = "临" * 300 + ".docx"
    assert utf16_units(windows_safe_name(long)) == 255 and windows_safe_name(long).endswith("临.docx")
    # Counted as Windows counts: 𠮷 is two UTF-16 units, one character.
    assert utf16_units("𠮷") == 2 and utf16_units(windows_safe_name("𠮷" * 200 + ".pdf")) <= 255
    assert "个字符" in name_problem("临" * 256)


def test_reserved_names_in_an_incoming_package_member():
    """Package members are read by lcqy.rules.package; what their names become on disk."""
    for member in ("附件/CON.pdf", "附件/nul", "附件/aux.docx", "附件/lpt1.xls"):
        leaf = member.rsplit("/", 1)[1]
        assert name_problem(leaf) is not None
        assert windows_safe_name(leaf) == "_" + leaf


# -- terminal output at any width (issue 20, item 5) -----------------------------------------
def _sample(tmp_path: Path) -> Path:
    db = tmp_path / "sample.db"
    shutil.copyfile(SAMPLE, db)
    db.chmod(0o600)
    return db


def _shown_values(row: dict) -> list[str]:
    from lcqy.rules.figures import fmt_rate

    out = []
    for key, value in row.items():
        if key in ("key", "office_name", "office", "months"):
            continue
        if isinstance(value, float) and ("rate" in key):
            out.append(fmt_rate(value))
        elif value is None:
            out.append("—")
        elif isinstance(value, (int, float, str)):
            out.append(str(value))
    return out


def _check_text(text: str, width: int) -> None:
    from lcqy.cli._rows import cells

    for line in text.splitlines():
        assert cells(line) <= width, f"wider than {width}: {line!r}"
        assert not line.startswith(("，", "。", "、", "；", "：", "）")), line


def _records_found(text: str, rows: list[dict], key: str) -> None:
    """Each record's every figure is in the text after its name and before the next one's."""
    at = 0
    text = "\n" + text
    for i, row in enumerate(rows):
        start = text.index("\n" + row[key], at)  # a record's name starts its line
        following = [text.find("\n" + r[key], start + 1) for r in rows[i + 1 :]]
        end = min([p for p in following if p > 0], default=len(text))
        chunk = text[start:end]
        for value in _shown_values({k: v for k, v in row.items() if k != key}):
            assert value in chunk, f"{row[key]}: {value} not shown in\n{chunk}"
        at = start + 1


@pytest.mark.parametrize("by", ["dept", "category", "channel", "month"])
def test_stats_readable_at_80_columns_and_piped(run, tmp_path, monkeypatch, by):
    db = _sample(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    data = json.loads(run("--db", str(db), "stats", "--by", by, "--json").out)
    for text in (run("--db", str(db), "stats", "--by", by).out, _lcqy(["stats", "--by", by], db).stdout.decode()):
        _check_text(text, 80)
        _records_found(text, data["rows"], "key")


def test_figures_and_report_readable_at_80_columns(run, tmp_path, monkeypatch):
    from lcqy.rules.month_figures import SHOWN_COUNTS, SHOWN_RATES

    db = _sample(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    lines = json.loads(run("--db", str(db), "figures", "2026-11", "--json").out)
    for text in (run("--db", str(db), "figures", "2026-11").out, _lcqy(["figures", "2026-11"], db).stdout.decode()):
        _check_text(text, 80)
        shown = [{k: x[k] for k in ("office_name", "as_of", *SHOWN_COUNTS, *SHOWN_RATES)} for x in lines]
        _records_found(text, shown, "office_name")
    data = json.loads(run("--db", str(db), "report", "--month", "2026-11", "--json").out)
    text = run("--db", str(db), "report", "--month", "2026-11").out
    _check_text(text, 80)
    from lcqy.rules.figures import fmt_rate

    depts = [
        {"dept": d["dept"], **{k: d[k] for k in ("dispatched", "replies", "late_reply", "urges")},
         "on_time_completion_rate": fmt_rate(d["on_time_completion_rate"])}
        for d in data["departments"]
    ]  # fmt: skip
    _records_found(text[text.index("承办单位办理情况") :], depts, "dept")
    for r in data["late_cases"][:30]:
        assert r["case"] in text and r["due"] in text
    for u in data["units_to_name"]:
        assert u["dept"] in text


def test_wide_table_stays_one_row_a_line_when_it_fits(run, tmp_path, monkeypatch):
    db = _sample(tmp_path)
    monkeypatch.setenv("COLUMNS", "400")
    text = run("--db", str(db), "stats", "--by", "category").out
    assert any(line.startswith("用电保障 ") for line in text.splitlines()), text


def test_help_never_cuts_an_option_name_at_60_columns(run, monkeypatch):
    from lcqy.cli import load
    from lcqy.cli._rows import cells

    monkeypatch.setenv("COLUMNS", "60")
    app = load()
    import typer

    group = typer.main.get_command(app)
    names = sorted(group.list_commands(None))
    assert "report" in names and "stats" in names
    for name in names:
        cmd = group.get_command(None, name)
        subs = [(name, cmd)]
        if hasattr(cmd, "list_commands"):
            subs = [(f"{name} {s}", cmd.get_command(None, s)) for s in cmd.list_commands(None)]
        for words, sub in subs:
            r = run(*words.split(), "--help")
            assert r.code == 0, (words, r.err)
            assert "…" not in r.out, (words, r.out)
            for param in sub.params:
                for opt in param.opts:
                    if opt.startswith("--"):
                        assert opt in r.out, (words, opt, r.out)
            for line in r.out.splitlines():
                assert cells(line) <= 60, (words, line)
                inner = line.strip("│ ").lstrip()
                assert not inner.startswith(("，", "。", "、", "）")), (words, line)


# -- the README's Windows commands are what CI on Windows runs -------------------------------
def test_readme_windows_commands_are_the_ones_ci_runs():
    import re

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### 在 Windows 上") : readme.index("## 日常使用")]
    ci = (root / ".ci" / "run.ps1").read_text(encoding="utf-8")
    steps = re.findall(r"^Step \{ (.*) \}$", ci, re.M)
    blocks = dict(re.findall(r"```(bat|powershell)\n(.*?)```", section, re.S))
    assert set(blocks) == {"bat", "powershell"}
    powershell = [ln for ln in blocks["powershell"].splitlines() if ln.strip()]
    cmd = [c.strip() for ln in blocks["bat"].splitlines() if ln.strip() and not ln.startswith("rem ")
           for c in ln.split("&&")]  # fmt: skip
    # PowerShell's lines are CI's steps in order; cmd's chains are the same commands.
    assert powershell == [s for s in steps if s in powershell] and len(powershell) >= 5
    assert all(c in steps for c in cmd), [c for c in cmd if c not in steps]
    assert steps[-1] == ".venv\\Scripts\\python -m pytest -q" and not any("&&" in s for s in steps)
    # No bash in the Windows commands.
    assert not re.search(r"python3|\.venv/bin|export |\\$", blocks["bat"] + blocks["powershell"], re.M)


def test_init_on_windows_offers_documents(run, monkeypatch, tmp_path):
    from lcqy.cli import _common

    monkeypatch.delenv("LCQY_DB")
    monkeypatch.setattr(_common, "default_db", lambda: tmp_path / "AppData" / "Local" / "lcqy" / "ledger.db")
    hint = _common.documents_hint(_common.default_db(), windows=True)
    assert "setx LCQY_DB" in hint and "Documents" in hint and str(tmp_path / "AppData" / "Local" / "lcqy") in hint
    assert _common.documents_hint(tmp_path / "其他.db", windows=True) is None
    assert _common.documents_hint(_common.default_db(), windows=False) is None
    assert run(*INIT).code == 0 and (tmp_path / "AppData" / "Local" / "lcqy" / "ledger.db").is_file()


def test_is_console_refuses_what_is_not_a_terminal(tmp_path):
    import io

    from lcqy.cli._common import is_console

    class Device(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert not is_console(io.StringIO()) and not is_console(object())
    with open(os.devnull) as null:
        assert not is_console(null)  # /dev/null: isatty() is false here; NUL on Windows needs the console mode
    assert is_console(Device()) is (os.name != "nt")


def test_a_leftover_that_cannot_be_removed_does_not_hide_the_first_error(ledger, tmp_path, monkeypatch):
    """Windows refuses to delete a file still open: the clerk hears why the backup failed."""
    plain_unlink = Path.unlink

    def held(self, *args, **kwargs):
        if self.name.endswith(".part") and self.exists():  # open in this run
            raise PermissionError(errno.EACCES, "拒绝访问。", str(self))
        return plain_unlink(self, *args, **kwargs)

    def full(src, dst, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(src), None, str(dst))

    dest = tmp_path / "备份.db"
    monkeypatch.setattr(Path, "unlink", held)
    monkeypatch.setattr(os, "replace", full)
    r = ledger("backup", str(dest))
    assert r.code == 1 and "磁盘空间不足" in r.err and str(dest) in r.err and "拒绝访问" not in r.err, r.err


def test_show_never_splits_a_number_or_a_date(run, tmp_path, monkeypatch):
    import re

    db = _sample(tmp_path)
    monkeypatch.setenv("COLUMNS", "46")
    text = run("--db", str(db), "show", "2026-97").out
    # At 46 columns rich alone cut dates in two. Found with the line breaks (and the padding
    # around them) removed, so also whole as shown.
    joined = re.sub(r"\s*\n\s*", "", text)
    pattern = r"\d{4}-\d{2}-\d{2}|（\d{4}）|第\d+[号次]|\d+ 个工作日"
    found = re.findall(pattern, joined)
    assert len(found) > 5
    for item in found:
        assert item in text, item
    for line in text.splitlines():
        assert not line.strip().startswith(("，", "。", "、", "）")), line


def test_no_act_recorded_without_its_file(tmp_path, monkeypatch):
    """The writer puts the file in place before the act is recorded: a file Excel/WPS holds open
    is refused (after a short retry) before the record; a refused record brings the old file back."""
    from lcqy.store import outputs

    target = tmp_path / "办理结果.lcqy"
    target.write_bytes(b"old")
    recorded: list[str] = []
    plain = os.replace
    monkeypatch.setattr(outputs, "HELD_SECONDS", 0.1)
    monkeypatch.setattr(os, "replace", _sharing_violation)
    with pytest.raises(LcqyError) as refused:
        with outputs.writing(target, commit=lambda: recorded.append("act")) as tmp:
            tmp.write_bytes(b"new")
    assert "文件正被 Excel/WPS 打开，请先关闭" in str(refused.value) and str(target) in str(refused.value)
    assert recorded == [] and target.read_bytes() == b"old"
    monkeypatch.setattr(os, "replace", plain)

    def refuse():
        raise LcqyError("记录失败")

    with pytest.raises(LcqyError):
        with outputs.writing(target, commit=refuse) as tmp:
            tmp.write_bytes(b"new")
    assert target.read_bytes() == b"old"
    with outputs.writing(target, commit=lambda: recorded.append("act")) as tmp:
        tmp.write_bytes(b"new")
    assert recorded == ["act"] and target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["办理结果.lcqy"]  # no part or aside file left


def test_papers_in_packages_keep_names_windows_takes():
    from lcqy.rules.package import clean_file_name, member_name_problem

    assert clean_file_name("CON.pdf") == "_CON.pdf" and clean_file_name("企业说明.pdf") == "企业说明.pdf"
    assert clean_file_name("nul") == "_nul"
    assert member_name_problem("附件/NUL.pdf") == "含有 Windows 的设备名（CON、NUL、COM1 等）"
    assert member_name_problem("附件/01_企业情况说明.pdf") is None


def test_words_that_look_like_markup_are_printed_as_typed(ledger, monkeypatch):
    """An enterprise's or a department's words reach the clerk's terminal as typed: rich would
    swallow "[bold]" and "[/]" or turn them into styles."""
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich lays out as for a terminal, where markup was read
    monkeypatch.setenv("COLUMNS", "160")
    name = "临沧[bold]坚果[/bold]开发有限公司"
    problem = "厂区[red]停电[/]频繁，影响生产"
    assert ledger("register", *register_args(enterprise=name, problem=problem)).code == 0
    for args in (("show", "1"), ("list",), ("list", "--all")):
        out = ledger(*args).out
        assert "[bold]" in out and "[/bold]" in out, (args, out)
    assert "[red]停电[/]" in ledger("show", "1").out


def test_urge_is_not_recorded_while_its_letter_is_held_open(ledger, tmp_path, monkeypatch):
    """A 催办函 that Excel/WPS holds open refuses the urge: no urge and no letter number without
    the letter in place; once closed, the same command works."""
    from lcqy.store import outputs

    assert ledger("register", *register_args(), "--date", "2026-11-02").code == 0
    r = ledger("dispatch", "1", "--dept", "区财政局", "--approver", "张主任", "--level", "主任", "--date", "2026-11-02")
    assert r.code == 0, r.err
    letter = tmp_path / "催办函.docx"
    letter.write_bytes(b"open in WPS")
    before = snapshot(ledger.db)
    monkeypatch.setattr(outputs, "HELD_SECONDS", 0.1)
    plain = os.replace
    monkeypatch.setattr(os, "replace", _sharing_violation)
    r = ledger("urge", "1", "-o", str(letter), "--force", "--date", "2026-11-27")
    assert r.code == 1 and "文件正被 Excel/WPS 打开，请先关闭" in r.err and "催办函.docx" in r.err, r.err
    assert snapshot(ledger.db) == before and letter.read_bytes() == b"open in WPS"
    monkeypatch.setattr(os, "replace", plain)
    r = ledger("urge", "1", "-o", str(letter), "--force", "--date", "2026-11-27")
    assert r.code == 0, r.err
    assert letter.read_bytes()[:2] == b"PK" and "第1号" in r.out
    assert sorted(p.name for p in tmp_path.iterdir() if "lcqy-part" in p.name) == []
