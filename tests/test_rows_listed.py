"""`list --all --json` read from migration 29's index of the listed columns, the UTF-8 check of
the JSON a slice at a time, and `overdue`'s cells padded with what follows them."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lcqy.acts.boards import listing
from lcqy.cli import _json_out, _rows
from lcqy.cli._rows import Col
from lcqy.rules.constants import STATES, SUPERVISION
from tests.test_lifecycle import DISPATCH, act, imported_elsewhere, reg, supervised_then_redispatched
from tests.test_rows_kept import render_chunked

# Names a clerk could not type but another program could store: quotes, backslashes, control
# characters, a tab, an emoji, a combining accent.
_ODD_NAMES = [
    '临翔"恒达"茶业\\有限公司',
    "Tab\there\x01\x1f\x7f",
    "A\u0301临翔🚀公司",
    "行\n二",
]


def _varied(ledger) -> None:
    """Cases through dispatch, reply, follow-up, undo of each, 退单 and re-dispatch, 督办."""
    for day in ("2026-11-02", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"):
        reg(ledger, day)
    multi = ["--approver", "李明", "--level", "副组长"]
    act(ledger, "dispatch", "1", "--dept", "临翔供电局", "--assist", "区财政局", *multi, "--date", "2026-11-03")
    a = ["--mode", "书面", "--summary", "已办"]
    act(ledger, "reply", "1", "--result", "A", *a, "--date", "2026-11-05")
    assert ledger("followup", "1", "--method", "电话回询", "--satisfaction", "满意", "--date", "2026-11-06").code == 0
    assert ledger("undo", "1", "--reason", "录错了").code == 0  # the follow-up
    act(ledger, "dispatch", "2", "--dept", "区财政局", *DISPATCH, "--date", "2026-11-03")
    act(ledger, "reply", "2", "--result", "B", *a, "--plan", "分期", "--plan-due", "2026-11-30", "--date", "2026-11-06")
    assert ledger("undo", "2", "--reason", "录错了").code == 0  # the reply
    assert ledger("return", "2", "--reason", "不属本部门职责", "--date", "2026-11-09").code == 0
    supervised_then_redispatched(ledger, "3")
    conn = sqlite3.connect(ledger.db)
    for seq, name in enumerate(_ODD_NAMES, 1):  # as only another program could
        conn.execute("UPDATE cases SET enterprise = ? WHERE reg_seq = ?", (name, seq))
    conn.commit()
    conn.close()


def _plain(db) -> list[dict]:
    """Each case's `list --json` record built in Python from the table itself."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT * FROM cases NOT INDEXED").fetchall()
    finally:
        conn.close()
    out = []
    for r in sorted(rows, key=lambda r: (r["reg_year"], r["reg_seq"])):
        rec = {k: r[k] for k in ("reg_no", "reg_year", "reg_seq", "enterprise", "category", "channel", "accepted_on")}
        rec |= {"state": r["state"], "state_label": STATES[r["state"]]}
        rec |= {"supervision_label": SUPERVISION[r["supervision"]], "lead_dept": r["lead_now"]}
        rec["assist"] = json.loads(r["assist_now"]) if r["assist_now"] else []
        rec |= {"dispatch_no": r["dispatch_no_now"], "due_current": r["due_current_now"]}
        rec |= {"result": r["result_now"], "satisfaction": r["satisfaction_now"], "urge_count": r["urges_now"]}
        rec |= {"due": r["due_open"], "due_estimated": bool(r["due_open"] and r["due_open_estimated"])}
        out.append(rec)
    return out


