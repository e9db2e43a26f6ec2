"""China's official calendar from the `holidays` package, plus the office's own days.

Kept apart from the pure rules so that `holidays` loads only in commands that count
working days, and then only China's module (see `_china`). Loading it costs about a tenth of a
second, more than a whole `overdue` run otherwise spends on start-up, so each year's rest days
and 调休 workdays, once computed, are kept in a small cache file named after the package's own
version and China's module (see `_cached`): a changed package is a new file, never stale data.
"""

from __future__ import annotations

import json
import os
import zlib
from datetime import date
from functools import cache
from pathlib import Path
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
    kept = _cached()["years"].get(year)
    if kept is not None:
        return kept
    h = _china().China(years=year)
    rest = frozenset(d for d in h if d.year == year)
    # weekend_workdays also keeps a few dates from 2001-2011 in every instance.
    workdays = frozenset(d for d in h.weekend_workdays if d.year == year)
    _keep(years={year: (rest, workdays)})
    return rest, workdays


@cache
def known_years() -> frozenset[int]:
    """Years whose State Council schedule the package carries (others are guesses)."""
    kept = _cached()["known"]
    if kept is not None:
        return kept
    known = frozenset(_china().ChinaStaticHolidays.special_public_holidays)
    _keep(known=known)
    return known


# -- the cache file --------------------------------------------------------------------------
_MAX_CACHE = 1_000_000  # bytes: a century of years is about 60 kB


def cache_dir(env: dict | None = None, windows: bool = os.name == "nt") -> str:
    """$LCQY_CACHE_DIR, else the user's cache folder: %LOCALAPPDATA%\\lcqy\\cache on Windows
    (never the roaming profile), $XDG_CACHE_HOME/lcqy or ~/.cache/lcqy elsewhere. Starts with
    ~ when there is no home to put it in."""
    env = os.environ if env is None else env
    if env.get("LCQY_CACHE_DIR"):
        return env["LCQY_CACHE_DIR"]
    if windows:
        local = env.get("LOCALAPPDATA") or (env["USERPROFILE"] + "\\AppData\\Local" if env.get("USERPROFILE") else "")
        return local + "\\lcqy\\cache" if local else "~"
    return os.path.join(env.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "lcqy")


def _cache_file() -> Path | None:
    """The cache file in cache_dir(); None where there is no home."""
    import importlib.util

    base = cache_dir()
    spec = importlib.util.find_spec("holidays")  # finds the package without running it
    if spec is None or spec.origin is None or base.startswith("~"):
        return None
    package = Path(spec.origin).parent
    # Names the package's version and China's module as installed (zlib, not hashlib: loading
    # OpenSSL would cost more than the cache saves; this is a name, not a seal).
    key = 0
    for part in ("version.py", "countries/china.py"):
        try:
            key = zlib.crc32((package / part).read_bytes(), key)
        except OSError:
            return None  # another layout: no cache
    return Path(base) / f"calendar-{key:08x}.json"


@cache
def _cached() -> dict:
    """{"known": frozenset | None, "years": {year: (rest, workdays)}} from the cache file; a
    file that is missing, unreadable or not exactly what _keep writes counts as empty."""
    empty: dict = {"known": None, "years": {}}
    path = _cache_file()
    if path is None:
        return empty
    try:
        with path.open("rb") as f:
            raw = f.read(_MAX_CACHE + 1)
        if len(raw) > _MAX_CACHE:
            return empty
        data = json.loads(raw)
        known = data["known"]
        if known is not None and not all(type(y) is int for y in known):
            return empty
        years = {}
        for key, (rest, work) in data["years"].items():
            year = int(key)
            days = [frozenset(map(date.fromisoformat, rest)), frozenset(map(date.fromisoformat, work))]
            if any(d.year != year for part in days for d in part):
                return empty
            years[year] = (days[0], days[1])
        return {"known": None if known is None else frozenset(known), "years": years}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return empty


def _keep(known: frozenset[int] | None = None, years: dict | None = None) -> None:
    """Add to the cache file (best effort: a read-only home only means no cache)."""
    path = _cache_file()
    if path is None:
        return
    held = _cached()
    if known is not None:
        held["known"] = known
    held["years"].update(years or {})
    data = {
        "known": None if held["known"] is None else sorted(held["known"]),
        "years": {
            str(y): [sorted(d.isoformat() for d in rest), sorted(d.isoformat() for d in work)]
            for y, (rest, work) in sorted(held["years"].items())
        },
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)  # whole or not at all, whoever writes last
    except OSError:
        pass


def build_calendar(office: dict[date, str] | None = None, confirmed: frozenset[int] = frozenset()) -> WorkCalendar:
    """`confirmed`: years whose schedule the office has entered itself (lcqy calendar confirm)."""
    return WorkCalendar(loader=official_year, office=dict(office or {}), known_years=known_years() | confirmed)
