"""The wall clock of an entry, in one place (the history, the chain's bookkeeping, keys)."""

from __future__ import annotations

import os
from datetime import datetime


def now_text() -> str:
    """Wall-clock timestamp of an entry; LCQY_NOW fixes it (reproducible sample ledger)."""
    fixed = os.environ.get("LCQY_NOW")
    return fixed if fixed else datetime.now().isoformat(timespec="seconds")
