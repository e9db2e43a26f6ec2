# CI on a Windows runner (Windows PowerShell 5.1 or PowerShell 7): the README's Windows
# commands, line for line, then the linter and the benchmarks' smoke run. No `&&` (5.1
# rejects it): each step is checked by its exit code.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
function Step([scriptblock]$command) {
    & $command
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}
# Output of the tests goes through the console's code page (GBK on a zh-CN runner), as a
# clerk's would: lcqy must not depend on UTF-8 there.
Step { py -3 -m venv .venv }
Step { .venv\Scripts\pip install -q . }
Step { .venv\Scripts\lcqy --db sample_ledger.db agenda --as-of 2026-11-27 }
Step { .venv\Scripts\pip install -q -e ".[test]" }
Step { .venv\Scripts\ruff check lcqy tests bench }
Step { .venv\Scripts\python bench\bench_commands.py --smoke }
# Last, so that its summary closes the run.
Step { .venv\Scripts\python -m pytest -q }
