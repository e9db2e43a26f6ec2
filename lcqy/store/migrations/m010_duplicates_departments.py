"""Likely duplicates at registration, and departments that are retired.

A case's enterprise name and problem text are compared in a normalised form (case folded,
spaces, brackets and the company-form words such as 有限公司 removed). The form is an SQL
expression with an index on it: every way a case enters the ledger (register, import, receive)
and every edit is covered without extra code, and the look-up stays an index search at 100,000
cases. The query must use these very expressions: they live in lcqy.store.schema, which both read.
"""

from lcqy.store.schema import ENTERPRISE_KEY, PROBLEM_KEY

SQL = f"""
CREATE INDEX cases_enterprise_key ON cases({ENTERPRISE_KEY.format("enterprise")});
CREATE INDEX cases_problem_key ON cases({PROBLEM_KEY.format("problem")});
-- A retired department takes no new dispatch, its name stays in every record.
ALTER TABLE departments ADD COLUMN retired_on TEXT
"""
