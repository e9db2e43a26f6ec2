"""The Excel writers measured on the same ledger: each reads the export's rows from a generated
ledger (bench/ledger_gen.py, `lcqy.acts.ledger_io.export_rows`, as export-ledger does) and writes
the category sheets. Each run is its own process (its peak RSS its own); CPU is user + system
time of that process; the writers run alternately, `--runs` times, and the figures are medians.

    feed            reading the rows only: what every writer below also pays
    lcqy            lcqy.xlsx.writer.write_ledger (this checkout)
    before          the same function in another checkout (--before REV, e.g. main)
    openpyxl-1style openpyxl write-only, every data cell a WriteOnlyCell of one shared style
    openpyxl-plain  openpyxl write-only, plain values, no styles (its floor; loses the ledger's look)
    xlsxwriter      XlsxWriter constant_memory, the ledger's 8 formats, widths, panes, filter,
                    row heights and print setup (skipped when xlsxwriter is not installed)

    python bench/bench_xlsx_writers.py [--cases 100000] [--runs 3] [--before main] [--only lcqy,before]
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

HERE = Path(__file__).resolve().parent
WRITERS = ["feed", "lcqy", "before", "openpyxl-1style", "openpyxl-plain", "xlsxwriter"]


def _rows(db: Path):
    from lcqy.acts.ledger_io import export_rows
    from lcqy.acts.queries import Filters

    from lcqy.acts.context import Ctx
    from lcqy.store.db import Ledger

    sys.path.insert(0, str(HERE))
    from ledger_gen import TODAY

    led = Ledger.open(db)
    return export_rows(Ctx(ledger=led, today=TODAY), Filters(), TODAY), TODAY


def _openpyxl(rows, out: Path, styled: bool) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, Side

    from lcqy.rules.constants import CATEGORIES
    from lcqy.xlsx.writer import SEQ, columns

    spec = [SEQ, *columns()]
    wb = Workbook(write_only=True)
    sheets = {cat: wb.create_sheet(cat) for cat in CATEGORIES}
    thin = Side(style="thin")
    style = None
    if styled:
        probe = WriteOnlyCell(sheets[CATEGORIES[0]])
        probe.font = Font(name="宋体", size=11)
        probe.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        probe.alignment = Alignment(vertical="top", wrap_text=True)
        style = probe._style
    counts = dict.fromkeys(CATEGORIES, 0)
    n = 0
    for row in rows:
        cat = row["category"]
        counts[cat] += 1
        ws = sheets[cat]
        values = []
        for key, _, _ in spec:
            v = counts[cat] if key == "seq" else row.get(key)
            if isinstance(v, list):
                v = "、".join(v)
            if styled:
                cell = WriteOnlyCell(ws)
                cell._style = style
                cell.value = v
                if isinstance(v, str) and v[:1] == "=":
                    cell.data_type = "s"
                v = cell
            elif isinstance(v, str) and v[:1] == "=":
                v = "'" + v  # plain values cannot say "text"; the floor ignores it
            values.append(v)
        ws.append(values)
        n += 1
    wb.save(out)
    return n


def _xlsxwriter(rows, out: Path) -> int:
    import xlsxwriter

    from lcqy.rules.constants import CATEGORIES
    from lcqy.xlsx.styles import DATE_FORMAT, ESTIMATED_DATE_FORMAT, LATE_FILL_COLOR, text_width
    from lcqy.xlsx.writer import _DATE_KEYS, _INT_KEYS, _WRAP_KEYS, SEQ, columns

    spec = [SEQ, *columns()]
    wb = xlsxwriter.Workbook(
        str(out), {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                   "strings_to_urls": False},
    )  # fmt: skip
    base = {"font_name": "宋体", "font_size": 11, "border": 1, "valign": "top"}
    formats = {}
    for late in (False, True):
        fill = {"bg_color": "#" + LATE_FILL_COLOR[2:], "pattern": 1} if late else {}
        formats[late, "text"] = wb.add_format({**base, **fill, "text_wrap": True})
        formats[late, "quote"] = wb.add_format({**base, **fill, "text_wrap": True, "quote_prefix": True})
        formats[late, "date"] = wb.add_format({**base, **fill, "num_format": DATE_FORMAT, "align": "center"})
        formats[late, "est"] = wb.add_format(
            {**base, **fill, "num_format": ESTIMATED_DATE_FORMAT, "align": "center", "italic": True}
        )
        formats[late, "int"] = wb.add_format({**base, **fill, "align": "center"})
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                          "bg_color": "#D9E1F2", "font_name": "宋体"})  # fmt: skip
    sheets, next_row = {}, {}
    for cat in CATEGORIES:
        ws = wb.add_worksheet(cat)
        for i, (_, _, cap) in enumerate(spec):
            ws.set_column(i, i, cap)
        ws.freeze_panes(3, 2)
        ws.set_landscape()
        ws.set_paper(8)
        ws.fit_to_pages(1, 0)
        ws.set_margins(0.3, 0.3, 0.8, 0.7)
        ws.set_header("&C&A")
        ws.set_footer("&C第 &P 页，共 &N 页")
        ws.repeat_rows(2)
        ws.write_string(0, 0, f"问题台帐·{cat}")
        for i, (_, header, _) in enumerate(spec):
            ws.write_string(2, i, header, head)
        sheets[cat], next_row[cat] = ws, 3
    n = 0
    for row in rows:
        cat = row["category"]
        ws, r = sheets[cat], next_row[cat]
        late = (row.get("days_late") or 0) > 0
        lines = 1
        for key, _, cap in spec:
            v = row.get(key)
            if isinstance(v, list):
                v = "、".join(v)
            if key in _WRAP_KEYS and isinstance(v, str) and text_width(v) > cap - 3:
                lines = max(lines, -(-text_width(v) // (cap - 3)))
        if lines > 1:
            ws.set_row(r, min(lines * 16.0, 409.0))
        for i, (key, _, _) in enumerate(spec):
            v = r - 2 if key == "seq" else row.get(key)
            if isinstance(v, list):
                v = "、".join(v) or None
            if key in _DATE_KEYS:
                fmt = formats[late, "est" if key == "due_date" and row.get("due_estimated") else "date"]
                ws.write_datetime(r, i, v, fmt) if v else ws.write_blank(r, i, None, fmt)
            elif key in _INT_KEYS:
                ws.write_number(r, i, v, formats[late, "int"]) if v else ws.write_blank(
                    r, i, None, formats[late, "int"]
                )
            elif v:
                ws.write_string(r, i, v, formats[late, "quote" if v[0] in "=+-@#" else "text"])
            else:
                ws.write_blank(r, i, None, formats[late, "text"])
        next_row[cat] = r + 1
        n += 1
    for cat, ws in sheets.items():
        ws.autofilter(2, 0, next_row[cat] - 1, len(spec) - 1)
    wb.close()
    return n


def child(name: str, db: Path, out: Path) -> None:
    rows, today = _rows(db)
    t0 = time.perf_counter()
    if name == "feed":
        n = sum(1 for _ in rows)
    elif name in ("lcqy", "before"):
        from lcqy.xlsx.writer import write_ledger

        n = write_ledger(out, rows, office_name="临翔区服务企业发展领导小组办公室", made_on=today)["rows"]
    elif name.startswith("openpyxl"):
        n = _openpyxl(rows, out, styled=name == "openpyxl-1style")
    else:
        n = _xlsxwriter(rows, out)
    print(json.dumps({"rows": n, "seconds": time.perf_counter() - t0}))


def run(name: str, db: Path, out: Path, code: Path | None) -> dict:
    """One writer in a process of its own: wall, CPU (user + system), peak RSS, file size."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LCQY_")}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--ledger", str(db), "--out", str(out)]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        # Not the repository as the working directory: its lcqy would shadow PYTHONPATH's.
        proc = subprocess.Popen(argv, env=env, cwd=tempfile.gettempdir(), stdout=subprocess.PIPE, stderr=err)
        stdout = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if os.waitstatus_to_exitcode(status):
            err.seek(0)
            sys.exit(f"{name} failed:\n{err.read().decode(errors='replace')[-3000:]}")
    got = json.loads(stdout.decode().strip().splitlines()[-1])
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak": usage.ru_maxrss / 1024,
        "rows": got["rows"],
        "size": out.stat().st_size if out.exists() else 0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--before", help="git revision whose writer is measured as `before` (e.g. main)")
    ap.add_argument("--only", default="", help="comma-separated writers (default: all)")
    ap.add_argument("--child", choices=WRITERS, help=argparse.SUPPRESS)
    ap.add_argument("--ledger", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.ledger, args.out)
        return
    sys.path.insert(0, str(HERE))
    from ledger_gen import byte_compile, ensure

    byte_compile()
    work = Path(tempfile.mkdtemp(prefix="lcqy-bench-writers-"))
    db = work / "ledger.db"
    shutil.copyfile(ensure(args.cases), db)
    names = [w for w in WRITERS if not args.only or w in args.only.split(",")]
    code = None
    if args.before:
        code = work / "before"
        code.mkdir()
        archive = subprocess.run(["git", "-C", str(HERE.parent), "archive", args.before, "lcqy"], capture_output=True,
                                 check=True).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(code)], check=True)
    elif "before" in names:
        names.remove("before")
    try:
        import xlsxwriter  # noqa: F401
    except ImportError:
        print("xlsxwriter is not installed: skipped (pip install xlsxwriter)")
        names = [n for n in names if n != "xlsxwriter"]
    results: dict[str, list[dict]] = {n: [] for n in names}
    for _ in range(args.runs):
        for name in names:
            got = run(name, db, work / f"{name}.xlsx", code if name == "before" else None)
            results[name].append(got)
            print(f"  {name:16s} {got['wall']:6.2f} s  CPU {got['cpu']:6.2f} s  {got['peak']:6.1f} MiB  "
                  f"{got['size'] / 2**20:5.1f} MB", flush=True)  # fmt: skip
    print(f"\n| writer ({args.cases:,} cases, median of {args.runs}) | CPU s | wall s | peak MiB | file MB |")
    print("|---|---|---|---|---|")
    for name, rs in results.items():
        med = {k: statistics.median(r[k] for r in rs) for k in ("cpu", "wall", "size")}
        peak = max(r["peak"] for r in rs)
        print(f"| {name} | {med['cpu']:.2f} | {med['wall']:.2f} | {peak:.0f} | {med['size'] / 2**20:.1f} |")
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
