"""stats --by …, its workbook and the year-end 测评 on the hand-worked ledger of
test_report_figures (nine cases in March 2026, today 30 April)."""

from __future__ import annotations

import json

import pytest

from tests import test_report_figures as hand
from tests.conftest import snapshot
from tests.test_report_figures import D1, D2, D3, _ok

march = hand.march  # the hand-worked ledger, as a fixture of this module too


def _json(run, *args):
    return json.loads(_ok(run, "stats", *args, "--json").out)


def test_by_dept_for_a_period(march):
    data = _json(march, "--by", "dept", "--from", "2026-03-01", "--to", "2026-03-31")
    assert data["period"] == {"start": "2026-03-01", "end": "2026-03-31", "as_of": "2026-03-31"}
    rows = {r["key"]: r for r in data["rows"]}
    # D1: 2 (received 3/5, replied 3/16: 7 wd) and 8 (received 3/12, replied 3/18: 4 wd).
    assert rows[D1]["avg_reply_workdays"] == 5.5
    assert rows[D1]["on_time_completion_rate"] == 0.5
    # D2: 3 open since 3/4 (19 wd to 3/31) and 9 open since 3/11 (14 wd); 9 was extended.
    assert (rows[D2]["longest_open_case"], rows[D2]["longest_open_workdays"]) == ("临翔服企办收（2026）第3号", 19)
    assert rows[D2]["extended"] == 1 and rows[D2]["urges"] == 2 and rows[D2]["late_now"] == 2
    assert rows[D3]["returned"] == 1 and rows[D3]["satisfaction_rate"] == 1.0
    # The escalated case's row: no department.
    assert "（转报上级）" not in rows or rows["（转报上级）"]["dispatched"] == 0


def test_by_category_channel_month(march):
    cats = {r["key"]: r for r in _json(march, "--by", "category", "--year", "2026")["rows"]}
    assert cats["用电保障"]["received"] == 8 and cats["政策执行"]["received"] == 1
    months = {r["key"]: r for r in _json(march, "--by", "month", "--year", "2026")["rows"]}
    assert months["2026-03"]["replies"] == 3 and months["2026-04"]["reply_c"] == 1
    assert months["2026-04"]["satisfaction_rate"] is None
    assert "late_now" not in months["2026-03"]
    chans = {r["key"]: r for r in _json(march, "--by", "channel")["rows"]}
    assert chans["电子邮件"]["received"] == 1


def test_evaluation_score_from_config_weights(march):
    data = _json(march, "--evaluation", "--year", "2026")
    assert data["weights"]["on_time_completion_rate"] == 40.0
    rows = {r["key"]: r for r in data["rows"]}
    # D3: 100% on time (1/1), resolution 100% (case 1 A; 8's A counts for D1), satisfied 1/1:
    # 100, minus one 退单 = 99.
    assert rows[D3]["score"] == 99.0 and rows[D3]["rank"] == 1
    # D1 in the year: on time 1/2, resolution 1/2 (2 B, 8 A), satisfaction 0/1:
    # 0.5*40 + 0.5*30 + 0 = 35.
    assert rows[D1]["score"] == 35.0
    # D2: on time 0/2, resolution 0/1 (9's C); no follow-up, so 满意率 has no weight and the
    # other two are scaled to 100: 0, and never below 0 after two urges.
    assert rows[D2]["score"] == 0.0
    _ok(march, "config", "evaluation", "per-return", "5")
    rows = {r["key"]: r for r in _json(march, "--evaluation", "--year", "2026")["rows"]}
    assert rows[D3]["score"] == 95.0
    r = _ok(march, "stats", "--evaluation", "--year", "2026")
    assert "退单次数×5" in r.out


