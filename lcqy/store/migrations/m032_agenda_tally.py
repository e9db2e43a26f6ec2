"""Migration 32: narrow indexes that count the agenda's sections, and more of an item in two.

`agenda --json` writes each section's count before its items. It counted a long section as it
read it and held its items in a temporary file meanwhile (175 MB written and read back at
1,000,000 cases), and the terminal list counted the sections by reading the agenda's wide
indexes (a tenth of a second). Each index below holds only what a section's condition looks
at, a few bytes a case, so that counting 200,000 cases reads a few hundred pages and the items
are written as they are read:

- the cases awaiting dispatch or being handled, by state and limit (late, due soon, never urged);
- the answered cases not under 督办, by whether they can be closed (migration 23's column);
- the escalated cases, by the date kept on the case (migration 23).

The indexes of the answered and of the escalated cases (migration 28) hold, in place of the
case's part of an `agenda --json` item, all of the item up to its command: the case's part,
no due date, 0 days late and the note (the answered case's as kept by migration 23, the
escalation's date with what it says), as json.dumps(indent=2) writes them. What is left to
add to an item is the command and the case's number (about 200,000 of the 466,000 items at
1,000,000 cases).
"""

from lcqy.store.migrations.m028_agenda_json_head import HEAD

# The item up to its command's text, over a case {c} ("" or "c."): HEAD, then as the agenda
# writes an item with no due date (lcqy.acts.boards.agenda._json_item). A query names them as
# written here for SQLite to read them from the index.
_UNDATED = 'null,\n          "days_late": 0,\n          "note": %s,\n          "next": "'
ANSWERED_ITEM = HEAD.replace("', {c}reg_year", _UNDATED + "', {c}reg_year").replace(
    ")))", ")), json_quote({c}answered_note))"
)
ESCALATED_ITEM = HEAD.replace("', {c}reg_year", _UNDATED + "', {c}reg_year").replace(
    ")))", ")), json_quote({c}escalated_now || ' 转报，已逾1个月'))"
)

SQL = f"""
DROP INDEX cases_answered;
CREATE INDEX cases_answered ON cases(
    answered_close, due_open, reg_year, reg_seq, reg_no, enterprise, lead_now, answered_note, state, supervision,
    {ANSWERED_ITEM.format(c="")}
) WHERE state = 'replied' AND supervision = '' AND answered_close IS NOT NULL;
DROP INDEX cases_escalated;
CREATE INDEX cases_escalated ON cases(
    state, due_open, reg_year, reg_seq, reg_no, enterprise, lead_now, escalated_now, {ESCALATED_ITEM.format(c="")}
) WHERE state = 'escalated';
CREATE INDEX cases_agenda_tally ON cases(state, due_open, urges_now)
    WHERE state = 'registered' OR state = 'dispatched';
CREATE INDEX cases_answered_tally ON cases(answered_close)
    WHERE state = 'replied' AND supervision = '' AND answered_close IS NOT NULL;
CREATE INDEX cases_escalated_tally ON cases(escalated_now) WHERE state = 'escalated'
"""