def _from_the_table(db) -> bytes:
    """`list --all --json` as SQLite writes it from the table (the statement before the index)."""
    conn = sqlite3.connect(db)
    try:
        sql = listing._LIST_JSON_SQL + " ORDER BY c.reg_year, c.reg_seq"
        plan = " ".join(str(r) for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert "cases_listed" not in plan
        records = [r for (r,) in conn.execute(sql)]
    finally:
        conn.close()
    return b"[\n" + b",\n".join(records) + b"\n]\n"


def _agrees(run, db) -> list[dict]:
    out = run("list", "--all", "--json").out
    assert out.encode() == _from_the_table(db)
    shown = json.loads(out)
    assert shown == _plain(db)
    return shown


def test_list_all_json_from_the_index_is_what_the_table_gives(ledger, run, tmp_path, monkeypatch):
    _varied(ledger)
    conn = sqlite3.connect(ledger.db)
    try:
        sql = listing._every_case(listing._LIST_JSON_SQL) + " ORDER BY c.reg_year, c.reg_seq"
        plan = " ".join(str(r) for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
    finally:
        conn.close()
    assert "COVERING INDEX cases_listed" in plan and "TEMP B-TREE" not in plan
    shown = _agrees(ledger, ledger.db)
    assert [r["enterprise"] for r in shown[:4]] == _ODD_NAMES
    assert shown[0]["assist"] == ["区财政局"] and shown[0]["result"] == "A" and shown[0]["satisfaction"] is None
    assert shown[1]["result"] is None and shown[1]["lead_dept"] is None and shown[1]["state"] == "registered"
    assert shown[2]["lead_dept"] == "临翔供电局" and shown[2]["supervision_label"] == "专项督办"
    # the text list reads the same index: the same cases, in number order
    text = ledger("list", "--all").out.splitlines()
    assert [line.split()[0] for line in text[2:] if line[:1].isdigit()] == ["1", "2", "3", "4", "5"]
    # filtered lists are read as before
    assert [r["reg_seq"] for r in json.loads(ledger("list", "--all", "--json", "--state", "待交办").out)] == [2, 4, 5]

    # import-ledger fills the index with the rows it writes (names a clerk types only)
    conn = sqlite3.connect(ledger.db)
    conn.execute("UPDATE cases SET enterprise = '临沧南美坚果开发有限公司'")
    conn.commit()
    conn.close()
    other = imported_elsewhere(ledger, run, tmp_path, monkeypatch)
    before = [(r["reg_no"], r["state"], r["lead_dept"], r["result"]) for r in _plain(ledger.db)]
    after = _agrees(run, other)
    assert [(r["reg_no"], r["state"], r["lead_dept"], r["result"]) for r in after] == before
    assert run("check").code == 0


def test_text_that_is_not_utf8_stops_list_all_json(ledger):
    reg(ledger, "2026-11-02")
    reg(ledger, "2026-11-03")
    conn = sqlite3.connect(ledger.db)
    conn.execute("UPDATE cases SET enterprise = CAST(X'E4B8AD22FF42' AS TEXT) WHERE reg_seq = 2")
    conn.commit()
    conn.close()
    r = ledger("list", "--all", "--json")
    assert r.code == 1 and "台帐文件无法读取" in r.err and "lcqy check" in r.err


@pytest.mark.parametrize("size", [1, 2, 3, 5, 64])
def test_utf8_checked_a_slice_at_a_time(monkeypatch, size):
    """Characters cut by a slice's end pass; a byte that is not UTF-8 anywhere, an ASCII byte in
    the middle of a character, or a character cut at the very end does not."""
    monkeypatch.setattr(_json_out, "_SLICE", size)
    good = '{"企业":"临翔🚀Café"},\n{"a":"\\u0001"}'.encode()
    _json_out._check_utf8(good)
    for bad in (good + b"\xff", b"\xe4\x22\xad" + good, good[:-10] + b"\xe4\xb8" + good[-10:], good + b"\xf0\x9f\x9a"):
        with pytest.raises(sqlite3.DataError, match="有文字不是有效的 UTF-8 编码"):
            _json_out._check_utf8(bad)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 64])
