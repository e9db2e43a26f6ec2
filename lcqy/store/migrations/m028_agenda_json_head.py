"""Migration 28: the start of each case's `agenda --json` item kept in the agenda's indexes.

`agenda --json` writes every open case SQLite places (466,000 items at 1,000,000 cases) by one
`printf` an item, and that `printf` of ten arguments, four of them `json_quote`d, was most of the
command's time. The part of an item that is the case's own (its number, 受理编号, enterprise and
lead department, quoted and indented as json.dumps(indent=2) writes them in the list) does not
depend on the day, so it is a generated column, cases.agenda_head, computed by SQLite from the
row (no trigger to keep, nothing to compare: it cannot drift), and stored only in the three
indexes the agenda reads, rebuilt here with it as their last column; an item is then that text
and a few day's values. VIRTUAL: the table's rows do not grow, and it is not a column a case is
shown with (lcqy.store.schema.LATEST_COLUMNS).
"""

from lcqy.store.schema import AGENDA_STATES as _OPEN

# Up to the due date's value; the same bytes as json.dumps(indent=2) at an item's depth.
_HEAD = (
    "printf('        {\n"
    '          "case": "%d-%d",\n'
    '          "reg_no": %s,\n'
    '          "enterprise": %s,\n'
    '          "lead_dept": %s,\n'
    '          "due": '
    "', reg_year, reg_seq, json_quote(reg_no), json_quote(enterprise), json_quote(coalesce(lead_now, '')))"
)

SQL = f"""
ALTER TABLE cases ADD COLUMN agenda_head TEXT GENERATED ALWAYS AS ({_HEAD}) VIRTUAL;
DROP INDEX cases_agenda;
CREATE INDEX cases_agenda ON cases(
    state, due_open, reg_year, reg_seq, id, reg_no, enterprise, supervision, consult, major, lead_now, urges_now,
    reply_now, followup_now, agenda_head
) WHERE {_OPEN};
DROP INDEX cases_answered;
CREATE INDEX cases_answered ON cases(
    answered_close, due_open, reg_year, reg_seq, reg_no, enterprise, lead_now, answered_note, state, supervision,
    agenda_head
) WHERE state = 'replied' AND supervision = '' AND answered_close IS NOT NULL;
DROP INDEX cases_escalated;
CREATE INDEX cases_escalated ON cases(
    state, due_open, reg_year, reg_seq, reg_no, enterprise, lead_now, escalated_now, agenda_head
) WHERE state = 'escalated'
"""
