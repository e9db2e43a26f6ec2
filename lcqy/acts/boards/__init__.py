"""Read models: the listings a clerk reads each day. They only read the ledger and never import
an act that writes.

- listing: `list` and the rows of the Excel ledger.
- overdue: the overdue board.
- agenda: the morning worklist.
- supervised: which supervised cases are due again.
- then: the ledger as it stood on a past day, for `overdue` and `agenda` asked `--as-of` it.
- departments: a department's cases with the 三色 deadlines and its figures, the requests
  awaiting the clerk, the online entries of `show` and `agenda` (第八条).
"""
