"""agenda --json, written by SQLite a section at a time, is the very text json.dumps(indent=2)
makes of the list as the text view reads it (each item a Python dict), on a generated ledger with
every kind of section, with text that JSON has to escape, and on days in the past; and migration
23's columns (an answered case to follow up or close, and its note) follow the acts."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import register_args
from tests.test_lifecycle import DISPATCH, act

ROOT = Path(__file__).resolve().parents[1]

# Text another program may have written: quotes, backslashes, line breaks, control characters,
# DEL, and characters beyond the BMP (four bytes in UTF-8, a surrogate pair in \u escapes).
ODD = 'A"B\\C\nD\tE\x01F\x1f G/临翔\x7f𠀾😀"'


def _as_listed(db: Path, day: str) -> str:
    """The document as json.dumps writes the list that agenda() builds item by item."""
    from lcqy.acts.boards.agenda import agenda
    from lcqy.acts.context import Ctx
    from lcqy.store.db import Ledger

    led = Ledger.open(db)
    try:
        sections = agenda(Ctx(ledger=led, today=date(2026, 11, 27)), as_of=date.fromisoformat(day))
    finally:
        led.close()
    return json.dumps({"as_of": day, "sections": sections}, ensure_ascii=False, indent=2, default=str) + "\n"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from ledger_gen import generate

    db = tmp_path_factory.mktemp("gen") / "ledger.db"
    generate(db, 2000, seed=21)
    return db


def _agenda_json(run, db: Path, *args: str) -> str:
    r = run("--db", str(db), "agenda", "--json", *args)
    assert r.code == 0, r.err
    return r.out


def test_json_is_the_listed_document_on_a_generated_ledger(run, generated, tmp_path):
    db = tmp_path / "ledger.db"
    db.write_bytes(generated.read_bytes())
    out = _agenda_json(run, db)
    counts = {s["key"]: s["count"] for s in json.loads(out)["sections"]}
    for key in ("urge_expired", "late_not_urged", "to_dispatch", "escalation_waiting", "meeting", "due_soon",
                "followup", "ready_close", "supervision"):  # fmt: skip
        assert counts[key] > 0, key
    assert out == _as_listed(db, "2026-11-27")
    # Today the sections are counted first (migration 32's indexes), then listed: the same.
    assert all(s["count"] == len(s["items"]) for s in json.loads(out)["sections"])
    # A day in the past (the ledger as it stood then, read from the history) alike.
    for day in ("2026-06-01", "2026-10-01"):
        assert _agenda_json(run, db, "--as-of", day) == _as_listed(db, day), day


def test_text_json_escapes_is_escaped_as_json_dumps_does(run, generated, tmp_path):
    """Enterprise names, departments and the stored dates a note quotes holding quotes,
    backslashes, line breaks and control characters (another program's edit)."""
    db = tmp_path / "ledger.db"
    db.write_bytes(generated.read_bytes())
    before = {s["key"]: s["items"] for s in json.loads(_agenda_json(run, db))["sections"]}
    conn = sqlite3.connect(db)
    with conn:
        for items in before.values():
            for i, item in enumerate(items[:3]):
                year, seq = item["case"].split("-")
                conn.execute(
                    "UPDATE cases SET enterprise = ? WHERE reg_year = ? AND reg_seq = ?", [f"{ODD}{i}", year, seq]
                )
        one = {k: v[0]["case"].split("-") for k, v in before.items() if v}
        case = "(SELECT id FROM cases WHERE reg_year = ? AND reg_seq = ?)"
        # The lead department (kept on the case by migration 16's trigger).
        conn.execute(f"UPDATE dispatches SET lead_dept = ? WHERE status = 'active' AND case_id = {case}",
                     [f"区{ODD}局", *one["late_not_urged"]])  # fmt: skip
        # The dates the notes quote: a letter's deadline, a reply, an escalation.
        conn.execute(f"UPDATE urges SET reply_by = reply_by || ? WHERE case_id = {case}", [ODD, *one["urge_expired"]])
        conn.execute(f"UPDATE escalations SET escalated_on = escalated_on || ? WHERE case_id = {case}",
                     [ODD, *one["escalation_waiting"]])  # fmt: skip
        conn.execute(f"UPDATE replies SET replied_on = replied_on || ? WHERE case_id = {case}", [ODD, *one["followup"]])
        # Migration 23's note follows the acts, not an edit of the reply: worked out again here.
        conn.execute(f"UPDATE cases SET reply_now = reply_now WHERE id = {case}", one["followup"])
    conn.close()
    out = _agenda_json(run, db)
    assert out == _as_listed(db, "2026-11-27")
    after = {s["key"]: s["items"] for s in json.loads(out)["sections"]}
    assert after["late_not_urged"][0]["enterprise"] == f"{ODD}0"
    assert any(i["lead_dept"] == f"区{ODD}局" for i in after["late_not_urged"])
    assert after["urge_expired"][0]["note"].endswith("限期已过") and ODD[:5] in after["urge_expired"][0]["note"]
    assert any(ODD in i["note"] for i in after["followup"])
    assert any(ODD in i["note"] for i in after["escalation_waiting"])
    assert '\\"B\\\\C\\nD\\tE\\u0001F\\u001f' in out  # as json.dumps escapes them
    assert '临翔\x7f𠀾😀\\"' in out  # written as they are, not escaped
    assert _agenda_json(run, db, "--as-of", "2026-10-01") == _as_listed(db, "2026-10-01")


def test_sections_longer_than_a_chunk_are_written_whole(run, generated, tmp_path, monkeypatch):
    """Items are read, held and spooled a chunk at a time: with chunks of 3 items every long
    section crosses many chunk boundaries (and goes to the spool), today and on a past day, whose
    answered cases are read for two sections in one pass."""
    import lcqy.acts.boards.agenda as agenda_mod

    db = tmp_path / "ledger.db"
    db.write_bytes(generated.read_bytes())
    whole = {day: _agenda_json(run, db, "--as-of", day) for day in ("2026-11-27", "2026-10-01")}
    monkeypatch.setattr(agenda_mod, "_CHUNK", 3)
    for day, out in whole.items():
        chunked = _agenda_json(run, db, "--as-of", day)
        assert chunked == out == _as_listed(db, day), day
        assert max(s["count"] for s in json.loads(chunked)["sections"]) > 10 * 3, day


def test_the_case_part_of_an_item_is_read_from_the_index(generated, tmp_path):
    """Migration 28: the sections read their cases from the agenda's indexes alone (covering),
    the case's part of each item (HEAD) among the indexed values, not worked out item by item.
    Migration 32: an answered or escalated case's item up to its command is read from its index,
    and those items and the late ones (their middle kept per day) are joined, no printf an item."""
    from functools import partial

    from lcqy.acts.boards import agenda as agenda_mod
    from lcqy.acts.boards.agenda_placed import fill
    from lcqy.acts.context import Ctx
    from lcqy.store.db import Ledger

    db = tmp_path / "ledger.db"
    db.write_bytes(generated.read_bytes())
    led = Ledger.open(db)
    try:
        with led.reading():
            day = fill(Ctx(ledger=led, today=date(2026, 11, 27)), date(2026, 11, 27))
            view = partial(agenda_mod._json_item, head=True)
            for key in ("late_not_urged", "to_dispatch", "escalation_waiting", "meeting", "followup"):
                sql = agenda_mod._section_sql(day, (key,), view, False)
                plan = " ".join(r[3] for r in led.conn.execute("EXPLAIN QUERY PLAN " + sql, day.params()))
                assert "COVERING INDEX" in plan and "USING INDEX" not in plan, (key, plan)
                program = [str(r[5]) for r in led.conn.execute("EXPLAIN " + sql, day.params())]
                made = [p for p in program if "printf" in p]
                assert not any('"reg_no": %s' in p for p in program), key  # the case's part: from the index
                # Every item joined, no printf (the late ones': for a due date temp.agenda_late
                # does not hold, never taken).
                assert len(made) == (key == "late_not_urged"), key
    finally:
        led.close()


def _kept_right(db: Path) -> list[tuple]:
    """Cases whose migration 23 columns differ from what they stand for."""
    from lcqy.store.migrations.m023_agenda_answered import ANSWERED_CLOSE, ANSWERED_NOTE, ESCALATED_NOW

    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            f"SELECT id, answered_close, answered_note, escalated_now FROM cases "
            f"WHERE answered_close IS NOT {ANSWERED_CLOSE} OR answered_note IS NOT {ANSWERED_NOTE} "
            f"OR escalated_now IS NOT {ESCALATED_NOW}"
        ).fetchall()
    finally:
        conn.close()


