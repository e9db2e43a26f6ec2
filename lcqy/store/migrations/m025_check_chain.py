"""Migration 25: the history chain's rows noted for `check` (migration 13's log), so that the
daily check reads the text of the links added or changed since its last clean pass instead of
every link (1.2 s of its 4 s beside quick_check at 1,000,000 cases).

The chain only grows at its end: the links past the last clean pass's top are read by number,
so an append is not noted (an import adds millions). What else can put a row at or below that
top is noted: an insert over an existing number or into a gap (INSERT OR REPLACE deletes the
old row without firing a delete trigger, so the insert itself must say so: BEFORE, while the
old row still counts in max), an update (both numbers) and a delete (a later append may reuse
the number).
"""

SQL = """
CREATE TRIGGER chain_check_ins BEFORE INSERT ON chain WHEN NEW.seq <= (SELECT max(seq) FROM chain)
BEGIN INSERT INTO check_log (tbl, rid) VALUES ('chain', NEW.seq); END;
CREATE TRIGGER chain_check_upd AFTER UPDATE ON chain
BEGIN INSERT INTO check_log (tbl, rid) VALUES ('chain', OLD.seq);
    INSERT INTO check_log (tbl, rid) VALUES ('chain', NEW.seq); END;
CREATE TRIGGER chain_check_del AFTER DELETE ON chain
BEGIN INSERT INTO check_log (tbl, rid) VALUES ('chain', OLD.seq); END
"""
