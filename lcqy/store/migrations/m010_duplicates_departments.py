"""Likely duplicates at registration, and departments that are retired.

A case's enterprise name and problem text are compared in a normalised form (case folded,
spaces, brackets and the company-form words such as 有限公司 removed). The form is an SQL
expression with an index on it: every way a case enters the ledger (register, import, receive)
and every edit is covered without extra code, and the look-up stays an index search at 100,000
cases. The query must use these very expressions, so they live here, with the index they feed.
"""

_SPACES = ("' '", "'\u3000'", "char(9)", "char(10)", "char(13)")
# Longest first: 股份有限公司 must go before 有限公司 leaves 股份 behind.
_ENTERPRISE_WORDS = tuple(f"'{w}'" for w in ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "公司", *"()（）"))
# No ASCII ";": the migration runner splits statements on it.
_PUNCTUATION = tuple(f"'{c}'" for c in '，。、；：,.:！!？?“”"')


def _stripped(column: str, words: tuple[str, ...]) -> str:
    expr = f"lower({column})"
    for w in words:
        expr = f"replace({expr}, {w}, '')"
    return expr


ENTERPRISE_KEY = _stripped("{}", _SPACES + _ENTERPRISE_WORDS)
PROBLEM_KEY = _stripped("{}", _SPACES + _PUNCTUATION)

SQL = f"""
CREATE INDEX cases_enterprise_key ON cases({ENTERPRISE_KEY.format("enterprise")});
CREATE INDEX cases_problem_key ON cases({PROBLEM_KEY.format("problem")});
-- A retired department takes no new dispatch, its name stays in every record.
ALTER TABLE departments ADD COLUMN retired_on TEXT
"""
