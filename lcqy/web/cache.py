"""The department's lists and figures, kept between requests until an act touches one of its
cases: a department may have thousands of open cases, and it reads its list far more often than
anything in it changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from lcqy.acts import online
from lcqy.acts.context import Ctx

MAX_ENTRIES = 128


class DeptCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple, tuple[int, object]] = OrderedDict()

    def get(self, ctx: Ctx, dept: str, key: tuple, make: Callable[[], object]) -> object:
        full = (dept, ctx.today, *key)
        with self._lock:
            kept = self._items.get(full)
        if kept is not None and not online.dept_changed(ctx, dept, kept[0]):
            return kept[1]
        now = online.version(ctx)  # read first: a later change is then seen as a change
        value = make()
        with self._lock:
            self._items[full] = (now, value)
            self._items.move_to_end(full)
            while len(self._items) > MAX_ENTRIES:
                self._items.popitem(last=False)
        return value
