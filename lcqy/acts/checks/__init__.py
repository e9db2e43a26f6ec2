"""`check`: the ledger's integrity and the measures' rules, each problem one line.

- run: the list of checks and the one function that runs them.
- stored: stored text and papers re-read against what was written.
- warnings: things worth attention that do not make the ledger unsound.
"""
