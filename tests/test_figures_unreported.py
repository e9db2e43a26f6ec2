"""`figures` at the city lists every county it knows: one that has not sent its month is marked
未报 (issue 20), and the 全市合计 adds up only those that reported, saying how many did."""

from __future__ import annotations

import json

from conftest import register_args

CITY_INIT = ["init", "--office-name", "临沧市服务企业发展领导小组办公室", "--prefix", "临沧", "--level", "city",
             "--clerk", "钱丽"]  # fmt: skip
FQ_INIT = ["init", "--office-name", "凤庆县服务企业发展领导小组办公室", "--prefix", "凤庆", "--level", "county",
           "--clerk", "王芳"]  # fmt: skip
CITY = "临沧市服务企业发展领导小组办公室"
LX = "临翔区服务企业发展领导小组办公室"
FQ = "凤庆县服务企业发展领导小组办公室"


def _setup(ledger, run, tmp_path, october: bool = True):
    """临翔 sends November's figures; 凤庆 is known to the city by a case it escalated in November
    (its key) and by its October figures, but sends no November figures."""
    city, fq_db = tmp_path / "city.db", tmp_path / "凤庆.db"

    def c(*args, **kw):
        return ledger("--db", str(city), *args, **kw)

    def fq(*args, **kw):
        return run("--db", str(fq_db), *args, **kw)

    assert c(*CITY_INIT).code == 0
    assert c("register", *register_args(), "--date", "2026-11-03").code == 0  # the city's own case
    assert ledger("register", *register_args(), "--date", "2026-11-02").code == 0
    assert ledger("register", *register_args(category="融资服务"), "--date", "2026-11-04").code == 0
    assert ledger("package-month", "2026-11", "-o", str(tmp_path / "临翔11.lcqy")).code == 0
    assert c("receive", str(tmp_path / "临翔11.lcqy")).code == 0
    assert fq(*FQ_INIT).code == 0
    assert fq("register", *register_args(), "--date", "2026-10-12").code == 0
    if october:
        assert fq("package-month", "2026-10", "-o", str(tmp_path / "凤庆10.lcqy")).code == 0
        assert c("receive", str(tmp_path / "凤庆10.lcqy")).code == 0
    assert fq("register", *register_args(category="用地审批"), "--date", "2026-11-16").code == 0
    out = tmp_path / "out"
    out.mkdir()
    r = fq("escalate", "2", "--approver", "李组长", "--suggestion", "请市里协调", "--package", str(out),
           "--date", "2026-11-17")  # fmt: skip
    assert r.code == 0, r.err
    r = c("receive", str(next(out.glob("*.lcqy"))), "--date", "2026-11-18")
    assert r.code == 0, r.err
    return c


def test_a_county_that_has_not_reported_is_marked(ledger, run, tmp_path):
    c = _setup(ledger, run, tmp_path)
    r = c("figures", "2026-11", "--json")
    assert r.code == 0, r.err
    lines = json.loads(r.out)
    assert [(x["office_name"], x.get("reported"), x["as_of"], x["received"]) for x in lines] == [
        (CITY, True, "2026-11-27", 2),  # its own case and the one 凤庆 escalated
        (LX, True, "2026-11-27", 2),
        (FQ, False, None, None),  # every figure null
        ("全市合计", None, "2026-11-27", 4),
    ]
    fq = lines[2]
    assert all(fq[k] is None for k in fq if k not in ("office_name", "as_of", "reported"))
    assert set(fq) == set(lines[1])  # the same keys as a reported county
    total = lines[-1]
    # 凤庆 has not reported: its escalated case stays counted at the city, where it came in.
    assert (total["counties"], total["counties_reported"]) == (2, 1)

    shown = c("figures", "2026-11").out
    fq_line = next(line for line in shown.splitlines() if line.startswith(FQ))
    assert fq_line.split()[1:3] == ["未报", "—"]
    flat = shown.replace("\n", "")
    assert (
        "全市合计只含已报的县区：2个县区中已报1个，未报1个（凤庆县服务企业发展领导小组办公室），"
        "其转报到市级的案件在市级计受理。"
    ) in flat

    # October: 凤庆 reported, 临翔 did not.
    lines = json.loads(c("figures", "2026-10", "--json").out)
    assert [(x["office_name"], x.get("reported"), x["received"]) for x in lines] == [
        (CITY, True, 0),
        (LX, False, None),
        (FQ, True, 1),
        ("全市合计", None, 1),
    ]


