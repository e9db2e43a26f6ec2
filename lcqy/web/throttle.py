"""Login throttling: failed sign-ins counted per account and per address."""

from __future__ import annotations

import os
import threading
import time


class Throttle:
    """Failed logins per account and per address in a sliding window, in the server's memory:
    one process (waitress threads) serves the ledger, so the counts are exact, and a failed
    guess writes nothing to the ledger the clerk's commands wait on."""

    def __init__(self, per_account: int = 5, per_address: int = 20, window: float = 900.0) -> None:
        self.limits = {"account": per_account, "address": per_address}
        self.window = window
        self._fails: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> list[float]:
        times = [t for t in self._fails.get(key, []) if now - t < self.window]
        if times:
            self._fails[key] = times
        else:
            self._fails.pop(key, None)
        return times

    def wait(self, login: str, address: str) -> int:
        """Seconds until another try is allowed (0: now)."""
        now = time.monotonic()
        with self._lock:
            waits = []
            for kind, value in (("account", login.lower()), ("address", address)):
                times = self._recent((kind, value), now)
                if len(times) >= self.limits[kind]:
                    waits.append(int(self.window - (now - times[-self.limits[kind]])) + 1)
            return max(waits, default=0)

    def fail(self, login: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (("account", login.lower()), ("address", address)):
                self._fails.setdefault(key, []).append(now)

    def clear(self, login: str) -> None:
        with self._lock:
            self._fails.pop(("account", login.lower()), None)


THROTTLE = Throttle(
    per_account=int(os.environ.get("LCQY_LOGIN_TRIES", "5")),
    per_address=int(os.environ.get("LCQY_ADDRESS_TRIES", "20")),
)
