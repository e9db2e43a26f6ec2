"""Migration 18: a history that proves itself, and the office's signing key.

- `chain`: one link per event (ledger-wide, in the order written) and one per change of a
  case's stored state, each hashing its content with the previous link's hash
  (lcqy.store.chain). Existing ledgers get their chain when this migration runs (`after`).
- `chain_log`: triggers note every event or link changed or deleted (the acts never do
  either), so that the daily `check` looks at exactly those besides the new links.
- `chain_marks`: how far the last clean `check` verified the chain, and the head it saw.
- `office_keys`: the office's own Ed25519 key and the keys of the offices it exchanges
  packages with (trust on first use, or entered with `lcqy keys trust`).
"""

from lcqy.store.schema import CHAIN as SQL  # noqa: F401 - the migration runner reads SQL


def after(led) -> None:
    """Chain the history already there and give the office its key (Python: SQLite has no
    SHA-256 of its own)."""
    from lcqy.store import chain

    chain.start(led)
