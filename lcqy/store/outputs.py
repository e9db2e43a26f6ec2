"""The one way lcqy writes an output file (forms, letters, reports, workbooks, packages, papers
taken out, backups).

The content goes to a file beside the target (`.NAME.PID.lcqy-part`), is flushed to the disk,
then renamed over the target: a reader never sees half a file, and a run killed half-way leaves
only that part file, which the next writer into the same folder removes (its process is gone).
Only a regular file (or a symbolic link, which is replaced, not followed) is ever replaced: a
device, a FIFO, a socket or a directory at the target is refused before any work, and stays
what it was; so is a ledger this process opened, whatever its name.

Writers that fill the part before they know whether it is kept (a form, the 简报) take it from
`begin` and put it in place with `finish`, or inside an act's transaction with `placing`; a
writer that needs a folder for its own temporary files (openpyxl) takes one from `scratch`.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lcqy.errors import LcqyError

PART = ".lcqy-part"
UNCHANGED = "台帐未改动。"

_KINDS = (
    (stat.S_ISDIR, "一个目录"),
    (stat.S_ISCHR, "字符设备"),
    (stat.S_ISBLK, "块设备"),
    (stat.S_ISFIFO, "命名管道（FIFO）"),
    (stat.S_ISSOCK, "套接字"),
)


def special_kind(path: Path) -> str | None:
    """What a path is when it is not a regular file or a symbolic link (None: it is, or is absent)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    for test, name in _KINDS:
        if test(mode):
            return name
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        return "特殊文件"
    return None


# Pseudo file systems: their files say size 0 or change as they are read; not papers of a case.
_VIRTUAL = ("/proc/", "/sys/", "/dev/")


def input_problem(path: Path) -> str | None:
    """Why a file cannot be read as a paper or a workbook: missing, a directory, not a regular
    file (named as what it is), or a file of the system's virtual file systems; None if fine."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "不存在"
    except OSError as exc:
        return f"无法读取（{exc.strerror}）"
    if not stat.S_ISREG(mode):
        for test, name in _KINDS:
            if test(mode):
                return f"是{name}，不是普通文件"
        return "不是普通文件"
    real = os.path.realpath(path)
    if real.startswith(_VIRTUAL):
        return f"是系统的虚拟文件（{real.split('/')[1]}），不是磁盘上的普通文件"
    return None


# The ledgers this process has opened (lcqy.store.db): no output file ever replaces one, whatever
# its name (`keys export -o 台帐.db --force` once wrote the public key over the ledger).
_LEDGERS: set[str] = set()


def protect(ledger: Path) -> None:
    _LEDGERS.add(os.path.abspath(ledger))


def is_ledger(path: Path) -> bool:
    """`path` is (another name of) a ledger this process opened. A symbolic link to one is not:
    the link is replaced, never followed."""
    try:
        mine = os.lstat(path)
    except OSError:
        return False
    for ledger in _LEDGERS:
        try:
            theirs = os.stat(ledger)
        except OSError:
            continue
        if (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino):
            return True
    return False


def _not_the_ledger(path: Path, said: str) -> None:
    if is_ledger(path):
        raise LcqyError(f"{path} 是台帐文件本身，lcqy 不会用输出文件替换它；请换一个文件名。{said}")


def check_target(path: Path, force: bool = False, what: str = "输出文件（-o）") -> Path:
    """Refuse before any work: a special file or directory, a ledger, a missing folder, an
    existing file without --force."""
    _not_the_ledger(path, UNCHANGED)
    kind = special_kind(path)
    if kind == "一个目录":
        raise LcqyError(f"{what} {path} 是一个目录，请写出文件名。{UNCHANGED}")
    if kind:
        raise LcqyError(f"{what} {path} 是{kind}，不是普通文件，lcqy 不会写入或替换它。{UNCHANGED}")
    if not path.parent.is_dir():
        raise LcqyError(f"输出目录 {path.parent} 不存在，请先建立或换一个位置。{UNCHANGED}")
    if os.path.lexists(path) and not force:
        raise LcqyError(f"文件 {path} 已存在；要覆盖请加 --force。{UNCHANGED}")
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _killed(name: str) -> bool:
    """A part file's name (`.NAME.PID.lcqy-part`, `…-old`, `…-journal`) whose process is gone."""
    if not (name.startswith(".") and PART in name):
        return False
    pid_text = name.split(PART)[0].rsplit(".", 1)[-1]
    return pid_text.isdigit() and int(pid_text) != os.getpid() and not _alive(int(pid_text))


