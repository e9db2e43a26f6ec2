"""Print check of the documents: a ledger with problem texts of several lengths, its forms and
letters filled through the CLI, converted to PDF by LibreOffice in one call, read back page by
page with pdftotext. Used by tests/test_print_sweep.py; run as a script to print the page counts:

    .venv/bin/python -m tests.print_sweep OUT_DIR
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

LENGTHS = (20, 60, 90, 200, 400, 600)
SAMPLE = Path(__file__).resolve().parents[1] / "sample_ledger.db"

SENTENCES = (
    "公司新建茶叶精制加工厂房项目已于2025年3月取得区发展和改革局立项批复，用地报批材料已于同年8月提交区自然资源局，"
    "至今未进入组卷报批程序。",
    "项目原定2026年4月开工，因用地手续未办结无法开工，已影响出口订单交付，每月损失约三十万元。",
    "企业多次到窗口咨询，均答复指标不足需等待市级统筹，但未告知等待期限和需要补充的材料。",
    "新上生产线需增容至800千伏安，报装后供电部门现场勘查已过两个月，仍未出具供电方案。",
    "园区道路和排水管网尚未接通，雨季厂区积水，原料仓库受潮，企业自筹资金修建临时排水沟。",
)

ENTERPRISE = "临沧市临翔区滇红茶叶精制加工有限责任公司南美乡多依村第二分公司"
EMAIL = "zhang.xiaoming.procurement@lincang-dianhong-tea.com.cn"


def problem_text(n: int) -> str:
    """n characters of a realistic problem, ending with 。"""
    pool = "".join(SENTENCES) * (n // 100 + 2)
    return pool[: n - 1].rstrip("，。") + "。"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def have_tools() -> str:
    """Empty when LibreOffice and poppler are there, else what is missing."""
    missing = [t for t, found in (("soffice", soffice()), ("pdftotext", shutil.which("pdftotext"))) if not found]
    return "、".join(missing)


def to_pdf(files: list[Path], out_dir: Path, timeout: int = 300) -> None:
    """One LibreOffice process for all files, with a private profile so parallel runs do not clash."""
    profile = out_dir / ".lo-profile"
    cmd = [
        soffice(),
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out_dir),
        *map(str, files),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)


def pages(pdf: Path) -> list[str]:
    """Text of each page, whitespace removed."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    parts = text.split("\f")
    if parts and not parts[-1].strip():
        parts.pop()
    return ["".join(p.split()) for p in parts]


def build_documents(run, out: Path, lengths=LENGTHS) -> dict[tuple[str, int], Path]:
    """Register, dispatch, escalate and urge one case per length through the CLI; returns
    {(kind, length): docx}. `run` is the conftest runner on an initialised ledger."""
    docs: dict[tuple[str, int], Path] = {}
    out.mkdir(parents=True, exist_ok=True)
    for n in lengths:
        made = []
        for _ in range(2):  # one case dispatched and urged, one escalated
            args = [
                "register",
                "--enterprise",
                ENTERPRISE,
                "--category",
                "用地审批",
                "--channel",
                "电子邮件",
                "--contact",
                "欧阳明远",
                "--title",
                "副总经理兼项目部经理",
                "--phone",
                "13908831234",
                "--email",
                EMAIL,
                "--address",
                "临沧市临翔区南美乡多依村茶叶加工园区3号",
                "--problem",
                problem_text(n),
                "--request",
                "请协调区自然资源局加快用地组卷报批，明确办理时限，并告知需补充的材料。",
                "--date",
                "2026-09-28",
                "--json",
            ]
            r = run(*args)
            assert r.code == 0, r.err
            made.append(json.loads(r.out)["reg_no"])
        first, second = (_case_no(x) for x in made)
        r = run(
            "dispatch", first, "--dept", "区自然资源局", "--assist", "区发展和改革局", "--assist",
            "区住房和城乡建设局", "--approver", "李明", "--level", "副组长", "--date", "2026-09-29",
        )  # fmt: skip
        assert r.code == 0, r.err
        r = run(
            "escalate", second, "--approver", "李明", "--suggestion", "建议市级统筹用地指标。", "--date", "2026-09-29"
        )
        assert r.code == 0, r.err
        for kind, case in (("register", first), ("dispatch", first), ("escalate", second)):
            path = out / f"{kind}-{n}.docx"
            r = run("form", kind, case, "-o", str(path))
            assert r.code == 0, r.err
            docs[(kind, n)] = path
        path = out / f"urge-{n}.docx"
        r = run("urge", first, "--date", "2026-10-15", "-o", str(path))
        assert r.code == 0, r.err
        docs[("urge", n)] = path
    return docs


