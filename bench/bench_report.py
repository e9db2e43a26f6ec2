"""`lcqy report` and `lcqy stats` on a generated 100,000-case ledger. Goal: report under 1 s.

The ledger comes from ledger_gen's generator (cached under the temporary directory, apart
from that benchmark's cache) and is copied before use, so the cache stays as generated. The
generator writes no case history, so the copy gets one history event per act (dispatch, reply,
follow-up, urge, and the 督办 marks of its supervised cases), as a real ledger has: the report
reads the 督办 marks from that history.
Each measured run is its own process, wall time of the whole command (start-up included); the
first run, which applies the schema migrations to the copy, is not counted.

    python bench/bench_report.py [--cases 100000] [--runs 3] [--month 2026-10]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import ledger_gen as gen  # noqa: E402 (after the sys.path line)

HISTORY = """
INSERT INTO events (case_id, at, act_on, actor, action, detail)
SELECT case_id, '2026-11-27T09:00:00', dispatched_on, '赵晓云', 'dispatch', '{}' FROM dispatches;
INSERT INTO events (case_id, at, act_on, actor, action, detail)
SELECT case_id, '2026-11-27T09:00:00', replied_on, '赵晓云', 'reply', '{}' FROM replies;
INSERT INTO events (case_id, at, act_on, actor, action, detail)
SELECT case_id, '2026-11-27T09:00:00', followed_on, '赵晓云', 'followup', '{}' FROM followups;
INSERT INTO events (case_id, at, act_on, actor, action, detail)
SELECT case_id, '2026-11-27T09:00:00', urged_on, '赵晓云', 'urge', '{}' FROM urges;
INSERT INTO events (case_id, at, act_on, actor, action, detail)
SELECT c.id, '2026-11-27T09:00:00', r.replied_on, '赵晓云', 'supervision',
       '{"before": "", "after": "' || c.supervision || '"}'
FROM cases c JOIN replies r ON r.id = (SELECT max(id) FROM replies WHERE case_id = c.id)
WHERE c.supervision <> ''
"""


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one process; CPU (user + system) is steadier on a shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"failed: {' '.join(argv)}\n{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--month", default="2026-10")
    args = ap.parse_args()
    gen.byte_compile()
    # A cache of its own: the ledger is created with this tree's migrations.
    cached = Path(tempfile.gettempdir()) / f"lcqy-bench-report-ledger-{args.cases}-v{gen.LAYOUT}.db"
    if not cached.exists():
        print(f"generating {args.cases} cases into {cached} …", flush=True)
        gen.generate(cached, args.cases)
    work = Path(tempfile.mkdtemp(prefix="lcqy-bench-report-"))
    db = work / "ledger.db"
    shutil.copyfile(cached, db)
    conn = sqlite3.connect(db)
    with conn:
        conn.executescript(HISTORY)
    n = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("cases", "dispatches", "events")}
    conn.close()
    print(f"ledger copy {db}: {n['cases']} cases, {n['dispatches']} dispatches, {n['events']} events")

    env = {**os.environ, "LCQY_TODAY": gen.TODAY.isoformat(), "COLUMNS": "160"}
    lcqy = [sys.executable, "-m", "lcqy", "--db", str(db)]
    commands = {
        f"report --month {args.month}": ["report", "--month", args.month],
        f"report --month {args.month} --json": ["report", "--month", args.month, "--json"],
        f"report --month {args.month} -o 简报.docx": [
            "report",
            "--month",
            args.month,
            "-o",
            str(work / "简报.docx"),
            "--force",
        ],  # fmt: skip
        "stats --by dept --year 2026": ["stats", "--by", "dept", "--year", "2026"],
        "stats --by month --year 2026 -o 统计.xlsx": [
            "stats",
            "--by",
            "month",
            "--year",
            "2026",
            "-o",
            str(work / "统计.xlsx"),
            "--force",
        ],  # fmt: skip
        "lcqy --help (start-up alone)": ["--help"],
    }
    _run(lcqy + ["report", "--month", args.month, "--json"], env)  # applies the migrations to the copy
    print(f"{'command':48s} {'wall best':>9s} {'wall worst':>10s} {'CPU best':>9s}")
    for label, argv in commands.items():
        if argv[0] == "stats" and not (ROOT / "lcqy" / "cli" / "stats.py").exists():
            continue
        got = [_run(lcqy + argv, env) for _ in range(args.runs)]
        walls, cpus = [w for w, _ in got], [c for _, c in got]
        print(f"{label:48s} {min(walls):9.2f} {max(walls):10.2f} {min(cpus):9.2f}")
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {sys.platform}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
