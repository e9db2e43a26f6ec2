"""Command benchmarks on generated ledgers (bench/ledger_gen.py), 1,000 to 1,000,000 cases.

Each measured run is the real command in its own process (`lcqy --db LEDGER …`, LCQY_TODAY fixed),
its output read through a pipe as a clerk's `| less` or `> file` would; wall and CPU (user +
system) are medians of the runs, peak memory the process's highest maximum RSS (wait4). The
reference is Taskwarrior's `task overdue` on 10,000 pending tasks all past due, built with `task
import` in a temporary TASKDATA/TASKRC and run interleaved with `lcqy overdue` and `lcqy agenda`
at the largest size so that both see the same machine load (skipped where `task` is missing).
`--before REV` unpacks that revision's lcqy and runs it alternately with this checkout's, each on
its own copy of the ledger: the before and after columns of one run. `check` is shown beside
SQLite's own `PRAGMA quick_check` on the same file.

    python bench/bench_commands.py [--cases 1000 10000 100000] [--runs 5] [--only overdue,list]
    python bench/bench_commands.py --cases 100000 1000000 --runs 3 --before main --no-import
    python bench/bench_commands.py --smoke     # CI: 1,000 cases, every command once, no timings

Goals: see GOALS (issue 9 at 100,000 cases, issue 21 at 1,000,000).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ledger_gen import CLERK, OFFICE, PREFIX, TODAY, byte_compile, ensure  # noqa: E402 (after the path line)

# {case}: a case in the middle of the ledger (YEAR-N); {out}: a file in the work directory.
COMMANDS: dict[str, list[str]] = {
    "agenda": ["agenda"],
    "agenda --json": ["agenda", "--json"],
    "overdue": ["overdue"],
    "overdue --json": ["overdue", "--json"],
    "list": ["list"],
    "list --json": ["list", "--json"],
    "list --all --json": ["list", "--all", "--json"],
    "list --text 恒达茶业": ["list", "--text", "恒达茶业"],
    "list --text 恒达": ["list", "--text", "恒达"],
    "list --text 茶业": ["list", "--text", "茶业"],
    "show": ["show", "{case}"],
    "show --json": ["show", "{case}", "--json"],
    "report --month 2026-10": ["report", "--month", "2026-10"],
    "report --month 2026-10 --json": ["report", "--month", "2026-10", "--json"],
    "stats --by dept": ["stats", "--by", "dept"],
    "stats --by dept --json": ["stats", "--by", "dept", "--json"],
    "stats --by category": ["stats", "--by", "category"],
    "stats --by category --json": ["stats", "--by", "category", "--json"],
    "check": ["check"],
    "export-ledger": ["export-ledger", "-o", "{out}", "--force"],
    "--help": ["--help"],
}
# Issue 21's goals (1,000,000 cases: daily reads <= 1 s CPU and < 100 MiB); issue 9's at 100,000.
DAILY = "1M: ≤ 1 s CPU, < 100 MiB"
GOALS = {
    "agenda": "100k: ≤ 0.8 × task, < 100 MiB; " + DAILY,
    "agenda --json": "100k: ≤ 0.8 × task, < 100 MiB; " + DAILY,
    "overdue": "100k: ≤ 0.8 × task, < 100 MiB; " + DAILY,
    "overdue --json": "100k: ≤ 0.8 × task, < 100 MiB; " + DAILY,
    "list": "100k: ≤ 0.5 s; " + DAILY,
    "list --json": DAILY,
    "list --all --json": "1M: ≤ 3 s CPU, < 100 MiB",
    "list --text 恒达茶业": "100k: ≤ 0.5 s; " + DAILY,
    "list --text 恒达": "100k: ≤ 0.5 s; " + DAILY,
    "list --text 茶业": DAILY,
    "show": DAILY,
    "show --json": DAILY,
    "report --month 2026-10": DAILY,
    "report --month 2026-10 --json": DAILY,
    "stats --by dept": DAILY,
    "stats --by dept --json": DAILY,
    "stats --by category": DAILY,
    "stats --by category --json": DAILY,
    "check": "1M: ≤ 2 × quick_check's CPU",
    "export-ledger": "100k: ≤ 10 s, < 200 MiB",
    "import-ledger": "≤ 60 s, < 200 MiB",
}
TASKS = 10_000
CPU: list[float] = []
LINES: list[int] = []


# The old code (--before) runs from its unpacked copy on PYTHONPATH, from the work directory: the
# repository as working directory would put this checkout's lcqy first.
OLD = [sys.executable, "-m", "lcqy"]


def lcqy() -> list[str]:
    exe = Path(sys.executable).parent / "lcqy"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "lcqy"]


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("LCQY_") and k != "COLUMNS"}
    e["LCQY_TODAY"] = TODAY.isoformat()
    return e


def run(argv: list[str], environ: dict[str, str], cwd: Path | None = None) -> tuple[float, float, int, bytes]:
    """(wall seconds, peak RSS MiB, exit code, the output's tail) of one process, its stdout a
    pipe; its CPU seconds (user + system) go to CPU[-1], a steadier figure than wall time on a
    shared machine, and the number of lines it wrote to LINES[-1]."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd
    )
    # Read and drop (keeping the line count and the tail): a parent that held the output would
    # grow, and the next child's peak RSS starts from its parent's before exec.
    lines, tail = 0, b""
    while chunk := proc.stdout.read(1 << 16):
        lines += chunk.count(b"\n")
        tail = (tail + chunk)[-4096:]
    proc.stdout.close()
    out = tail
    if not hasattr(os, "wait4"):
        # Windows has no wait4: the run still checks every command; CPU seconds and peak
        # memory are not measured there (0 in the figures).
        proc.wait()
        wall = time.perf_counter() - t0
        CPU.append(0.0)
        LINES.append(lines)
        return wall, 0.0, proc.returncode, out
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    CPU.append(usage.ru_utime + usage.ru_stime)
    LINES.append(lines)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode, out


