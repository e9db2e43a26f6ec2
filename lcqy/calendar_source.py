"""China's official calendar from the `holidays` package, plus the office's own days.

Kept apart from the pure rules so that `holidays` loads only in commands that count
working days, and then only China's module (see `_china`).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from types import ModuleType

from lcqy.rules.workdays import WorkCalendar


@cache
def _china() -> ModuleType:
    """holidays' China module, loaded from its file.

    `import holidays.countries.china` first runs `holidays/countries/__init__.py`, which imports
    all ~250 country modules (0.1 s more than `import holidays`); China's own module needs only
    the package's base classes, so it is loaded alone, under a private name (no half-made entry
    for the real one in sys.modules). If the package changes its layout, the usual import.
    """
    import importlib.util
    from pathlib import Path

    import holidays

    path = Path(holidays.__file__).parent / "countries" / "china.py"
    spec = importlib.util.spec_from_file_location("lcqy._holidays_china", path)
    if spec is None or spec.loader is None or not path.is_file():  # pragma: no cover - other layouts
        import holidays.countries.china as module

        return module
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def official_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    h = _china().China(years=year)
    rest = frozenset(d for d in h if d.year == year)
    # weekend_workdays also keeps a few dates from 2001-2011 in every instance.
    workdays = frozenset(d for d in h.weekend_workdays if d.year == year)
    return rest, workdays


@cache
def known_years() -> frozenset[int]:
    """Years whose State Council schedule the package carries (others are guesses)."""
    return frozenset(_china().ChinaStaticHolidays.special_public_holidays)


def build_calendar(office: dict[date, str] | None = None, confirmed: frozenset[int] = frozenset()) -> WorkCalendar:
    """`confirmed`: years whose schedule the office has entered itself (lcqy calendar confirm)."""
    return WorkCalendar(loader=official_year, office=dict(office or {}), known_years=known_years() | confirmed)