def test_workbook(march, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "测评.xlsx"
    r = _ok(march, "stats", "--by", "dept", "--year", "2026", "--evaluation", "-o", str(out))
    assert "已生成" in r.out
    wb = load_workbook(out)
    assert wb.sheetnames == ["年度测评", "承办单位", "问题类别", "反映形式", "月份"]
    ev = wb["年度测评"]
    header = [c.value for c in ev[4]]
    assert header[0] == "承办单位" and "得分" in header and "按期办结率" in header
    first = [c.value for c in ev[5]]
    assert first[0] == D3 and first[header.index("得分")] == 99
    texts = [ev.cell(i, 1).value for i in range(1, ev.max_row + 1)]
    assert "每次退单扣分" in texts and any("得分 = 按期办结率×40" in (ev.cell(2, 1).value or "") for _ in [0])
    dept = wb["承办单位"]
    rows = {dept.cell(i, 1).value: i for i in range(5, dept.max_row + 1)}
    heads = [c.value for c in dept[4]]
    assert dept.cell(rows[D1], heads.index("按期办结率") + 1).value == 0.5
    assert dept.cell(rows[D1], heads.index("按期办结率") + 1).number_format == "0.0%"
    assert dept.cell(rows[D2], heads.index("满意率") + 1).value == "—"
    assert len(dept._charts) == 2  # cases and 按期办结率 per department
    titles = {c.title.tx.rich.p[0].r[0].t for c in dept._charts}
    assert titles == {"交办件数", "按期办结率"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["stats", "--by", "town"], "分组（--by）只能是"),
        (["stats", "--year", "2026", "--from", "2026-01-01"], "只能选一种"),
        (["stats", "--from", "2026-05-01", "--to", "2026-04-01"], "早于开始日"),
        (["stats", "--by", "category", "--evaluation"], "请用 --by dept"),
        (["stats", "-o", "x.txt"], "须以 .xlsx 结尾"),
    ],
)
def test_bad_input(march, args, message):
    before = snapshot(march.db)
    r = march(*args)
    assert r.code == 1 and message in r.err, r.err
    assert snapshot(march.db) == before


def test_workbook_prints_like_a_clerk_expects(march, tmp_path):
    """Every sheet: landscape (each table is wider than a portrait page) on the paper that keeps
    its text at 8 pt or more (the 23 columns of 承办单位 on A3), one page wide, the header row on
    every page, the title and page numbers in the footer, the header frozen, and columns wide
    enough for what they hold."""
    from openpyxl import load_workbook

    from lcqy.xlsx.stats import A3_UNITS, LANDSCAPE_UNITS, paper_for
    from lcqy.xlsx.styles import text_width

    out = tmp_path / "测评.xlsx"
    _ok(march, "stats", "--by", "dept", "--year", "2026", "--evaluation", "-o", str(out))
    wb = load_workbook(out)
    titles = {"年度测评": "承办单位年度测评（第二十、二十一条）", "承办单位": "按承办单位统计", "月份": "按月份统计"}
    for ws in wb:
        ps = ws.page_setup
        n = len([c for c in ws[4] if c.value])
        widths = [ws.column_dimensions[ws.cell(1, c).column_letter].width for c in range(1, n + 1)]
        paper = (int(ps.paperSize), ps.orientation, ps.fitToWidth)
        assert paper == paper_for(sum(widths), widths[0]), ws.title
        assert ps.orientation == "landscape", ws.title
        room = {9: LANDSCAPE_UNITS, 8: A3_UNITS}[int(ps.paperSize)] * ps.fitToWidth
        assert 11 * min(1, room / sum(widths)) >= 8, (ws.title, sum(widths))  # never below 8 pt
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ps.fitToHeight == 0
        assert ws.print_title_rows == "$4:$4"  # the header row, on every page
        assert ws.freeze_panes == "B5"
        assert ws.oddFooter.right.text == "第 &P 页，共 &N 页"
        assert ws.oddFooter.left.text.startswith(titles.get(ws.title, "按")) and "2026年" in ws.oddFooter.left.text
        last_col = len([c for c in ws[4] if c.value])
        assert ws.print_area.startswith(f"'{ws.title}'!$A$1:${ws.cell(1, last_col).column_letter}$")
        for col in ws.iter_cols(min_row=5, max_row=ws.max_row, max_col=last_col):
            texts = [c.value for c in col if isinstance(c.value, str) and c.row > 4]
            width = ws.column_dimensions[col[0].column_letter].width
            assert all(text_width(t) <= width for t in texts if "=" not in t), (ws.title, col[0].column_letter)
    dept = wb["承办单位"]
    heads = [c.value for c in dept[4]]
    longest = dept.column_dimensions[dept.cell(4, heads.index("在办最久") + 1).column_letter].width
    assert longest >= text_width("临翔服企办收（2026）第3号")
    assert int(dept.page_setup.paperSize) == 8  # 23 columns: A3, not 5 pt on A4
    # The charts sit under the table, inside the print area, not beside it.
    assert all(c.anchor._from.row > len([r for r in dept.iter_rows(min_row=5) if r[0].value]) for c in dept._charts)
    assert int(dept.print_area.split("$")[-1]) > dept.max_row