def test_agenda_pieces_checked_a_slice_at_a_time(monkeypatch, size):
    """`agenda --json`'s pieces (a megabyte each) are checked in slices too, a character cut by
    a piece's end or a slice's end carried over; bytes that are not UTF-8 stop the output."""
    monkeypatch.setattr(_json_out, "_SLICE", size)
    text = '{"企业":"临翔🚀Café"},\n{"a":"\\u0001"}'.encode()
    for cut in (1, 5, 11, len(text) - 2):
        buf = io.BytesIO()
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(buf, encoding="utf-8"))
        _json_out.write_utf8([text[:cut], text[cut:]])
        assert buf.getvalue() == text
    for bad in ([text, b"\xff"], [b"\xe4\x22", b"\xad" + text], [text + b"\xf0\x9f", b"\x9a"]):
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
        with pytest.raises(sqlite3.DataError, match="有文字不是有效的 UTF-8 编码"):
            _json_out.write_utf8(bad)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    junk=st.binary(min_size=1, max_size=3),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=6),
    where=st.integers(min_value=0, max_value=200),
    size=st.integers(min_value=1, max_value=9),
)
def test_pieces_cut_anywhere_are_checked_as_one_text(text, junk, cuts, where, size):
    """Pieces cut anywhere, slices of any size: the check agrees with decoding the whole."""
    _json_out._SLICE, saved = size, _json_out._SLICE
    try:
        for data in (text.encode(), text.encode()[:where] + junk + text.encode()[where:]):
            bounds = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
            try:
                data.decode()
                valid = True
            except UnicodeDecodeError:
                valid = False
            try:
                cut = b""
                for a, b in zip(bounds, bounds[1:]):
                    cut = _json_out._check_utf8(data[a:b], cut, final=False)
                _json_out._check_utf8(b"", cut)
                checked = True
            except sqlite3.DataError:
                checked = False
            assert checked == valid, (data, bounds)
    finally:
        _json_out._SLICE = saved


@pytest.mark.skipif(not hasattr(fcntl, "F_SETPIPE_SZ"), reason="Linux pipes")
def test_json_to_a_pipe_widens_it_and_writes_the_same(ledger, tmp_path):
    """Output of hundreds of megabytes goes through a pipe of 1 MiB (the reader woken less
    often); the bytes are those written to a file."""
    reg(ledger, "2026-11-02")
    argv = [sys.executable, "-m", "lcqy", "--db", str(ledger.db), "agenda", "--json"]
    env = {**os.environ, "LCQY_TODAY": "2026-11-27"}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env)
    out = proc.stdout.read()
    assert fcntl.fcntl(proc.stdout.fileno(), fcntl.F_GETPIPE_SZ) == 1 << 20
    assert proc.wait() == 0
    with open(tmp_path / "out.json", "wb") as f:
        subprocess.run(argv, stdout=f, env=env, check=True)
    assert (tmp_path / "out.json").read_bytes() == out and json.loads(out)["as_of"] == "2026-11-27"


# -- overdue: cells padded with the gap or line end after them -------------------------------

_NAMES = [
    "临翔区昔归茶业有限责任公司" * 5,
    "云南Lincang咖啡Co.有限公司" * 20,
    "ABC Trading Ltd",
    "双江·勐库茶厂（普通合伙）",
    "A\u0301临翔🚀公司",
    "临翔区",
]


@pytest.mark.parametrize("width", [None, 80, 200])
@pytest.mark.parametrize("few", [512, 1])
@pytest.mark.parametrize(
    "cols",
    [
        # a number column last, right-aligned; many distinct numbers
        (Col("编号"), Col("企业", share=3, least=6), Col("时限"), Col("超期", right=True)),
        # a free-text column last, left-aligned, whole (names of many kinds)
        (Col("编号", right=True), Col("时限"), Col("企业", share=3, least=6)),
        # a last column that is sometimes empty (lines to strip)
        (Col("企业", share=3, least=6), Col("编号"), Col("部门", labels={"x": ""})),
    ],
)
def test_chunks_with_their_ends_lay_out_what_all_rows_at_once_do(monkeypatch, width, few, cols):
    monkeypatch.setattr(_rows, "_FEW", few)
    monkeypatch.setattr(_rows, "terminal_width", lambda: width)
    rows = []
    for i, name in enumerate(_NAMES * 4):
        number, due = str(i * 37 % 1000), "2026-11-10" + ("≈" if i % 2 else "")
        dept = "x" if i % 3 else "区财政局"
        by_title = {"编号": number, "企业": name, "时限": due, "超期": str(i * 7 % 13), "部门": dept}
        rows.append(tuple(by_title[c.title] for c in cols))

    def render(chunk: int | None) -> str:
        return render_chunked(monkeypatch, width, rows, chunk, cols, "表")

    whole = render(None)
    for chunk in (1, 3, 7):
        assert render(chunk) == whole, chunk
    assert not any(line.endswith(" ") for line in whole.splitlines())