def sweep(folder: Path) -> None:
    """Remove the part files of killed runs in `folder` (their process no longer exists)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if _killed(entry.name):
            try:
                if entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
                elif entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
            except OSError:
                pass


def leftover(path: Path) -> Path | None:
    """The part file of `path` that a killed run left (before the next writer sweeps it)."""
    try:
        names = os.listdir(path.parent)
    except OSError:
        return None
    for name in names:
        if name.startswith(f".{_stem(path)}.") and name.endswith(PART) and _killed(name):
            return path.with_name(name)
    return None


# A name of the file system holds at most 255 bytes: a part file's name is its target's, cut to
# leave room for the dot, the process id and the longest ending (`.lcqy-part-journal`).
_NAME_BYTES = 255 - len(f"..{'9' * 10}{PART}-journal".encode())


def _stem(path: Path) -> str:
    name = path.name
    while len(name.encode("utf-8", "surrogateescape")) > _NAME_BYTES:
        name = name[:-1]
    return name


def part_path(path: Path, ending: str = "") -> Path:
    return path.with_name(f".{_stem(path)}.{os.getpid()}{PART}{ending}")


@contextmanager
def scratch(path: Path) -> Iterator[Path]:
    """A folder of this run's own (0700) beside `path`, for a writer's temporary files (openpyxl
    writes each sheet to one first: enterprises' names and phones). Named like a part file, so a
    killed run's is removed by the next writer into that folder; this run's goes at the end."""
    path = Path(path)
    sweep(path.parent)
    folder = part_path(path, "-tmp")
    shutil.rmtree(folder, ignore_errors=True)
    try:
        os.mkdir(folder, 0o700)
    except OSError as exc:
        raise _failed(path, exc, True) from None
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Windows: a file Excel or WPS holds open cannot be replaced or renamed (a sharing violation,
# error 32 or 33; 5 while it is being closed). Tried again for a moment, then refused.
HELD_SECONDS = 2.0
_HELD = {5, 32, 33}
HELD = "文件正被 Excel/WPS 打开，请先关闭"


def held_open(exc: OSError) -> bool:
    return getattr(exc, "winerror", None) in _HELD


def _move(src: Path, dst: Path) -> None:
    """os.replace, tried again while the file is held open by another program."""
    deadline = time.monotonic() + HELD_SECONDS
    pause = 0.05
    while True:
        try:
            os.replace(src, dst)
            return
        except OSError as exc:
            if not held_open(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def place(tmp: Path, path: Path) -> Path | None:
    """Put `tmp` at `path` now, inside the act that records it: the file it replaces is moved
    aside (which fails while Excel/WPS holds it open, before anything is recorded) and returned,
    for `put_back` if the act is refused or `forget` once it is recorded."""
    _flush(tmp)
    aside = part_path(path, "-old") if os.path.lexists(path) else None
    if aside is not None:
        _move(path, aside)
    try:
        _move(tmp, path)
    except OSError:
        if aside is not None:
            os.replace(aside, path)
        raise
    return aside


def put_back(path: Path, aside: Path | None) -> None:
    """The act was refused: the file it replaced comes back (or its new file goes)."""
    try:
        if aside is not None:
            os.replace(aside, path)
        else:
            path.unlink()
    except OSError:
        pass


def forget(aside: Path | None) -> None:
    if aside is not None:
        try:
            aside.unlink()
        except OSError:
            pass  # swept by the next writer


def _put_then_commit(tmp: Path, path: Path, commit: Callable[[], object]) -> None:
    """The file in its place first, then the act recorded: an act is never recorded without its
    file."""
    aside = place(tmp, path)
    try:
        commit()
    except BaseException:
        put_back(path, aside)
        raise
    forget(aside)


def _failed(path: Path, exc: OSError, untouched: bool) -> LcqyError:
    if held_open(exc):
        return LcqyError(f"无法写入 {path}：{HELD}；{path} 保持原样。" + (UNCHANGED if untouched else ""))
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "磁盘空间不足"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "没有写入权限（或磁盘只读）"
    elif exc.errno == errno.ENAMETOOLONG:
        why = "文件名太长（每一级名称最多 255 字节，一个汉字占 3 字节），请用短一些的文件名"
    else:
        why = exc.strerror or str(exc)
    return LcqyError(
        f"无法写入 {path}：{why}；写了一半的文件已删除，{path} 保持原样。" + (UNCHANGED if untouched else "")
    )


def _refuse_special(path: Path, untouched: bool) -> None:
    said = UNCHANGED if untouched else ""
    _not_the_ledger(path, said)
    kind = special_kind(path)
    if kind:
        raise LcqyError(f"{path} 是{kind}，不是普通文件，lcqy 不会写入或替换它。{said}")


def begin(path: Path, *, private: bool = True, untouched: bool = True) -> Path:
    """The part file to write `path`'s content into, made empty (and, `private`, readable by its
    owner only), after the leftovers of killed runs in its folder are removed. For writers that
    fill it before they know whether it will be kept (a form filled before the act that issues
    its number); `finish` puts it in place, `placing` inside an act's transaction."""
    path = Path(path)
    _refuse_special(path, untouched)
    sweep(path.parent)
    tmp = part_path(path)
    try:
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600 if private else 0o644)
        os.close(fd)
    except OSError as exc:
        raise _failed(path, exc, untouched) from None
    return tmp


