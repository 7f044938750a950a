"""Validation: submission, approvals bound to the exact text, dismissal on change, rejection, adoption at
the threshold, immutability of what was adopted, and the audit of approvals."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from charte.amendements.etats import AmendementStatut
from charte.chartes.models import Version, VersionClause, VersionStatut
from charte.consolidation import services, validation
from charte.consolidation.models import Decision, Projet, ProjetStatut
from charte.consolidation.verification import approbations_de_version, verifier_approbations
from charte.exceptions import Conflict, Forbidden, InvalidInput
from charte.extensions import db
from charte.immutability import ImmutableRowError
from tests.conftest import tamper
from tests.consolidation.conftest import journal_count, remplacer, snapshot


@pytest.fixture
def projet(scene, adopte):
    scene.amendements = [
        adopte("RESP-1", remplacer(scene, "RESP-1", "courrier, note", "courrier, note, rapport")),
        adopte("RESP-3", texte="", nature="suppression"),
    ]
    projet = services.consolider(scene.tour, actor=scene.comites[0]).projet
    db.session.commit()
    return projet


def _soumettre(scene, projet):
    validation.soumettre_projet(projet, projet.revision, actor=scene.comites[0])
    db.session.commit()


def _decider(scene, projet, qui, sens="approuve", commentaire="D’accord."):
    decision = validation.decider_projet(projet, sens, commentaire, projet.revision, actor=scene.comites[qui])
    db.session.commit()
    return decision


def test_two_approvals_of_three_adopt_the_version(scene, projet):
    _soumettre(scene, projet)
    assert projet.statut == ProjetStatut.SOUMIS
    _decider(scene, projet, 0)
    assert projet.statut == ProjetStatut.SOUMIS and len(scene.charte.versions) == 1
    _decider(scene, projet, 1, commentaire="")
    db.session.refresh(projet)
    assert projet.statut == ProjetStatut.ADOPTE and projet.en_cours_charte_id is None
    version = projet.version
    assert version.numero == 2 and version.statut == VersionStatut.ADOPTEE
    assert version.parent_sha256 == scene.charte.versions[0].sha256
    assert scene.charte.version_courante.id == version.id
    assert [c.ref for c in version.clauses] == [c.ref for c in sorted(projet.contenu.clauses,
                                                                       key=lambda c: (c.theme_position, c.position))]
    for amendement in scene.amendements:
        db.session.refresh(amendement)
        assert amendement.statut == AmendementStatut.INTEGRE and amendement.integre_version_id == version.id
    assert [d.user_id for d in approbations_de_version(version)] == [scene.comites[0].id, scene.comites[1].id]
    assert verifier_approbations() is None
    assert journal_count("projet.adopte") == 1 and journal_count("version.creee") == 2


def test_threshold_from_the_rounds_frozen_rules(scene, adopte, make_tour):
    import json

    scene.tour.regles_json = json.dumps({**scene.tour.regles, "validation_seuil": 3})
    db.session.commit()
    adopte("RESP-1", remplacer(scene, "RESP-1", "courrier", "courriel"))
    projet = services.consolider(scene.tour, actor=scene.comites[0]).projet
    db.session.commit()
    _soumettre(scene, projet)
    _decider(scene, projet, 0)
    _decider(scene, projet, 1)
    assert projet.statut == ProjetStatut.SOUMIS
    _decider(scene, projet, 2)
    assert projet.statut == ProjetStatut.ADOPTE


def test_a_change_dismisses_the_approvals_already_given(scene, projet):
    _soumettre(scene, projet)
    premiere = _decider(scene, projet, 0)
    clause = projet.contenu.clause("RESP-2")
    _, ecartees = services.corriger_projet(projet, "RESP-2", clause.titre, clause.texte + " (sic)", "Coquille.",
                                           projet.revision, actor=scene.comites[2])
    db.session.commit()
    assert ecartees == 1 and projet.approbations_valides() == [] and projet.approbations_ecartees() == [premiere]
    _decider(scene, projet, 1)
    assert projet.statut == ProjetStatut.SOUMIS  # one valid approval only: the first was for another text
    _decider(scene, projet, 0)  # the same member approves the new text
    assert projet.statut == ProjetStatut.ADOPTE
    assert [d.user_id for d in approbations_de_version(projet.version)] == [scene.comites[1].id, scene.comites[0].id]
    assert verifier_approbations() is None


def test_rejection_returns_the_draft_to_editing_with_its_comment(scene, projet):
    _soumettre(scene, projet)
    _decider(scene, projet, 0)
    _decider(scene, projet, 1, "rejete", "La clause RESP-2 mérite une relecture.")
    assert projet.statut == ProjetStatut.REJETE and projet.approbations_valides() == []
    assert projet.rejets()[0].commentaire == "La clause RESP-2 mérite une relecture."
    with pytest.raises(Conflict, match="pas soumis"):
        validation.decider_projet(projet, "approuve", "", projet.revision, actor=scene.comites[2])
    db.session.rollback()
    _soumettre(scene, projet)
    _decider(scene, projet, 2)
    assert projet.statut == ProjetStatut.SOUMIS  # the approval before the rejection no longer counts
    _decider(scene, projet, 0)
    assert projet.statut == ProjetStatut.ADOPTE


@pytest.mark.parametrize("sens, commentaire, erreur, exc", [
    ("rejete", "", "Indiquez le motif", InvalidInput),
    ("approuve", "x" * 2_001, "dépasser", InvalidInput),
    ("peut-etre", "", "approuver ou de rejeter", InvalidInput),
])
def test_decision_bad_input_writes_nothing(scene, projet, sens, commentaire, erreur, exc):
    _soumettre(scene, projet)
    before = snapshot()
    with pytest.raises(exc, match=erreur):
        validation.decider_projet(projet, sens, commentaire, projet.revision, actor=scene.comites[0])
    assert snapshot() == before


def test_decision_refusals(scene, projet):
    with pytest.raises(Conflict, match="pas soumis"):
        validation.decider_projet(projet, "approuve", "", projet.revision, actor=scene.comites[0])
    db.session.rollback()
    _soumettre(scene, projet)
    before = snapshot()
    with pytest.raises(Forbidden):
        validation.decider_projet(projet, "approuve", "", projet.revision, actor=scene.agent)
    db.session.rollback()
    with pytest.raises(Conflict, match="a changé depuis"):
        validation.decider_projet(projet, "approuve", "", projet.revision - 1 or 99, actor=scene.comites[0])
    db.session.rollback()
    assert snapshot() == before
    _decider(scene, projet, 0)
    with pytest.raises(Conflict, match="déjà prononcé"):
        validation.decider_projet(projet, "approuve", "", projet.revision, actor=scene.comites[0])
    db.session.rollback()
    with pytest.raises(Conflict, match="déjà soumis"):
        validation.soumettre_projet(projet, projet.revision, actor=scene.comites[1])


def test_submission_waits_for_every_conflict(scene, adopte):
    adopte("RESP-2", remplacer(scene, "RESP-2", "Un agent examine", "Deux agents examinent"))
    adopte("RESP-2", remplacer(scene, "RESP-2", "Un agent examine", "Un agent qualifié examine"))
    projet = services.consolider(scene.tour, actor=scene.comites[0]).projet
    db.session.commit()
    before = snapshot()
    with pytest.raises(Conflict, match="Résolvez d’abord le conflit restant"):
        validation.soumettre_projet(projet, projet.revision, actor=scene.comites[0])
    db.session.rollback()
    assert snapshot() == before


def _adopter(scene, projet):
    _soumettre(scene, projet)
    _decider(scene, projet, 0)
    _decider(scene, projet, 1)
    assert projet.statut == ProjetStatut.ADOPTE
    return projet.version


def test_an_adopted_version_and_its_draft_cannot_change(scene, projet):
    avant = projet.contenu.clause("RESP-4")
    services.corriger_projet(projet, "RESP-4", avant.titre, avant.texte + " (sic)", "Coquille.", projet.revision,
                             actor=scene.comites[2])
    db.session.commit()
    version = _adopter(scene, projet)
    before = snapshot()
    clause = projet.contenu.clause("RESP-2")
    for action in (
        lambda: services.corriger_projet(projet, "RESP-2", clause.titre, "Autre.", "m", projet.revision,
                                         actor=scene.comites[0]),
        lambda: validation.soumettre_projet(projet, projet.revision, actor=scene.comites[0]),
        lambda: validation.decider_projet(projet, "approuve", "", projet.revision, actor=scene.comites[2]),
    ):
        with pytest.raises(Conflict):
            action()
        db.session.rollback()
    assert snapshot() == before
    # Through the ORM: the version's text, its clauses, the draft, the approvals.
    for change in (
        lambda: setattr(version, "titre", "Autre titre"),
        lambda: setattr(version.clauses[0], "texte", "Réécrit."),
        lambda: setattr(projet, "contenu_json", "{}"),
        lambda: setattr(projet, "statut", ProjetStatut.EDITION),
        lambda: setattr(projet.decisions[0], "sha256", "0" * 64),
        lambda: db.session.delete(projet.decisions[0]),
        lambda: db.session.delete(projet),
    ):
        change()
        with pytest.raises(ImmutableRowError):
            db.session.flush()
        db.session.rollback()
    with pytest.raises(ImmutableRowError):
        db.session.execute(update(Decision).values(commentaire="x"))
    db.session.rollback()
    # The database itself refuses, whatever the path (raw SQL here).
    for sql in ("UPDATE decisions_projet SET commentaire = 'x'", "DELETE FROM decisions_projet",
                "UPDATE corrections_projet SET motif = 'x'"):
        with pytest.raises(IntegrityError):
            db.session.execute(text(sql))
        db.session.rollback()
    assert snapshot() == before
    assert verifier_approbations() is None


def test_the_audit_names_an_approval_that_does_not_match_its_version(scene, projet):
    version = _adopter(scene, projet)
    decision = approbations_de_version(version)[0]
    # Someone with database access rewrites an approval's hash behind the application's back.
    tamper("UPDATE decisions_projet SET sha256 = :h WHERE id = :id", h="f" * 64, id=decision.id)
    db.session.expire_all()
    probleme = verifier_approbations()
    assert probleme is not None and probleme.decision_id == decision.id and "version 2" in str(probleme)


def test_audit_verify_names_a_rewritten_approval_and_exits_1(scene, projet, runner):
    version = _adopter(scene, projet)
    decision = approbations_de_version(version)[0]
    db.session.commit()
    assert runner.invoke(args=["charte", "audit-verify"]).exit_code == 0
    tamper("UPDATE decisions_projet SET sha256 = :h WHERE id = :id", h="f" * 64, id=decision.id)
    result = runner.invoke(args=["charte", "audit-verify"])
    assert result.exit_code == 1
    assert "Approbations" in result.output and "version 2" in result.output


def test_the_audit_detects_a_changed_clause_of_the_adopted_version(scene, projet):
    version = _adopter(scene, projet)
    clause_id = version.clauses[0].id
    tamper("UPDATE version_clauses SET texte = 'Réécrit.' WHERE id = :id", id=clause_id)
    db.session.expire_all()
    probleme = verifier_approbations()
    assert probleme is not None and "ne correspond plus" in probleme.message


def test_the_audit_counts_the_approvals(scene, projet):
    version = _adopter(scene, projet)
    decision = approbations_de_version(version)[0]
    # An approval moved to another revision no longer adopts anything: one left for a threshold of 2.
    tamper("UPDATE decisions_projet SET revision = 99 WHERE id = :id", id=decision.id)
    db.session.expire_all()
    probleme = verifier_approbations()
    assert probleme is not None and "seuil de 2" in probleme.message


def test_adoption_refused_when_another_version_was_written_since(scene, projet):
    from charte.chartes.services import ecrire_version_adoptee

    _soumettre(scene, projet)
    _decider(scene, projet, 0)
    base = scene.charte.versions[-1]
    ecrire_version_adoptee(scene.charte, base.titre, base.preambule, [{"titre": t.titre, "intro": t.intro}
                           for t in base.themes], [dict(ref=c.ref, theme=c.theme, theme_position=c.theme_position,
                           position=c.position, titre=c.titre, texte=c.texte) for c in base.clauses], None, "autre")
    db.session.commit()
    with pytest.raises(Conflict, match="ne peut plus être adopté"):
        validation.decider_projet(projet, "approuve", "", projet.revision, actor=scene.comites[1])
    db.session.rollback()
    assert db.session.scalar(select(Projet.statut)) == ProjetStatut.SOUMIS
    assert db.session.query(Version).count() == 2 and db.session.query(VersionClause).count() > 0
