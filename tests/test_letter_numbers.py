"""The letters of 第十八条 numbered by what they are: a 催办函 in the 催 series, a 督办函 (督办台帐 or
专项督办) in the 督 series; each gapless, never reused, unique under simultaneous urges, and the
title of every letter matching its number."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import docx
from conftest import register_args, snapshot

DISPATCH = ["--dept", "临翔供电局", "--approver", "李明", "--level", "主任", "--date", "2026-10-13"]


def _cases(ledger, plain: int, ledgered: int) -> None:
    """`plain` dispatched cases past their 办结时限 (10-20), then `ledgered` ones on the 督办台帐
    with a B reply promising 10-30."""
    for _ in range(plain + ledgered):
        assert ledger("register", *register_args(), "--date", "2026-10-12").code == 0
    for n in range(1, plain + ledgered + 1):
        assert ledger("dispatch", str(n), *DISPATCH).code == 0
    for n in range(plain + 1, plain + ledgered + 1):
        r = ledger(
            "reply", str(n), "--result", "B", "--mode", "书面", "--summary", "正在办理", "--plan", "分两期完成",
            "--plan-due", "2026-10-30", "--doc-no", "临翔供电函〔2026〕12号", "--date", "2026-10-15",
        )  # fmt: skip
        assert r.code == 0, r.err


def _numbers(db, kind: str) -> list[tuple[int, int]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT seq, voided FROM numbers WHERE kind = ? ORDER BY seq", [kind]).fetchall()
    finally:
        conn.close()


def test_each_letter_in_its_own_series_with_its_title(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _cases(ledger, plain=1, ledgered=2)
    got = []
    for case, day in (("2", "2026-11-02"), ("1", "2026-11-03"), ("3", "2026-11-04"), ("1", "2026-11-09")):
        r = ledger("urge", case, "--date", day, "--json")
        assert r.code == 0, r.err
        out = json.loads(r.out)
        paras = [p.text for p in docx.Document(tmp_path / out["letter"]).paragraphs]
        got.append((out["kind"], out["letter_no"], paras[0], paras[1], out["dispatch"], out["lead_dept"]))
    assert [g[:4] for g in got] == [
        ("督办台帐", "临翔服企办督（2026）第1号", "督办函", "临翔服企办督（2026）第1号"),
        ("催办", "临翔服企办催（2026）第1号", "催办函", "临翔服企办催（2026）第1号"),
        ("督办台帐", "临翔服企办督（2026）第2号", "督办函", "临翔服企办督（2026）第2号"),
        ("催办", "临翔服企办催（2026）第2号", "催办函", "临翔服企办催（2026）第2号"),
    ]
    assert got[0][4:] == ("临翔服企办交（2026）第2号", "临翔供电局")
    assert ledger("check").code == 0  # both series gapless
    # the text says the same: 第N次督办 of the dispatch, its number
    r = ledger("urge", "2", "--date", "2026-11-10")
    assert r.code == 0 and "已生成督办函" in r.out
    assert [s for s, _ in _numbers(ledger.db, "督")] == [1, 2, 3]


def test_undone_supervision_letter_voids_its_number_and_the_next_takes_a_new_one(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _cases(ledger, plain=0, ledgered=1)
    assert ledger("urge", "1", "--date", "2026-11-02", "--no-letter").code == 0
    r = ledger("undo", "1", "--reason", "督办录早了", "--json")
    assert r.code == 0 and json.loads(r.out)["voided"] == "临翔服企办督（2026）第1号"
    r = json.loads(ledger("urge", "1", "--date", "2026-11-03", "--no-letter", "--json").out)
    assert r["letter_no"] == "临翔服企办督（2026）第2号"
    assert _numbers(ledger.db, "督") == [(1, 1), (2, 0)]
    assert _numbers(ledger.db, "催") == []


def test_a_refused_supervision_urge_takes_no_number(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _cases(ledger, plain=0, ledgered=1)
    before = snapshot(ledger.db)
    r = ledger("urge", "1", "--date", "2026-10-29")  # the promised date has not passed
    assert r.code == 1 and "尚未超期" in r.err
    assert snapshot(ledger.db) == before


def test_simultaneous_urges_keep_both_series_gapless(ledger, tmp_path):
    _cases(ledger, plain=6, ledgered=6)
    env = {**os.environ, "LCQY_DB": str(ledger.db), "LCQY_TODAY": "2026-11-27"}
    env.pop("LCQY_DEBUG", None)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "lcqy", "urge", str(n), "--no-letter", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(1, 13)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert all(code == 0 for code, _, _ in results), [err for code, _, err in results if code][:2]
    issued = {json.loads(out)["letter_no"] for _, out, _ in results}
    assert issued == {f"临翔服企办{k}（2026）第{i}号" for k in "催督" for i in range(1, 7)}
    assert _numbers(ledger.db, "催") == [(i, 0) for i in range(1, 7)]
    assert _numbers(ledger.db, "督") == [(i, 0) for i in range(1, 7)]
