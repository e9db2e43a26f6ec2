"""How long each act holds the ledger's write lock (BEGIN IMMEDIATE to COMMIT).

Each act runs in a fresh process on a copy of the sample ledger, as a clerk's command
would; the figure is the time inside the transaction, not the whole command.

    python bench/bench_lock_hold.py [--code DIR] [--runs 3]

--code DIR measures another checkout of the package (put first on PYTHONPATH).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = r"""
import sys, time
from contextlib import contextmanager
import lcqy.store.db as store
orig = store.Ledger.write
held = []
@contextmanager
def timed(self):
    with orig(self) as led:
        t0 = time.perf_counter()
        yield led
    held.append(time.perf_counter() - t0)
store.Ledger.write = timed
from lcqy.cli import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stderr.write("HELD %.1f\n" % (1000 * sum(held)))
sys.exit(code)
"""

REG = [
    "--enterprise",
    "临沧某某科技有限公司",
    "--category",
    "用电保障",
    "--channel",
    "来电反映",
    "--contact",
    "李华",
    "--phone",
    "0883-2123456",
    "--problem",
    "接电迟缓",
    "--request",
    "请协调接电",
]


def refs(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(db)
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "registered": one("SELECT reg_no FROM cases WHERE state='registered' ORDER BY id LIMIT 1"),
        "overdue": one(
            "SELECT c.reg_no FROM cases c JOIN dispatches d ON d.case_id=c.id AND d.status='active' "
            "WHERE c.state='dispatched' AND d.due_current < '2026-11-20' ORDER BY c.id LIMIT 1"
        ),
        "replied": one("SELECT reg_no FROM cases WHERE state='replied' ORDER BY id LIMIT 1"),
    }


def acts(r: dict[str, str], out: Path) -> dict[str, list[str]]:
    return {
        "register": ["register", *REG],
        "dispatch": ["dispatch", r["registered"], "--dept", "区发展和改革局", "--approver", "王", "--level", "组长"],
        "urge (with letter)": ["urge", r["overdue"], "-o", str(out / "u.docx"), "--force"],
        "reply": ["reply", r["overdue"], "--result", "A", "--mode", "书面", "--summary", "已解决"],
        "followup": ["followup", r["replied"], "--method", "电话回询", "--satisfaction", "满意"],
        "dept add": ["dept", "add", "区某某局"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--code", help="checkout whose lcqy package to measure")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    env = {**os.environ, "LCQY_TODAY": "2026-11-27", "LCQY_NOW": "2026-11-27T09:00:00"}
    if args.code:
        env["PYTHONPATH"] = args.code
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = tmp / "base.db"
        subprocess.run(
            [sys.executable, "-m", "lcqy.sample", str(base), "--force"], env=env, check=True, capture_output=True
        )
        todo = acts(refs(base), tmp)
        for name, argv in todo.items():
            held = []
            for _ in range(args.runs):
                db = tmp / "ledger.db"
                shutil.copy(base, db)
                p = subprocess.run(
                    [sys.executable, "-c", PROBE, "--db", str(db), *argv], env=env, capture_output=True, text=True
                )
                line = [x for x in p.stderr.splitlines() if x.startswith("HELD")]
                if p.returncode != 0 or not line:
                    sys.exit(f"{name}: exit {p.returncode}\n{p.stderr}")
                held.append(float(line[-1].split()[1]))
            print(f"{name:20} median {statistics.median(held):7.1f} ms   max {max(held):7.1f} ms")


if __name__ == "__main__":
    main()
