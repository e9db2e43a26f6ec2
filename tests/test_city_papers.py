"""The papers of an escalated case: the county's 转报单 written again lists what went with it, the
city's 登记表 and 交办单 say where the case came from."""

from __future__ import annotations

import os
from datetime import date

import pytest
from docx import Document
from test_exchange import ESC_NO, _built, pair  # noqa: F401 - the shared ledgers and their fixture

from lcqy.acts.cases import case_view, resolve
from lcqy.acts.context import Ctx
from lcqy.acts.papers.forms import build, form_view
from lcqy.store.db import Ledger

COUNTY_OFFICE = "临翔区服务企业发展领导小组办公室"


@pytest.fixture
def escalated(request):
    """test_exchange's county (with its escalated case 1) and city ledgers, fresh for the test."""
    return request.getfixturevalue("pair")


def _annex(path) -> str:
    return next(p.text for p in Document(str(path)).paragraphs if p.text.startswith("附件："))


def test_escalation_form_written_again_lists_what_went_with_it(escalated):
    county, d = escalated["county"], escalated["dir"]
    later = d / "补充材料.pdf"
    later.write_bytes(os.urandom(2_000))
    assert county("attach", "1", str(later), "--date", "2026-11-20").code == 0
    assert county("form", "escalate", "1", "-o", str(d / "转报单.docx")).code == 0
    # the paper attached after the 转报 (11-17) did not go with it
    assert _annex(d / "转报单.docx") == "附件：1. 企业反映困难问题登记表\n2. 领导批示笺\n3. 企业情况说明.pdf"


def test_city_forms_name_the_county_and_its_escalation_number(escalated):
    city = escalated["city"]
    assert city("receive", str(escalated["pkg"]), "--date", "2026-11-18").code == 0
    r = city("dispatch", "1", "--dept", "临沧供电局", "--approver", "市主任", "--level", "主任", "--date", "2026-11-19")
    assert r.code == 0, r.err
    led = Ledger.open(escalated["city_db"])
    try:
        ctx = Ctx(led, date(2026, 11, 27))
        v = form_view(ctx, case_view(ctx, resolve(ctx, "1")))
        office = led.meta["office_name"]
        for kind in ("register", "dispatch"):
            context, attached, _ = build(kind, office, v)
            assert (context["source_office"], context["source_no"]) == (COUNTY_OFFICE, ESC_NO), kind
        assert (attached["source_office"], attached["source_no"]) == (COUNTY_OFFICE, ESC_NO)
    finally:
        led.close()
    # a case of the office's own registers no source
    led = Ledger.open(escalated["county"].db)
    try:
        ctx = Ctx(led, date(2026, 11, 27))
        context, _, _ = build("register", "x", form_view(ctx, case_view(ctx, resolve(ctx, "1"))))
        assert "source_no" not in context
    finally:
        led.close()


def test_city_forms_print_the_source_line(escalated):
    city, d = escalated["city"], escalated["dir"]
    assert city("receive", str(escalated["pkg"]), "--date", "2026-11-18").code == 0
    r = city("dispatch", "1", "--dept", "临沧供电局", "--approver", "市主任", "--level", "主任", "--date", "2026-11-19")
    assert r.code == 0, r.err
    source = f"来源：{COUNTY_OFFICE}，转报编号：{ESC_NO}"
    for kind in ("登记表", "交办单"):
        assert city("form", kind, "1", "-o", str(d / f"市{kind}.docx")).code == 0
        lines = [p.text.replace("\n", "") for p in Document(str(d / f"市{kind}.docx")).paragraphs]
        assert source in lines, kind
    # the county's own 登记表 has none
    county = escalated["county"]
    assert county("form", "register", "1", "-o", str(d / "县登记表.docx")).code == 0
    assert not any(p.text.startswith("来源") for p in Document(str(d / "县登记表.docx")).paragraphs)
