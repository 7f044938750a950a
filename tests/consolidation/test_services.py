"""Consolidation, conflicts, corrections: the services on a real database."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from charte.amendements.etats import AmendementStatut
from charte.consolidation import services
from charte.consolidation.contenu import empreinte
from charte.consolidation.models import ConflitFusion, Projet, ProjetStatut
from charte.exceptions import Conflict, Forbidden, InvalidInput
from charte.extensions import db
from charte.immutability import ImmutableRowError
from tests.consolidation.conftest import journal_count, remplacer, snapshot


def _consolider(scene, actor=None):
    result = services.consolider(scene.tour, actor=actor or scene.comites[0])
    db.session.commit()
    return result


def test_disjoint_amendments_apply_and_one_draft_is_built(scene, adopte):
    a = adopte("RESP-1", remplacer(scene, "RESP-1", "courrier, note", "courrier, note, rapport"))
    b = adopte("RESP-1", remplacer(scene, "RESP-1", "il ne l’utilise pas", "il ne l’utilise pas et le signale"))
    c = adopte("RESP-3", texte="", nature="suppression")
    d = adopte(None, nature="ajout", texte="Chaque service tient la liste de ses usages.", titre="Inventaire",
               theme_position=1, position=2)
    result = _consolider(scene)
    projet = result.projet
    assert (result.appliques, result.conflits, result.caducs) == (4, 0, 0)
    contenu = projet.contenu
    resp1 = contenu.clause("RESP-1")
    assert "courrier, note, rapport" in resp1.texte and "et le signale" in resp1.texte
    assert contenu.clause("RESP-3") is None
    theme1 = [c.ref for c in contenu.clauses if c.theme_position == 1]
    assert theme1[:3] == ["RESP-1", "RESP-5", "RESP-2"]  # added before the clause that held position 2
    assert [c.position for c in contenu.clauses if c.theme_position == 1] == list(range(1, len(theme1) + 1))
    assert sorted(projet.appliques) == sorted([a.id, b.id, c.id, d.id])
    assert projet.sha256 == empreinte(contenu, scene.charte.version_courante.sha256)
    assert projet.statut == ProjetStatut.EDITION and projet.en_cours_charte_id == scene.charte.id
    # The amendments stay adopted until the version is adopted.
    assert {x.statut for x in (a, b, c, d)} == {AmendementStatut.ADOPTE}
    assert journal_count("projet.consolide") == 1


def test_overlapping_amendments_are_a_conflict_never_merged(scene, adopte):
    a = adopte("RESP-2", remplacer(scene, "RESP-2", "Un agent examine le dossier", "Deux agents examinent le dossier"))
    b = adopte("RESP-2", remplacer(scene, "RESP-2", "Un agent examine le dossier", "Un agent qualifié examine le dossier"))
    result = _consolider(scene)
    assert result.conflits == 1 and result.appliques == 0
    conflit = result.projet.conflits[0]
    assert conflit.ref == "RESP-2" and sorted(conflit.amendement_ids) == sorted([a.id, b.id])
    assert f"n°\u00a0{a.numero}" in conflit.raison and f"n°\u00a0{b.numero}" in conflit.raison
    # The draft keeps the base text of the clause: nothing merged silently.
    assert result.projet.contenu.clause("RESP-2").texte == scene.charte.version_courante.clause("RESP-2").texte
    assert conflit.suggestion != conflit.courant


def test_modification_of_a_deleted_clause_becomes_caduc_with_its_reason(scene, adopte):
    suppression = adopte("RESP-4", texte="", nature="suppression")
    modif = adopte("RESP-4", remplacer(scene, "RESP-4", "Seuls les outils", "Seuls et uniquement les outils"))
    result = _consolider(scene)
    db.session.refresh(modif)
    assert result.caducs == 1 and modif.statut == AmendementStatut.CADUC
    assert f"n°\u00a0{suppression.numero}" in modif.motif
    assert journal_count("amendement.caduc") == 1


def test_refusals(scene, adopte, make_tour):
    adopte("RESP-1", remplacer(scene, "RESP-1", "courrier", "courriel"))
    with pytest.raises(Forbidden):
        services.consolider(scene.tour, actor=scene.agent)
    db.session.rollback()
    ouvert = make_tour(scene.charte, statut="vote")
    with pytest.raises(Conflict, match="pas clos"):
        services.consolider(ouvert, actor=scene.comites[0])
    db.session.rollback()
    _consolider(scene)
    with pytest.raises(Conflict, match="déjà consolidé"):
        services.consolider(scene.tour, actor=scene.comites[1])
    db.session.rollback()
    assert db.session.query(Projet).count() == 1


def _conflit(scene, adopte):
    a = adopte("RESP-2", remplacer(scene, "RESP-2", "Un agent examine le dossier", "Deux agents examinent le dossier"))
    b = adopte("RESP-2", remplacer(scene, "RESP-2", "Un agent examine le dossier", "Un agent qualifié examine le dossier"))
    projet = _consolider(scene).projet
    return projet, projet.conflits[0], a, b


def test_resolution_writes_the_merged_text_and_makes_the_others_caducs(scene, adopte):
    projet, conflit, a, b = _conflit(scene, adopte)
    texte = remplacer(scene, "RESP-2", "Un agent examine le dossier", "Deux agents qualifiés examinent le dossier")
    services.resoudre_conflit(conflit, "Aucune décision automatisée", texte, "Synthèse des deux amendements.", [a.id],
                              projet.revision, actor=scene.comites[1])
    db.session.commit()
    db.session.refresh(projet)
    assert projet.revision == 2 and projet.contenu.clause("RESP-2").texte == texte
    assert projet.contenu.clause("RESP-2").titre == "Aucune décision automatisée"
    assert conflit.resolu_par_id == scene.comites[1].id and conflit.motif == "Synthèse des deux amendements."
    assert a.id in projet.appliques and b.id not in projet.appliques
    db.session.refresh(b)
    assert b.statut == AmendementStatut.CADUC and "Synthèse des deux amendements." in b.motif
    with pytest.raises(Conflict, match="déjà été résolu"):
        services.resoudre_conflit(conflit, "T", "x", "m", [], projet.revision, actor=scene.comites[0])
    db.session.rollback()
    conflit.motif = "Réécrit après coup."  # a resolution is written once
    with pytest.raises(ImmutableRowError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("champs, message", [
    ({"motif": ""}, "Indiquez le motif"),
    ({"texte": "  "}, "Indiquez le texte"),
    ({"titre": ""}, "Indiquez le titre"),
    ({"texte": "x" * 20_001}, "dépasser"),
    ({"titre": "x" * 201}, "dépasser"),
    ({"retenus": [999_999]}, "ne fait pas partie"),
])
def test_resolution_bad_input_writes_nothing(scene, adopte, champs, message):
    projet, conflit, a, _ = _conflit(scene, adopte)
    before = snapshot()
    args = {"titre": "Titre", "texte": "Texte.", "motif": "Parce que.", "retenus": [a.id], **champs}
    with pytest.raises(InvalidInput, match=message):
        services.resoudre_conflit(conflit, args["titre"], args["texte"], args["motif"], args["retenus"],
                                  projet.revision, actor=scene.comites[0])
    assert snapshot() == before


def test_stale_revision_is_refused(scene, adopte):
    projet, conflit, a, _ = _conflit(scene, adopte)
    before = snapshot()
    with pytest.raises(Conflict, match="a changé depuis"):
        services.resoudre_conflit(conflit, "T", "Texte.", "Motif.", [a.id], projet.revision + 1, actor=scene.comites[0])
    assert snapshot() == before


def test_correction_is_recorded_and_moves_the_revision(scene, adopte):
    adopte("RESP-1", remplacer(scene, "RESP-1", "courrier", "courriel"))
    projet = _consolider(scene).projet
    clause = projet.contenu.clause("RESP-3")
    correction, ecartees = services.corriger_projet(projet, "RESP-3", clause.titre, clause.texte + " Voilà.",
                                                     "Coquille.", 1, actor=scene.comites[2])
    db.session.commit()
    assert ecartees == 0 and correction.revision == projet.revision == 2
    assert projet.contenu.clause("RESP-3").texte.endswith("Voilà.")
    assert correction.texte_avant == clause.texte and correction.motif == "Coquille."
    before = snapshot()
    for ref, titre, texte, motif, erreur in [
        ("RESP-3", clause.titre, clause.texte + " Voilà.", "Rien.", "ne change rien"),
        ("NOPE-1", "T", "x", "m", "Choisissez une clause"),
        ("RESP-3", clause.titre, "Autre.", "", "Indiquez le motif"),
    ]:
        with pytest.raises(InvalidInput, match=erreur):
            services.corriger_projet(projet, ref, titre, texte, motif, projet.revision, actor=scene.comites[2])
        db.session.rollback()
    with pytest.raises(Forbidden):
        services.corriger_projet(projet, "RESP-3", "T", "Autre.", "m", projet.revision, actor=scene.agent)
    db.session.rollback()
    assert snapshot() == before


def test_a_conflict_of_another_draft_is_not_found(scene, adopte):
    from charte.exceptions import NotFound

    projet, conflit, _, _ = _conflit(scene, adopte)
    other = Projet(id=projet.id + 1000)
    with pytest.raises(NotFound):
        services.get_conflit(other, conflit.id)
    assert db.session.scalar(select(ConflitFusion.id)) == conflit.id