def task_setup(root: Path) -> dict[str, str] | None:
    """A Taskwarrior data dir with TASKS pending tasks, all past due; None without `task`."""
    if shutil.which("task") is None:
        return None
    data = root / "taskdata"
    data.mkdir(parents=True, exist_ok=True)
    rc = root / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=no\nnews.version=2.6.0\n")
    e = {**os.environ, "TASKDATA": str(data), "TASKRC": str(rc)}
    tasks = root / "tasks.json"
    with open(tasks, "w") as fh:
        for i in range(TASKS):
            due = f"2026{1 + i % 10:02d}{1 + i % 28:02d}T000000Z"
            task = {
                "uuid": f"{i:08x}-0000-4000-8000-{i:012x}",
                "status": "pending",
                "description": f"临翔服企办收（2026）第{i + 1}号 临沧恒达蔗糖有限责任公司 用电保障",
                "entry": "20260105T000000Z",
                "due": due,
                "project": f"dept{i % 12}",
            }
            fh.write(json.dumps(task, ensure_ascii=False) + "\n")
    subprocess.run(["task", "import", str(tasks)], env=e, check=True, capture_output=True)
    return e


def _copy(src: Path, dst: Path) -> None:
    """A copy of a cached ledger, the cached file's pages then dropped from the page cache (where
    the system allows): at 1,000,000 cases the cached ledger and the two copies (3 × 8.4 GB) do
    not fit in memory together, and a copy whose pages were pushed out is read from disk again,
    slower by as much as a third."""
    shutil.copyfile(src, dst)
    if hasattr(os, "posix_fadvise"):
        fd = os.open(src, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def measure(argv: list[str], environ: dict[str, str], runs: int, cwd: Path | None = None) -> dict:
    walls, peaks, cpus = [], [], []
    for _ in range(runs):
        wall, peak, code, out = run(argv, environ, cwd)
        if code != 0:
            sys.exit(f"{' '.join(argv)} failed (exit {code}):\n{out.decode(errors='replace')[-2000:]}")
        walls.append(wall)
        peaks.append(peak)
        cpus.append(CPU[-1])
    return {
        "wall": statistics.median(walls),
        "cpu": statistics.median(cpus),
        "peak": max(peaks),
        "lines": LINES[-1],
    }


def import_round_trip(db: Path, work: Path, environ: dict[str, str]) -> dict:
    """export-ledger of the ledger, then import-ledger of that file into a new ledger (measured),
    then `check` of the result."""
    xlsx = work / "export.xlsx"
    wall, peak, code, out = run(lcqy() + ["--db", str(db), "export-ledger", "-o", str(xlsx), "--force"], environ)
    if code:
        sys.exit(f"export failed:\n{out.decode(errors='replace')[-2000:]}")
    fresh = work / "imported.db"
    fresh.unlink(missing_ok=True)
    init = ["init", "--office-name", OFFICE, "--prefix", PREFIX, "--level", "county", "--clerk", CLERK]
    subprocess.run(lcqy() + ["--db", str(fresh), *init], env=environ, check=True, capture_output=True)
    # --allow-gaps: dispatches sent back and dispatched again keep only the last 交办编号 in the sheet.
    wall, peak, code, out = run(lcqy() + ["--db", str(fresh), "import-ledger", str(xlsx), "--allow-gaps"], environ)
    if code:
        sys.exit(f"import failed:\n{out.decode(errors='replace')[-3000:]}")
    cpu, lines = CPU[-1], LINES[-1]
    _, _, code, said = run(lcqy() + ["--db", str(fresh), "check"], environ)
    problems = [p for p in said.decode().splitlines() if "文件权限" not in p and p.strip()]
    if code and problems:
        sys.exit("the imported ledger fails check:\n" + "\n".join(problems[:20]))
    return {"wall": wall, "cpu": cpu, "peak": peak, "lines": lines}


def old_code(rev: str, work: Path) -> Path:
    """The lcqy package of git revision `rev`, unpacked and byte-compiled under `work`."""
    code = work / "before"
    code.mkdir(exist_ok=True)
    root = Path(__file__).resolve().parent.parent
    tar = subprocess.run(["git", "-C", str(root), "archive", rev, "lcqy"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(code)], input=tar, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(code)], check=True)
    return code


