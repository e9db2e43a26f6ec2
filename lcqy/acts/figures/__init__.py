"""Figures (第十九至二十三条): the counts, the monthly 简报, the statistics and the 测评.

- counts: the SQL aggregates behind every figure (meanings in lcqy.rules.figures).
- snapshot: what was late on a given day.
- month: the month's figures, its 期号 and the report settings.
- bulletin: the 简报 written (.docx).
- tables: `stats` for any period, its workbook, the year-end evaluation.
- city: each office's month figures side by side (this ledger's own, the counties' received).
- offices: the city's table of the offices' monthly figures.
"""
