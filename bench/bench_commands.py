"""Command benchmarks on generated ledgers (bench/ledger_gen.py) of 1,000, 10,000 and 100,000 cases.

Each measured run is the real command in its own process (`lcqy --db LEDGER …`, LCQY_TODAY fixed),
its output read through a pipe as a clerk's `| less` or `> file` would; wall time is the median of
the runs, peak memory the process's highest maximum RSS (wait4). The reference is Taskwarrior's
`task overdue` on 10,000 pending tasks all past due, built with `task import` in a temporary
TASKDATA/TASKRC and run interleaved with `lcqy overdue` so that both see the same machine load
(skipped with a message where `task` is missing).

    python bench/bench_commands.py [--cases 1000 10000 100000] [--runs 5] [--only overdue,list]
    python bench/bench_commands.py --smoke     # CI: 1,000 cases, every command once, no timings

Goals (issue 9): overdue and overdue --json at 100k <= 0.8 x task overdue and < 100 MiB; list
(default view) <= 0.5 s; list --all --json <= 2 s and < 100 MiB; list --text <= 0.5 s;
import-ledger of a 100k export <= 60 s and < 200 MiB; check <= 1 s.
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

COMMANDS: dict[str, list[str]] = {
    "overdue": ["overdue"],
    "overdue --json": ["overdue", "--json"],
    "list": ["list"],
    "list --all --json": ["list", "--all", "--json"],
    "list --text 恒达茶业": ["list", "--text", "恒达茶业"],
    "list --text 恒达": ["list", "--text", "恒达"],
    "check": ["check"],
    "--help": ["--help"],
}
GOALS = {
    "overdue": "≤ 0.8 × task, < 100 MiB",
    "overdue --json": "≤ 0.8 × task, < 100 MiB",
    "list": "≤ 0.5 s",
    "list --all --json": "≤ 2 s, < 100 MiB",
    "list --text 恒达茶业": "≤ 0.5 s",
    "list --text 恒达": "≤ 0.5 s",
    "check": "≤ 1 s",
    "import-ledger": "≤ 60 s, < 200 MiB",
}
TASKS = 10_000
CPU: list[float] = []
LINES: list[int] = []


def lcqy() -> list[str]:
    exe = Path(sys.executable).parent / "lcqy"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "lcqy"]


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("LCQY_") and k != "COLUMNS"}
    e["LCQY_TODAY"] = TODAY.isoformat()
    return e


def run(argv: list[str], environ: dict[str, str]) -> tuple[float, float, int, bytes]:
    """(wall seconds, peak RSS MiB, exit code, the output's tail) of one process, its stdout a
    pipe; its CPU seconds (user + system) go to CPU[-1], a steadier figure than wall time on a
    shared machine, and the number of lines it wrote to LINES[-1]."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
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


def measure(argv: list[str], environ: dict[str, str], runs: int) -> dict:
    walls, peaks, cpus = [], [], []
    for _ in range(runs):
        wall, peak, code, out = run(argv, environ)
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


def paired(a: list[str], ea: dict, b: list[str], eb: dict, runs: int) -> tuple[dict, dict, float]:
    """a and b alternately; (a's figures, b's figures, median of the per-run ratios a/b)."""
    ra, rb, ratios, cpu_ratios = [], [], [], []
    for _ in range(runs):
        x, y = measure(a, ea, 1), measure(b, eb, 1)
        ra.append(x)
        rb.append(y)
        ratios.append(x["wall"] / y["wall"])
        cpu_ratios.append(x["cpu"] / y["cpu"])

    def agg(rs):
        return {
            "wall": statistics.median(r["wall"] for r in rs),
            "cpu": statistics.median(r["cpu"] for r in rs),
            "peak": max(r["peak"] for r in rs),
            "lines": rs[0]["lines"],
        }

    got = agg(ra)
    got["cpu_ratio"] = statistics.median(cpu_ratios)
    return got, agg(rb), statistics.median(ratios)


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, nargs="+", default=[1000, 10_000, 100_000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated command names (default: all)")
    ap.add_argument("--no-import", action="store_true", help="skip the import round trip")
    ap.add_argument("--smoke", action="store_true", help="1,000 cases, each command once, no timing goals")
    args = ap.parse_args()
    if args.smoke:
        args.cases, args.runs = [1000], 1
    only = [c.strip() for c in args.only.split(",") if c.strip()]
    names = [n for n in COMMANDS if not only or n in only or n.split()[0] in only]
    byte_compile()
    work = Path(tempfile.mkdtemp(prefix="lcqy-bench-cmd-"))
    environ = env()
    task_env = None if args.smoke or (only and "overdue" not in only) else task_setup(work)
    table: dict[str, dict[int, dict]] = {}
    reference = ""
    for n in args.cases:
        # A copy: commands bring the ledger up to their schema (migrations), and the cached
        # ledger is shared by every checkout; one untimed command applies them before timing.
        db = work / ensure(n).name
        shutil.copyfile(ensure(n), db)
        subprocess.run(lcqy() + ["--db", str(db), "list", "--limit", "1"], env=environ, capture_output=True)
        for name in names:
            argv = lcqy() + ["--db", str(db), *COMMANDS[name]]
            if name.startswith("overdue") and task_env and n == max(args.cases):
                got, ref, ratio = paired(argv, environ, ["task", "overdue"], task_env, args.runs)
                got["ratio"] = ratio
                reference = (
                    f"`task overdue`, {TASKS:,} pending tasks all late: {ref['wall']:.2f} s, {ref['peak']:.0f} MiB"
                )
            else:
                got = measure(argv, environ, args.runs)
            table.setdefault(name, {})[n] = got
            print(
                f"  {n:>7} {name:24s} {got['wall']:6.2f} s (CPU {got['cpu']:5.2f} s) {got['peak']:6.1f} MiB"
                f"  {got['lines']} lines",
                flush=True,
            )
        if not args.no_import and (not only or "import-ledger" in only):
            got = import_round_trip(db, work, environ)
            table.setdefault("import-ledger", {})[n] = got
            print(f"  {n:>7} {'import-ledger':24s} {got['wall']:6.2f} s {got['peak']:6.1f} MiB", flush=True)
        db.unlink()
    if shutil.which("task") is None and not args.smoke:
        print("`task` (Taskwarrior) not found: the overdue comparison is skipped.")
    print()
    sizes = args.cases
    print("| command | " + " | ".join(f"{n:,} cases" for n in sizes) + " | goal |")
    print("|---|" + "---|" * len(sizes) + "---|")
    for name, by_size in table.items():
        cells = []
        for n in sizes:
            g = by_size.get(n)
            if g is None:
                cells.append("")
                continue
            extra = f" ({g['ratio']:.2f}× task, CPU {g['cpu_ratio']:.2f}×)" if "ratio" in g else ""
            cells.append(f"{g['wall']:.2f} s (CPU {g['cpu']:.2f}), {g['peak']:.0f} MiB{extra}")
        print(f"| `lcqy {name}` | " + " | ".join(cells) + f" | {GOALS.get(name, '')} |")
    if reference:
        print(f"\nreference: {reference}")
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
