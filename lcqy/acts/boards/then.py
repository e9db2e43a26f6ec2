"""The ledger as it stood on a past day, for the boards asked `--as-of` that day: acts dated
later are left out, as `report` leaves them out of a past month.

Every act is an event with the day it was done (`events.act_on`); when none is dated after the
day, the ledger's own columns are that day's state and the boards read them. Otherwise each
case accepted by the day and not ended by then gets its state then in temp.then_cases, worked
out from the dated rows (a dispatch counts from its dispatch day until returned or replaced,
a reply, follow-up, urge, escalation or 专项督办 deadline from its own day), under the names the
boards read on a case: state, supervision, due_open, lead_now, urges_now, and the ids of the
latest acts (dispatch_now, reply_now …).
Due dates are the dispatches' current ones, extensions included, as `report` counts them. What
a ledger holds with no dated event (the supervision and the special meeting of an imported or
generated case) is taken as it is now."""

from __future__ import annotations

from datetime import date

from lcqy.acts.context import Ctx

# The latest day of any act on a case: the dates of the acts' own rows (an imported or generated
# ledger may have no events), each from its index where it has one, and of the events about a
# case (one index seek an action on events_action_on, hopping from action to action). Entries of
# no case (the office's key, users, departments, settings) change no case's state then: a day
# before them is still drawn up from the cases' own columns.
_LAST_ACT = """
WITH RECURSIVE a(action) AS (
    SELECT min(action) FROM events
    UNION ALL SELECT (SELECT min(action) FROM events WHERE action > a.action) FROM a WHERE a.action IS NOT NULL)
SELECT max((SELECT act_on FROM events WHERE action = a.action AND case_id IS NOT NULL ORDER BY act_on DESC LIMIT 1))
FROM a WHERE a.action IS NOT NULL
UNION ALL SELECT max(accepted_on) FROM cases UNION ALL SELECT max(ended_on) FROM cases
UNION ALL SELECT max(dispatched_on) FROM dispatches
UNION ALL SELECT max(returned_on) FROM dispatches WHERE status = 'returned'
UNION ALL SELECT max(replied_on) FROM replies UNION ALL SELECT max(followed_on) FROM followups
UNION ALL SELECT max(urged_on) FROM urges UNION ALL SELECT max(escalated_on) FROM escalations
UNION ALL SELECT max(set_on) FROM supervisions"""


def acts_after(ctx: Ctx, day: date) -> bool:
    """True when some act on a case is dated after `day`: the cases' state is not that day's."""
    text = day.isoformat()
    return any(last is not None and last > text for (last,) in ctx.ledger.conn.execute(_LAST_ACT))


_THEN = """
CREATE TEMP TABLE then_cases AS
SELECT *,
       CASE state WHEN 'registered' THEN dispatch_due WHEN 'dispatched' THEN d_due END AS due_open,
       CASE state WHEN 'registered' THEN dispatch_due_estimated WHEN 'dispatched' THEN d_estimated ELSE 0 END
           AS due_open_estimated
FROM (SELECT *,
             CASE WHEN dispatch_now IS NOT NULL
                      THEN iif(reply_now IS NOT NULL AND r_dispatch = dispatch_now, 'replied', 'dispatched')
                  WHEN escalation_now IS NOT NULL
                      THEN iif(reply_now IS NOT NULL AND r_on >= e_on, 'replied', 'escalated')
                  WHEN met THEN 'meeting' ELSE 'registered' END AS state
      FROM (SELECT c.id, c.reg_year, c.reg_seq, c.reg_no, c.enterprise, c.category, c.consult, c.major,
                   c.dispatch_due, c.dispatch_due_estimated, c.prior_urges,
                   c.prior_urges + (SELECT count(*) FROM urges WHERE case_id = c.id AND urged_on <= :a) AS urges_now,
                   d.id AS dispatch_now, d.lead_dept AS lead_now, d.due_current AS d_due,
                   d.due_estimated AS d_estimated, d.assist,
                   e.id AS escalation_now, e.escalated_on AS e_on,
                   r.id AS reply_now, r.dispatch_id AS r_dispatch, r.replied_on AS r_on,
                   (SELECT max(id) FROM followups WHERE case_id = c.id AND followed_on <= :a) AS followup_now,
                   (SELECT max(id) FROM urges WHERE case_id = c.id AND urged_on <= :a) AS urge_now,
                   (SELECT max(id) FROM supervisions WHERE case_id = c.id AND set_on <= :a) AS supervision_row_now,
                   coalesce((SELECT json_extract(detail, '$.after') FROM events
                             WHERE case_id = c.id AND action = 'supervision' AND act_on <= :a
                             ORDER BY act_on DESC, id DESC LIMIT 1),
                            iif(EXISTS (SELECT 1 FROM events WHERE case_id = c.id AND action = 'supervision'),
                                '', c.supervision)) AS supervision,
                   coalesce((SELECT min(act_on) <= :a FROM events WHERE case_id = c.id AND action = 'meeting'),
                            c.state = 'meeting') AS met,
                   (SELECT count(*) FROM dispatches x
                    WHERE x.case_id = c.id AND x.status = 'returned' AND x.returned_on <= :a) AS returns
            FROM cases c
            LEFT JOIN dispatches d ON d.id = (
                SELECT max(id) FROM dispatches
                WHERE case_id = c.id AND dispatched_on <= :a AND (status = 'active' OR returned_on > :a))
            LEFT JOIN escalations e ON e.id = (
                SELECT max(id) FROM escalations WHERE case_id = c.id AND escalated_on <= :a)
            LEFT JOIN replies r ON r.id = (SELECT max(id) FROM replies WHERE case_id = c.id AND replied_on <= :a)
            WHERE c.accepted_on <= :a AND coalesce(c.ended_on, '9999-12-31') > :a AND c.state != 'void'))"""


def cases_then(ctx: Ctx, day: date) -> None:
    """temp.then_cases: the cases open on `day`, as they stood then."""
    conn = ctx.ledger.conn
    conn.execute("DROP TABLE IF EXISTS temp.then_cases")
    conn.execute(_THEN, {"a": day.isoformat()})
    conn.execute("CREATE UNIQUE INDEX temp.then_cases_id ON then_cases(id)")  # the boards join cases by id


def on_then(sql: str) -> str:
    """A board's SQL over cases `c` and their latest acts, read from temp.then_cases instead."""
    for now, then in _NOW_THEN:
        sql = sql.replace(now, then)
    return sql


_NOW_THEN = (
    ("FROM cases c", "FROM temp.then_cases c"),
    ("JOIN cases c", "JOIN temp.then_cases c"),
    ("FROM cases WHERE", "FROM temp.then_cases WHERE"),
    ("(SELECT max(id) FROM replies WHERE case_id = c.id)", "c.reply_now"),
    ("(SELECT max(id) FROM supervisions WHERE case_id = c.id)", "c.supervision_row_now"),
    ("(SELECT max(id) FROM escalations WHERE case_id = c.id)", "c.escalation_now"),
    ("(SELECT max(id) FROM dispatches WHERE case_id = c.id AND status = 'active')", "c.dispatch_now"),
    ("c.id IN (SELECT case_id FROM escalations WHERE late)", "1"),
)
