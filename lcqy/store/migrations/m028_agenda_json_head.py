"""Migration 28: the start of each case's `agenda --json` item kept in the agenda's indexes.

`agenda --json` writes every open case SQLite places (466,000 items at 1,000,000 cases) by one
`printf` an item, and that `printf` of ten arguments, four of them `json_quote`d, was most of the
command's time. The part of an item that is the case's own (its number, 受理编号, enterprise and
lead department, quoted and indented as json.dumps(indent=2) writes them in the list) does not
depend on the day, so the three indexes the agenda reads end with it: an index on an expression,
which SQLite keeps up to date itself (no trigger, no column, nothing that can drift) and whose
value a query naming the same expression reads from the index instead of working it out. An item
is then that text and a few values of the day.
"""

# The case's part of its item, up to the due date's value, over a case {c} ("" or "c."): the same
# bytes as json.dumps(indent=2) at an item's depth. A query must name it as written here (HEAD
# with its alias) for SQLite to read it from the index.
HEAD = (
    "printf('        {{\n"
    '          "case": "%d-%d",\n'
    '          "reg_no": %s,\n'
    '          "enterprise": %s,\n'
    '          "lead_dept": %s,\n'
    '          "due": '
    "', {c}reg_year, {c}reg_seq, json_quote({c}reg_no), json_quote({c}enterprise), "
    "json_quote(coalesce({c}lead_now, '')))"
)
_HEAD = HEAD.format(c="")

SQL = f"""
DROP INDEX cases_agenda;
CREATE INDEX cases_agenda ON cases(
    state, due_open, reg_year, reg_seq, id, reg_no, enterprise, supervision, consult, major, lead_now, urges_now,
    reply_now, followup_now, {_HEAD}
) WHERE state = 'registered' OR state = 'dispatched' OR state = 'meeting' OR state = 'escalated' OR state = 'replied';
DROP INDEX cases_answered;
CREATE INDEX cases_answered ON cases(
    answered_close, due_open, reg_year, reg_seq, reg_no, enterprise, lead_now, answered_note, state, supervision,
    {_HEAD}
) WHERE state = 'replied' AND supervision = '' AND answered_close IS NOT NULL;
DROP INDEX cases_escalated;
CREATE INDEX cases_escalated ON cases(
    state, due_open, reg_year, reg_seq, reg_no, enterprise, lead_now, escalated_now, {_HEAD}
) WHERE state = 'escalated'
"""
