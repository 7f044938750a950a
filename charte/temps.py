"""Times as people read them (Europe/Paris) and as the database keeps them (naive UTC). Pure helpers."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
SAISIE = "%Y-%m-%dT%H:%M"  # the value of an <input type="datetime-local">
AFFICHAGE = "%d/%m/%Y à %H:%M"


class HeureInexistante(ValueError):
    """A Paris wall-clock time skipped by the change to summer time (e.g. 31/03/2024 à 02:30)."""


def maintenant() -> datetime:
    """Now, in naive UTC to the second, as stored in the database."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def paris_vers_utc(locale: datetime) -> datetime:
    """A naive Paris wall-clock time → naive UTC. In the autumn hour that happens twice, the first one
    (summer time) is meant; a time skipped in spring raises HeureInexistante."""
    if locale.tzinfo is not None:
        raise ValueError("paris_vers_utc attend une heure sans fuseau")
    aware = locale.replace(tzinfo=PARIS, fold=0)
    utc = aware.astimezone(timezone.utc)
    if utc.astimezone(PARIS).replace(tzinfo=None) != locale:
        raise HeureInexistante(locale)
    return utc.replace(tzinfo=None)


def utc_vers_paris(utc: datetime) -> datetime:
    """A naive UTC time → the naive Paris wall-clock time it was."""
    return utc.replace(tzinfo=timezone.utc).astimezone(PARIS).replace(tzinfo=None)


def format_paris(utc: datetime | None) -> str:
    """'22/11/2026 à 14:30' in Paris time; a dash when there is no date."""
    if utc is None:
        return "—"
    return utc_vers_paris(utc).strftime(AFFICHAGE)


def saisie_paris(utc: datetime | None) -> str:
    """The value to pre-fill a datetime-local input with (Paris time)."""
    return utc_vers_paris(utc).strftime(SAISIE) if utc is not None else ""


def iso_utc(utc: datetime | None) -> str:
    """Machine-readable value for <time datetime="…">."""
    return utc.strftime("%Y-%m-%dT%H:%MZ") if utc is not None else ""
