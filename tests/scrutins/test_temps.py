"""Paris wall-clock time ↔ naive UTC, both sides of the clock changes."""
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charte.temps import HeureInexistante, format_paris, iso_utc, paris_vers_utc, saisie_paris, utc_vers_paris


@pytest.mark.parametrize("paris, utc", [
    (datetime(2026, 1, 15, 10, 0), datetime(2026, 1, 15, 9, 0)),  # winter: UTC+1
    (datetime(2026, 7, 14, 10, 0), datetime(2026, 7, 14, 8, 0)),  # summer: UTC+2
    (datetime(2026, 3, 29, 1, 59), datetime(2026, 3, 29, 0, 59)),  # just before the spring change
    (datetime(2026, 3, 29, 3, 0), datetime(2026, 3, 29, 1, 0)),  # just after it
    (datetime(2026, 10, 25, 2, 30), datetime(2026, 10, 25, 0, 30)),  # the autumn hour seen twice: the first one
    (datetime(2026, 12, 31, 23, 30), datetime(2026, 12, 31, 22, 30)),
    (datetime(2027, 1, 1, 0, 30), datetime(2026, 12, 31, 23, 30)),  # a Paris date one day ahead of UTC
])
def test_paris_to_utc_and_back(paris, utc):
    assert paris_vers_utc(paris) == utc
    assert utc_vers_paris(utc) == paris


def test_a_time_skipped_in_spring_is_refused():
    with pytest.raises(HeureInexistante):
        paris_vers_utc(datetime(2026, 3, 29, 2, 30))


def test_an_aware_time_is_refused():
    from datetime import timezone

    with pytest.raises(ValueError):
        paris_vers_utc(datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_display_and_input_values():
    utc = datetime(2026, 7, 14, 8, 5)
    assert format_paris(utc) == "14/07/2026 à 10:05"
    assert saisie_paris(utc) == "2026-07-14T10:05"
    assert iso_utc(utc) == "2026-07-14T08:05Z"
    assert format_paris(None) == "—" and saisie_paris(None) == "" and iso_utc(None) == ""


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_every_utc_time_comes_back_from_its_paris_reading(utc):
    utc = utc.replace(microsecond=0)
    paris = utc_vers_paris(utc)
    back = paris_vers_utc(paris)
    # The autumn hour is read as its first occurrence: the only case where the round trip moves (by one hour).
    assert back == utc or (utc - back).total_seconds() == 3600


def test_dt_paris_filter_is_installed(app):
    template = app.jinja_env.from_string("{{ when|dt_paris }}")
    assert template.render(when=datetime(2026, 1, 15, 9, 0)) == "15/01/2026 à 10:00"
