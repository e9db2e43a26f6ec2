"""Load on `lcqy serve`: department users browsing, replies coming in, the clerk's CLI writing.

Bounded in time and count, on 127.0.0.1 only. Against a copy of the generated 100,000-case ledger
(bench/ledger_gen.py, cached): USERS department users (spread over the office's departments) each
open their workbench and one of its cases in turn, with a think time of 1–3 s between pages (as a
person reads; each has opened its workbench once before the measured minute), fetching the style
sheet with each page (the same run's static-file baseline);
replies arrive at RATE a second through the JSON API, each on a different case; the clerk's CLI
registers a case once a second. Reported: p50/p99 page times, errors, replies answered 201 but not
in the ledger afterwards (lost), the server's peak RSS, and the CLI's run times.

    python bench/bench_web.py                      # 100,000 cases, 50 users, 5 replies/s, 60 s
    python bench/bench_web.py --smoke              # 1,000 cases, 5 users, 10 s: it still works
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import ledger_gen  # noqa: E402 (bench/ is the script's own folder)

TODAY = "2026-11-27"
PASSWORD = "Bench2026pass"
MAX_REQUESTS = 200_000  # a bound whatever the arguments


class Client:
    """One user's keep-alive connection with its session cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        h = {"Cookie": self.cookie} if self.cookie else {}
        h.update(headers or {})
        t = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=h)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        took = time.perf_counter() - t
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie" and v.startswith("lcqy_session="):
                self.cookie = v.split(";", 1)[0]
        return resp.status, data, took, dict(resp.getheaders())

    def form(self, path: str, fields: dict):
        body = urlencode(fields).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})


def csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page)[1].decode()


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.count = 0

    def add(self, kind: str, took: float) -> None:
        with self.lock:
            self.times.setdefault(kind, []).append(took)
            self.count += 1

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)
            self.count += 1


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def setup(db: Path, users: int, replies: int, seed: int) -> tuple[list[dict], list[tuple[str, str]]]:
    """Users with their passwords changed, one API token per department, and the cases replies go to."""
    from datetime import date

    from lcqy.acts import online
    from lcqy.acts.context import Ctx
    from lcqy.store.db import Ledger

    led = Ledger.open(db)  # runs migration 17 on the generated ledger
    ctx = Ctx(led, date.fromisoformat(TODAY))
    depts = [d for (d,) in led.conn.execute("SELECT name FROM departments ORDER BY rowid")]
    accounts = []
    for i in range(users):
        dept = depts[i % len(depts)]
        login = f"user{i:02d}"
        pw = online.add_user(ctx, login, role="dept", dept=dept)["password"]
        online.change_password(ctx, online.user_row(ctx, login), pw, PASSWORD)
        accounts.append({"login": login, "dept": dept})
    tokens = {}
    for d in depts:
        login = f"oa-{depts.index(d):02d}"
        online.add_user(ctx, login, role="dept", dept=d)
        tokens[d] = online.issue_token(ctx, login)["token"]
    rng = random.Random(seed)
    rows = led.conn.execute(
        "SELECT c.reg_year, c.reg_seq, d.lead_dept FROM cases c JOIN dispatches d ON d.case_id = c.id "
        "AND d.status = 'active' WHERE c.state = 'dispatched' AND d.dispatched_on < ? ORDER BY c.id",
        [TODAY],
    ).fetchall()
    rng.shuffle(rows)
    targets = [(f"{y}-{n}", tokens[dept]) for y, n, dept in rows[:replies]]
    led.close()
    return accounts, targets


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system time of a process so far (the server's own work, whatever else runs)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--rate", type=float, default=5.0, help="replies a second")
    ap.add_argument("--threads", type=int, default=8, help="the server's threads (lcqy serve --threads)")
    ap.add_argument("--smoke", action="store_true", help="1,000 cases, 5 users, 10 s")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    a = ap.parse_args()
    if a.smoke:
        a.cases, a.users, a.seconds = 1000, 5, 10.0
    a.users, a.seconds, a.rate = min(a.users, 200), min(a.seconds, 600.0), min(a.rate, 50.0)
    replies = int(a.rate * a.seconds) + 10

    work = Path(tempfile.mkdtemp(prefix="lcqy-bench-web-"))
    db = work / "ledger.db"
    shutil.copy(ledger_gen.ensure(a.cases), db)
    os.chmod(db, 0o600)
    env = {**os.environ, "LCQY_DB": str(db), "LCQY_TODAY": TODAY}
    os.environ.update({"LCQY_DB": str(db), "LCQY_TODAY": TODAY})
    t0 = time.perf_counter()
    accounts, targets = setup(db, a.users, replies, seed=20261207)
    print(f"set-up: {len(accounts)} users, {len(targets)} cases to reply to, {time.perf_counter() - t0:.1f} s")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lcqy", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--threads", str(a.threads)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    line = server.stdout.readline()
    if "已启动" not in line:
        print(line + server.stdout.read())
        sys.exit(1)
    # Keep reading what the server says (waitress warns of a deep queue): a full pipe would block
    # its main loop and stall every connection.
    threading.Thread(target=lambda: list(server.stdout), daemon=True).start()
    stats = Stats()
    try:
        run(a, port, server.pid, accounts, targets, stats, env)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    report(a, db, stats)
    shutil.rmtree(work, ignore_errors=True)


def run(a, port: int, pid: int, accounts: list[dict], targets: list, stats: Stats, env: dict) -> None:
    clients = []
    for acc in accounts:  # signed in before the measured minute
        c = Client(port)
        _, page, _, _ = c.request("GET", "/login")
        status, _, _, _ = c.form("/login", {"login": acc["login"], "password": PASSWORD, "csrf_token": csrf(page)})
        assert status == 302, status
        c.request("GET", "/cases")  # a server that has been running: the lists are ranked
        clients.append(c)
    stop = time.perf_counter() + a.seconds
    cpu0, load0 = cpu_seconds(pid), os.getloadavg()[0]
    rss: list[float] = []
    replied: list[str] = []
    cli_runs: list[tuple[int, float]] = []

    def bounded() -> bool:
        return time.perf_counter() < stop and stats.count < MAX_REQUESTS

    def browse(i: int, c: Client) -> None:
        rng = random.Random(i)
        time.sleep(rng.uniform(0, 2))  # users do not all start at the same instant
        links: list[str] = []
        while bounded():
            try:
                if not links or rng.random() < 0.5:
                    status, page, took, _ = c.request("GET", "/cases")
                    kind = "workbench"
                    links = re.findall(r'href="(/cases/\d{4}-\d+)"', page.decode())
                else:
                    status, page, took, _ = c.request("GET", rng.choice(links))
                    kind = "case page"
                if status != 200 or b"database is locked" in page:
                    stats.error(f"{kind} {status}")
                else:
                    stats.add(kind, took)
                    stats.add("page", took)
                status, _, took, _ = c.request("GET", "/static/style.css")
                stats.add("static", took) if status == 200 else stats.error(f"static {status}")
            except Exception as exc:  # noqa: BLE001 - counted, the run goes on
                stats.error(f"{type(exc).__name__}: {exc}")
                c.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            time.sleep(rng.uniform(1.0, 3.0))

    def reply_one(ref: str, token: str) -> None:
        c = Client(port)
        body = json.dumps({"result": "A", "mode": "书面", "summary": "已办结，企业认可（压力测试）"}).encode()
        try:
            head = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            status, data, took, _ = c.request("POST", f"/api/cases/{ref}/reply", body, head)
        except Exception as exc:  # noqa: BLE001
            stats.error(f"reply {type(exc).__name__}")
            return
        if status == 201:
            stats.add("reply", took)
            with stats.lock:
                replied.append(ref)
        else:
            stats.error(f"reply {status} {data[:200].decode(errors='replace')}")
        c.conn.close()

    def replies() -> None:
        gap, n = 1.0 / a.rate, 0
        start = time.perf_counter()
        workers: list[threading.Thread] = []
        while bounded() and n < len(targets):
            due = start + n * gap
            time.sleep(max(0.0, due - time.perf_counter()))
            t = threading.Thread(target=reply_one, args=targets[n])
            t.start()
            workers.append(t)
            n += 1
        for t in workers:
            t.join()

    def clerk() -> None:
        n = 0
        while bounded():
            t = time.perf_counter()
            r = subprocess.run(
                [sys.executable, "-m", "lcqy", "register", "--enterprise", f"临沧压力测试企业{n}有限公司",
                 "--category", "用电保障", "--channel", "来电反映", "--contact", "李华", "--phone", "0883-2123456",
                 "--problem", "压力测试登记", "--request", "无"],
                env=env, capture_output=True, text=True,
            )  # fmt: skip
            cli_runs.append((r.returncode, time.perf_counter() - t))
            if r.returncode:
                stats.error(f"clerk's CLI: {r.stderr.strip()[:200]}")
            n += 1
            time.sleep(max(0.0, 1.0 - (time.perf_counter() - t)))

    def sampler() -> None:
        while bounded():
            rss.append(rss_mib(pid))
            time.sleep(0.5)

    threads = [threading.Thread(target=browse, args=(i, c)) for i, c in enumerate(clients)]
    threads += [threading.Thread(target=f) for f in (replies, clerk, sampler)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.rss, run.replied, run.cli = rss, replied, cli_runs
    run.cpu, run.load = cpu_seconds(pid) - cpu0, (load0, os.getloadavg()[0])


def report(a, db: Path, stats: Stats) -> None:
    conn = sqlite3.connect(db)
    stored = {
        f"{y}-{n}"
        for y, n in conn.execute(
            "SELECT c.reg_year, c.reg_seq FROM replies r JOIN cases c ON c.id = r.case_id "
            "JOIN events e ON e.case_id = c.id AND e.action = 'reply' AND e.actor LIKE 'oa-%（%，网上）'"
        )
    }
    lost = [r for r in run.replied if r not in stored]
    conn.close()
    out = {"cases": a.cases, "users": a.users, "seconds": a.seconds, "reply_rate": a.rate, "threads": a.threads}
    print(f"\n{a.cases:,} cases, {a.users} users (think 1–3 s), {a.rate:g} replies/s, {a.seconds:g} s, "
          f"server threads {a.threads}")  # fmt: skip
    print(f"{'kind':<10} {'count':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind in ("page", "workbench", "case page", "reply", "static"):
        v = stats.times.get(kind, [])
        row = {"count": len(v), "p50_ms": pct(v, 50) * 1000, "p99_ms": pct(v, 99) * 1000,
               "max_ms": max(v, default=float("nan")) * 1000}  # fmt: skip
        out[kind] = row
        print(f"{kind:<10} {row['count']:>6} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['max_ms']:>8.1f}")
    cli = [t for _, t in run.cli]
    out.update(
        errors=len(stats.errors), error_kinds=sorted(set(stats.errors))[:10], replies_ok=len(run.replied),
        lost_replies=len(lost), server_rss_max_mib=max(run.rss, default=0.0),
        cli_runs=len(cli), cli_failures=sum(1 for rc, _ in run.cli if rc),
        cli_median_s=statistics.median(cli) if cli else None, cli_max_s=max(cli, default=None),
    )  # fmt: skip
    print(f"errors {out['errors']} {out['error_kinds']}; replies answered 201: {out['replies_ok']}, lost: "
          f"{out['lost_replies']}; server peak RSS {out['server_rss_max_mib']:.0f} MiB; clerk's CLI "
          f"{out['cli_runs']} runs, {out['cli_failures']} failed, median {out['cli_median_s'] or 0:.2f} s, "
          f"max {out['cli_max_s'] or 0:.2f} s")  # fmt: skip
    served = sum(len(v) for k, v in stats.times.items() if k != "page")
    out.update(server_cpu_s=run.cpu, server_cpu_ms_per_request=run.cpu * 1000 / max(served, 1),
               load_average=run.load, cpus=os.cpu_count())  # fmt: skip
    print(f"server CPU {run.cpu:.1f} s for {served} requests ({out['server_cpu_ms_per_request']:.1f} ms each); "
          f"load average {run.load[0]:.1f} → {run.load[1]:.1f} on {os.cpu_count()} CPUs")
    goals = out["page"]["p99_ms"] <= 200 and not out["errors"] and not lost and out["server_rss_max_mib"] < 300
    print("goals (p99 ≤ 200 ms, 0 errors, 0 lost, RSS < 300 MiB):", "met" if goals else "NOT met")
    if a.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
