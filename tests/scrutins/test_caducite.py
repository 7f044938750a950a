"""Adopted amendments lapse when an adopted deletion removes their clause (pure)."""
from charte.scrutins.caducite import Adopte, caducs


def test_an_adopted_modification_of_a_deleted_clause_lapses():
    adoptes = [Adopte(1, 1, "modification", "RESP-1"), Adopte(2, 2, "suppression", "RESP-1"),
               Adopte(3, 3, "modification", "RESP-2"), Adopte(4, 4, "ajout", None)]
    result = caducs(adoptes)
    assert list(result) == [1]
    assert result[1] == "Caduc\u00a0: la clause RESP-1 est supprimée par l’amendement n°\u00a02, adopté au même vote."


def test_two_deletions_of_one_clause_both_stand():
    assert caducs([Adopte(1, 1, "suppression", "DON-2"), Adopte(2, 2, "suppression", "DON-2")]) == {}


def test_the_reason_names_the_first_deletion():
    result = caducs([Adopte(7, 7, "suppression", "A-1"), Adopte(3, 3, "suppression", "A-1"),
                     Adopte(5, 5, "modification", "A-1")])
    assert "n°\u00a03" in result[5] and set(result) == {5}


def test_nothing_lapses_without_a_deletion():
    assert caducs([Adopte(1, 1, "modification", "A-1"), Adopte(2, 2, "modification", "A-1")]) == {}
    assert caducs([]) == {}