def _flush(tmp: Path) -> None:
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def discard(tmp: Path) -> None:
    """A part file (and an SQLite journal of it) that will not be put in place."""
    for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
        try:
            leftover.unlink()
        except OSError:
            pass


def finish(tmp: Path, path: Path, *, untouched: bool = True, commit: Callable[[], object] | None = None) -> Path:
    """The part file from `begin`, flushed to the disk and renamed over `path`; removed if that
    fails. `commit`: run once the file is in place (an act's transaction: a file that cannot be
    put there is refused before the act is recorded, and a refused act puts the old file back)."""
    path = Path(path)
    try:
        _refuse_special(path, untouched)  # made meanwhile: still never replaced
        if commit is not None:
            _put_then_commit(tmp, path, commit)  # flushed by `place`
            untouched = False
        else:
            _flush(tmp)
            _move(tmp, path)
        _sync_dir(path.parent)
    except OSError as exc:
        raise _failed(path, exc, untouched) from None
    finally:
        discard(tmp)
    return path


@contextmanager
def writing(
    path: Path, *, private: bool = True, untouched: bool = True, commit: Callable[[], object] | None = None
) -> Iterator[Path]:
    """A part file to write the content into (for writers that need a path: Word, Excel,
    SQLite); on leaving the block it is flushed and renamed over `path`, or removed on error.
    `private`: readable by its owner only (R14: contacts, enterprise details). `untouched`: the
    ledger has not been written by this command, which a failure then says. `commit`: run once
    the content is on the disk, just before the rename (an act's transaction: a file that cannot
    be written is then refused before the act is recorded)."""
    tmp = begin(path, private=private, untouched=untouched)
    with filling(tmp, path, untouched=untouched):
        yield tmp
    finish(tmp, path, untouched=untouched, commit=commit)


@contextmanager
def filling(tmp: Path, path: Path, *, untouched: bool = True) -> Iterator[None]:
    """While a writer fills the part file: if it fails, the part goes, and what is said names the
    target, never the part (`.登记表.docx.4242.lcqy-part` means nothing to the clerk): a full
    disk or a refusal of the writer's own that names the file it was given."""
    try:
        yield
    except OSError as exc:
        discard(tmp)
        raise _failed(Path(path), exc, untouched) from None
    except LcqyError as exc:
        discard(tmp)
        if str(tmp) not in exc.message:
            raise
        raise LcqyError(exc.message.replace(str(tmp), str(path)), exc.code) from None
    except BaseException:
        discard(tmp)
        raise


@contextmanager
def placing() -> Iterator[Callable[[Path, Path], None]]:
    """Files put in place inside an act's transaction, with `put(tmp, path)` as its last step
    (the block holds the transaction): all come back as they were if the block fails, and the
    files they replaced go once it has committed. A file held open by Excel/WPS refuses the act."""
    done: list[tuple[Path, Path | None]] = []

    def put(tmp: Path, path: Path) -> None:
        try:
            _refuse_special(path, True)
            done.append((path, place(tmp, path)))
            _sync_dir(path.parent)
        except OSError as exc:  # the transaction is rolled back by this refusal
            raise _failed(path, exc, True) from None

    try:
        yield put
    except BaseException:
        for path, aside in reversed(done):
            put_back(path, aside)
        raise
    for _, aside in done:
        forget(aside)


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes(path: Path, data: bytes, *, private: bool = True, untouched: bool = True) -> Path:
    with writing(path, private=private, untouched=untouched) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
    return Path(path)