# The letters at their extremes: (problem length, enterprise, cooperating departments, 专项督办).
LEAD = "临沧市临翔区自然资源局"
LONG_DEPTS = (
    "临沧市临翔区发展和改革局",
    "临沧市临翔区住房和城乡建设局",
    "临沧市临翔区人力资源和社会保障局",
    "云南电网有限责任公司临沧临翔供电局",
    "临沧市生态环境局临翔分局",
)
SHORT_ENTERPRISE = "临沧南美坚果开发有限公司"
LETTERS = {
    "short": (60, SHORT_ENTERPRISE, 0, False),
    "typical": (200, ENTERPRISE, 3, False),
    "long": (600, ENTERPRISE, 5, False),
    "longest": (600, ENTERPRISE, 5, True),  # a 督办函 cites its supervision at length
}


def build_letters(run, out: Path, which=tuple(LETTERS)) -> dict[str, Path]:
    """One 催办函 (督办函 for "longest") per entry of LETTERS, through the CLI; {name: docx}."""
    out.mkdir(parents=True, exist_ok=True)
    assert run("dept", "add", LEAD, *LONG_DEPTS).code == 0
    made = {}
    for name in which:
        n, enterprise, assists, special = LETTERS[name]
        r = run(
            "register", "--enterprise", enterprise, "--category", "用地审批", "--channel", "来电反映",
            "--contact", "欧阳明远", "--title", "副总经理", "--phone", "13908831234", "--address",
            "临沧市临翔区南美乡多依村茶叶加工园区3号", "--problem", problem_text(n), "--request",
            "请协调加快用地组卷报批。", "--date", "2026-09-28", "--json",
        )  # fmt: skip
        assert r.code == 0, r.err
        case = _case_no(json.loads(r.out)["reg_no"])
        assist = [a for d in LONG_DEPTS[:assists] for a in ("--assist", d)]
        r = run(
            "dispatch", case, "--dept", LEAD, *assist, "--approver", "李明", "--level", "副组长", "--date", "2026-09-29"
        )
        assert r.code == 0, r.err
        steps = [
            ("reply", case, "--result", "A", "--mode", "书面", "--summary", "已办结", "--date", "2026-10-09"),
            ("followup", case, "--method", "电话回询", "--satisfaction", "不满意", "--date", "2026-10-12"),
            ("supervise", case, "--until", "2026-10-20", "--reason", "企业不满意", "--date", "2026-10-13"),
        ]
        for step in steps if special else ():
            r = run(*step)
            assert r.code == 0, r.err
        path = out / f"letter-{name}.docx"
        r = run("urge", case, "--date", "2026-11-02" if special else "2026-10-15", "-o", str(path))
        assert r.code == 0, r.err
        made[name] = path
    return made


