"""Migration 24: `stats --by dept|category` over a long period without a look-up or a sorter for
each row, the as-of-day snapshot without the wide rows.

- dispatches by lead department, then the day dispatched, with what the figures
  count: over the year (at 1,000,000 cases nearly every dispatch) grouping by department reads
  the index in department order, where the date indexes of migration 20 sent 700,000 rows
  through a sorter (0.35 s);
- the ended cases by their lead department (cases.lead_now, migration 16), where each ended
  case's active dispatch was looked up; the cases received and ended by category likewise;
- the cases by id with the columns the snapshot reads of a case awaiting dispatch
  (lcqy.acts.figures.snapshot): a narrow index, not the wide row, for each of some 100,000 rows
  a day (its open dispatches come from the spans below, by the day they stop being open, then id
  as migration 14's index gives them);
- the escalations by day with their lateness and case (they were read from the table's rows);
- the dispatches' first replies by day with the day received: the working days to reply are
  counted from the index alone (it replaces migration 14's index of the day only);
- dispatch_spans carries the dispatch's lead department, status, day dispatched, limits and
  lateness, and its case's category (kept by triggers like migration 16's lead_now), with
  indexes led by the department or category: `stats --by dept|category` looked up the
  dispatch or case of each first reply and each dispatch fallen due (0.6-1 s a query at
  1,000,000 cases) and sorted the rows for GROUP BY; now each is one index read in the group's
  order; the 简报's dispatches fallen due likewise from the spans alone, by limit. Migration
  14's triggers replace a span's row whole, so these columns are set again
  after each insert into dispatch_spans, and after an update of the dispatch's own columns;
- reply_keys and followup_keys, side tables like the spans (one row per reply or follow-up:
  what the figures count of it, with its dispatch's lead department and its case's category),
  kept by triggers, with indexes led by the department or category: each reply and follow-up
  counted by department or category looked up its dispatch or case (0.3-0.7 s a query); a
  reply's row also carries what the 简报's totals looked up for each reply (its first
  follow-up, its case's later replies). The tables `show` and the exchange packages read keep
  their columns.
"""

# The dispatch's and its case's columns carried on the spans whose {where} holds (import-ledger
# sets the insert trigger aside and runs this once over the new dispatches: `id >= ?`).
KEPT = "lead_dept, status, dispatched_on, late, due_current, due_original, override_reason"
SPAN_KEYS = f"""UPDATE dispatch_spans SET
    ({KEPT}) = (SELECT {KEPT} FROM dispatches WHERE id = dispatch_spans.id),
    category = (SELECT category FROM cases WHERE id = dispatch_spans.case_id)
WHERE {{where}}"""
# The side rows of the replies and follow-ups whose {where} holds (import-ledger: `id >= ?`).
# A reply's row also holds the day of its first follow-up and the earliest day of its case's
# later replies (by id): "followed up by the day" and "the case's latest reply up to the day"
# are then a comparison, not a look-up per reply. Its case's replies are written again together.
# (Its columns in the table's order: the first line is left out where the SELECT alone is wanted.)
REPLY_KEYS = """INSERT OR REPLACE INTO reply_keys
SELECT r.id, r.replied_on, r.result, r.case_id, (SELECT lead_dept FROM dispatches WHERE id = r.dispatch_id),
       (SELECT category FROM cases WHERE id = r.case_id),
       (SELECT min(followed_on) FROM followups WHERE reply_id = r.id),
       (SELECT min(replied_on) FROM replies y WHERE y.case_id = r.case_id AND y.id > r.id)
FROM replies r WHERE {where}"""
FOLLOWUP_KEYS = """INSERT OR REPLACE INTO followup_keys (id, followed_on, satisfaction, lead_dept, category)
SELECT f.id, f.followed_on, f.satisfaction,
       (SELECT d.lead_dept FROM replies r JOIN dispatches d ON d.id = r.dispatch_id WHERE r.id = f.reply_id),
       (SELECT category FROM cases WHERE id = f.case_id)
FROM followups f WHERE {where}"""
_DUE = "due_current, status, answered_on, first_reply_on, first_reply_late, first_reply_id"

