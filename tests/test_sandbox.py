"""Templates are data: a template that tries to run code, loop without end or compute is
refused by `config templates` and at every use, naming the file and the construct."""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import register_args, snapshot

from lcqy.docs import sandbox
from lcqy.docs.render import DEFAULT_TEMPLATE_DIR, check_template
from lcqy.errors import LcqyError

POPEN = "{{ cycler.__init__.__globals__.os.popen('id').read() }}"
RANGE = "{% for i in range(10**8) %}{{ i }}{% endfor %}"
DIVIDE = "{{ 1/0 }}"


def _folder(tmp_path: Path, name: str = "mine") -> Path:
    folder = tmp_path / name
    shutil.copytree(DEFAULT_TEMPLATE_DIR, folder)
    return folder


def _plant(path: Path, payload: str, where: str = "{{ enterprise }}") -> None:
    """Put `payload` into the document text of a real template, beside the placeholder `where`."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert where in text
                data = text.replace(where, where + payload, 1).encode("utf-8")
            zout.writestr(item, data)
    tmp.replace(path)


def _case(ledger) -> None:
    assert ledger("register", *register_args(), "--date", "2026-10-12").code == 0
    r = ledger(
        "dispatch", "1", "--dept", "区发展和改革局", "--approver", "王", "--level", "主任", "--date", "2026-10-13"
    )
    assert r.code == 0, r.err


@pytest.mark.parametrize(
    "file,where,payload,word",
    [
        ("register.docx", "{{ enterprise }}", POPEN, "函数调用“cycler.__init__.__globals__.os.popen(…).read(…)”"),
        ("urge.docx", "{{ enterprise }}", RANGE, "range(…)"),
        ("dispatch.docx", "{{ enterprise }}", DIVIDE, "算术运算“1 / 0”"),
        ("escalate.docx", "{{ enterprise }}", "{% set x = 1 %}", "赋值（set）"),
        ("register.docx", "{{ enterprise }}", "{{ enterprise.__class__ }}", "属性访问"),
        ("register.docx", "{{ enterprise }}", "{{ lipsum }}", "未知的占位符“lipsum”"),
        ("register.docx", "{{ enterprise }}", "{{ enterprise|attr('upper') }}", "过滤器"),
        ("register.docx", "{{ enterprise }}", "{% include 'x' %}", "包含其他模板"),
        ("register.docx", "{{ enterprise }}", "{% for c in enterprise %}{% endfor %}", "不是列表"),
    ],
)
def test_config_refuses_templates_that_run_code(ledger, tmp_path, file, where, payload, word):
    folder = _folder(tmp_path)
    _plant(folder / file, payload, where)
    before = snapshot(ledger.db)
    started = time.monotonic()
    r = ledger("config", "templates", str(folder))
    assert time.monotonic() - started < 5
    assert r.code == 1 and "不允许的写法" in r.err and file in r.err, r.err
    if word:
        assert word in r.err, r.err
    assert "uid=" not in r.out + r.err
    assert snapshot(ledger.db) == before
    assert "mine" not in ledger("config", "templates").out


def test_a_template_changed_after_config_is_refused_at_use(ledger, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _case(ledger)
    folder = _folder(tmp_path)
    assert ledger("config", "templates", str(folder)).code == 0
    _plant(folder / "register.docx", POPEN)
    _plant(folder / "urge.docx", RANGE)
    r = ledger("form", "register", "1", "-o", str(tmp_path / "r.docx"))
    assert r.code == 1 and "register.docx" in r.err and "函数调用" in r.err, r.err
    assert not (tmp_path / "r.docx").exists() and "uid=" not in r.out + r.err
    before = snapshot(ledger.db)
    started = time.monotonic()
    r = ledger("urge", "1", "-o", str(tmp_path / "u.docx"))
    assert time.monotonic() - started < 5
    assert r.code == 1 and "urge.docx" in r.err and "range" in r.err, r.err
    assert snapshot(ledger.db) == before  # the urge is not recorded without its letter
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".*.part"))
    # The office's own --templates at the command line is checked the same way.
    r = ledger("form", "register", "1", "--templates", str(folder), "-o", str(tmp_path / "r.docx"))
    assert r.code == 1 and "函数调用" in r.err


def test_payload_in_document_properties_is_refused(tmp_path):
    folder = _folder(tmp_path)
    d = docx.Document(str(folder / "dispatch.docx"))
    d.core_properties.title = POPEN
    d.save(str(folder / "dispatch.docx"))
    with pytest.raises(LcqyError, match="函数调用"):
        check_template(folder / "dispatch.docx", "dispatch")


def test_shipped_templates_pass_and_the_forms_still_fill(ledger, tmp_path):
    for kind in ("register", "dispatch", "escalate", "urge"):
        assert check_template(DEFAULT_TEMPLATE_DIR / f"{kind}.docx", kind) == []
    _case(ledger)
    folder = _folder(tmp_path)
    # Simple conditions and literals an office may add are fine.
    _plant(folder / "register.docx", "{% if category == '用电保障' and not email %}（电）{% else %}-{% endif %}")
    assert ledger("config", "templates", str(folder)).code == 0
    r = ledger("form", "register", "1", "-o", str(tmp_path / "r.docx"))
    assert r.code == 0, r.err
    tables = docx.Document(str(tmp_path / "r.docx")).tables
    text = "\n".join(c.text for t in tables for row in t.rows for c in row.cells)
    assert "临沧南美坚果开发有限公司（电）" in text


def test_the_checker_on_its_own():
    names = {"enterprise", "depts", "n"}
    lists = {"enterprise": False, "depts": True, "n": False}
    ok = [
        "{% for d in depts %}{{ d.name }}{{ loop.index }}{% endfor %}",
        "{% if n >= 3 or n in ('1', '2') %}{{ -1 }}{% elif not enterprise %}x{% endif %}",
        "{{ enterprise|default('无')|trim }}{{ enterprise ~ '公司' }}{{ 'a' if n else 'b' }}",
    ]
    for source in ok:
        sandbox.check_source(source, names, lists)
    refused = {
        "{% for d in enterprise %}{% endfor %}": "不是列表",
        "{% for a in depts %}{% for b in depts %}{% for c in depts %}{% endfor %}{% endfor %}{% endfor %}": "嵌套",
        "{{ depts[0] }}": "下标",
        "{{ n * 1000 }}": "算术运算",
        "{{ enterprise.upper() }}": "函数调用",
        "{% macro m() %}{% endmacro %}": "宏",
        "{% for d in depts %}{{ d._x }}{% endfor %}": "属性访问",
        "{{ namespace() }}": "函数调用",
        "{% for d in depts recursive %}{% endfor %}": "简单写法",
        "{{ enterprise": "写法有误",
    }
    for source, word in refused.items():
        with pytest.raises(sandbox.Refused, match=word):
            sandbox.check_source(source, names, lists)


@pytest.mark.parametrize(
    "payload,words",
    [
        ("{{ '" + "长" * 3000 + "' }}", ("不允许的写法", "过长的常量文字（3000 字")),
        ("填" * 2_500_000, ("文字过多", "不像是一份")),
    ],
)
def test_templates_too_big_to_be_forms_are_refused_quickly(ledger, tmp_path, payload, words):
    """Work a template asks for is bounded by its size: a huge constant or megabytes of text
    (which took 14 s at every use) are refused by name before any rendering."""
    folder = _folder(tmp_path)
    _plant(folder / "urge.docx", payload)
    before = snapshot(ledger.db)
    started = time.monotonic()
    r = ledger("config", "templates", str(folder))
    assert time.monotonic() - started < 5
    assert r.code == 1 and "urge.docx" in r.err and all(w in r.err for w in words), r.err
    assert snapshot(ledger.db) == before
