"""Migration 25: rows of the tables that only grow at their end noted for `check` (migration 13's
log), so that the daily check reads the text of the rows added or changed since its last clean
pass instead of every row: the history chain (1.2 s of the check's 4 s beside quick_check at
1,000,000 cases), the tracking codes (a row per case) and each dispatch's departments.

The rows past the last clean pass's last row are read by number, so an append is not noted (an
import adds millions). What else can put a row at or below that row is: an insert over an
existing number or into a gap (INSERT OR REPLACE deletes the old row without firing a delete
trigger, so the insert itself says so, BEFORE, while the old row still counts in max; a number
SQLite picks itself shows as -1 there and is an append), an update (both numbers) and a delete
(a later append may take the number again). Rows below 0 are always read.
"""

# Table -> its row number (the column that is the rowid, or rowid itself).
APPENDED = {"chain": "seq", "tracking_codes": "case_id", "dispatch_depts": "rowid"}


def noted(table: str, key: str) -> str:
    return f"""
CREATE TRIGGER {table}_check_ins BEFORE INSERT ON {table}
WHEN NEW.{key} >= 0 AND NEW.{key} <= (SELECT max({key}) FROM {table})
BEGIN INSERT INTO check_log (tbl, rid) VALUES ('{table}', NEW.{key}); END;
CREATE TRIGGER {table}_check_upd AFTER UPDATE ON {table}
BEGIN INSERT INTO check_log (tbl, rid) VALUES ('{table}', OLD.{key});
    INSERT INTO check_log (tbl, rid) VALUES ('{table}', NEW.{key}); END;
CREATE TRIGGER {table}_check_del AFTER DELETE ON {table}
BEGIN INSERT INTO check_log (tbl, rid) VALUES ('{table}', OLD.{key}); END"""


SQL = ";".join(noted(t, k) for t, k in APPENDED.items())
