"""What every act needs: the ledger, today, who acts, and the working-day calendar."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date

from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.workdays import WorkCalendar
from lcqy.store.calendar_source import build_calendar
from lcqy.store.db import Ledger


def today_from_env() -> date:
    fixed = os.environ.get("LCQY_TODAY")
    if fixed:
        try:
            return date.fromisoformat(fixed)
        except ValueError:
            raise LcqyError(f"环境变量 LCQY_TODAY=“{fixed}”不是有效日期，应写成 2026-03-05。") from None
    return date.today()


@dataclass
class Ctx:
    ledger: Ledger
    today: date
    # Who acts: a web user's login ("dept:临翔供电局/zhang" style names are the web layer's
    # business); None is the ledger's clerk, the one person the CLI acts for.
    by: str | None = None
    _cal: WorkCalendar | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # The calendar (holidays' import and build: a tenth of a second or more) is made
        # before the write lock is taken, so that other commands do not wait for it.
        self.ledger.before_write.append(self.warm)

    def warm(self) -> None:
        """Load what acts use inside their transaction, while no lock is held."""
        self.cal  # noqa: B018 - built and kept for the act

    @property
    def actor(self) -> str:
        return self.by or self.ledger.meta.get("clerk", "")

    @property
    def cal(self) -> WorkCalendar:
        if self._cal is None:
            office = {
                date.fromisoformat(day): kind
                for day, kind in self.ledger.conn.execute("SELECT day, kind FROM calendar_days")
            }
            confirmed = frozenset(json.loads(self.ledger.meta.get("confirmed_years", "[]")))
            self._cal = build_calendar(office, confirmed)
        return self._cal

    def reload_calendar(self) -> None:
        """After the office changed its days: the next use reads them again."""
        self._cal = None
        self.ledger._meta = None

    def act_date(self, text: str | date | None, label: str = "办理日期（--date）") -> date:
        """The date an act happened: given, or today; never in the future."""
        if text is None or text == "":
            return self.today
        return validate.not_future(label, validate.parse_date(label, text), self.today)