def test_generated_ledger_keeps_the_answered_columns(generated):
    assert not _kept_right(generated)


def test_answered_columns_follow_the_acts(ledger):
    def sections() -> dict[str, list[str]]:
        got = json.loads(ledger("agenda", "--json").out)["sections"]
        return {s["key"]: [f"{i['case']} {i['note']} {i['next']}" for i in s["items"]] for s in got if s["items"]}

    a = ["--mode", "书面", "--summary", "已办"]
    for n in ("1", "2"):
        assert ledger("register", *register_args(), "--date", "2026-11-02").code == 0
        act(ledger, "dispatch", n, "--dept", "区自然资源局", *DISPATCH, "--date", "2026-11-03")
        act(ledger, "reply", n, "--result", "A", *a, "--date", "2026-11-05")
    s = sections()
    follow = "A类答复 2026-11-05 lcqy followup {} --method 电话回询 --satisfaction 满意"
    assert s["followup"] == [f"2026-1 {follow.format(1)}", f"2026-2 {follow.format(2)}"]
    act(ledger, "followup", "1", "--method", "电话回询", "--satisfaction", "满意", "--date", "2026-11-06")
    act(ledger, "followup", "2", "--method", "电话回询", "--satisfaction", "不满意", "--date", "2026-11-06")
    s = sections()
    assert s["ready_close"] == ["2026-1 A类答复，企业满意 lcqy close 1"]
    # 不满意: under 专项督办 now, placed by its rules, no longer to follow up.
    assert "followup" not in s and [i.split()[0] for i in s["supervision"]] == ["2026-2"]
    assert not _kept_right(ledger.db)
    # Undone, the follow-up no longer counts: to follow up again.
    assert ledger("undo", "1", "--reason", "录错了").code == 0
    assert sections()["followup"] == [f"2026-1 {follow.format(1)}"]
    assert not _kept_right(ledger.db)
    # A case shown keeps its fields as before: the kept columns are the boards' alone.
    shown = json.loads(ledger("show", "1", "--json").out)
    from lcqy.store.schema import LATEST_COLUMNS

    assert not [k for k in LATEST_COLUMNS if k in json.dumps(shown)]  # plan_due_now (migration 31) too


