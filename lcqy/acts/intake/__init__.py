"""Intake (第四章, 第十条): a report enters the ledger.

- register: every field of the 登记表, checked, numbered; likely duplicates named.
- merging: `merge`, and merge chains: a duplicate pointing at the open case that handles its matter.
"""
