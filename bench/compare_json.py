"""Every command's output on fixed ledgers, written to a folder, and two such folders compared.

A change that moves code but must not change behaviour is checked with it: run `capture` before
and after, then `diff`. Each ledger is a fresh copy of the sample ledger or of a generated one
(bench/ledger_gen.py); the reads run first, then a sequence of acts (each with --json), then the
reads again, so that the acts' effects are compared as well. LCQY_TODAY is fixed; each command's
stdout, stderr and exit code are kept, with the scratch folder's path written as <work>; the diff
reads the clock's timestamps of the history as <clock>.

    python bench/compare_json.py capture OUT [--cases 10000] [--lcqy PATH]
    python bench/compare_json.py capture OUT --daily --db LEDGER [--lcqy PATH]   # issue 21's reads only
    python bench/compare_json.py diff BEFORE AFTER

`--daily --db LEDGER` runs only the daily reads of issue 21 (DAILY: agenda, overdue, list, the
text search, show, report, stats; text and JSON) on a copy of one ledger, such as the generated
100,000-case one, where the whole sequence would take long.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-27"
WORK = Path(tempfile.gettempdir()) / "lcqy-compare-work"

# The listings and read views: --json and the text a clerk reads.
READS: list[list[str]] = [
    ["list"],
    ["list", "--json"],
    ["list", "--all", "--json"],
    ["list", "--all", "--limit", "400"],
    ["list", "--state", "办理中", "--json"],
    ["list", "--text", "恒达"],
    ["list", "--text", "恒达茶业", "--json"],
    ["list", "--dept", "区自然资源局", "--json"],
    ["list", "--supervision", "督办台帐", "--json"],
    ["list", "--category", "用电保障", "--channel", "来电反映", "--json"],
    ["overdue"],
    ["overdue", "--json"],
    ["overdue", "--dept", "区自然资源局"],
    ["overdue", "--as-of", "2026-10-01", "--json"],
    ["agenda"],
    ["agenda", "--all"],
    ["agenda", "--json"],
    ["agenda", "--as-of", "2026-06-01", "--json"],
    *[["show", n, "--json"] for n in ("1", "2", "3", "7", "10", "18", "19", "22", "34", "35", "83", "129")],
    *[["show", n] for n in ("2", "7", "19", "22")],
    *[["stats", "--by", by, "--json"] for by in ("dept", "category", "channel", "month")],
    ["stats", "--by", "dept"],
    ["stats", "--year", "2026", "--by", "category", "--json"],
    ["stats", "--evaluation", "--year", "2026", "--json"],
    ["stats", "--evaluation", "--year", "2026"],
    ["report", "--month", "2026-10", "--json"],
    ["report", "--month", "2026-03", "--json"],
    ["report", "--month", "2026-10"],
    ["figures", "2026-10", "--json"],
    ["check", "--json"],
    ["check"],
    ["dept", "list", "--json"],
    ["calendar", "show", "2026-10", "--json"],
    ["calendar", "check", "2027", "--json"],
    ["attachments", "2", "--json"],
    ["attachments", "19"],
]

# Issue 21's daily reads, {mid} a case in the middle of the ledger.
DAILY: list[list[str]] = [
    ["agenda"],
    ["agenda", "--all"],
    ["agenda", "--json"],
    ["agenda", "--as-of", "2026-10-01", "--json"],
    ["overdue"],
    ["overdue", "--json"],
    ["overdue", "--dept", "区自然资源局"],
    ["overdue", "--as-of", "2026-10-01"],
    ["list"],
    ["list", "--json"],
    ["list", "--all", "--json"],
    ["list", "--text", "恒达"],
    ["list", "--text", "茶业", "--json"],
    ["list", "--text", "恒达茶业"],
    ["list", "--all", "--text", "ab"],
    ["show", "{mid}"],
    ["show", "{mid}", "--json"],
    ["report", "--month", "2026-10"],
    ["report", "--month", "2026-10", "--json"],
    *[["stats", "--by", by] for by in ("dept", "category")],
    *[["stats", "--by", by, "--json"] for by in ("dept", "category")],
]

# Acts in an order a clerk could run them; each prints its --json (or its refusal).
# fmt: off
ACTS: list[list[str]] = [
    ["register", "--enterprise", "临沧比对测试茶业有限公司", "--category", "用电保障", "--channel", "来电反映",
     "--address", "临翔区工业园区", "--contact", "李华", "--title", "总经理", "--phone", "13987654321",
     "--problem", "新上生产线增容报装后迟迟未接电", "--request", "尽快接电", "--date", "2026-11-20", "--json"],
    ["register", "--enterprise", "临沧比对咨询有限公司", "--category", "融资服务", "--channel", "电子邮件",
     "--address", "临翔区南塘街", "--contact", "杨丽", "--title", "财务总监", "--phone", "0883-2123456",
     "--problem", "贷款贴息政策咨询", "--request", "告知申报条件", "--consult", "--json"],
    ["forward", "2026-132", "--dept", "区金融服务中心", "--json"],
    ["dispatch", "18", "--dept", "临翔供电局", "--approver", "张明", "--level", "主任", "--json"],
    ["dispatch", "100", "--dept", "区自然资源局", "--assist", "区发展和改革局", "--approver", "李强",
     "--level", "副组长", "--tier", "重大", "--json"],
    ["escalate", "19", "--approver", "王组长", "--suggestion", "请市级协调", "--package", "pkg", "--json"],
    ["package", "19", "-o", "again.lcqy"],
    ["form", "register", "2", "-o", "register.docx"],
    ["form", "dispatch", "2", "-o", "dispatch.docx"],
    ["form", "escalate", "19", "-o", "escalate.docx"],
    ["reply", "129", "--result", "A", "--mode", "书面", "--summary", "已解决", "--json"],
    ["reply", "49", "--result", "B", "--mode", "面复", "--summary", "正在办理", "--plan", "分两期完成",
     "--plan-due", "2026-12-31", "--json"],
    ["followup", "3", "--method", "电话回询", "--satisfaction", "不满意", "--json"],
    ["followup", "36", "--method", "现场走访", "--satisfaction", "满意", "--json"],
    ["close", "10", "--json"],
    ["close", "36", "--json"],
    ["close", "2", "--json"],
    ["urge", "6", "--no-letter", "--json"],
    ["urge", "8", "--json"],
    ["supervise", "7", "--until", "2026-12-15", "--reason", "答复含糊", "--json"],
    ["extend", "86", "--until", "2026-12-08", "--reason", "需现场核实", "--json"],
    ["extend", "86", "--until", "2027-03-08", "--reason", "再延", "--json"],
    ["form", "urge", "8", "-o", "urge.docx"],
    ["return", "2", "--reason", "不属本部门职责", "--json"],
    ["redispatch", "128", "--dept", "区发展和改革局", "--approver", "张明", "--level", "主任",
     "--reason", "原牵头单位无此职能", "--json"],
    ["edit", "41", "--field", "phone", "--value", "0883-2123456", "--json"],
    ["reject", "104", "--reason", "诉讼", "--json"],
    ["dept", "add", "区比对测试局"],
    ["dept", "rename", "区比对测试局", "区比对测试二局", "--json"],
    ["undo", "129", "--reason", "答复录错案件", "--json"],
    ["void", "109", "--reason", "重复登记", "--json"],
    ["merge", "111", "--into", "112", "--json"],
    ["report", "--month", "2026-10", "-o", "bulletin.docx"],
    ["stats", "--by", "dept", "-o", "stats.xlsx"],
    ["export-ledger", "-o", "ledger.xlsx"],
    ["import-ledger", "ledger.xlsx", "--dry-run", "--json"],
    ["dispatch", "99999", "--dept", "临翔供电局", "--approver", "张明", "--level", "主任", "--json"],
    ["reply", "2", "--result", "D", "--mode", "书面", "--summary", "x", "--json"],
]
# fmt: on


def run(lcqy: list[str], db: Path, args: list[str], cwd: Path) -> str:
    env = {**os.environ, "LCQY_TODAY": TODAY, "COLUMNS": "160", "LC_ALL": "C.UTF-8", "NO_COLOR": "1"}
    env.pop("LCQY_DB", None)
    p = subprocess.run([*lcqy, "--db", str(db), *args], cwd=cwd, env=env, capture_output=True, timeout=600)
    out = p.stdout.decode("utf-8", "replace").replace(str(cwd), "<work>")
    err = p.stderr.decode("utf-8", "replace").replace(str(cwd), "<work>")
    return f"$ lcqy {' '.join(args)}\nexit {p.returncode}\n--- stdout\n{out}--- stderr\n{err}"


def capture(out: Path, ledgers: dict[str, Path], lcqy: list[str], daily: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, source in ledgers.items():
        work = WORK / name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        db = work / "ledger.db"
        shutil.copyfile(source, db)
        db.chmod(0o600)
        lines: list[str] = []
        phases = (("reads", READS), ("acts", ACTS), ("after", READS))
        if daily:
            (n,) = subprocess.run(
                ["sqlite3", str(db), "SELECT max(reg_seq) / 2 FROM cases WHERE reg_year = 2026"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            phases = (("daily", [[a.format(mid=n) for a in args] for args in DAILY]),)
        for phase, commands in phases:
            for i, args in enumerate(commands):
                text = run(lcqy, db, args, work)
                (out / f"{name}.{phase}.{i:03d}.txt").write_text(text, encoding="utf-8")
                lines.append(text.split("\n", 2)[:2][1] + "  " + " ".join(args))
        (out / f"{name}.index.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{name}: {len(lines)} commands → {out}", file=sys.stderr)


# The history's own timestamps (events.at, cases.created_at) come from the clock, not LCQY_TODAY;
# a new case's 查询码 is drawn at random (migration 21).
CLOCK = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
CODE = re.compile(rb"\b[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}\b")


def diff(before: Path, after: Path) -> int:
    a = {p.name for p in before.glob("*.txt")}
    b = {p.name for p in after.glob("*.txt")}
    bad = 0
    for name in sorted(a ^ b):
        print(f"only in {'before' if name in a else 'after'}: {name}")
        bad += 1
    for name in sorted(a & b):
        x, y = (CODE.sub(b"<code>", CLOCK.sub(b"<clock>", (d / name).read_bytes())) for d in (before, after))
        if x != y:
            bad += 1
            sys.stdout.writelines(
                difflib.unified_diff(
                    x.decode().splitlines(True), y.decode().splitlines(True), f"before/{name}", f"after/{name}", n=1
                )
            )
    print(f"{len(a & b)} outputs compared, {bad} differ" + ("" if bad else ": byte-identical"))
    return 1 if bad else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="verb", required=True)
    cap = sub.add_parser("capture")
    cap.add_argument("out", type=Path)
    cap.add_argument("--cases", type=int, default=10_000, help="the generated ledger's size (0: sample only)")
    cap.add_argument("--lcqy", default=None, help="the lcqy to run (default: this checkout's, through python -m)")
    cap.add_argument("--daily", action="store_true", help="only the daily reads (DAILY), on the ledger --db")
    cap.add_argument("--db", type=Path, help="with --daily: the ledger (copied)")
    d = sub.add_parser("diff")
    d.add_argument("before", type=Path)
    d.add_argument("after", type=Path)
    a = ap.parse_args()
    if a.verb == "diff":
        sys.exit(diff(a.before, a.after))
    lcqy = a.lcqy.split() if a.lcqy else [sys.executable, "-m", "lcqy"]
    if a.daily:
        if a.db is None:
            sys.exit("--daily needs --db LEDGER")
        capture(a.out, {a.db.stem: a.db}, lcqy, daily=True)
        return
    ledgers = {"sample": ROOT / "sample_ledger.db"}
    if a.cases:
        sys.path.insert(0, str(ROOT / "bench"))
        import ledger_gen

        # A private copy: the shared cache may be opened (and migrated) by another checkout's lcqy.
        ledgers[f"gen{a.cases}"] = ledger_gen.ensure(a.cases, WORK.parent / f"lcqy-compare-ledger-{a.cases}.db")
    lcqy = a.lcqy.split() if a.lcqy else [sys.executable, "-m", "lcqy"]
    capture(a.out, ledgers, lcqy)


if __name__ == "__main__":
    main()
