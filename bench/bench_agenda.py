"""The morning commands (`agenda`, `agenda --json`, `overdue`) on a generated ledger, each run in
turn with Taskwarrior's `task overdue` on 10,000 tasks, and, with `--before LCQY`, with another
lcqy (a command line, e.g. an older checkout's) in the same rounds, so that each pair sees the
same load. CPU (user + system) and peak RSS as in bench_commands.py; medians of the runs.

    python bench/bench_agenda.py [--cases 100000] [--runs 5] [--db LEDGER] [--before "CMD …"]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_commands import env, lcqy, measure, task_setup  # noqa: E402 (after the path line)
from ledger_gen import byte_compile, ensure  # noqa: E402

COMMANDS = {"agenda": ["agenda"], "agenda --json": ["agenda", "--json"], "overdue": ["overdue"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--db", type=Path, help="a ledger to copy instead of the generated one")
    ap.add_argument("--before", help="another lcqy command line, run in the same rounds")
    a = ap.parse_args()
    byte_compile()  # as installed: a ledger given with --db skips the generator, which does it
    with tempfile.TemporaryDirectory(prefix="lcqy-bench-agenda-") as tmp:
        root = Path(tmp)
        db = root / "ledger.db"
        shutil.copy(a.db or ensure(a.cases), db)
        task = task_setup(root)
        e = env()
        runners = {"lcqy": lcqy()} | ({"before": a.before.split()} if a.before else {})
        for tool in runners.values():  # migrations and caches, untimed
            measure([*tool, "--db", str(db), "agenda"], e, 1)
        print(f"{a.cases:,} cases, {a.runs} rounds; CPU s (median), peak MiB (max), ratio to task (median)")
        for name, argv in COMMANDS.items():
            got: dict[str, list[dict]] = {k: [] for k in [*runners, "task"]}
            for _ in range(a.runs):
                for k, tool in runners.items():
                    got[k].append(measure([*tool, "--db", str(db), *argv], e, 1))
                if task:
                    got["task"].append(measure(["task", "overdue"], task, 1))
            for k in runners:
                cpu = statistics.median(r["cpu"] for r in got[k])
                peak = max(r["peak"] for r in got[k])
                line = f"{name:15} {k:7} CPU {cpu:.2f} s, {peak:.0f} MiB, {got[k][0]['lines']} lines"
                if task:
                    ratio = statistics.median(r["cpu"] / t["cpu"] for r, t in zip(got[k], got["task"]))
                    task_cpu = statistics.median(t["cpu"] for t in got["task"])
                    line += f", {ratio:.2f}× task overdue (CPU {task_cpu:.2f} s)"
                print(line, flush=True)


if __name__ == "__main__":
    main()
