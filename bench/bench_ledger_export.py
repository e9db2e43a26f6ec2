"""Ledger export benchmark: `lcqy export-ledger` on a generated 100,000-case ledger against a bare
openpyxl write-only dump of the same rows read from the same SQLite file.

The ledger is generated once (deterministic, seeded) and cached under the temporary directory;
--regen builds it again. Each measured run is its own process: the export is the real command
(`lcqy --db LEDGER export-ledger -o OUT --force`, LCQY_TODAY fixed), the baseline is one plain
SELECT of the same columns written into one write-only sheet with plain values. Wall time is that of
the whole process (interpreter start-up and imports included on both sides); peak memory is the
process's own maximum RSS, read with wait4(). Goal: export at most 1.5x the bare dump, under 200 MiB.

    python bench/bench_ledger_export.py [--cases 100000] [--runs 2] [--regen] [--ledger PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ledger_gen import TODAY, ensure, ledger_path  # noqa: E402 (after the path line)

# -- the baseline ---------------------------------------------------------------------------

# Each column of the export (lcqy.xlsx.writer) straight from SQL: the case with its latest active
# dispatch (or escalation), reply and follow-up; no working-day arithmetic, labels or styles.
# 超期 is plain calendar days past the due date of a case still being handled.
BARE_EXPR = {
    "reg_no": "c.reg_no",
    "reported_on": "c.reported_on",
    "enterprise": "c.enterprise",
    "channel": "c.channel",
    "problem": "c.problem",
    "request": "c.request",
    "dispatch_no": "coalesce(d.no, e.no, '')",
    "lead_dept": "d.lead_dept",
    "assist_depts": "d.assist",
    "due_date": "d.due_current",
    "result": "r.result",
    "replied_on": "r.replied_on",
    "satisfaction": "f.satisfaction",
    "state": "c.state",
    "days_late": "CASE WHEN c.state = 'dispatched' AND d.due_current < :today "
    "THEN CAST(julianday(:today) - julianday(d.due_current) AS INTEGER) END",
    "urge_count": "c.prior_urges + (SELECT count(*) FROM urges u WHERE u.case_id = c.id)",
    "dispatched_on": "coalesce(d.dispatched_on, e.escalated_on)",
    "approver": "coalesce(d.approver, e.approver, '')",
    "merged_into": "(SELECT m.reg_no FROM cases m WHERE m.id = c.merged_into)",
    "supervision": "c.supervision",
    "nature": "CASE WHEN c.major AND c.consult THEN '重大、咨询' WHEN c.major THEN '重大' "
    "WHEN c.consult THEN '咨询' ELSE '' END",
    "remarks": "c.remarks",
    **{k: f"c.{k}" for k in ("address", "contact", "contact_title", "phone", "email", "accepted_on", "accepted_by")},
}
BARE_DATES = frozenset({"reported_on", "due_date", "replied_on", "accepted_on", "dispatched_on"})
# The latest escalation comes from one grouped pass, so that the baseline does not depend on the
# ledger's index on escalations(case_id).
BARE_FROM = """
FROM cases c
LEFT JOIN dispatches d ON d.id = (
    SELECT max(id) FROM dispatches WHERE case_id = c.id AND status = 'active')
LEFT JOIN (SELECT case_id, max(id) AS id FROM escalations GROUP BY case_id) le ON le.case_id = c.id
LEFT JOIN escalations e ON e.id = le.id
LEFT JOIN replies r ON r.id = (SELECT max(id) FROM replies WHERE case_id = c.id)
LEFT JOIN followups f ON f.id = (SELECT max(id) FROM followups WHERE case_id = c.id)
ORDER BY c.reg_year, c.reg_seq
"""


def bare_sql(keys: list[str]) -> str:
    return "SELECT " + ",\n       ".join(BARE_EXPR[k] for k in keys) + BARE_FROM


def bare_dump(db: Path, out: Path) -> int:
    """The export's rows and columns, one write-only sheet, plain values (dates as dates, the
    assist list joined)."""
    import sqlite3

    from openpyxl import Workbook

    from lcqy.xlsx.writer import COLUMNS

    keys = [k for k, _, _ in COLUMNS]
    dates = [i for i, k in enumerate(keys) if k in BARE_DATES]
    assist = keys.index("assist_depts")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台帐")
    ws.append([h for _, h, _ in COLUMNS])
    n = 0
    fromiso = date.fromisoformat
    loads = json.loads
    for row in conn.execute(bare_sql(keys), {"today": TODAY.isoformat()}):
        values = list(row)
        for i in dates:
            if values[i]:
                values[i] = fromiso(values[i])
        if values[assist]:
            values[assist] = "、".join(loads(values[assist]))
        ws.append(values)
        n += 1
    conn.close()
    wb.save(out)
    return n


# -- measuring ------------------------------------------------------------------------------


def _run(argv: list[str], env: dict[str, str], log: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB, exit code) of one process, started and reaped here."""
    with open(log, "wb") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode  # ru_maxrss is KiB on Linux


