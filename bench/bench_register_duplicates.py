"""Duplicate warning at registration on a 100,000-case ledger.

Builds a ledger (`lcqy init`, then 100,000 open cases of 20,000 enterprises written straight into
SQLite, not timed), then times the look-up `likely_duplicates` alone and a whole `lcqy register`
process that finds duplicates, and prints the query plan (both look-ups must be index searches).

    python bench/bench_register_duplicates.py [--cases 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LCQY = [sys.executable, "-m", "lcqy"]
_FORMS = ["有限公司", "股份有限公司", "有限责任公司", "公司"]


def build(path: Path, cases: int) -> None:
    env = {**os.environ, "LCQY_DB": str(path), "LCQY_TODAY": "2026-11-27"}
    subprocess.run([*LCQY, "init", "--office-name", "临翔区服务企业发展领导小组办公室", "--prefix", "临翔",
                    "--level", "county", "--clerk", "赵"], env=env, check=True, capture_output=True)  # fmt: skip
    rnd = random.Random(7)
    conn = sqlite3.connect(path)
    rows = []
    for i in range(1, cases + 1):
        ent = f"临沧{rnd.randrange(20000)}号企业{rnd.choice(_FORMS)}"
        rows.append((f"临翔服企办收（2026）第{i}号", 2026, i, "用电保障", "来电反映", ent, "2026-01-05",
                     f"问题{i}：生产线增容报装后未接电", "2026-01-05", "registered", "2026-01-07", "x"))  # fmt: skip
    conn.executemany(
        "INSERT INTO cases (reg_no, reg_year, reg_seq, category, channel, enterprise, reported_on, problem,"
        " accepted_on, state, dispatch_due, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    conn.executemany(
        "INSERT INTO numbers (kind, year, seq, text, case_id, issued_on) VALUES ('收', 2026, ?, ?, ?, '2026-01-05')",
        [(r[2], r[0], r[2]) for r in rows],
    )
    conn.execute("INSERT INTO counters VALUES ('收', 2026, ?)", (cases + 1,))
    conn.commit()
    conn.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.db"
        build(path, a.cases)
        os.environ["LCQY_TODAY"] = "2026-11-27"
        from lcqy.acts.context import Ctx, today_from_env
        from lcqy.acts.intake.register import likely_duplicates
        from lcqy.store.db import Ledger

        led = Ledger.open(path)
        ctx = Ctx(ledger=led, today=today_from_env())
        probe = {"id": 0, "reg_year": 2026, "reg_seq": 0, "enterprise": "临沧 123号企业股份有限公司",
                 "problem": "问题77：生产线增容报装后未接电。"}  # fmt: skip
        times = []
        for _ in range(a.runs):
            t = time.perf_counter()
            found = likely_duplicates(ctx, probe)
            times.append(time.perf_counter() - t)
        print(f"likely_duplicates: {len(found)} found, median {statistics.median(times) * 1000:.2f} ms "
              f"over {a.runs} runs on {a.cases} cases")  # fmt: skip
        from lcqy.store.schema import ENTERPRISE_KEY, PROBLEM_KEY

        for key, col in ((ENTERPRISE_KEY, "enterprise"), (PROBLEM_KEY, "problem")):
            plan = led.db.execute(f"EXPLAIN QUERY PLAN SELECT id FROM cases WHERE {key.format(col)} = 'x'")
            print("plan:", "; ".join(row[-1] for row in plan))
        led.close()
        env = {**os.environ, "LCQY_DB": str(path)}
        args = ["register", "--enterprise", "临沧123号企业", "--category", "用电保障", "--channel", "来电反映",
                "--contact", "李", "--phone", "0883-2123456", "--problem", "另一件事",
                "--request", "请协调"]  # fmt: skip
        walls = []
        for _ in range(a.runs):
            t = time.perf_counter()
            r = subprocess.run([*LCQY, *args], env=env, capture_output=True, text=True, check=True)
            walls.append(time.perf_counter() - t)
        print(r.stdout.strip().splitlines()[2])
        print(f"lcqy register (whole process): median {statistics.median(walls) * 1000:.0f} ms over {a.runs} runs")


if __name__ == "__main__":
    main()
