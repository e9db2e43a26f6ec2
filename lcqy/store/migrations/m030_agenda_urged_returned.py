"""Migration 30: the agenda's few cases found from indexes of their own, not by reading them out of
the many.

- the cases being handled that were urged (a few percent of the open ones), in the agenda's
  order with the columns it shows: the agenda places them by their letter, and found them by
  reading every late case (a second pass over the agenda index's largest stretch);
- the dispatches a department returned (退单), by case: a registered case's returns were counted
  from the index of every dispatch, a random read for each registered case, and the cases to
  escalate (two returns or more) found by counting every registered case's.
"""

SQL = """
CREATE INDEX cases_urged ON cases(
    due_open, reg_year, reg_seq, id, reg_no, enterprise, lead_now, supervision, state, urges_now
) WHERE state = 'dispatched' AND urges_now;
CREATE INDEX dispatches_returned ON dispatches(case_id, status) WHERE status = 'returned'
"""
