"""Each urge records the number of its 催办函 (临翔服企办催（2026）第N号), a sequence of its own."""

SQL = """
ALTER TABLE urges ADD COLUMN letter_no TEXT NOT NULL DEFAULT '';
"""
