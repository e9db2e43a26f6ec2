"""Opening the ledger, migrations, the write transaction and number allocation.

Every command is one transaction. Writers take the write lock first with
`BEGIN IMMEDIATE` (a deferred BEGIN would fail at once under concurrency instead of
waiting) and wait up to BUSY_SECONDS for another command to finish. Anything slow
(the working-day calendar, heavy imports) runs in the `before_write` hooks, before the
lock is taken, so that the lock is held only for the SQL.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from urllib.parse import quote

from lcqy.errors import LcqyError
from lcqy.rules.numbering import format_number
from lcqy.rules.shellword import arg
from lcqy.store.clock import now_text
from lcqy.store.migrations import AFTER, MIGRATIONS
from lcqy.store.outputs import protect

BUSY_SECONDS = 30.0
# First try for the write lock: long enough for an ordinary act of another command to end,
# short enough that a longer wait gets its message at once.
QUICK_SECONDS = 0.5
LATEST = max(n for n, _ in MIGRATIONS)  # the schema this version writes (PRAGMA user_version)
NEWER = "本台帐由更新版本的 lcqy 建立，请升级 lcqy 后再修改（pip install -U lcqy）。"
SQLITE_HEADER = b"SQLite format 3\x00"
# History entries dated when they were made rather than when something happened to the case
# (bookkeeping: imports, recalculated limits, renamed departments, packages written).
# An undo is a correction: neither it nor the act it undid holds later entries back.
UNORDERED_EVENTS = ("import", "recalc", "dept-rename", "dept-retire", "package", "send-result", "send-back", "undo")
# What departments do on line beside the course of handling (a request, a note, an urge opened):
# dated when done, and never holding the clerk's later entries of earlier acts back.
UNORDERED_EVENTS += ("dept-request", "request-declined", "dept-note", "urge-read")
# What an enterprise adds on line (acts/intake/submissions.py) holds the clerk's entries back neither.
UNORDERED_EVENTS += ("enterprise-added",)
# Entries dated by an act elsewhere (a duplicate merged into the case, what another office
# did): counted as the case's history, but not held to its order.
NOTES_ON_OTHERS = ("merged-from", "merged-moved", "receive")


WINDOWS = os.name == "nt"
_VARS = re.compile(r"%([A-Za-z_][A-Za-z0-9_()]*)%|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def expand_path(text: str, env: Mapping[str, str] | None = None, windows: bool = WINDOWS) -> str:
    """A path as the clerk wrote it, with `~`, `$VAR`/`${VAR}` and (Windows) `%VAR%` filled in.

    cmd and PowerShell pass `~` and `%VAR%` in an option's value through unchanged, and an
    LCQY_DB set in the system settings or a service definition is never seen by a shell. A
    variable that is not set is left as written, so the message names what was typed."""
    env = os.environ if env is None else env

    def fill(m: re.Match) -> str:
        name = m.group(1) or m.group(2) or m.group(3)
        if m.group(1) is not None and not windows:
            return m.group(0)
        value = env.get(name)
        if value is None and windows:  # Windows' variables are not case-sensitive
            value = next((v for k, v in env.items() if k.upper() == name.upper()), None)
        return m.group(0) if value is None else value

    text = _VARS.sub(fill, text)
    if text == "~" or text.startswith("~/") or (windows and text.startswith("~\\")):
        home = env.get("USERPROFILE") if windows else None
        home = home or env.get("HOME") or os.path.expanduser("~")
        text = home + text[1:]
    return text


def sqlite_uri(path: PurePath | str, *, read_only: bool = True, windows: bool = WINDOWS) -> str:
    """The `file:` URI SQLite opens `path` by. Path.as_uri() puts a UNC server in the URI's
    host (`file://server/share/…`), which SQLite refuses ("invalid uri authority"), and a
    mapped drive pointing at a share resolves to that UNC form: the URI keeps the path whole
    after an empty authority instead (`file:////server/share/…`, `file:///C:/…`)."""
    if windows:
        text = str(PureWindowsPath(path)).replace("\\", "/")
        if not text.startswith("//"):  # C:/… -> /C:/…
            text = "/" + text
    else:
        text = str(PurePosixPath(path))
        if text.startswith("//"):  # POSIX leaves a leading // to the system: keep it in the path
            text = "/" + text.lstrip("/")
    uri = "file://" + quote(text, safe="/:")
    return uri + "?mode=ro" if read_only else uri


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_SECONDS, isolation_level=None)
    # Must be set outside any transaction or SQLite ignores it.
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _locked(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _refusal(exc: sqlite3.OperationalError, path: Path) -> Exception:
    """The clerk's reading of a write that SQLite refused; other errors pass unchanged."""
    text = str(exc)
    if _locked(exc):
        return LcqyError(f"台帐正被另一个 lcqy 命令使用，等待 {BUSY_SECONDS:g} 秒后仍未释放，请稍后再试。台帐未改动。")
    if "readonly" in text:
        return LcqyError(f"台帐文件 {path} 是只读的，不能写入（请检查文件权限或存放位置）。台帐未改动。")
    if "disk is full" in text or "disk I/O" in text:
        return LcqyError(f"写入台帐 {path} 失败：{text}（磁盘已满或出错）。台帐未改动。")
    return exc


