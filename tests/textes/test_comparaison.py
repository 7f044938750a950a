"""Comparison of two versions, clause by clause."""
import pytest
from hypothesis import given, settings

from charte.textes.comparaison import Bilan, ClauseComparee, bilan, comparer
from charte.textes.diffs import Segment
from charte.textes.fusion import ClauseTexte, fusionner
from tests.textes.donnees import VERSION, ajout, consolidations, modif, suppression

PROPRIETES = settings(max_examples=60, deadline=None)


def statuts(comparees):
    return [(c.ref, c.statut) for c in comparees]


def test_identical_versions_are_unchanged():
    comparees = comparer(VERSION, VERSION)
    assert statuts(comparees) == [(c.ref, "inchangee") for c in VERSION]
    assert all(c.segments == (Segment("egal", c.avant.texte),) and not c.deplacement for c in comparees)
    assert bilan(comparees) == Bilan(0, 0, 0, 0, 5, 0, 0)
    assert bilan(comparees).changees == 0


def test_a_consolidated_version_compared_with_its_parent():
    resultat = fusionner(VERSION, [modif(1, "RESP-1", "contenus", "documents écrits"), suppression(2, "RESP-2"),
                                   ajout(3, 2, 1, texte="Une clause en tête."),
                                   modif(4, "TRANS-1", "informe", "informe", titre="Informer le public")])
    comparees = comparer(VERSION, resultat.clauses)
    # the new version's order; the removed clause where it stood; renumbering is not a move
    assert statuts(comparees) == [("RESP-1", "modifiee"), ("RESP-2", "supprimee"), ("RESP-4", "inchangee"),
                                  ("TRANS-3", "ajoutee"), ("TRANS-1", "modifiee"), ("TRANS-2", "inchangee")]
    resp1, resp2, _, trans3, trans1, _ = comparees
    assert Segment("supprime", "contenus") in resp1.segments and Segment("insere", "documents écrits") in resp1.segments
    assert resp2.avant == VERSION[1] and resp2.apres is None and resp2.segments == (Segment("supprime", VERSION[1].texte),)
    assert trans3.avant is None and trans3.segments == (Segment("insere", "Une clause en tête."),)
    assert trans1.segments == (Segment("egal", VERSION[3].texte),)
    assert trans1.segments_titre == (Segment("egal", "Informer "), Segment("supprime", "les habitants"),
                                     Segment("insere", "le public"))
    assert bilan(comparees) == Bilan(ajoutees=1, supprimees=1, modifiees=2, deplacees=0, inchangees=2,
                                     mots_ajoutes=2 + 4, mots_supprimes=1 + 12)


def test_moves_between_and_within_themes():
    avant = [ClauseTexte("A-1", 1, 1, "A", "t", "un"), ClauseTexte("A-2", 1, 2, "A", "t", "deux"),
             ClauseTexte("A-3", 1, 3, "A", "t", "trois"), ClauseTexte("B-1", 2, 1, "B", "t", "quatre")]
    apres = [ClauseTexte("A-2", 1, 1, "A", "t", "deux"), ClauseTexte("A-3", 1, 2, "A", "t", "trois"),
             ClauseTexte("A-1", 1, 3, "A", "t", "un !"), ClauseTexte("B-1", 1, 4, "A", "t", "quatre")]
    comparees = comparer(avant, apres)
    assert [(c.ref, c.statut, c.deplacement) for c in comparees] == [
        ("A-2", "inchangee", False), ("A-3", "inchangee", False), ("A-1", "modifiee", True),
        ("B-1", "deplacee", True)]
    assert bilan(comparees).deplacees == 1 and bilan(comparees).modifiees == 1


@pytest.mark.parametrize("avant, apres, attendu", [
    ([], [], []),
    ([], [ClauseTexte("A-1", 1, 1, "A", "t", "")], [("A-1", "ajoutee")]),
    ([ClauseTexte("A-1", 1, 1, "A", "t", "")], [], [("A-1", "supprimee")]),
    ([ClauseTexte("A-1", 1, 1, "A", "t", "")], [ClauseTexte("A-1", 1, 1, "A", "t", "texte")], [("A-1", "modifiee")]),
])
def test_edge_cases(avant, apres, attendu):
    assert statuts(comparer(avant, apres)) == attendu


@given(consolidations())
@PROPRIETES
def test_every_clause_of_both_versions_appears_once_with_a_consistent_diff(donnees):
    clauses, propositions = donnees
    apres = fusionner(clauses, propositions).clauses
    comparees = comparer(clauses, apres)
    assert sorted(c.ref for c in comparees) == sorted({c.ref for c in clauses} | {c.ref for c in apres})
    assert [c.ref for c in comparees if c.apres] == [c.ref for c in apres]  # the new version's order
    for c in comparees:
        assert isinstance(c, ClauseComparee)
        assert "".join(s.texte for s in c.segments if s.op != "insere") == (c.avant.texte if c.avant else "")
        assert "".join(s.texte for s in c.segments if s.op != "supprime") == (c.apres.texte if c.apres else "")
    compte = bilan(comparees)
    assert compte.ajoutees + compte.supprimees + compte.modifiees + compte.deplacees + compte.inchangees == len(comparees)
