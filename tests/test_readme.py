"""The README's walk-through, run line by line as a clerk would type it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def walkthrough() -> list[tuple[str, list[str]]]:
    """(command, the output lines the README shows under it) for every lcqy line of 日常使用."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## 日常使用.*?```sh\n(.*?)```", text, re.S)[1]
    steps: list[tuple[str, list[str]]] = []
    line = ""
    for raw in block.splitlines():
        if raw.startswith("#   ") and steps:
            steps[-1][1].append(raw[4:].strip())
            continue
        line += raw.rstrip("\\").rstrip() + " " if raw.endswith("\\") else raw
        if raw.endswith("\\"):
            continue
        cmd = re.sub(r"\s+#.*$", "", line).strip()
        line = ""
        if cmd.startswith("lcqy "):
            steps.append((cmd, []))
    return steps


def test_readme_walkthrough_runs(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    steps = walkthrough()
    assert len(steps) >= 15
    for cmd, shown in steps:
        r = run(*shlex.split(cmd)[1:])
        assert r.code == 0, f"{cmd}\n{r.err}"
        for expected in shown:
            assert expected in r.out, f"{cmd}: README shows “{expected}”, got:\n{r.out}"
    assert (tmp_path / "临翔服企办交（2026）第2号交办单.docx").exists()
    assert (tmp_path / "台帐备份.db").exists()
