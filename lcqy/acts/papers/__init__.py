"""The papers of a case: the official forms' contents and files, the 催办函 written again, and
the attachments kept inside the ledger (批示笺, 企业材料, 答复文件).

- forms: what goes into 登记表, 交办单, 转报单, 催办函; where they are written; writing them.
- letters: the latest urge's letter, written again when a killed command left it unwritten.
- attachments: papers stored as BLOBs with their SHA-256; the 批示笺 page.
"""
