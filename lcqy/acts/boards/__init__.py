"""Read models: the listings a clerk reads each day. They only read the ledger and never import
an act that writes.

- listing: `list` and the rows of the Excel ledger.
- overdue: the overdue board.
- agenda: the morning worklist.
- supervised: which supervised cases are due again.
"""
