"""The round and amendment factories build rows the schema accepts (on both databases)."""
from charte.amendements.models import AmendementStatut
from charte.tours.models import TourStatut


def test_factories_build_a_round_and_amendments(make_tour, make_amendement):
    tour = make_tour(statut="vote")
    modification = make_amendement(tour=tour)
    ajout = make_amendement(tour=tour, nature="ajout", ref=None)
    suppression = make_amendement(tour=tour, nature="suppression", ref="RESP-2")
    assert tour.statut == TourStatut.VOTE
    assert [a.numero for a in (modification, ajout, suppression)] == [1, 2, 3]
    assert modification.statut == AmendementStatut.DEPOSE and modification.revisions[0].base_texte
    assert suppression.texte == ""
