"""Export benchmark: `write_ledger` against a bare openpyxl write-only dump of the same rows.

Each side runs in its own subprocess so that its peak RSS is its own. Both build the same
deterministic row list first (not timed) and then write it. Goal: writer time at most 1.5x the bare
dump, and peak memory under 200 MiB.

    python bench/bench_export.py [--rows 100000] [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lcqy.rules.constants import CATEGORIES, CHANNELS, STATES  # noqa: E402 (after the path fix)

_PLACES = ["临川", "东乡", "金溪", "南城", "崇仁", "宜黄", "乐安", "资溪", "广昌", "黎川"]
_TRADES = ["新材料", "食品", "机械制造", "电子科技", "生物医药", "纺织服装", "建材", "物流", "农业开发"]
_FORMS = ["有限公司", "股份有限公司", "有限责任公司"]
_DEPTS = [
    "县发改委",
    "县工信局",
    "县自然资源局",
    "县住建局",
    "县人社局",
    "县财政局",
    "县税务局",
    "县市场监管局",
    "县供电公司",
    "县金融办",
    "县商务局",
    "县生态环境局",
    "县交通运输局",
]
_PHRASES = [
    "企业新建厂房用地手续办理周期较长",
    "影响项目开工建设进度",
    "企业多次前往相关部门咨询",
    "用电负荷不足导致生产线无法满负荷运行",
    "银行贷款审批门槛较高",
    "流动资金周转困难",
    "招工难问题突出",
    "技术工人流失严重",
    "政策兑现不及时",
    "奖补资金尚未拨付",
    "合同约定的配套设施未按期建成",
    "道路及管网建设滞后",
    "环评审批材料反复修改",
    "希望简化审批流程",
    "恳请有关部门尽快协调解决",
    "给企业经营带来较大压力",
]
_REMARKS = ["", "", "", "企业要求书面答复", "已电话联系企业", "涉及多个部门", "=SUM(A1:A2)", "-"]


def _text(rng: random.Random, lo: int, hi: int) -> str:
    parts = []
    n = 0
    target = rng.randint(lo, hi)
    while n < target:
        p = rng.choice(_PHRASES)
        parts.append(p)
        n += len(p) + 1
    return "，".join(parts) + "。"


def make_rows(n: int, seed: int = 20260305) -> list[dict]:
    """Deterministic synthetic ledger rows following the row contract."""
    rng = random.Random(seed)
    labels = list(STATES.values())
    start = dt.date(2025, 1, 2)
    rows = []
    for i in range(n):
        reported = start + dt.timedelta(days=rng.randint(0, 700))
        state = rng.choice(labels)
        replied = reported + dt.timedelta(days=rng.randint(5, 40)) if rng.random() < 0.5 else None
        due = reported + dt.timedelta(days=rng.randint(7, 60)) if rng.random() < 0.9 else None
        late = rng.randint(1, 30) if rng.random() < 0.08 else 0
        assist = rng.sample(_DEPTS, rng.randint(0, 3))
        rows.append(
            {
                "reg_no": f"收{reported.year}-{i + 1:05d}",
                "category": CATEGORIES[rng.randrange(len(CATEGORIES))],
                "reported_on": reported,
                "enterprise": rng.choice(_PLACES) + rng.choice(_PLACES) + rng.choice(_TRADES) + rng.choice(_FORMS),
                "channel": rng.choice(CHANNELS),
                "problem": _text(rng, 30, 160),
                "request": _text(rng, 15, 60),
                "dispatch_no": f"交{reported.year}-{i + 1:05d}" if rng.random() < 0.7 else "",
                "lead_dept": rng.choice(_DEPTS),
                "assist_depts": assist,
                "due_date": due,
                "due_estimated": bool(due and due.year >= 2027),
                "result": rng.choice(["A", "B", "C", "", ""]),
                "replied_on": replied,
                "satisfaction": rng.choice(["满意", "基本满意", "不满意", ""]),
                "state": state,
                "supervision": rng.choice(["", "", "督办台帐", "专项督办"]),
                "days_late": late,
                "urge_count": rng.randint(0, 3) if late else 0,
                "remarks": rng.choice(_REMARKS),
                "address": rng.choice(_PLACES) + "县工业园区" + str(rng.randint(1, 300)) + "号",
                "contact": rng.choice("张王李赵刘陈杨黄") + rng.choice(["伟", "芳", "军", "敏", "强"]),
                "contact_title": rng.choice(["总经理", "办公室主任", "财务总监"]),
                "phone": f"139{rng.randint(0, 99999999):08d}",
                "email": f"qy{i}@example.cn",
                "accepted_on": reported,
                "accepted_by": rng.choice(["周", "吴", "郑"]) + "干事",
            }
        )
    return rows


def _rss_mib_now() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _bare(path: Path, rows: list[dict]) -> None:
    from openpyxl import Workbook

    from lcqy.xlsx.writer import COLUMNS

    keys = [k for k, _, _ in COLUMNS]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台帐")
    ws.append([h for _, h, _ in COLUMNS])
    for row in rows:
        values = [row[k] for k in keys]
        values[8] = "、".join(values[8])
        ws.append(values)
    wb.save(path)


def _child(mode: str, n: int, out: Path) -> None:
    rows = make_rows(n)
    base = _rss_mib_now()
    t0 = time.perf_counter()
    if mode == "writer":
        from lcqy.xlsx.writer import write_ledger

        write_ledger(out, rows, office_name="临川县服企办", title_note="基准测试")
    else:
        _bare(out, rows)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"mode": mode, "wall": wall, "peak": peak, "base": base, "size": out.stat().st_size}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--child", choices=["writer", "bare"])
    args = ap.parse_args()
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="lcqy-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.child:
        _child(args.child, args.rows, out_dir / f"{args.child}.xlsx")
        return
    results = {}
    for mode in ("bare", "writer"):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--rows", str(args.rows), "--out", str(out_dir)],
            check=True,
            capture_output=True,
            text=True,
        )
        results[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"rows: {args.rows}")
    for mode in ("bare", "writer"):
        r = results[mode]
        print(
            f"{mode:7s} wall {r['wall']:6.2f} s  peak {r['peak']:6.1f} MiB "
            f"(rows list {r['base']:.1f} MiB, write +{r['peak'] - r['base']:.1f} MiB)  "
            f"file {r['size'] / 1e6:.1f} MB"
        )
    ratio = results["writer"]["wall"] / results["bare"]["wall"]
    print(f"ratio writer/bare: {ratio:.2f} (goal <= 1.5)")


if __name__ == "__main__":
    main()