# Every field of the forms at the longest a clerk is likely to type.
LONGEST = {
    "address": "云南省临沧市临翔区南美拉祜族乡多依村民委员会茶叶加工园区标准厂房3号楼2单元",
    "title": "副总经理兼项目建设部经理",
    "phone": "0883-2123456转8012",
    "request": (
        "请区自然资源局牵头，会同区发展和改革局、区住房和城乡建设局、临翔供电局、生态环境分局，"
        "一是加快用地组卷报批，明确办理时限，一次性告知需补充的材料；二是协调市级统筹解决用地指标；"
        "三是协调供电部门尽快出具供电方案并完成800千伏安增容；四是协调园区尽快接通道路和排水管网，"
        "解决雨季厂区积水问题；五是在用地手续办结前，允许企业先行开展不涉及永久性建筑的场地平整和临时设施建设，"
        "以便项目尽早开工投产，保障出口订单按期交付。"
    ),
    "remarks": (
        "企业已于2026年8月、9月两次到区政务服务中心窗口反映，并于9月20日通过12345热线反映同一问题；"
        "区委主要领导在调研时要求限期解决，请牵头单位每周报送一次进展情况。"
    ),
    "suggestion": (
        "建议市自然资源和规划局统筹解决项目用地指标，指导县级加快组卷报批；建议市发展和改革委员会协调电网企业"
        "将增容工程纳入年度计划；建议市工业和信息化局将项目列入市级重点工业项目清单，给予要素保障；"
        "县级已协调两次，因指标和审批权限在市级，县级无法解决，特此转报，请市服企办协调市级有关部门研究解决，"
        "并将办理结果反馈我办。"
    ),
    "instruction": (
        "请区自然资源局牵头，区发展和改革局、区住房和城乡建设局、临翔供电局、生态环境分局配合，"
        "于五个工作日内拿出解决方案，逐项明确责任人和完成时限；涉及市级审批事项的，由区服企办按程序转报，"
        "并主动对接市级部门跟踪办理；办理情况及时向企业反馈，确保企业满意。区服企办要加强跟踪督办，"
        "每周汇总一次办理进度报领导小组。"
    ),
}


# Longer than its cell and the page can hold: the 批示笺 carries it whole on a 附页.
LONG_INSTRUCTION = (LONGEST["instruction"] + "\n") * 3 + "此件请区服企办抄报区委、区政府主要领导。"


def build_longest(run, out: Path) -> dict[str, Path]:
    """The 登记表, 交办单, 转报单 and 批示笺 with every field at its longest; {kind: docx}."""
    out.mkdir(parents=True, exist_ok=True)
    run("dept", "add", LEAD, *LONG_DEPTS)  # already there when build_letters ran first
    cases = []
    for _ in range(2):
        r = run(
            "register", "--enterprise", ENTERPRISE, "--category", "用地审批", "--channel", "电子邮件",
            "--contact", "欧阳明远", "--title", LONGEST["title"], "--phone", LONGEST["phone"],
            "--email", EMAIL, "--address", LONGEST["address"], "--problem", problem_text(600),
            "--request", LONGEST["request"], "--remarks", LONGEST["remarks"], "--date", "2026-09-28", "--json",
        )  # fmt: skip
        assert r.code == 0, r.err
        cases.append(_case_no(json.loads(r.out)["reg_no"]))
    # the longest name leads, the four others and 自然资源局 cooperate
    assist = [a for d in (*LONG_DEPTS[:3], LONG_DEPTS[4], LEAD) for a in ("--assist", d)]
    r = run(
        "dispatch", cases[0], "--dept", LONG_DEPTS[3], *assist, "--approver", "欧阳建国",
        "--level", "组长", "--tier", "重大", "--instruction", LONGEST["instruction"], "--date", "2026-09-29",
    )  # fmt: skip
    assert r.code == 0, r.err
    r = run(
        "escalate", cases[1], "--approver", "欧阳建国", "--suggestion", LONGEST["suggestion"],
        "--instruction", LONG_INSTRUCTION, "--date", "2026-09-29",
    )  # fmt: skip
    assert r.code == 0, r.err
    made = {}
    for kind, case in (("register", cases[0]), ("dispatch", cases[0]), ("escalate", cases[1])):
        made[kind] = out / f"longest-{kind}.docx"
        r = run("form", kind, case, "-o", str(made[kind]))
        assert r.code == 0, r.err
    for kind, case in (("instruction", cases[0]), ("instruction-escalate", cases[1])):
        made[kind] = out / f"longest-{kind}.docx"
        r = run("form", "instruction", case, "-o", str(made[kind]))
        assert r.code == 0, r.err
    return made


# The longest office name in Lincang's counties (an autonomous county's), signing a letter.
LONG_OFFICE = "双江拉祜族佤族布朗族傣族自治县服务企业发展领导小组办公室"