def test_once_every_county_reports_the_total_is_as_before(ledger, run, tmp_path):
    c = _setup(ledger, run, tmp_path)
    fq_db = tmp_path / "凤庆.db"
    assert run("--db", str(fq_db), "package-month", "2026-11", "-o", str(tmp_path / "凤庆11.lcqy")).code == 0
    assert c("receive", str(tmp_path / "凤庆11.lcqy")).code == 0
    lines = json.loads(c("figures", "2026-11", "--json").out)
    assert [(x["office_name"], x["reported"] if "reported" in x else "-", x["received"]) for x in lines] == [
        (CITY, True, 2),
        (LX, True, 2),
        (FQ, True, 1),
        ("全市合计", "-", 4),  # the escalated case once, at 凤庆
    ]
    assert (lines[-1]["counties"], lines[-1]["counties_reported"]) == (2, 2)
    assert "未报" not in c("figures", "2026-11").out


def test_the_report_and_the_year_by_office_mark_it_too(ledger, run, tmp_path):
    from docx import Document

    c = _setup(ledger, run, tmp_path)
    rep = json.loads(c("report", "--month", "2026-11", "--json", "-o", str(tmp_path / "简报.docx")).out)
    assert [(x["office_name"], x.get("reported")) for x in rep["offices"]] == [
        (CITY, True),
        (LX, True),
        (FQ, False),
        ("全市合计", None),
    ]
    shown = c("report", "--month", "2026-11", "-o", str(tmp_path / "简报.docx"), "--force").out
    assert next(line for line in shown.splitlines() if line.startswith(FQ)).split()[1] == "未报"
    assert "未报1个" in shown.replace("\n", "")
    doc = Document(str(tmp_path / "简报.docx"))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "单位")
    cols = [x.text for x in table.rows[0].cells]
    got = [(r.cells[0].text, r.cells[cols.index("受理")].text, r.cells[cols.index("交办")].text)
           for r in table.rows[1:]]  # fmt: skip
    assert got == [("市本级", "2", "0"), ("临翔区", "2", "0"), ("凤庆县", "未报", "—"), ("全市合计", "4", "0")]
    body = "".join(p.text for p in doc.paragraphs).replace("\n", "")
    assert "2个县区中已报1个，未报的不计入全市合计" in body

    data = json.loads(c("stats", "--by", "office", "--year", "2026", "--json").out)
    got = [(x["key"], x["reported"], x["received"], x["months"]) for x in data["rows"]]
    assert got[1:3] == [(LX, True, 2, ["2026-11"]), (FQ, True, 1, ["2026-10"])]
    shown = c("stats", "--by", "office", "--year", "2026").out
    assert FQ in shown


def test_a_county_known_only_by_its_escalation(ledger, run, tmp_path):
    """凤庆 has sent the city an escalated case and no month figures at all: it is still listed,
    未报, in figures and in the year by office."""
    c = _setup(ledger, run, tmp_path, october=False)
    lines = json.loads(c("figures", "2026-11", "--json").out)
    assert [(x["office_name"], x.get("reported")) for x in lines] == [
        (CITY, True),
        (LX, True),
        (FQ, False),
        ("全市合计", None),
    ]
    data = json.loads(c("stats", "--by", "office", "--year", "2026", "--json").out)
    fq = next(x for x in data["rows"] if x["key"] == FQ)
    assert (fq["reported"], fq["months"], fq["received"], fq["as_of"]) == (False, [], None, None)
    shown = c("stats", "--by", "office", "--year", "2026").out
    assert next(line for line in shown.splitlines() if line.startswith(FQ)).split()[1:3] == ["未报", "0"]
