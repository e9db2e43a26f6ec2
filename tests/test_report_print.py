"""The 简报 as printed (LibreOffice → PDF → pdftotext): the sample ledger's October filled for an
office of 6 and of 20 characters, at a county and with the counties' table of a city. The 版记 at
the foot of the last page, the 报头 date on one line, no date, number or percentage split across
lines, the measures named where an article is cited, 市本级 for the city's own row."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date

import pytest
from docx import Document

from lcqy.docs import report_context
from lcqy.docs.render import render
from tests import print_sweep

pytestmark = pytest.mark.skipif(
    bool(print_sweep.have_tools()), reason=f"打印检查需要 LibreOffice 和 poppler（缺少 {print_sweep.have_tools()}）"
)

SHORT = "临翔区服务企业发展领导小组办公室"
LONG = "双江拉祜族佤族布朗族傣族自治县服务企业发展领导小组办公室"
SETTINGS = {"late_days": 10, "urge_count": 2, "report_to": [], "copy_to": []}


def _data(tmp_path) -> dict:
    """`report --month 2026-10 --json` of the sample ledger."""
    import io
    from contextlib import redirect_stdout

    from lcqy.cli import main

    db = tmp_path / "sample.db"
    shutil.copy(print_sweep.SAMPLE, db)
    buf = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, redirect_stdout(buf):
        mp.setenv("LCQY_DB", str(db))
        mp.setenv("LCQY_TODAY", "2026-11-30")
        try:
            main(["report", "--month", "2026-10", "--json"])
        except SystemExit as exc:
            assert exc.code in (0, None)
    return json.loads(buf.getvalue())


def _city(data: dict, office: str) -> dict:
    """The same month as a city's: the office's own line, two counties, the total."""
    own = {k: 0 for k in ("received", "dispatched", "escalated", "replies", "reply_a", "reply_b", "reply_c")}
    own |= {"closed": 0, "late_now": 0, "on_time_dispatch_rate": 1.0, "on_time_completion_rate": None}
    own |= {"satisfaction_rate": 0.875, "office_name": office}
    counties = [dict(own, office_name=n + "服务企业发展领导小组办公室", received=12) for n in ("临翔区", "凤庆县")]
    return {**data, "office": office, "offices": [own, *counties, dict(own, office_name="全市合计", received=24)]}


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    data = _data(out)
    docs = {}
    for name, office, city in (
        ("short", SHORT, False),
        ("long", LONG, False),
        ("city", "临沧市服务企业发展领导小组办公室", True),
    ):
        d = _city(data, office) if city else {**data, "office": office}
        settings = {**SETTINGS, "send_to": ["各乡（镇）人民政府"], "copies": 35} if name == "long" else SETTINGS
        ctx = report_context.context(
            d, issue_no=7, issued_on=date(2026, 11, 30), settings=settings, with_enterprises=False
        )
        docs[name] = render("report", ctx, out / f"report-{name}.docx")
    print_sweep.to_pdf(list(docs.values()), out)
    return {name: path.with_suffix(".pdf") for name, path in docs.items()}


def _lines(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return ["".join(line.split()) for line in text.replace("\f", "\n").splitlines() if line.strip()]


# What may not be split across lines: dates, percentages, 第N期/号 numbers, counts with 件.
# A case number may break between its year and its number: 临翔服企办收（2026）/第8号.
WHOLE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d+(?:\.\d+)?%|第\d+[期号]|（\d{4}）|\d+件")


def test_no_date_number_or_percentage_split(printed):
    """Where a line of running text (a full line: table cells hold a few characters) ends, no
    date, count, percentage or number runs on into the next line."""
    checked = 0
    for name, pdf in printed.items():
        lines = _lines(pdf)
        for a, b in zip(lines, lines[1:]):
            if len(a) < 20:
                continue
            tail = a[-12:]
            for m in WHOLE.finditer(tail + b[:12]):
                start, end = m.span()
                assert not (start < len(tail) < end), (name, tail, b[:12])
            checked += 1
        # in the tables: a rate whole in its cell (100.0/% before); no line opens with a
        # closing mark; a department's name on one line
        assert not any(line.startswith(tuple("%，。、；：？！）》”")) for line in lines), name
        for dept in ("区住房和城乡建设局", "区人力资源和社会保障局"):
            assert any(dept in line for line in lines), (name, dept)
    assert checked > 30  # the overview's paragraphs, at least


def test_imprint_at_the_foot_of_the_last_page(printed):
    for name, pdf in printed.items():
        page, bottom, block = print_sweep.last_line_bottom(pdf, "印发")
        assert page == print_sweep.page_count(pdf), name
        assert bottom > 297 / 25.4 * 72 * 2 / 3, (name, bottom)  # the bottom third of the page
        assert block - bottom < 3 * 28.95, (name, block - bottom)


def test_head_date_on_one_line_and_the_measures_named(printed):
    for name, pdf in printed.items():
        lines = _lines(pdf)
        assert "2026年11月30日" in lines[:6] or any(line.endswith("2026年11月30日") for line in lines[:6]), name
        text = "".join(lines)
        prose = "".join(p.text for p in Document(str(pdf.with_suffix(".docx"))).paragraphs)
        assert "年" in prose and not re.search(r"\d{4}-\d{2}-\d{2}", prose), name
        assert "按照《临沧市企业反映困难问题收集和办理工作办法（试行）》第二十三条" in text, name
    long = _lines(printed["long"])
    assert LONG in long[:6] and "2026年11月30日" in long[:6]  # the date under the office, whole


def test_imprint_lines(printed):
    text = "".join(_lines(printed["long"]))
    assert "发：各乡（镇）人民政府" in text and "（共印35份）" in text
    short = "".join(_lines(printed["short"]))
    assert "发：" not in short and re.search(r"（共印\d+份）", short)
    city = "".join(_lines(printed["city"]))
    assert "发：各县（区）服务企业发展领导小组办公室" in city
    assert "市本级" in city and "全市合计" in city and "临沧市0" not in city
