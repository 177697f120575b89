"""Calendar periods and windows: ``2026Q3``, ``"365D"``, and labels for tables."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from contribfunnel.errors import UsageError

__all__ = ["as_of_quarter", "parse_quarter", "parse_window", "period_of", "to_utc"]

_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


def parse_quarter(text: str) -> pd.Period:
    """A calendar quarter from ``"2026Q3"`` (or ``"2026-q3"``).

    >>> q = parse_quarter("2026Q3"); (str(q), str(q.end_time.date()))
    ('2026Q3', '2026-09-30')
    >>> parse_quarter("2026Q5")
    Traceback (most recent call last):
    ...
    contribfunnel.errors.UsageError: bad quarter '2026Q5': use YYYYQn, for example 2026Q3
    """
    m = _QUARTER.match(str(text).strip())
    if not m:
        raise UsageError(f"bad quarter {text!r}: use YYYYQn, for example 2026Q3")
    return pd.Period(f"{m.group(1)}Q{m.group(2)}", freq="Q")


def quarter_end(q: pd.Period) -> pd.Timestamp:
    """The first instant after the quarter, in UTC (windows are half-open)."""
    return (q + 1).start_time.tz_localize("UTC")


def to_utc(value: Any, *, name: str = "date") -> pd.Timestamp:
    """A UTC timestamp from a date, string or Timestamp (naive means UTC); a bad value is a one-line UsageError.

    >>> to_utc("2026-07-01"), to_utc(pd.Timestamp("2026-07-01 02:00", tz="Europe/Berlin"))
    (Timestamp('2026-07-01 00:00:00+0000', tz='UTC'), Timestamp('2026-07-01 00:00:00+0000', tz='UTC'))
    """
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise UsageError(f"{name}: not a date: {value!r}") from None
    if pd.isna(ts):
        raise UsageError(f"{name}: not a date: {value!r}")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def parse_window(window: Any) -> pd.Timedelta:
    """A trailing window from days (``365``), a string (``"365D"``) or a Timedelta.

    >>> parse_window("365D").days, parse_window(90).days
    (365, 90)
    """
    try:
        td = pd.Timedelta(days=window) if isinstance(window, int | float) else pd.Timedelta(window)
    except (ValueError, TypeError):
        raise UsageError(f"bad window {window!r}: use days, for example '365D'") from None
    if td <= pd.Timedelta(0):
        raise UsageError(f"bad window {window!r}: must be positive")
    return td


def period_of(times: pd.Series, by: str = "quarter") -> pd.Series:
    """The period label (``'2026Q3'``) of each UTC timestamp; ``by`` is 'quarter', 'month', 'year' or a pandas frequency."""
    freq = {"quarter": "Q", "month": "M", "year": "Y"}.get(by, by)
    try:
        return times.dt.tz_convert(None).dt.to_period(freq).astype(str)
    except (ValueError, TypeError):
        raise UsageError(f"bad period {by!r}: use quarter, month, year or a pandas frequency") from None


def as_of_quarter(as_of: pd.Timestamp, quarter: str | None, *, starts_at: pd.Timestamp | None = None) -> pd.Timestamp:
    """The analysis date for a report on ``quarter``: its end, or ``as_of`` if the data ends sooner.

    >>> as_of_quarter(pd.Timestamp("2026-09-30", tz="UTC"), "2026Q2")
    Timestamp('2026-07-01 00:00:00+0000', tz='UTC')
    """
    if quarter is None:
        return as_of
    q = parse_quarter(quarter)
    if q.start_time.tz_localize("UTC") >= as_of:
        raise UsageError(f"quarter {quarter} starts after the data ends ({as_of:%Y-%m-%d})")
    if starts_at is not None and quarter_end(q) <= starts_at:
        raise UsageError(f"quarter {quarter} ends before the data begins ({starts_at:%Y-%m-%d})")
    return min(as_of, quarter_end(q))
