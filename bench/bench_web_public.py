"""Load on the enterprises' side of `lcqy serve` (issue 24): online reports coming in, and
enterprises following their cases with the 查询码.

Bounded in time and count, on 127.0.0.1 only, against a copy of the generated ledger
(bench/ledger_gen.py, cached). Two phases, one after the other:

1. reports: RATE submissions a second for SECONDS through `POST /api/reports`, each a different
   enterprise and phone (open loop: a request is sent at its time whether or not the last has
   come back), on WORKERS keep-alive connections. Afterwards every code answered 201 is looked up
   in the ledger: a code not there is lost.
2. track: READERS enterprises, each in a loop reading the `/track` page of one case (its 查询码
   and the phone's last four digits, drawn from the ledger), with THINK seconds between pages
   (0: back to back), for SECONDS.

Every request comes from 127.0.0.1, so the per-address and per-phone limits are raised for the
run (LCQY_REPORTS_PER_ADDRESS, LCQY_REPORTS_PER_PHONE, LCQY_TRACK_TRIES_ADDRESS).

    python bench/bench_web_public.py                 # 100,000 cases, 20 reports/s, 50 readers, 60 s each
    python bench/bench_web_public.py --smoke         # 1,000 cases, 5 s each: it still works
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import ledger_gen  # noqa: E402 (bench/ is the script's own folder)
from bench_web import cpu_seconds, free_port, pct, rss_mib  # noqa: E402

TODAY = "2026-11-27"
MAX_REQUESTS = 100_000  # a bound whatever the arguments
CATEGORIES = ("政策执行", "合同履行", "用地审批", "用电保障", "融资服务")


class Conn:
    def __init__(self, port: int):
        self.port = port
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        t = time.perf_counter()
        try:
            self.c.request(method, path, body=body, headers=headers or {})
            resp = self.c.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            self.c.close()
            self.c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        return resp.status, data, time.perf_counter() - t


def report_body(i: int) -> bytes:
    return json.dumps(
        {
            "enterprise": f"临沧压测企业{i}有限公司",
            "address": f"临翔区工业园区{i}号",
            "contact": "张经理",
            "position": "总经理",
            "phone": f"139{i:08d}",
            "email": "",
            "category": CATEGORIES[i % len(CATEGORIES)],
            "problem": f"第{i}号压测反映：项目用地手续办理缓慢，影响开工",
            "request": "请协调有关部门加快办理",
        },
        ensure_ascii=False,
    ).encode()


def phase_reports(port: int, rate: float, seconds: float, workers: int) -> dict:
    n = min(int(rate * seconds), MAX_REQUESTS)
    times: list[float] = []
    codes: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.5
    nxt = iter(range(n))

    def worker() -> None:
        c = Conn(port)
        while True:
            with lock:
                i = next(nxt, None)
            if i is None:
                return
            wait = start + i / rate - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            # Open loop: the time counts from when the request was due, so a queue shows.
            due = start + i / rate
            try:
                status, data, _ = c.request(
                    "POST", "/api/reports", report_body(i), {"Content-Type": "application/json"}
                )
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(type(exc).__name__)
                continue
            took = time.perf_counter() - due
            with lock:
                times.append(took)
                if status == 201:
                    codes.append(json.loads(data)["tracking_code"])
                else:
                    errors.append(f"{status} {data[:80].decode(errors='replace')}")

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"sent": n, "times": times, "codes": codes, "errors": errors}


def phase_track(port: int, pairs: list[tuple[str, str]], readers: int, seconds: float, think: float) -> dict:
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    end = time.perf_counter() + seconds
    count = [0]

    def reader(k: int) -> None:
        rng = random.Random(k)
        c = Conn(port)
        while time.perf_counter() < end:
            with lock:
                if count[0] >= MAX_REQUESTS:
                    return
                count[0] += 1
            code, phone4 = rng.choice(pairs)
            try:
                status, data, took = c.request("GET", f"/track?code={code}&phone4={phone4}")
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(type(exc).__name__)
                continue
            with lock:
                if status == 200 and "办理状态".encode() in data:
                    times.append(took)
                else:
                    errors.append(str(status))
            if think:
                time.sleep(rng.uniform(0.5 * think, 1.5 * think))

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"times": times, "errors": errors}


def row(v: list[float]) -> dict:
    return {"count": len(v), "p50_ms": pct(v, 50) * 1000, "p99_ms": pct(v, 99) * 1000,
            "max_ms": max(v, default=float("nan")) * 1000}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--rate", type=float, default=20.0, help="reports a second")
    ap.add_argument("--workers", type=int, default=16, help="connections sending reports")
    ap.add_argument("--readers", type=int, default=50)
    ap.add_argument("--think", type=float, default=0.0, help="seconds between a reader's pages (0: none)")
    ap.add_argument("--seconds", type=float, default=60.0, help="each phase")
    ap.add_argument("--threads", type=int, default=8, help="the server's threads")
    ap.add_argument("--smoke", action="store_true", help="1,000 cases, 5 s a phase")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.smoke:
        a.cases, a.seconds, a.readers = 1000, 5.0, 10
    a.seconds = min(a.seconds, 300.0)
    tmp = Path(tempfile.mkdtemp(prefix="lcqy-bench-public-"))
    db = tmp / "ledger.db"
    shutil.copy(ledger_gen.ensure(a.cases), db)
    os.chmod(db, 0o600)
    env = {**os.environ, "LCQY_DB": str(db), "LCQY_TODAY": TODAY, "LCQY_REPORTS_PER_ADDRESS": "1000000",
           "LCQY_REPORTS_PER_PHONE": "1000000", "LCQY_TRACK_TRIES_ADDRESS": "1000000"}  # fmt: skip
    # Open once first: migration 21 gives the generated cases their codes before the clock starts.
    subprocess.run([sys.executable, "-m", "lcqy", "list", "--limit", "1"], env=env, capture_output=True, check=True)
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT t.code, c.phone FROM tracking_codes t JOIN cases c ON c.id = t.case_id WHERE c.phone != ''"
        " ORDER BY t.case_id"
    ).fetchall()
    conn.close()
    pairs = [(code, "".join(ch for ch in phone.split("转")[0] if ch.isdigit())[-4:]) for code, phone in rows]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lcqy", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--threads", str(a.threads)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    line = server.stdout.readline()
    if "网上办理平台已启动" not in line:
        print(line + server.stdout.read())
        sys.exit(1)
    # Read what the server says from then on (waitress warns of a deep queue): a full pipe would
    # block its main loop and stall every connection.
    said: list[str] = []
    threading.Thread(target=lambda: said.extend(server.stdout), daemon=True).start()
    out: dict = {"cases": a.cases, "rate": a.rate, "readers": a.readers, "think_s": a.think, "seconds": a.seconds}
    try:
        load0, cpu0 = os.getloadavg()[0], cpu_seconds(server.pid)
        rep = phase_reports(port, a.rate, a.seconds, a.workers)
        cpu1, load1 = cpu_seconds(server.pid), os.getloadavg()[0]
        trk = phase_track(port, pairs, a.readers, a.seconds, a.think)
        cpu2, load2 = cpu_seconds(server.pid), os.getloadavg()[0]
        rss = rss_mib(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    conn = sqlite3.connect(db)
    stored = {c for (c,) in conn.execute("SELECT code FROM submissions")}
    conn.close()
    lost = [c for c in rep["codes"] if c.replace("-", "") not in stored]
    out["reports"] = row(rep["times"]) | {
        "sent": rep["sent"], "answered_201": len(rep["codes"]), "lost": len(lost), "errors": len(rep["errors"]),
        "error_kinds": sorted(set(rep["errors"]))[:5], "server_cpu_ms_each": (cpu1 - cpu0) * 1000 / max(rep["sent"], 1),
        "load_average": (load0, load1),
    }  # fmt: skip
    served = len(trk["times"]) + len(trk["errors"])
    out["track"] = row(trk["times"]) | {
        "per_second": served / a.seconds, "errors": len(trk["errors"]), "error_kinds": sorted(set(trk["errors"]))[:5],
        "server_cpu_ms_each": (cpu2 - cpu1) * 1000 / max(served, 1), "load_average": (load1, load2),
    }  # fmt: skip
    out.update(server_rss_mib=rss, cpus=os.cpu_count(), threads=a.threads)
    r, t = out["reports"], out["track"]
    print(f"\n{a.cases:,} cases; server threads {a.threads}; {os.cpu_count()} CPUs")
    print(f"reports: {r['sent']} sent at {a.rate:g}/s, {r['answered_201']} answered 201, {r['lost']} lost, "
          f"{r['errors']} errors {r['error_kinds']}; p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms, "
          f"max {r['max_ms']:.0f} ms; server CPU {r['server_cpu_ms_each']:.1f} ms each; "
          f"load {r['load_average'][0]:.1f} → {r['load_average'][1]:.1f}")  # fmt: skip
    print(f"track:   {t['count']} pages by {a.readers} readers (think {a.think:g} s), {t['per_second']:.0f}/s, "
          f"{t['errors']} errors; p50 {t['p50_ms']:.0f} ms, p99 {t['p99_ms']:.0f} ms, max {t['max_ms']:.0f} ms; "
          f"server CPU {t['server_cpu_ms_each']:.1f} ms each; load {t['load_average'][0]:.1f} → "
          f"{t['load_average'][1]:.1f}")  # fmt: skip
    print(f"server RSS {rss:.0f} MiB")
    goals = not r["lost"] and not r["errors"] and r["p99_ms"] <= 300 and not t["errors"] and t["p99_ms"] <= 100
    print("goals (0 lost, reports p99 ≤ 300 ms, track p99 ≤ 100 ms):", "met" if goals else "NOT met")
    if a.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