SQL = f"""
CREATE INDEX dispatches_figures_dept ON dispatches(
    lead_dept, dispatched_on, late, due_current, due_original, override_reason
);
CREATE INDEX cases_figures_ended_dept ON cases(lead_now, ended_on, state);
CREATE INDEX cases_figures_category ON cases(category, accepted_on, state);
CREATE INDEX cases_figures_ended_category ON cases(category, ended_on, state);
CREATE INDEX cases_figures_waiting ON cases(id, accepted_on, dispatch_due, state, category);
CREATE INDEX escalations_figures ON escalations(escalated_on, late, case_id);
DROP INDEX dispatch_spans_first_reply;
CREATE INDEX dispatch_spans_first_reply ON dispatch_spans(first_reply_on, received_on);
ALTER TABLE dispatch_spans ADD COLUMN lead_dept TEXT;
ALTER TABLE dispatch_spans ADD COLUMN category TEXT;
ALTER TABLE dispatch_spans ADD COLUMN status TEXT;
ALTER TABLE dispatch_spans ADD COLUMN dispatched_on TEXT;
ALTER TABLE dispatch_spans ADD COLUMN late INTEGER;
ALTER TABLE dispatch_spans ADD COLUMN due_current TEXT;
ALTER TABLE dispatch_spans ADD COLUMN due_original TEXT;
ALTER TABLE dispatch_spans ADD COLUMN override_reason TEXT;
{SPAN_KEYS.format(where="1")};
CREATE TRIGGER dispatch_spans_keys_insert AFTER INSERT ON dispatch_spans
BEGIN {SPAN_KEYS.format(where="id = NEW.id")}; END;
CREATE TRIGGER dispatch_spans_keys_dispatch AFTER UPDATE OF {KEPT} ON dispatches
BEGIN {SPAN_KEYS.format(where="id = NEW.id")}; END;
CREATE TRIGGER dispatch_spans_keys_category AFTER UPDATE OF category ON cases
BEGIN {SPAN_KEYS.format(where="id IN (SELECT id FROM dispatches WHERE case_id = NEW.id)")}; END;
CREATE INDEX dispatch_spans_dept ON dispatch_spans(lead_dept, first_reply_on, received_on);
CREATE INDEX dispatch_spans_category ON dispatch_spans(category, first_reply_on, received_on);
CREATE INDEX dispatch_spans_due ON dispatch_spans({_DUE});
CREATE INDEX dispatch_spans_open_all ON dispatch_spans(
    open_until, id, dispatched_on, lead_dept, case_id, due_current, received_on
);
CREATE INDEX dispatch_spans_due_dept ON dispatch_spans(lead_dept, {_DUE});
CREATE INDEX dispatch_spans_due_category ON dispatch_spans(category, {_DUE});
CREATE INDEX dispatch_spans_dispatched_category ON dispatch_spans(
    category, dispatched_on, late, due_current, due_original, override_reason
);
CREATE TABLE reply_keys (
    id INTEGER PRIMARY KEY, replied_on TEXT, result TEXT, case_id INTEGER, lead_dept TEXT, category TEXT,
    followed_on TEXT, next_on TEXT
);
CREATE TABLE followup_keys (id INTEGER PRIMARY KEY, followed_on TEXT, satisfaction TEXT, lead_dept TEXT, category TEXT);
{REPLY_KEYS.format(where="1")};
{FOLLOWUP_KEYS.format(where="1")};
CREATE TRIGGER reply_keys_insert AFTER INSERT ON replies
BEGIN {REPLY_KEYS.format(where="r.case_id = NEW.case_id")}; END;
CREATE TRIGGER reply_keys_update AFTER UPDATE OF replied_on, result, case_id, dispatch_id ON replies
BEGIN {REPLY_KEYS.format(where="r.case_id IN (OLD.case_id, NEW.case_id)")};
{FOLLOWUP_KEYS.format(where="f.reply_id = NEW.id")}; END;
CREATE TRIGGER reply_keys_delete AFTER DELETE ON replies
BEGIN DELETE FROM reply_keys WHERE id = OLD.id; {REPLY_KEYS.format(where="r.case_id = OLD.case_id")}; END;
CREATE TRIGGER followup_keys_insert AFTER INSERT ON followups
BEGIN {FOLLOWUP_KEYS.format(where="f.id = NEW.id")}; {REPLY_KEYS.format(where="r.id = NEW.reply_id")}; END;
CREATE TRIGGER followup_keys_update AFTER UPDATE OF followed_on, satisfaction, reply_id, case_id ON followups
BEGIN {FOLLOWUP_KEYS.format(where="f.id = NEW.id")};
{REPLY_KEYS.format(where="r.id IN (OLD.reply_id, NEW.reply_id)")}; END;
CREATE TRIGGER followup_keys_delete AFTER DELETE ON followups
BEGIN DELETE FROM followup_keys WHERE id = OLD.id; {REPLY_KEYS.format(where="r.id = OLD.reply_id")}; END;
CREATE TRIGGER reply_keys_dept AFTER UPDATE OF lead_dept ON dispatches
BEGIN {REPLY_KEYS.format(where="r.dispatch_id = NEW.id")};
{FOLLOWUP_KEYS.format(where="f.reply_id IN (SELECT id FROM replies WHERE dispatch_id = NEW.id)")}; END;
CREATE TRIGGER reply_keys_category AFTER UPDATE OF category ON cases
BEGIN {REPLY_KEYS.format(where="r.case_id = NEW.id")}; {FOLLOWUP_KEYS.format(where="f.case_id = NEW.id")}; END;
CREATE INDEX reply_keys_day ON reply_keys(replied_on, result, followed_on, next_on);
CREATE INDEX reply_keys_dept ON reply_keys(lead_dept, replied_on, result, followed_on, next_on);
CREATE INDEX reply_keys_category ON reply_keys(category, replied_on, result, followed_on, next_on);
CREATE INDEX followup_keys_dept ON followup_keys(lead_dept, followed_on, satisfaction);
CREATE INDEX followup_keys_category ON followup_keys(category, followed_on, satisfaction)
"""
