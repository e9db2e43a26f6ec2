"""The department's list and figures, kept between requests: a department may have thousands of
open cases, and reads its list far more often than anything in it changes. The list is brought up
to date case by case (only the cases an act touched since are read again); the figures are read
again at most once a minute."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from lcqy.acts import online
from lcqy.acts.context import Ctx

MAX_ENTRIES = 128
FIGURES_SECONDS = 60.0


class DeptCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple, tuple[float, object]] = OrderedDict()

    def _kept(self, key: tuple):
        with self._lock:
            return self._items.get(key)

    def _keep(self, key: tuple, mark: float, value: object) -> None:
        with self._lock:
            self._items[key] = (mark, value)
            self._items.move_to_end(key)
            while len(self._items) > MAX_ENTRIES:
                self._items.popitem(last=False)

    def cases(self, ctx: Ctx, dept: str, *, open_only: bool, limit: int) -> list[dict]:
        """Call inside one read transaction: the version read is the version of the rows read."""
        key = ("cases", dept, ctx.today, id(ctx.cal), open_only)  # a new calendar is a new list
        now = online.version(ctx)
        kept = self._kept(key)
        changed = online.dept_changes(ctx, dept, int(kept[0])) if kept is not None else None
        if kept is None or changed is None:
            items = online.dept_ranked(ctx, dept, as_of=ctx.today, open_only=open_only)
        elif changed:
            items = dict(kept[1])
            for case_id in changed:
                items.pop(case_id, None)  # left the list (returned, answered) unless read again below
            items.update(online.dept_ranked(ctx, dept, as_of=ctx.today, open_only=open_only, cases=changed))
        else:
            items = kept[1]
        if kept is None or changed is None or changed:
            self._keep(key, now, items)
        return online.top(items, limit)

    def figures(self, ctx: Ctx, dept: str, make: Callable[[], object]) -> object:
        key = ("figures", dept, ctx.today)
        kept = self._kept(key)
        if kept is not None and time.monotonic() - kept[0] < FIGURES_SECONDS:
            return kept[1]
        value = make()
        self._keep(key, time.monotonic(), value)
        return value


def warm(app) -> None:
    """Rank the lists of the departments that have users, in the background after start-up, so
    that the first of them to sign in does not wait for it (a second or two at 100,000 cases)."""

    def work() -> None:
        from lcqy.acts.context import Ctx, today_from_env
        from lcqy.store.db import Ledger

        led = Ledger.open(app.config["LCQY_DB"])
        try:
            ctx = Ctx(ledger=led, today=today_from_env())
            ctx._cal = app.extensions["lcqy_calendars"].get(led)
            depts = [
                d for (d,) in led.conn.execute("SELECT DISTINCT dept FROM users WHERE role = 'dept' AND NOT disabled")
            ]
            for dept in depts:
                with led.reading():
                    app.extensions["lcqy_dept_cache"].cases(ctx, dept, open_only=True, limit=1)
        except Exception:  # noqa: BLE001 - a head start only: the pages rank on demand anyway
            pass
        finally:
            led.close()

    threading.Thread(target=work, name="lcqy-warm", daemon=True).start()