def test_check_deep_finds_a_wrong_answered_column(ledger):
    assert ledger("register", *register_args(), "--date", "2026-11-02").code == 0
    act(ledger, "dispatch", "1", "--dept", "区自然资源局", *DISPATCH, "--date", "2026-11-03")
    act(ledger, "reply", "1", "--result", "A", "--mode", "书面", "--summary", "已办", "--date", "2026-11-05")
    assert ledger("check", "--deep").code == 0
    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE cases SET answered_close = 1 WHERE id = 1")
    conn.close()
    r = ledger("check", "--deep")
    assert r.code != 0 and "待回访或可销号" in r.out + r.err


def test_an_upgraded_ledger_gets_the_answered_columns(run, tmp_path):
    """A ledger from before migration 23 (the sample, while it is one) is filled on opening."""
    db = tmp_path / "sample.db"
    db.write_bytes((ROOT / "sample_ledger.db").read_bytes())
    out = _agenda_json(run, db)
    assert not _kept_right(db)
    conn = sqlite3.connect(db)
    try:
        listed = conn.execute("SELECT count(*) FROM cases WHERE answered_close IS NOT NULL").fetchone()[0]
    finally:
        conn.close()
    assert listed and out == _as_listed(db, "2026-11-27")


def test_escalation_date_follows_the_acts(ledger):
    """Escalated a month ago and more: waiting for the city, by the date kept on the case."""
    assert ledger("register", *register_args(), "--date", "2026-10-09").code == 0
    assert ledger("escalate", "1", "--approver", "张文", "--suggestion", "需市级协调", "--date", "2026-10-12").code == 0
    assert not _kept_right(ledger.db)
    waiting = json.loads(ledger("agenda", "--json").out)["sections"]
    got = {s["key"]: [(i["case"], i["note"], i["next"]) for i in s["items"]] for s in waiting if s["items"]}
    assert got == {"escalation_waiting": [("2026-1", "2026-10-12 转报，已逾1个月", "lcqy package 1")]}

    def listed(**today: str) -> set[str]:
        return {s["key"] for s in json.loads(ledger("agenda", "--json", **today).out)["sections"] if s["items"]}

    assert "escalation_waiting" not in listed(today="2026-11-11")  # a month on is 11-12
    # Its row moved or deleted by another program: the date follows (triggers on escalations).
    conn = sqlite3.connect(ledger.db)
    with conn:
        conn.execute("UPDATE escalations SET escalated_on = '2026-11-20'")
    assert not _kept_right(ledger.db) and "escalation_waiting" not in listed()
    with conn:
        conn.execute("DELETE FROM escalations")
    conn.close()
    assert not _kept_right(ledger.db) and "escalation_waiting" not in listed()