def quick_check_cpu(db: Path, runs: int) -> float:
    """CPU seconds of SQLite's own PRAGMA quick_check on the ledger, alone (median of runs)."""
    argv = [
        sys.executable,
        "-c",
        f"import sqlite3; sqlite3.connect({str(db)!r}).execute('PRAGMA quick_check').fetchall()",
    ]
    return measure(argv, os.environ.copy(), runs)["cpu"]


def _cell(g: dict | None) -> str:
    if g is None:
        return ""
    extra = f"; {g['ratio']:.2f}× task (CPU {g['cpu_ratio']:.2f}×)" if "ratio" in g else ""
    return f"{g['cpu']:.2f} s CPU, {g['wall']:.2f} s, {g['peak']:.0f} MiB{extra}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, nargs="+", default=[1000, 10_000, 100_000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated command names, or a command's first word")
    ap.add_argument("--skip", default="", help="comma-separated command names to leave out")
    ap.add_argument(
        "--before", metavar="REV", help="also run the lcqy of this git revision, alternately (before column)"
    )
    ap.add_argument("--no-import", action="store_true", help="skip the import round trip")
    ap.add_argument("--smoke", action="store_true", help="1,000 cases, each command once, no timing goals")
    args = ap.parse_args()
    if args.smoke:
        args.cases, args.runs = [1000], 1
    only = [c.strip() for c in args.only.split(",") if c.strip()]
    skip = {c.strip() for c in args.skip.split(",") if c.strip()}
    names = [n for n in COMMANDS if (not only or n in only or n.split()[0] in only) and n not in skip]
    byte_compile()
    work = Path(tempfile.mkdtemp(prefix="lcqy-bench-cmd-"))
    environ = env()
    old = old_code(args.before, work) if args.before else None
    old_env = {**environ, "PYTHONPATH": str(old)} if old else None
    paired_names = [n for n in names if n.split()[0] in ("overdue", "agenda")]
    task_env = None if args.smoke or not paired_names else task_setup(work)
    table: dict[str, dict[int, dict]] = {}
    before: dict[str, dict[int, dict]] = {}
    reference = []
    for n in args.cases:
        # Copies: commands bring the ledger up to their schema (migrations), and the cached ledger
        # is shared by every checkout; one untimed command applies them before timing. The old
        # code gets a copy of its own (a ledger of a newer schema is read-only to it).
        db = work / ensure(n).name
        _copy(ensure(n), db)
        subprocess.run(lcqy() + ["--db", str(db), "list", "--limit", "1"], env=environ, capture_output=True)
        old_db = work / ("before-" + db.name)
        if old:
            _copy(ensure(n), old_db)
            subprocess.run(
                OLD + ["--db", str(old_db), "list", "--limit", "1"], env=old_env, cwd=work, capture_output=True
            )
        fill = {"case": f"2026-{max(1, n // 2)}", "out": str(work / "export.xlsx")}
        for name in names:
            args_ = [a.format(**fill) for a in COMMANDS[name]]
            who = [("after", lcqy() + ["--db", str(db), *args_], environ)]
            if old:
                who.append(("before", OLD + ["--db", str(old_db), *args_], old_env))
            if task_env and name in paired_names and n == max(args.cases):
                who.append(("task", ["task", "overdue"], task_env))
            got: dict[str, list[dict]] = {w: [] for w, _, _ in who}
            if not args.smoke:  # one untimed run each: its pages in the page cache, as each later run finds them
                for w, argv, e in who:
                    run(argv, e, cwd=work if w == "before" else None)
            for _ in range(args.runs):
                for w, argv, e in who:  # alternately, so that each sees the same machine
                    got[w].append(measure(argv, e, 1, cwd=work if w == "before" else None))
            out = {w: _agg(rs) for w, rs in got.items()}
            if "task" in out:
                for w in ("after", "before"):
                    if w in out:
                        out[w]["ratio"] = statistics.median(a["wall"] / t["wall"] for a, t in zip(got[w], got["task"]))
                        out[w]["cpu_ratio"] = statistics.median(
                            a["cpu"] / t["cpu"] for a, t in zip(got[w], got["task"])
                        )
                t = out["task"]
                reference.append(f"{n:,} cases, {name}: `task overdue` ({TASKS:,} tasks) {_cell(t)}")
            table.setdefault(name, {})[n] = out["after"]
            if "before" in out:
                before.setdefault(name, {})[n] = out["before"]
            print(f"  {n:>7} {name:30s} after: {_cell(out['after'])}  {out['after']['lines']} lines", flush=True)
            if "before" in out:
                print(f"  {n:>7} {name:30s} before: {_cell(out['before'])}  {out['before']['lines']} lines", flush=True)
        if "check" in names:
            qc = quick_check_cpu(db, args.runs)
            reference.append(f"{n:,} cases: SQLite's `PRAGMA quick_check` alone {qc:.2f} s CPU")
            print(f"  {n:>7} {'PRAGMA quick_check':30s} {qc:.2f} s CPU", flush=True)
        if not args.no_import and (not only or "import-ledger" in only):
            got = import_round_trip(db, work, environ)
            table.setdefault("import-ledger", {})[n] = got
            print(f"  {n:>7} {'import-ledger':30s} {got['wall']:6.2f} s {got['peak']:6.1f} MiB", flush=True)
        db.unlink()
        old_db.unlink(missing_ok=True)
    if shutil.which("task") is None and not args.smoke:
        print("`task` (Taskwarrior) not found: the comparison with it is skipped.")
    print()
    sizes = args.cases
    heads = [f"{'before' if b else 'after'}, {n:,}" for n in sizes for b in ((True, False) if old else (False,))]
    print("| command | " + " | ".join(heads) + " | goal |")
    print("|---|" + "---|" * len(heads) + "---|")
    for name, by_size in table.items():
        cells = []
        for n in sizes:
            if old:
                cells.append(_cell(before.get(name, {}).get(n)))
            cells.append(_cell(by_size.get(n)))
        print(f"| `lcqy {name}` | " + " | ".join(cells) + f" | {GOALS.get(name, '')} |")
    for line in reference:
        print(f"\nreference: {line}", end="")
    print(f"\nmachine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}")
    shutil.rmtree(work, ignore_errors=True)


def _agg(rs: list[dict]) -> dict:
    return {
        "wall": statistics.median(r["wall"] for r in rs),
        "cpu": statistics.median(r["cpu"] for r in rs),
        "peak": max(r["peak"] for r in rs),
        "lines": rs[0]["lines"],
    }


if __name__ == "__main__":
    main()
