"""Migration 15: the overdue board read from indexes alone at 100,000 cases.

- open cases in due order, with every column the board shows, from one partial index (only
  cases with a limit, i.e. open ones, are in it: a few tens of thousands of short entries);
- each case's active dispatch and its lead department, one index probe per case.
"""

SQL = """
CREATE INDEX cases_board ON cases(
    due_open, reg_year, reg_seq, id, reg_no, enterprise, category, state, due_open_estimated, prior_urges
) WHERE due_open IS NOT NULL;
CREATE INDEX dispatches_active_lead ON dispatches(case_id, status, id, lead_dept)
"""
