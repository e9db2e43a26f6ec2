"""One safe way to write an output file, and messages that say what happened."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from conftest import register_args, snapshot

from lcqy.errors import LcqyError
from lcqy.store.outputs import PART, check_target, sweep, write_bytes, writing


def _specials(tmp_path):
    """A FIFO, and a character device made with mknod when the tests run as root (/dev/null's numbers)."""
    fifo = tmp_path / "管道"
    os.mkfifo(fifo)
    out = {"fifo": fifo}
    if os.geteuid() == 0:
        dev = tmp_path / "设备"
        os.mknod(dev, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        out["device"] = dev
    return out


def _still(path, kind):
    mode = os.lstat(path).st_mode
    assert (stat.S_ISFIFO if kind == "fifo" else stat.S_ISCHR)(mode), path


def test_writer_refuses_special_files_and_keeps_them(tmp_path):
    for kind, path in _specials(tmp_path).items():
        with pytest.raises(LcqyError) as exc:
            check_target(path, force=True)
        assert ("命名管道" if kind == "fifo" else "字符设备") in exc.value.message and "台帐未改动" in exc.value.message
        with pytest.raises(LcqyError):
            write_bytes(path, b"x")
        _still(path, kind)
    with pytest.raises(LcqyError) as exc:
        check_target(tmp_path, force=True)
    assert "是一个目录" in exc.value.message


def test_writer_replaces_whole_and_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "报告.docx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), writing(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed half-way")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["报告.docx"]
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o600
    # A symbolic link is replaced by the file, never followed.
    elsewhere = tmp_path / "别处.txt"
    elsewhere.write_bytes(b"keep")
    link = tmp_path / "链接.docx"
    link.symlink_to(elsewhere)
    write_bytes(link, b"doc")
    assert elsewhere.read_bytes() == b"keep" and not link.is_symlink() and link.read_bytes() == b"doc"


def test_leftovers_of_a_killed_run_are_swept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    left = tmp_path / f".简报.docx.{pid}{PART}"
    journal = tmp_path / f".备份.db.{pid}{PART}-journal"
    mine = tmp_path / f".在写.docx.{os.getpid()}{PART}"
    for p in (left, journal, mine):
        p.write_bytes(b"x")
    sweep(tmp_path)
    assert not left.exists() and not journal.exists() and mine.exists()


def test_backup_and_keys_export_refuse_special_files(ledger, tmp_path):
    before = snapshot(ledger.db)
    for kind, path in _specials(tmp_path).items():
        for args in (("backup", str(path), "--force"), ("keys", "export", "-o", str(path), "--force")):
            r = ledger(*args)
            assert r.code == 1 and "不是普通文件" in r.err and "台帐未改动" in r.err, r.err
            _still(path, kind)
    assert snapshot(ledger.db) == before


def test_backup_on_a_full_disk_names_the_target_not_the_ledger(ledger, tmp_path):
    small = tmp_path / "小盘"
    small.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)]).returncode:
        pytest.skip("needs a small file system (mount as root)")
    try:
        for _ in range(40):
            assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
        r = ledger("backup", str(small / "备份.db"))
        assert r.code == 1 and "磁盘空间不足" in r.err and str(small / "备份.db") in r.err, r.err
        assert "没有损坏" in r.err and "已损坏" not in r.err and "恢复" not in r.err
        assert list(small.iterdir()) == []  # no part file, no journal
        assert ledger("check").code == 0
    finally:
        subprocess.run(["umount", str(small)])


def test_attach_names_what_is_not_a_regular_file(ledger, tmp_path):
    assert ledger("register", *register_args(), "--date", "2026-03-02").code == 0
    before = snapshot(ledger.db)
    specials = _specials(tmp_path)
    cases = [(specials["fifo"], "命名管道（FIFO）"), (tmp_path, "是一个目录"), ("/proc/self/environ", "系统的虚拟文件")]
    if os.path.exists("/dev/zero"):
        cases.append(("/dev/zero", "字符设备"))
    for path, said in cases:
        r = ledger("attach", "1", str(path))
        assert r.code == 1 and said in r.err and "台帐未改动" in r.err, r.err
        assert "找不到" not in r.err and "空文件" not in r.err
    r = ledger("attach", "1", str(tmp_path / "没有这个.pdf"))
    assert r.code == 1 and "找不到要附上的文件" in r.err
    assert snapshot(ledger.db) == before
    assert json.loads(ledger("attachments", "1", "--json").out) == []