def test_supervised_placed_in_sqlite_as_by_the_rule(generated, tmp_path, monkeypatch):
    """Today the answered cases under 督办 are placed by one INSERT … SELECT: the same rows as the
    rule in Python (_place_supervised) gives, on each day of months that make their due dates late, due soon,
    their letters' deadlines passed or not."""
    from datetime import timedelta

    from lcqy.acts.boards import agenda_day, agenda_placed
    from lcqy.acts.context import Ctx
    from lcqy.store.db import Ledger

    db = tmp_path / "ledger.db"
    db.write_bytes(generated.read_bytes())
    raw = sqlite3.connect(db)
    with raw:  # letters for them: to this dispatch or none, for this due date or another, answered by then or not
        cases = raw.execute("SELECT id FROM cases WHERE state = 'replied' AND supervision != '' ORDER BY id").fetchall()
        for i, (case,) in enumerate(cases[:60]):
            if i % 6:  # due again on the reply's plan date, spread over the days looked at (else none)
                raw.execute("UPDATE replies SET plan_due = date('2026-08-01', ?2) WHERE id = "
                            "(SELECT reply_now FROM cases WHERE id = ?1)", [case, f"+{i * 3} days"])  # fmt: skip
            active = "(SELECT max(id) FROM dispatches WHERE case_id = ?1 AND status = 'active')"
            raw.execute(
                f"INSERT INTO urges (case_id, dispatch_id, urged_on, reply_by, due) VALUES (?1, "
                f"{active if i % 4 else 'NULL'}, '2026-09-01', ?2, ?3)",
                [case, (None, "2026-09-20", "2026-11-30", "2027-01-10")[i % 4], (None, "2026-01-01")[i % 5 == 0]],
            )
            raw.execute(
                "UPDATE urges SET due = (SELECT plan_due FROM replies WHERE id = (SELECT reply_now FROM cases "
                "WHERE id = ?1)) WHERE case_id = ?1 AND due IS NULL AND ?2",
                [case, i % 3 == 0],
            )
    raw.close()
    led = Ledger.open(db)
    conn = led.conn
    sections: set[str] = set()
    try:
        ctx = Ctx(ledger=led, today=date(2026, 11, 27))
        conn.execute(agenda_day.TABLE)
        day = date(2026, 8, 1)
        while day < date(2027, 2, 1):
            got = {}
            for in_python in (False, True):
                monkeypatch.setattr(agenda_placed, "_IN_PYTHON", in_python)
                conn.execute("DELETE FROM temp.agenda_items")
                d = agenda_day.Day(ctx, day)  # today's columns, as of each day
                d.late_days()
                agenda_placed._supervised(d)
                got[in_python] = conn.execute("SELECT * FROM temp.agenda_items ORDER BY 1, 2, 3, 4, 5").fetchall()
            assert got[False] == got[True], day
            sections |= {r[0] for r in got[False]}
            day += timedelta(days=1)
    finally:
        led.close()
    assert sections == {"ready_close", "followup", "supervision", "urge_expired"}, sections


def test_sections_counted_first_hold_as_many_items_on_many_days(run, generated, tmp_path):
    """Today and later (no act after the day) each section is counted from migration 32's
    indexes before its items are read: the count is the number of items on every day, as the
    limits come due, on the sample (a registered case refused by two departments among them: to
    escalate, not to dispatch) and on a generated ledger."""
    from datetime import timedelta

    for name, src in (("sample", ROOT / "sample_ledger.db"), ("generated", generated)):
        db = tmp_path / f"{name}.db"
        db.write_bytes(src.read_bytes())
        day = date(2026, 11, 27)
        while day < date(2027, 2, 1):
            sections = json.loads(_agenda_json(run, db, "--as-of", day.isoformat()))["sections"]
            assert all(s["count"] == len(s["items"]) for s in sections), (name, day)
            counts = {s["key"]: s["count"] for s in sections}
            if name == "sample" and day == date(2026, 11, 27):
                assert counts["to_escalate"] == 1 and counts["to_dispatch"] > 0
            day += timedelta(days=9)
