"""Migration 24: `stats --by dept` over a long period without a sorter, the as-of-day snapshot
without the wide rows.

- dispatches by lead department, then the day dispatched or the limit, with what the figures
  count: over the year (at 1,000,000 cases nearly every dispatch) grouping by department reads
  the index in department order, where the date indexes of migration 20 sent 700,000 rows
  through a sorter (0.35 s);
- the ended cases by their lead department (cases.lead_now, migration 16), the same for the
  ended cases, which looked up each case's active dispatch; the cases received and ended by
  category, likewise for `stats --by category`;
- dispatches and cases by id with the columns the snapshot reads of an open dispatch or a case
  awaiting dispatch (lcqy.acts.figures.snapshot): a narrow index, not the wide row, for each of
  some 200,000 rows a day;
- the dispatches' first replies by day with the day received: the working days to reply are
  counted from the index alone (it replaces migration 14's index of the day only).
"""

SQL = """
CREATE INDEX dispatches_figures_dept ON dispatches(
    lead_dept, dispatched_on, late, due_current, due_original, override_reason
);
CREATE INDEX dispatches_figures_dept_due ON dispatches(lead_dept, due_current, status);
CREATE INDEX cases_figures_ended_dept ON cases(lead_now, ended_on, state);
CREATE INDEX cases_figures_category ON cases(category, accepted_on, state);
CREATE INDEX cases_figures_ended_category ON cases(category, ended_on, state);
CREATE INDEX dispatches_figures_open ON dispatches(id, lead_dept, case_id, dispatched_on, due_current, received_on);
CREATE INDEX cases_figures_waiting ON cases(id, accepted_on, dispatch_due, state);
DROP INDEX dispatch_spans_first_reply;
CREATE INDEX dispatch_spans_first_reply ON dispatch_spans(first_reply_on, received_on)
"""