class NoLedger(LcqyError):
    """A refusal about the ledger file itself: missing, a directory, not a ledger, damaged, or not
    to be made. The command line says 台帐未改动 after other refusals; not after these, where
    there is no ledger to speak of (or a damaged one, which nobody should be told is fine)."""


def _unreadable(path: Path) -> LcqyError:
    """A file SQLite cannot read: a damaged ledger (it has SQLite's header) or something else."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError:
        head = b""
    if head == SQLITE_HEADER:
        return NoLedger(
            f"台帐文件 {path} 已损坏（可能被截断或写坏），无法读取。请用最近的备份恢复"
            f"（lcqy backup 生成的文件），恢复后运行 lcqy check 检查。"
        )
    return NoLedger(f"{path} 不是 lcqy 台帐文件（无法作为 SQLite 数据库读取）。")


def create_private_file(path: Path, *, replace_empty: bool = False) -> None:
    """Create an empty file readable by its owner only (R14); refuse to overwrite
    (an empty file, left by a failed start, may be taken over when `replace_empty`)."""
    if replace_empty and path.is_file() and path.stat().st_size == 0:
        path.unlink()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise LcqyError(f"文件 {path} 已存在，不会覆盖。") from None
    except OSError as exc:
        raise NoLedger(f"无法在 {path} 建立文件：{exc.strerror}。") from None
    os.close(fd)


class Ledger:
    # Whether a write transaction of this process has committed since the command began (the
    # command line clears it at its start): a refusal says 台帐未改动 only when none has.
    committed = False

    def __init__(self, path: Path, conn: sqlite3.Connection):
        protect(path)  # never replaced by an output file
        self.path = path
        self.conn = conn
        self._db = None
        self._meta: dict[str, str] | None = None
        # Run before the write lock is taken (Ctx warms its calendar here).
        self.before_write: list[Callable[[], object]] = []
        self.newer = False  # written by a newer lcqy: read, never write
        # Run inside the next write transaction, just before it commits, then forgotten (a key
        # first seen on a package is recorded with the package's own entries, or not at all).
        self.on_commit: list[Callable[[], object]] = []
        self._mode_warned = False
        self._writing = False

    @property
    def db(self):
        """sqlite-utils on the same connection, made when first used: reading commands go
        through `rows` and never import it (0.05 s of start-up)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def rows(self, sql: str, params: object = ()) -> Iterator[dict]:
        """Rows of a query as dicts, streamed."""
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(names, row))

    def table_names(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    # -- opening -----------------------------------------------------------
    @classmethod
    def create(cls, path: Path, meta: dict[str, str]) -> Ledger:
        create_private_file(path, replace_empty=True)
        led = None
        try:
            led = cls(path, _connect(path))
            with led.write():
                led._migrate()
                led.db["meta"].insert_all([{"key": k, "value": v} for k, v in meta.items()])
        except BaseException:
            # Closed first: Windows cannot delete a file that is still open, and the error of
            # that removal would hide the one that stopped the start.
            if led is not None:
                led.close()
            _remove_quietly(path)
            raise
        return led

    @classmethod
    def open(cls, path: Path) -> Ledger:
        if path.is_dir():
            raise NoLedger(f"{path} 是一个目录，请用 --db 指向台帐文件（如 {path / 'ledger.db'}）。")
        if not path.exists():
            raise NoLedger(
                f"找不到台帐文件 {path}。请先建立台帐：lcqy --db {arg(path)} init "
                "--office-name 临翔区服务企业发展领导小组办公室 --prefix 临翔 --level county --clerk 姓名"
            )
        try:
            led = cls(path, _connect(path))
            names = led.table_names()
        except sqlite3.OperationalError as exc:
            if _locked(exc):
                raise LcqyError(
                    f"台帐正被另一个命令独占使用，等待 {BUSY_SECONDS:g} 秒后仍未释放，请稍后再试。"
                ) from None
            raise NoLedger(f"无法打开台帐文件 {path}：{exc}。") from None
        except sqlite3.DatabaseError:
            raise _unreadable(path) from None
        if "meta" not in names:
            raise NoLedger(f"{path} 尚未初始化为台帐。请先运行：lcqy --db {arg(path)} init …（见 lcqy init --help）")
        try:
            led.newer = led._newer()
        except sqlite3.DatabaseError:
            raise _unreadable(path) from None
        if led.newer:
            _say(f"注意：{NEWER}现在只能查看，不能修改。")
        elif led._pending():
            with led.write():
                led._migrate()
        return led

    def close(self) -> None:
        self.conn.close()

    # -- schema ------------------------------------------------------------
    def _applied(self) -> set[int]:
        if "_migrations" not in self.table_names():
            return set()
        return {n for (n,) in self.conn.execute("SELECT n FROM _migrations")}

    def _newer(self) -> bool:
        """A schema beyond this version's migrations: another program's tables and triggers
        may rely on rules this version does not know."""
        (version,) = self.conn.execute("PRAGMA user_version").fetchone()
        return version > LATEST or max(self._applied(), default=0) > LATEST

    def _pending(self) -> list[tuple[int, str]]:
        done = self._applied()
        return [(n, sql) for n, sql in MIGRATIONS if n not in done]

    def _migrate(self) -> None:
        self.conn.execute("CREATE TABLE IF NOT EXISTS _migrations (n INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        for n, sql in self._pending():
            # executescript would COMMIT our transaction; run statement by statement (a
            # trigger's body holds semicolons: join pieces until SQLite calls it complete).
            stmt = ""
            for piece in sql.split(";"):
                stmt += piece + ";"
                if sqlite3.complete_statement(stmt):
                    if stmt.strip(" \n\t;"):
                        self.conn.execute(stmt)
                    stmt = ""
            if n in AFTER:
                AFTER[n](self)
            self.conn.execute("INSERT INTO _migrations VALUES (?, ?)", (n, now_text()))
        self.conn.execute(f"PRAGMA user_version = {LATEST:d}")

    # -- transactions ------------------------------------------------------
    def _warn_mode(self) -> None:
        """R14: a ledger others can read gets one warning per command, with the fix. On Windows
        the mode bits say nothing (the folder's ACL decides): `check` says that once instead."""
        if self._mode_warned or WINDOWS:
            return
        self._mode_warned = True
        try:
            mode = stat.S_IMODE(os.stat(self.path).st_mode)
        except OSError:
            return
        if mode & 0o077:
            _say(
                f"注意：台帐文件 {self.path} 的权限是 {mode:04o}，其他用户也能读取；台帐含企业信息，"
                f"请运行：chmod 600 {self.path}"
            )

    def _begin(self) -> None:
        """BEGIN IMMEDIATE, waiting up to BUSY_SECONDS for another command, with one line said."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(QUICK_SECONDS * 1000)}")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _locked(exc):
                raise _refusal(exc, self.path) from None
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
        _say("台帐正被另一个 lcqy 命令使用，等待中…")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _refusal(exc, self.path) from None

    @contextmanager
    def write(self) -> Iterator[Ledger]:
        if self._writing:
            # An act run inside another's transaction (an online request granted by the
            # act it asked for) joins it: both happen, or neither.
            yield self
            return
        if self.newer:
            raise LcqyError(NEWER)
        for hook in self.before_write:
            hook()
        _ = self.db  # writers use sqlite-utils: loaded before taking the lock, not while holding it
        from lcqy.store import chain  # and the history chain (hashlib): a read loads neither

        self._warn_mode()
        self._begin()
        self._writing = True
        try:
            start = chain.base(self.conn)
            yield self
            for hook in self.on_commit:
                hook()
            # Every event written in the transaction, however written, and the state it left.
            chain.seal(self.conn, start)
        except BaseException as exc:
            self.on_commit.clear()
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError):
                raise _refusal(exc, self.path) from None
            raise
        else:
            self.on_commit.clear()
            try:
                self.conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                raise _refusal(exc, self.path) from None
            Ledger.committed = True
        finally:
            self._writing = False

    @contextmanager
    def reading(self) -> Iterator[Ledger]:
        """Several statements read as one: a deferred BEGIN keeps one snapshot of the ledger
        until the block ends, so that no other command's COMMIT lands between them (a writer
        waits meanwhile, as it would for one long statement). Inside a transaction already,
        that one is the snapshot."""
        if self.conn.in_transaction:
            yield self
            return
        self.conn.execute("BEGIN")
        try:
            yield self
        finally:
            try:
                if self.conn.in_transaction:
                    self.conn.execute("COMMIT")  # nothing written: this only ends the read
            except sqlite3.ProgrammingError:
                pass  # the ledger was closed first, which ended the read

    # -- meta --------------------------------------------------------------
    @property
    def meta(self) -> dict[str, str]:
        if self._meta is None:
            self._meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        return self._meta

    @property
    def prefix(self) -> str:
        return self.meta["prefix"]

    @property
    def level(self) -> str:
        return self.meta["level"]

    # -- numbers -----------------------------------------------------------
    def allocate(self, kind: str, year: int, issued_on: str, case_id: int | None = None) -> tuple[int, str]:
        """Next number of `kind` in `year`: gapless, unique, never reused.

        Must run inside write(): the lock taken by BEGIN IMMEDIATE is what keeps
        two processes from reading the same counter.
        """
        assert self.conn.in_transaction, "allocate() needs the write transaction"
        self.conn.execute("INSERT OR IGNORE INTO counters (kind, year, next) VALUES (?, ?, 1)", (kind, year))
        (seq,) = self.conn.execute(
            "UPDATE counters SET next = next + 1 WHERE kind = ? AND year = ? RETURNING next - 1", (kind, year)
        ).fetchone()
        text = format_number(self.prefix, kind, year, seq)
        self.db["numbers"].insert(
            {"kind": kind, "year": year, "seq": seq, "text": text, "case_id": case_id, "issued_on": issued_on}
        )
        return seq, text

    def claim(self, kind: str, year: int, seq: int, issued_on: str, case_id: int | None = None) -> str:
        """Record a number issued elsewhere (an imported ledger) and move the counter past it."""
        text = format_number(self.prefix, kind, year, seq)
        if self.db.execute("SELECT 1 FROM numbers WHERE kind=? AND year=? AND seq=?", (kind, year, seq)).fetchone():
            raise LcqyError(f"编号 {text} 已在台帐中，不能重复使用。")
        self.conn.execute(
            "INSERT INTO counters (kind, year, next) VALUES (?, ?, ?) "
            "ON CONFLICT(kind, year) DO UPDATE SET next = max(next, excluded.next)",
            (kind, year, seq + 1),
        )
        self.db["numbers"].insert(
            {"kind": kind, "year": year, "seq": seq, "text": text, "case_id": case_id, "issued_on": issued_on}
        )
        return text

    # -- history -----------------------------------------------------------
    def event(self, case_id: int | None, act_on: str, action: str, actor: str, **detail: object) -> None:
        """Record an act in the case's history. Acts are entered in the order they happened:
        one dated before the case's latest recorded act is refused (the transaction rolls back),
        since deadlines and days late were computed from what came before it."""
        if case_id is not None and action not in UNORDERED_EVENTS + NOTES_ON_OTHERS:
            latest = self.latest_act_on(case_id)
            if latest and act_on < latest:
                reg_no = self.conn.execute("SELECT reg_no FROM cases WHERE id = ?", [case_id]).fetchone()[0]
                raise LcqyError(
                    f"办理日期 {act_on} 早于 {reg_no} 已记录的最近一次办理（{latest}）：补录的办理须按发生的先后"
                    f"录入，不能早于已记录的办理。请用 --date {latest} 或更晚的日期。"
                )
        self.db["events"].insert(
            {
                "case_id": case_id,
                "at": now_text(),
                "act_on": act_on,
                "actor": actor,
                "action": action,
                "detail": json.dumps(detail, ensure_ascii=False, default=str),
            }
        )

    def latest_act_on(self, case_id: int) -> str | None:
        """Date of the case's latest act (imports and recalculations are bookkeeping, not acts)."""
        marks = ",".join("?" * len(UNORDERED_EVENTS))
        row = self.conn.execute(
            f"""SELECT max(act_on) FROM events WHERE case_id = ? AND action NOT IN ({marks})
                AND id NOT IN (SELECT json_extract(detail, '$.event') FROM events
                               WHERE case_id = ? AND action = 'undo')""",
            [case_id, *UNORDERED_EVENTS, case_id],
        ).fetchone()
        return row[0] if row else None


def backup(led: Ledger, dest: Path) -> None:
    """A consistent copy through SQLite's online backup, readable by its owner only (R14),
    written beside its place and renamed there (lcqy.store.outputs)."""
    from lcqy.store.outputs import writing

    if dest.is_dir():
        raise LcqyError(f"{dest} 是一个目录，请写出备份文件名，如 {dest / '台帐备份.db'}。")
    if dest.exists() and dest.resolve() == led.path.resolve():
        raise LcqyError("备份文件不能是台帐文件本身。")
    try:
        with writing(dest) as tmp:
            target = sqlite3.connect(str(tmp))
            try:
                with target:
                    led.conn.backup(target)
            finally:
                target.close()
    except sqlite3.Error as exc:  # the copy's file, not the ledger: say which
        full = "full" in str(exc) or "disk" in str(exc)
        why = "磁盘空间不足" if full else str(exc)
        raise LcqyError(
            f"备份写入 {dest} 失败：{why}。写了一半的备份已删除，台帐没有损坏。请换一个空间足够的位置再备份。"
        ) from None


def _remove_quietly(path: Path) -> None:
    """Remove a leftover; a removal that fails (still open elsewhere on Windows) must not hide
    the error that left it, and the next run removes it."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
