"""Migration 20: the 简报 and `stats --by` read their rows from indexes, not the wide rows.

- replies, dispatches (by the day dispatched and by the limit) and follow-ups by their date with
  every column the figures count or group by: the year's scan of each no longer reads the table's
  rows (a dispatch's or reply's row holds its text);
- cases(id, category, channel): a reply, dispatch, follow-up … grouped by its case's category or
  channel finds them in this index (lcqy.acts.figures.counts joins it INDEXED BY), not in the
  case's row, a random read of the widest table for each act counted;
- dispatches(id, lead_dept): likewise a reply, follow-up, urge or first reply grouped by its
  dispatch's lead department (joined INDEXED BY);
- the ended cases by day with their category and channel.
"""

SQL = """
CREATE INDEX replies_figures ON replies(replied_on, result, case_id, dispatch_id);
CREATE INDEX dispatches_figures ON dispatches(
    dispatched_on, late, due_current, due_original, override_reason, case_id, lead_dept
);
CREATE INDEX dispatches_figures_due ON dispatches(due_current, status, case_id, lead_dept);
CREATE INDEX followups_figures ON followups(followed_on, satisfaction, case_id, reply_id);
CREATE INDEX cases_figures ON cases(id, category, channel);
CREATE INDEX dispatches_figures_lead ON dispatches(id, lead_dept);
CREATE INDEX cases_figures_ended ON cases(ended_on, state, category, channel);
"""
