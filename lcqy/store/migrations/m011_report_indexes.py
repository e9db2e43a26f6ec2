"""Migration 11: indexes for the monthly 简报 at 100,000 cases.

- received by category and channel (the 简报's 分类情况) is read from the index alone;
- the first and last day the ledger's dates touch (the working-day table's span) are index
  look-ups, not scans of every case and dispatch;
- whether a case had been dispatched, escalated or sent to the special meeting by a given
  day (the late-for-dispatch half of the late list) is one index probe each, with no row read.
"""

SQL = """
CREATE INDEX cases_received ON cases(accepted_on, category, channel, state);
CREATE INDEX dispatches_case_on ON dispatches(case_id, dispatched_on);
CREATE INDEX escalations_case_on ON escalations(case_id, escalated_on);
CREATE INDEX events_case_action ON events(case_id, action, act_on);
CREATE INDEX cases_dispatch_due ON cases(dispatch_due);
CREATE INDEX dispatches_received_on ON dispatches(received_on)
"""