def build_office_letter(out: Path) -> Path:
    """A 催办函 from the office with the longest name, filled straight from its template."""
    from lcqy.docs.render import render
    from lcqy.rules.letters import MEASURES

    context = {
        "letter_title": "催办函",
        "letter_no": "双江服企办催（2026）第12号",
        "office_name": LONG_OFFICE,
        "lead_dept": LEAD,
        "reg_no": "双江服企办收（2026）第108号",
        "dispatch_no": "双江服企办交（2026）第96号",
        "enterprise": ENTERPRISE,
        "problem": "“公司新建茶叶精制加工厂房项目已于2025年3月取得区发展和改革局立项批复”等",
        "assist_depts": "，".join(LONG_DEPTS[:3]),
        "dispatched_on": "2026年9月29日",
        "due_date": "2026年10月12日",
        "days_late": "3",
        "reply_by": "2026年10月20日",
        "issued_on": "2026年10月15日",
        "basis": f"根据{MEASURES}第十八条规定，现对该问题进行第1次催办。",
    }
    return render("urge", context, out / "letter-office.docx")


def _case_no(line: str) -> str:
    """The 登记编号 printed by register, as YEAR-N."""
    import re

    m = re.search(r"（(\d{4})）第(\d+)号", line)
    assert m, line
    return f"{m[1]}-{m[2]}"


def render_all(run, out: Path, lengths=LENGTHS) -> dict[tuple, list[str]]:
    """Text of each page of every document: keys (kind, length) and ("letter", name)."""
    docs: dict[tuple, Path] = dict(build_documents(run, out, lengths))
    docs.update({("letter", name): path for name, path in build_letters(run, out).items()})
    docs.update({("longest", kind): path for kind, path in build_longest(run, out).items()})
    docs[("letter", "office")] = build_office_letter(out)
    to_pdf(list(docs.values()), out)
    return {key: pages(path.with_suffix(".pdf")) for key, path in docs.items()}


def rightmost(pdf: Path) -> float:
    """How far the text reaches to the right, in points from the page's left edge (the text
    block ends 26 mm in from the right edge: 521.6 pt on A4)."""
    import re

    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return max(float(x) for x in re.findall(r'xMax="([\d.]+)"', xml))


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def last_line_bottom(pdf: Path, word: str) -> tuple[int, float, float]:
    """(page, bottom of the last line holding `word`, bottom of the text block), in points from
    the top of the page, read from the PDF's word boxes. The block ends 35 mm above the edge."""
    import re

    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    found = (0, 0.0)
    for i, page in enumerate(xml.split("<page ")[1:], 1):
        height = float(re.search(r'height="([\d.]+)"', page)[1])
        for y in re.findall(r'yMax="([\d.]+)">[^<]*' + re.escape(word) + "[^<]*</word>", page):
            found = (i, float(y))
    return found[0], found[1], height - 35 / 25.4 * 72


def main(argv: list[str]) -> int:
    """Page counts per document and length, from a throw-away ledger."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from lcqy.cli import main as cli
    from tests.conftest import DEPTS, INIT, Result

    out = Path(argv[0] if argv else "print-sweep")
    out.mkdir(parents=True, exist_ok=True)
    os.environ["LCQY_DB"] = str(out / "ledger.db")
    os.environ["LCQY_TODAY"] = "2026-11-27"
    (out / "ledger.db").unlink(missing_ok=True)

    def run(*args: str) -> Result:
        o, e = io.StringIO(), io.StringIO()
        code = 0
        with redirect_stdout(o), redirect_stderr(e):
            try:
                cli(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return Result(code, o.getvalue(), e.getvalue())

    assert run(*INIT).code == 0 and run("dept", "add", *DEPTS).code == 0
    result = render_all(run, out)
    kinds = ("register", "dispatch", "escalate", "urge")
    print("length " + " ".join(f"{k:>9}" for k in kinds))
    for n in LENGTHS:
        print(f"{n:>6} " + " ".join(f"{len(result[(k, n)]):>9}" for k in kinds))
    for kind in ("register", "dispatch", "escalate", "instruction", "instruction-escalate"):
        print(f"longest {kind}: {len(result[('longest', kind)])} page(s)")
    for name in LETTERS:
        page, bottom, block = last_line_bottom(out / f"letter-{name}.pdf", "印发")
        count = len(result[("letter", name)])
        print(f"letter {name}: {count} page(s), 版记 ends {block - bottom:.1f} pt above the foot")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