def test_charts_count_whole_cases_and_rates_to_100(march, tmp_path):
    """The count axis in whole 件 from 0; the rate axis 0–100 %, each bar labelled, and a
    department with nothing due named as such with no bar (not a bar of 0 %)."""
    from openpyxl import load_workbook

    from lcqy.xlsx.stats import NO_DENOMINATOR

    out = tmp_path / "s.xlsx"
    _ok(march, "stats", "--by", "dept", "--year", "2026", "-o", str(out))
    ws = load_workbook(out)["承办单位"]
    count, rate = sorted(ws._charts, key=lambda c: c.title.tx.rich.p[0].r[0].t != "交办件数")
    assert count.y_axis.scaling.min == 0 and count.y_axis.majorUnit == 1
    assert count.y_axis.number_format.formatCode == "0"
    assert (rate.y_axis.scaling.min, rate.y_axis.scaling.max) == (0, 1)
    assert rate.y_axis.number_format.formatCode == "0%" and rate.dataLabels.showVal
    heads = [c.value for c in ws[4]]
    col = heads.index("按期办结率") + 1
    rows = range(5, 5 + len([r for r in ws.iter_rows(min_row=5) if r[0].value]))
    ref = rate.series[0].cat.strRef.f if rate.series[0].cat.strRef else rate.series[0].cat.numRef.f
    names_col = ref.split("!$")[1].split("$")[0]
    shown = {ws.cell(r, 1).value: (ws.cell(r, col).value, ws[f"{names_col}{r}"].value) for r in rows}
    # no case due: no bar, and said so; 0 % is a bar of 0 %, its name as it is
    assert shown[D2] == (0, D2) and shown[D1] == (0.5, D1)
    none = [k for k, (v, _) in shown.items() if v == "—"]
    assert none and all(shown[k][1] == k + NO_DENOMINATOR for k in none)
    assert all(shown[k][1] == k for k in shown if k not in none)
    assert ws.column_dimensions[names_col].hidden


def test_workbook_printed_at_eight_points_or_more(march, tmp_path):
    """Through LibreOffice: every page of every sheet prints its 11 pt text at 8 pt or more
    (the width of the four-character header 承办单位/问题类别… against 4 × 11 pt)."""
    import re
    import subprocess

    from tests import print_sweep

    if print_sweep.have_tools():
        pytest.skip(f"打印检查需要 LibreOffice 和 poppler（缺少 {print_sweep.have_tools()}）")
    out = tmp_path / "s.xlsx"
    _ok(march, "stats", "--by", "dept", "--year", "2026", "--evaluation", "-o", str(out))
    print_sweep.to_pdf([out], tmp_path)
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(out.with_suffix(".pdf")), "-"], check=True, capture_output=True, text=True
    ).stdout
    scales = []
    for page in xml.split("<page ")[1:]:
        for x0, x1 in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">承办单位</word>', page
        ):
            scales.append((float(x1) - float(x0)) / 44)
    assert scales and min(scales) * 11 >= 8 - 0.2, scales