def test_every_writing_command_refuses_a_fifo_or_device(run, tmp_path, monkeypatch):
    """-o onto a FIFO and onto a character device, for each command that writes a file: refused,
    exit 1, the ledger and the special file as they were."""
    import shutil
    import sqlite3
    from pathlib import Path

    db = tmp_path / "sample.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "sample_ledger.db", db)
    os.chmod(db, 0o600)
    monkeypatch.setenv("LCQY_DB", str(db))
    monkeypatch.chdir(tmp_path)
    conn = sqlite3.connect(db)
    first = dict(conn.execute("SELECT state, min(reg_no) FROM cases GROUP BY state").fetchall())
    conn.close()
    paper = tmp_path / "说明.pdf"
    paper.write_bytes(b"%PDF-1.4 x")
    assert run("attach", first["dispatched"], str(paper), "--date", "2026-11-27").code == 0
    commands = {
        ".docx": [
            ("form", "register", first["registered"], "-o"),
            ("form", "dispatch", first["dispatched"], "-o"),
            ("form", "escalate", first["escalated"], "-o"),
            ("urge", first["dispatched"], "-o"),
            ("report", "--month", "2026-10", "-o"),
        ],
        ".xlsx": [("export-ledger", "-o"), ("stats", "--by", "dept", "-o")],
        ".lcqy": [("package", first["escalated"], "-o"), ("package-month", "2026-10", "-o")],
        ".pdf": [("attachment", first["dispatched"], "1", "-o")],
        ".db": [("backup",)],
        ".json": [("keys", "export", "-o")],
    }
    before = snapshot(db)
    for suffix, calls in commands.items():
        fifo = tmp_path / f"管道{suffix}"
        os.mkfifo(fifo)
        targets = [("fifo", fifo)]
        if os.geteuid() == 0:
            dev = tmp_path / f"设备{suffix}"
            os.mknod(dev, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
            targets.append(("device", dev))
        for call in calls:
            for kind, target in targets:
                r = run(*call, str(target), "--force")
                assert r.code == 1, (call, kind, r.out, r.err)
                assert "不是普通文件" in r.err and "台帐未改动" in r.err, (call, r.err)
                _still(target, kind)
    assert snapshot(db) == before
    assert not [p.name for p in tmp_path.iterdir() if PART in p.name or p.name.endswith(".part")]


def test_a_killed_report_leaves_nothing_after_the_next_run(run, tmp_path, monkeypatch):
    """kill -9 during `report -o` left `.简报….docx.part` behind; its part file is now named by its
    process, and the next writer into the folder removes it."""
    import shutil
    from pathlib import Path

    db = tmp_path / "sample.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "sample_ledger.db", db)
    os.chmod(db, 0o600)
    monkeypatch.setenv("LCQY_DB", str(db))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    out = tmp_path / "简报.docx"
    left = tmp_path / f".{out.name}.{int(dead.stdout)}{PART}"
    left.write_bytes(b"half a report")
    r = run("report", "--month", "2026-10", "-o", str(out))
    assert r.code == 0, r.err
    assert out.is_file() and not left.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.db", "简报.docx"]


# A writer killed half-way (kill -9): its part file stays, named by a process that is gone.
_KILLED = """
import os, signal, sys
import lcqy.docs.render, lcqy.xlsx.writer

def die(path):
    with open(path, "ab") as f:
        f.write(b"half")
    os.kill(os.getpid(), signal.SIGKILL)

lcqy.docs.render.render = lambda kind, context, out, **k: die(out)
lcqy.xlsx.writer.splice = lambda package, dest, rows, level: die(dest)
from lcqy.cli import main
main(sys.argv[1:])
"""


@pytest.mark.posix_only("kills a writer with SIGKILL")
def test_the_part_of_a_killed_form_workbook_or_report_goes_at_the_next_writer(run, tmp_path, monkeypatch):
    """Each kind of writer killed half-way leaves its part file; the next writer into that folder
    (whatever it writes) removes them, and each writer then works."""
    import shutil
    import sqlite3
    from pathlib import Path

    db = tmp_path / "sample.db"
    shutil.copy(Path(__file__).resolve().parents[1] / "sample_ledger.db", db)
    os.chmod(db, 0o600)
    monkeypatch.setenv("LCQY_DB", str(db))
    out = tmp_path / "文书"
    out.mkdir()
    conn = sqlite3.connect(db)
    (case,) = conn.execute("SELECT min(reg_no) FROM cases WHERE state = 'registered'").fetchone()
    conn.close()
    calls = {
        "登记表.docx": ("form", "register", case, "-o"),
        "台帐.xlsx": ("export-ledger", "-o"),
        "简报.docx": ("report", "--month", "2026-10", "-o"),
    }
    env = {**os.environ, "LCQY_DB": str(db), "LCQY_TODAY": "2026-11-27"}
    for name, call in calls.items():
        done = subprocess.run([sys.executable, "-c", _KILLED, *call, str(out / name)], env=env, cwd=tmp_path)
        assert done.returncode == -9, done
        (left,) = [p for p in out.iterdir() if p.name.startswith(f".{name}.") and p.name.endswith(PART)]
        assert left.read_bytes().endswith(b"half") and not (out / name).exists()
        if name.endswith(".xlsx"):  # openpyxl's sheets of the killed export, in its own folder (0700)
            (sheets,) = [p for p in out.iterdir() if p.name.endswith(f"{PART}-tmp")]
            assert sheets.is_dir() and stat.S_IMODE(sheets.stat().st_mode) == 0o700
        # the leftovers of one killed writer are removed by the next one into the folder
        assert len([p for p in out.iterdir() if PART in p.name]) == (2 if name.endswith(".xlsx") else 1)
    r = run("backup", str(out / "备份.db"))
    assert r.code == 0, r.err
    assert not [p.name for p in out.iterdir() if PART in p.name]
    for name, call in calls.items():
        r = run(*call, str(out / name))
        assert r.code == 0, (call, r.err)
        assert (out / name).is_file()
    assert not [p.name for p in out.iterdir() if PART in p.name]


def test_a_part_name_fits_beside_a_long_target(tmp_path):
    """The part file of a target whose name is near the 255-byte limit is cut to fit: the
    target itself is written."""
    target = tmp_path / ("长" * 83 + ".docx")  # 254 bytes
    write_bytes(target, b"doc")
    assert target.read_bytes() == b"doc" and [p.name for p in tmp_path.iterdir()] == [target.name]


# -- 台帐未改动: said by the command line, once, only where true ---------------------------


def test_every_refusal_says_the_ledger_is_untouched_once(ledger, tmp_path):
    before = snapshot(ledger.db)
    refusals = [
        ("register", *register_args(phone="12")),  # refused by the act
        ("show", "99"),  # a case that does not exist
        ("export-ledger", "-o", str(tmp_path / "台帐.txt")),  # already said by the act: not twice
        ("dispatch", "1", "--dept", "区财政局"),  # a usage error: the command never ran
    ]
    for args in refusals:
        r = ledger(*args)
        assert r.code in (1, 2), (args, r.err)
        assert r.err.count("台帐未改动") == 1, (args, r.err)
        first = r.err.splitlines()[0]
        assert first.endswith("台帐未改动。") and "。。" not in first, (args, r.err)
    assert snapshot(ledger.db) == before
    r = ledger("dispatch", "1", "--dept", "区财政局")
    assert r.err.startswith("用法错误：缺少") and r.err.splitlines()[1].startswith("（用 lcqy dispatch --help")


def test_no_ledger_no_claim_about_it(run, tmp_path):
    """A missing file, a directory or a file that is not a ledger: there is no ledger to be
    untouched."""
    junk = tmp_path / "杂.db"
    junk.write_bytes(b"not a database" * 100)
    for db in (tmp_path / "没有.db", tmp_path, junk):
        r = run("--db", str(db), "list")
        assert r.code == 1 and "台帐未改动" not in r.err, (db, r.err)
    assert "找不到台帐文件" in run("--db", str(tmp_path / "没有.db"), "list").err


def test_a_refusal_after_a_committed_write_does_not_claim_it(ledger, monkeypatch):
    """An act that committed and was then refused (its paper could not be put in place): the
    message must not say the ledger is untouched, whatever the act's own words."""
    from lcqy.acts.papers import forms

    recorded = forms.set_letterhead

    def then_refused(ctx, value):
        recorded(ctx, value)
        raise LcqyError("版头样张无法写入。台帐未改动。")

    monkeypatch.setattr(forms, "set_letterhead", then_refused)
    r = ledger("config", "letterhead", "否")
    assert r.code == 1 and r.err == "错误：版头样张无法写入。\n", r.err
    monkeypatch.setattr(forms, "set_letterhead", recorded)
    assert "letterhead = 否" in ledger("config", "letterhead").out  # it was recorded
    # The next command starts afresh.
    r = ledger("show", "99")
    assert r.code == 1 and r.err.rstrip().endswith("台帐未改动。"), r.err


def test_a_crash_says_whether_the_ledger_was_written(ledger, monkeypatch):
    from lcqy.acts.papers import forms

    recorded = forms.set_letterhead

    def broken(ctx, value):
        raise ZeroDivisionError("x")

    def broken_after(ctx, value):
        recorded(ctx, value)
        raise ZeroDivisionError("x")

    monkeypatch.setattr(forms, "set_letterhead", broken)
    r = ledger("config", "letterhead", "否")
    assert r.code == 3 and "本次操作已撤销，台帐未改动。" in r.err, r.err
    monkeypatch.setattr(forms, "set_letterhead", broken_after)
    r = ledger("config", "letterhead", "否")
    assert r.code == 3 and "台帐未改动" not in r.err and "出错前已完成的办理已记入台帐" in r.err, r.err


def test_no_output_file_replaces_the_ledger(run, tmp_path, monkeypatch):
    """Whatever its name, the ledger is never the target of an output file (`keys export -o
    台帐.db --force` once wrote the public key over it); a symbolic link to it is replaced, not
    followed."""
    import shutil
    from pathlib import Path

    db = tmp_path / "台帐.docx"  # a ledger may bear any name
    shutil.copy(Path(__file__).resolve().parents[1] / "sample_ledger.db", db)
    os.chmod(db, 0o600)
    monkeypatch.setenv("LCQY_DB", str(db))
    before = snapshot(db)
    for args in (
        ("keys", "export", "-o", str(db), "--force"),
        ("form", "register", "2026-2", "-o", str(db), "--force"),
    ):
        r = run(*args)
        assert r.code == 1 and f"{db} 是台帐文件本身，lcqy 不会用输出文件替换它" in r.err, (args, r.err)
        assert r.err.count("台帐未改动") == 1
    assert snapshot(db) == before
    link = tmp_path / "链接.json"
    link.symlink_to(db)
    assert run("keys", "export", "-o", str(link), "--force").code == 0
    assert not link.is_symlink() and snapshot(db) == before


def test_a_full_disk_while_writing_names_the_file_not_its_part(ledger, tmp_path, monkeypatch):
    """The workbook's or the form's bytes that do not fit: the message names the file asked for
    (`.登记表.docx.4242.lcqy-part` means nothing to the clerk), and nothing is left behind."""
    import errno

    import docxtpl

    from lcqy.xlsx import writer

    assert ledger("register", *register_args(), "--date", "2026-11-20").code == 0

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(args[1] if len(args) > 1 else args[0]))

    monkeypatch.setattr(writer, "splice", full)
    out = tmp_path / "台帐.xlsx"
    r = ledger("export-ledger", "-o", str(out))
    assert r.code == 1 and f"无法写入 {out}：磁盘空间不足" in r.err and PART not in r.err, r.err
    monkeypatch.setattr(docxtpl.DocxTemplate, "save", lambda self, path, *a, **k: full(path))
    form = tmp_path / "登记表.docx"
    r = ledger("form", "register", "1", "-o", str(form))
    assert r.code == 1 and f"无法写入 {form}：磁盘空间不足" in r.err and PART not in r.err, r.err
    assert r.err.count("台帐未改动") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.db"]
