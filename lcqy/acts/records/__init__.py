"""The Excel problem ledger (DESIGN §4), out and in.

- export: the rows `export-ledger` writes (the sheets themselves: lcqy.xlsx).
- importing: `import-ledger`, all or nothing.
- read: the first pass, every sheet read and every row checked into a spool.
- rows: the checks of one row and of the rows together.
- write: the checked rows written in batches.
"""