def _lcqy() -> list[str]:
    exe = Path(sys.executable).parent / "lcqy"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "lcqy"]


def measure(db: Path, out_dir: Path, runs: int) -> dict[str, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LCQY_")}
    env["LCQY_TODAY"] = TODAY.isoformat()
    cmds = {
        "export": _lcqy() + ["--db", str(db), "export-ledger", "-o", str(out_dir / "export.xlsx"), "--force"],
        "bare": [sys.executable, __file__, "--child", "bare", "--ledger", str(db), "--out", str(out_dir / "bare.xlsx")],
    }
    got: dict[str, dict] = {m: {"walls": [], "peaks": []} for m in cmds}
    for i in range(runs):
        # Alternate the order so that neither side always runs on a warmer page cache.
        for mode in ("bare", "export") if i % 2 == 0 else ("export", "bare"):
            log = out_dir / f"{mode}.log"
            wall, peak, code = _run(cmds[mode], env, log)
            if code != 0:
                sys.exit(f"{mode} failed (exit {code}):\n{log.read_text(errors='replace')[-2000:]}")
            got[mode]["walls"].append(wall)
            got[mode]["peaks"].append(peak)
            print(f"  run {i + 1} {mode:6s} {wall:6.2f} s {peak:6.1f} MiB", flush=True)
    for mode, r in got.items():
        r["wall"] = min(r["walls"])
        r["peak"] = max(r["peaks"])
        r["size"] = (out_dir / f"{mode}.xlsx").stat().st_size
    lines = (out_dir / "export.log").read_text(errors="replace").strip().splitlines()
    got["export"]["said"] = lines[-1].strip() if lines else ""
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=2, help="runs of each side; best wall time, highest peak")
    ap.add_argument("--regen", action="store_true", help="generate the ledger again even if cached")
    ap.add_argument("--ledger", type=Path, default=None, help="ledger file (default: cached, see ledger_gen.cache_dir)")
    ap.add_argument("--out", type=Path, default=None, help="directory for the workbooks (default: a new temp dir)")
    ap.add_argument("--child", choices=["bare"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    db = args.ledger or ledger_path(args.cases)
    stats_file = db.with_name(db.name + ".json")

    if args.child == "bare":
        bare_dump(db, args.out)
        return

    # Generated in a process of its own: its memory must not count in the peaks measured below.
    ensure(args.cases, db, regen=args.regen)
    stats = json.loads(stats_file.read_text())
    print(f"ledger {db} (generated in {stats['seconds']['total']:.1f} s; --regen to rebuild)")
    print(
        "  cases {cases}, dispatches {dispatches}, escalations {escalations}, replies {replies}, "
        "follow-ups {followups}, urges {urges}; {size:.1f} MB".format(**stats, size=db.stat().st_size / 1e6)
    )
    print("  states " + ", ".join(f"{k} {v}" for k, v in sorted(stats["states"].items(), key=lambda kv: -kv[1])))

    out_dir = args.out or Path(tempfile.mkdtemp(prefix="lcqy-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"measuring, {args.runs} run(s) each, workbooks in {out_dir}")
    got = measure(db, out_dir, args.runs)
    ex, bare = got["export"], got["bare"]
    ratio = ex["wall"] / bare["wall"]
    print(f"  lcqy: {ex['said']}")
    print()
    print(f"{'':28s} {'wall s':>7s} {'peak MiB':>9s} {'file MB':>8s}")
    print(f"{'export-ledger (lcqy)':28s} {ex['wall']:7.2f} {ex['peak']:9.1f} {ex['size'] / 1e6:8.1f}")
    print(f"{'bare openpyxl dump':28s} {bare['wall']:7.2f} {bare['peak']:9.1f} {bare['size'] / 1e6:8.1f}")
    print(f"{'ratio export/bare':28s} {ratio:7.2f} {ex['peak'] / bare['peak']:9.2f}")
    ok_time, ok_mem = ratio <= 1.5, ex["peak"] < 200
    print(
        f"goal: wall <= 1.5x bare ({'met' if ok_time else 'NOT met'}), "
        f"peak < 200 MiB ({'met' if ok_mem else 'NOT met'})"
    )
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {sys.platform}")


if __name__ == "__main__":
    main()
