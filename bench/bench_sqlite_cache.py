"""SQLite's page cache and memory map for a large ledger, measured on the real commands.

Each run is the command in its own process with the connection's pragmas set as a variant says
(lcqy.store.db._connect wrapped before the command runs), its output read through a pipe:
CPU (user + system, and system alone: the time spent copying pages out of the kernel), wall and
peak RSS, medians of --runs, the variants run alternately on the same copy of the ledger.

    python bench/bench_sqlite_cache.py [--cases 1000000] [--runs 3] [--variants default,mmap256]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Pragmas run right after connecting, per variant. "lcqy" is what lcqy.store.db sets today.
VARIANTS: dict[str, list[str]] = {
    "none": [],
    "lcqy": None,  # type: ignore[dict-item]  (the connection as lcqy opens it)
    "cache8": ["PRAGMA cache_size = -8192"],
    "cache16": ["PRAGMA cache_size = -16384"],
    "cache32": ["PRAGMA cache_size = -32768"],
    "cache64": ["PRAGMA cache_size = -65536"],
    "mmap256": ["PRAGMA mmap_size = 268435456"],
    "mmap1g": ["PRAGMA mmap_size = 1073741824"],
    "mmap4g": ["PRAGMA mmap_size = 4294967296"],  # the whole of a 1,000,000-case ledger
    "cache64+mmap256": ["PRAGMA cache_size = -65536", "PRAGMA mmap_size = 268435456"],
}
COMMANDS = {
    "agenda": ["agenda"],
    "stats --by dept": ["stats", "--by", "dept"],
    "report --month 2026-10": ["report", "--month", "2026-10"],
    "list --text 茶业": ["list", "--text", "茶业"],
    "list --all --json": ["list", "--all", "--json"],
    "check": ["check"],
}
_CHILD = """
import sys
import lcqy.store.db as db
pragmas = {pragmas!r}
if pragmas is not None:
    plain = db.sqlite3.connect
    def _connect(path):
        conn = plain(str(path), timeout=db.BUSY_SECONDS, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        for p in pragmas:
            conn.execute(p)
        return conn
    db._connect = _connect
from lcqy.cli import main
sys.argv = ["lcqy", *sys.argv[1:]]
main()
"""


def run(variant: str, db: Path, argv: list[str]) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LCQY_")}
    env["LCQY_TODAY"] = "2026-11-27"
    code = _CHILD.format(pragmas=VARIANTS[variant])
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--db", str(db), *argv],
        env=env,
        cwd=tempfile.gettempdir(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    tail = b""
    while chunk := proc.stdout.read(1 << 16):
        tail = (tail + chunk)[-2000:]
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # check exits 1 on a problem (file mode)
        sys.exit(f"{variant} {argv} failed:\n{tail.decode(errors='replace')}")
    return {
        "wall": time.perf_counter() - t0,
        "cpu": usage.ru_utime + usage.ru_stime,
        "sys": usage.ru_stime,
        "peak": usage.ru_maxrss / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--variants", default="lcqy,none,cache64,mmap256")
    ap.add_argument("--only", default="", help="comma-separated commands (default: all)")
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from ledger_gen import byte_compile, ensure

    byte_compile()
    variants = args.variants.split(",")
    names = [c for c in COMMANDS if not args.only or c in args.only.split(",")]
    work = Path(tempfile.mkdtemp(prefix="lcqy-bench-cache-"))
    db = work / "ledger.db"
    shutil.copyfile(ensure(args.cases), db)
    run("lcqy", db, ["list", "--limit", "1"])  # migrations, if any, before timing
    print(f"| command ({args.cases:,} cases, median of {args.runs}) | " + " | ".join(variants) + " |")
    print("|---|" + "---|" * len(variants))
    for name in names:
        got: dict[str, list[dict]] = {v: [] for v in variants}
        for _ in range(args.runs):
            for v in variants:
                got[v].append(run(v, db, COMMANDS[name]))
        cells = []
        for v in variants:
            rs = got[v]
            med = {k: statistics.median(r[k] for r in rs) for k in ("cpu", "sys", "wall")}
            cells.append(
                f"CPU {med['cpu']:.2f} (sys {med['sys']:.2f}), {med['wall']:.2f} s, "
                f"{max(r['peak'] for r in rs):.0f} MiB"
            )
        print(f"| `{name}` | " + " | ".join(cells) + " |", flush=True)
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
