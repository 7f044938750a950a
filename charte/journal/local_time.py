"""Times as people of the authority read them: Europe/Paris, with the offset to UTC shown.

The database stores naive UTC datetimes; these pure functions turn them into local time and turn a
local calendar day into the UTC interval that covers it (a day lasts 23 or 25 hours twice a year)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def to_local(value: datetime) -> datetime:
    """A naive UTC (or aware) datetime in Paris time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(PARIS)


def utc_offset(local: datetime) -> str:
    """'UTC+01:00', 'UTC+02:00'."""
    minutes = int(local.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def format_local(value: datetime | None, seconds: bool = True) -> str:
    """'12/11/2026 à 11:00:05 UTC+01:00'; a dash for no date."""
    if value is None:
        return "—"
    local = to_local(value)
    clock = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{local.strftime('%d/%m/%Y')} à {clock} {utc_offset(local)}"


def parse_utc(text: str) -> datetime:
    """A journal time ('2026-11-12T10:00:05Z') as a naive UTC datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def local_day_start(day: date) -> datetime:
    """The UTC instant (naive) at which this calendar day begins in Paris."""
    return datetime.combine(day, time.min, PARIS).astimezone(timezone.utc).replace(tzinfo=None)


def local_day_end(day: date) -> datetime:
    """The UTC instant (naive) at which this calendar day ends in Paris (the next one begins)."""
    return local_day_start(day + timedelta(days=1))
