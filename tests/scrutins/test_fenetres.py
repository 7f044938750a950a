"""The order of a round's windows (pure)."""
from datetime import datetime, timedelta

import pytest

from charte.tours.fenetres import Fenetres, depot_ouvert, erreur_fenetres, vote_ouvert

T0 = datetime(2026, 5, 1, 8, 0)
H = timedelta(hours=1)


def fenetres(a=0, b=10, c=10, d=20) -> Fenetres:
    return Fenetres(T0 + a * H, T0 + b * H, T0 + c * H, T0 + d * H)


@pytest.mark.parametrize("f, now, expected", [
    (fenetres(), T0 - H, None),
    (fenetres(), T0 + 5 * H, None),  # a round may open while its submission window already runs
    (fenetres(c=10), T0, None),  # the vote may start the moment the submission ends
    (fenetres(b=0), T0 - H, "depot_fin"),  # end equal to start
    (fenetres(b=-1, c=0), T0 - 2 * H, "depot_fin"),  # end before start
    (fenetres(), T0 + 10 * H, "depot_fin"),  # the submission end has passed
    (fenetres(c=9), T0, "vote_debut"),  # vote before the submission ends
    (fenetres(d=10), T0, "vote_fin"),  # vote end equal to its start
    (fenetres(d=5), T0, "vote_fin"),
])
def test_window_order(f, now, expected):
    faute = erreur_fenetres(f, now)
    assert (faute[0] if faute else None) == expected
    if faute:
        assert faute[1].endswith(".") and faute[1][0].isupper()


@pytest.mark.parametrize("offset, depot, vote", [
    (-1, False, False), (0, True, False), (9, True, False), (10, False, True), (19, False, True), (20, False, False),
])
def test_which_window_is_open(offset, depot, vote):
    f = fenetres()
    now = T0 + offset * H
    assert depot_ouvert(f, now) is depot
    assert vote_ouvert(f, now) is vote
