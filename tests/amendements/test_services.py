"""Amendment services: create, submit, revise (optimistic lock), rebase, withdraw, co-sign, inadmissible."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from charte.amendements import services
from charte.amendements.etats import AmendementStatut as S
from charte.amendements.etats import TransitionInterdite
from charte.amendements.models import Amendement, Cosignature, Revision
from charte.chartes.models import VersionStatut
from charte.chartes.services import _write_version
from charte.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from charte.extensions import db
from charte.journal.models import JournalEntry
from charte.notifications.models import Notification
from charte.scrutins.models import Bulletin
from charte.tours.models import TourStatut
from tests.amendements.conftest import journal_count, rows

EXPOSE = "Le texte actuel ne dit pas qui valide l’usage d’un outil."


def _draft(scene, nature="modification", **kwargs):
    version = scene.charte.version_courante
    clause = version.clause("RESP-1")
    defaults = {"clause_ref": "RESP-1", "titre": clause.titre,
                "texte": clause.texte + "\n\nLe référent IA valide chaque nouvel usage.", "expose": EXPOSE}
    if nature == "ajout":
        defaults = {"emplacement": "1:2", "titre": "Un registre des outils", "texte": "Chaque outil est inscrit.",
                    "expose": EXPOSE}
    if nature == "suppression":
        defaults = {"clause_ref": "RESP-3", "expose": EXPOSE}
    defaults.update(kwargs)
    amendement = services.creer_amendement(scene.tour, nature, actor=scene.auteur, **defaults)
    db.session.commit()
    return amendement


def _last_action() -> str:
    return db.session.scalar(select(JournalEntry.action).order_by(JournalEntry.seq.desc()).limit(1))


# --- Creating --------------------------------------------------------------------------------------


def test_a_modification_starts_as_a_private_draft_with_its_first_revision(scene):
    amendement = _draft(scene)
    assert amendement.statut == S.BROUILLON and amendement.numero == 1
    assert amendement.departement_id == scene.auteur.departement_id
    assert amendement.theme_position == 1 and amendement.clause_ref == "RESP-1"
    assert [r.numero for r in amendement.revisions] == [1]
    revision = amendement.revision
    assert revision.base_texte == scene.charte.version_courante.clause("RESP-1").texte
    assert revision.texte.endswith("valide chaque nouvel usage.")
    assert _last_action() == "amendement.cree"
    assert amendement.can_view(scene.auteur) and not amendement.can_view(scene.collegue)
    assert not amendement.can_view(scene.comite)


def test_numbers_follow_each_other_within_the_charter(scene):
    assert [_draft(scene, texte=f"Version {i}.").numero for i in range(3)] == [1, 2, 3]


def test_the_same_draft_twice_is_refused(scene):
    first = _draft(scene)
    with pytest.raises(Conflict, match=f"déjà enregistré cet amendement \\(n° {first.numero}\\)"):
        _draft(scene)
    db.session.rollback()
    services.retirer_amendement(db.session.get(Amendement, first.id), actor=scene.auteur)
    db.session.commit()
    assert _draft(scene).numero == 2  # once withdrawn, it may be written again


def test_an_addition_has_a_theme_and_a_place(scene):
    amendement = _draft(scene, "ajout")
    assert (amendement.theme_position, amendement.position, amendement.clause_ref) == (1, 2, None)
    assert amendement.revision.base_texte == ""


def test_a_suppression_keeps_the_clause_title_and_no_text(scene):
    amendement = _draft(scene, "suppression", titre="ignoré", texte="ignoré")
    clause = scene.charte.version_courante.clause("RESP-3")
    assert (amendement.titre, amendement.texte) == (clause.titre, "")
    assert amendement.revision.base_texte == clause.texte


@pytest.mark.parametrize("nature, changes, field", [
    ("modification", {"expose": "  "}, "expose"),
    ("modification", {"texte": ""}, "texte"),
    ("modification", {"titre": " "}, "titre"),
    ("modification", {"titre": "x" * 201}, "titre"),
    ("modification", {"texte": "x" * 20_001}, "texte"),
    ("modification", {"expose": "x" * 10_001}, "expose"),
    ("modification", {"clause_ref": "NOPE-1"}, "clause_ref"),
    ("modification", {"clause_ref": None}, "clause_ref"),
    ("ajout", {"emplacement": "9:1"}, "emplacement"),
    ("ajout", {"emplacement": "1:99"}, "emplacement"),
    ("ajout", {"emplacement": "x"}, "emplacement"),
    ("ajout", {"emplacement": None}, "emplacement"),
    ("sabotage", {}, "nature"),
])
def test_bad_input_writes_nothing(scene, nature, changes, field):
    before = (rows(Amendement), rows(Revision), journal_count())
    with pytest.raises(InvalidInput) as refused:
        _draft(scene, nature, **changes)
    db.session.rollback()
    assert refused.value.field == field
    assert (rows(Amendement), rows(Revision), journal_count()) == before


def test_a_modification_identical_to_the_clause_is_refused(scene):
    clause = scene.charte.version_courante.clause("RESP-1")
    with pytest.raises(InvalidInput, match="identique"):
        _draft(scene, texte=clause.texte + "  \r\n")


def test_control_characters_are_dropped_and_line_breaks_made_plain(scene):
    amendement = _draft(scene, texte="Premier.\r\nSecond\x00 paragraphe.", titre="Un\x07 titre")
    assert amendement.texte == "Premier.\nSecond paragraphe." and amendement.titre == "Un titre"


@pytest.mark.parametrize("window", ["before", "after", "vote"])
def test_creating_outside_the_submission_window_is_refused(scene, window):
    tour = scene.tour
    if window == "before":
        tour.depot_debut_at += timedelta(days=2)
        tour.depot_fin_at += timedelta(days=2)
        tour.vote_debut_at += timedelta(days=2)
        tour.vote_fin_at += timedelta(days=2)
    elif window == "after":
        tour.depot_debut_at -= timedelta(days=8)
        tour.depot_fin_at -= timedelta(days=8)
    else:
        tour.statut = TourStatut.VOTE
    db.session.commit()
    with pytest.raises(Conflict, match="ouvre le|a fermé le|vote a été ouvert") as refused:
        _draft(scene)
    assert refused.value.status == 409
    assert "heure de Paris" in refused.value.message or window == "vote"


# --- Submitting ------------------------------------------------------------------------------------


def test_submitting_makes_it_visible_and_tells_the_committee(scene):
    amendement = _draft(scene)
    services.deposer_amendement(amendement, actor=scene.auteur)
    db.session.commit()
    assert amendement.statut == S.DEPOSE and amendement.depose_at is not None
    assert amendement.can_view(scene.collegue) and amendement.can_view(scene.autre)
    assert _last_action() == "amendement.depose"
    notes = db.session.scalars(select(Notification)).all()
    assert [(n.user_id, n.type) for n in notes] == [(scene.comite.id, "amendement.depose")]
    assert "n° 1" in notes[0].message and notes[0].lien == f"/amendements/{amendement.id}"


def test_submitting_twice_is_a_conflict(scene):
    amendement = _draft(scene)
    services.deposer_amendement(amendement, actor=scene.auteur)
    db.session.commit()
    before = journal_count()
    with pytest.raises(TransitionInterdite, match="déjà à l’état « Déposé »"):
        services.deposer_amendement(amendement, actor=scene.auteur)
    db.session.rollback()
    assert journal_count() == before


def test_someone_elses_draft_is_not_found(scene):
    amendement = _draft(scene)
    for user in (scene.collegue, scene.autre, scene.comite):
        with pytest.raises(NotFound):
            services.deposer_amendement(amendement, actor=user)
        with pytest.raises(NotFound):
            services.get_amendement(amendement.id, user)


def test_submitting_after_the_window_is_refused(scene):
    amendement = _draft(scene)
    scene.tour.depot_debut_at -= timedelta(days=8)
    scene.tour.depot_fin_at -= timedelta(days=8)
    db.session.commit()
    with pytest.raises(Conflict, match="a fermé le"):
        services.deposer_amendement(amendement, actor=scene.auteur)
    db.session.rollback()
    assert db.session.get(Amendement, amendement.id).statut == S.BROUILLON


def test_only_the_author_submits(scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur, statut="brouillon")
    amendement.statut = S.BROUILLON
    with pytest.raises(NotFound):
        services.deposer_amendement(amendement, actor=scene.collegue)


# --- Revising ----------------------------------------------------------------------------------


def test_every_revision_is_kept(scene):
    amendement = _draft(scene)
    services.reviser_amendement(amendement, amendement.titre, amendement.texte + " Deux.", EXPOSE, 1,
                                actor=scene.auteur)
    services.deposer_amendement(amendement, actor=scene.auteur)
    services.reviser_amendement(amendement, "Nouveau titre", amendement.texte, EXPOSE + " Trois.", 2,
                                actor=scene.auteur)
    db.session.commit()
    assert [r.numero for r in amendement.revisions] == [1, 2, 3]
    assert amendement.revision_courante == 3 and amendement.titre == "Nouveau titre"
    assert amendement.revisions[1].texte.endswith("Deux.") and amendement.revisions[0].texte.endswith("usage.")
    assert len({r.base_texte for r in amendement.revisions}) == 1
    assert _last_action() == "amendement.revise"


def test_a_save_on_an_older_revision_is_a_conflict_and_writes_nothing(scene):
    amendement = _draft(scene)
    services.reviser_amendement(amendement, amendement.titre, amendement.texte + " Onglet 1.", EXPOSE, 1,
                                actor=scene.auteur)
    db.session.commit()
    before = (rows(Revision), journal_count())
    with pytest.raises(Conflict, match="révision 2.*Votre texte est conservé"):
        services.reviser_amendement(amendement, amendement.titre, "Onglet 2.", EXPOSE, 1, actor=scene.auteur)
    db.session.rollback()
    assert (rows(Revision), journal_count()) == before
    assert db.session.get(Amendement, amendement.id).texte.endswith("Onglet 1.")


def test_a_save_without_change_is_refused(scene):
    amendement = _draft(scene)
    with pytest.raises(InvalidInput, match="Rien n’a changé"):
        services.reviser_amendement(amendement, amendement.titre, amendement.texte + "\n", EXPOSE, 1,
                                    actor=scene.auteur)


@pytest.mark.parametrize("statut", ["en_vote", "adopte", "retire", "irrecevable"])
def test_revising_in_a_frozen_state_is_refused(scene, make_amendement, statut):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur, statut=statut)
    with pytest.raises(Conflict, match="ne peut plus être modifié"):
        services.reviser_amendement(amendement, "T", "x", EXPOSE, 1, actor=scene.auteur)


def test_revising_is_allowed_after_the_window_until_the_vote_opens(scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    scene.tour.depot_debut_at -= timedelta(days=8)
    scene.tour.depot_fin_at -= timedelta(days=8)
    db.session.commit()
    services.reviser_amendement(amendement, amendement.titre, amendement.texte + " Encore.", amendement.expose, 1,
                                actor=scene.auteur)
    scene.tour.statut = TourStatut.VOTE
    db.session.commit()
    with pytest.raises(Conflict, match="vote est ouvert"):
        services.reviser_amendement(amendement, amendement.titre, "Autre.", amendement.expose, 2,
                                    actor=scene.auteur)


def test_only_the_author_revises(scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    for user in (scene.collegue, scene.comite):
        with pytest.raises(Forbidden, match="Seul l’auteur"):
            services.reviser_amendement(amendement, "T", "x", EXPOSE, 1, actor=user)


# --- Stale base and rebase -----------------------------------------------------------------------


def _new_version(charte, **changes):
    """Write version 2 of the charter with RESP-1 (or others) changed: {ref: new text or None to drop}."""
    v1 = charte.version_courante
    clauses = []
    for c in v1.clauses:
        texte = changes.get(c.ref, c.texte)
        if texte is None:
            continue
        clauses.append({"ref": c.ref, "theme": c.theme, "theme_position": c.theme_position, "position": c.position,
                        "titre": c.titre, "texte": texte})
    themes = json.loads(v1.themes_json)
    version = _write_version(charte, v1.titre, v1.preambule, themes, clauses, VersionStatut.ADOPTEE, None, "v2")
    db.session.commit()
    return version


def test_an_amendment_on_the_version_in_force_is_not_stale(scene):
    etat = services.etat_de_la_base(_draft(scene))
    assert not etat.perimee and not etat.rebasable


def test_a_version_that_leaves_the_clause_alone_does_not_make_it_stale(scene):
    amendement = _draft(scene)
    _new_version(scene.charte, **{"RESP-2": "Autre texte."})
    etat = services.etat_de_la_base(amendement)
    assert not etat.perimee and etat.base.numero == 1 and etat.courante.numero == 2


def test_rebase_when_the_change_applies_exactly(scene):
    clause = scene.charte.version_courante.clause("RESP-1").texte
    amendement = _draft(scene)  # adds a paragraph at the end
    services.deposer_amendement(amendement, actor=scene.auteur)
    db.session.commit()
    first_word = clause.split()[0]
    _new_version(scene.charte, **{"RESP-1": clause.replace(first_word, first_word.upper(), 1)})
    etat = services.etat_de_la_base(amendement)
    assert etat.perimee and etat.rebasable and etat.courante.numero == 2
    revision = services.rebaser_amendement(amendement, 1, actor=scene.auteur)
    db.session.commit()
    assert revision.numero == 2 and revision.note == "Rebasée sur la version 2"
    assert revision.texte.startswith(first_word.upper()) and revision.texte.endswith("nouvel usage.")
    assert revision.base_texte.startswith(first_word.upper())
    assert amendement.base_version_id == etat.courante.id
    assert not services.etat_de_la_base(amendement).perimee
    assert _last_action() == "amendement.rebase"
    with pytest.raises(Conflict, match="rien à rebaser"):
        services.rebaser_amendement(amendement, 2, actor=scene.auteur)


def test_no_rebase_when_the_same_words_changed(scene):
    amendement = _draft(scene, texte="Tout autre texte.")
    _new_version(scene.charte, **{"RESP-1": "Encore un autre texte."})
    etat = services.etat_de_la_base(amendement)
    assert etat.perimee and not etat.rebasable and etat.clause is not None
    before = (rows(Revision), journal_count())
    with pytest.raises(Conflict, match="Réécrivez-le"):
        services.rebaser_amendement(amendement, 1, actor=scene.auteur)
    db.session.rollback()
    assert (rows(Revision), journal_count()) == before


def test_no_rebase_when_the_clause_is_gone(scene):
    amendement = _draft(scene)
    _new_version(scene.charte, **{"RESP-1": None})
    etat = services.etat_de_la_base(amendement)
    assert etat.perimee and etat.clause is None and not etat.rebasable
    with pytest.raises(Conflict, match="ne figure plus dans la version 2"):
        services.rebaser_amendement(amendement, 1, actor=scene.auteur)


def test_a_suppression_rebases_onto_the_changed_clause(scene):
    amendement = _draft(scene, "suppression")
    _new_version(scene.charte, **{"RESP-3": "Texte réécrit."})
    revision = services.rebaser_amendement(amendement, 1, actor=scene.auteur)
    assert (revision.texte, revision.base_texte) == ("", "Texte réécrit.")


def test_rebase_checks_the_lock_and_the_author(scene):
    amendement = _draft(scene)
    with pytest.raises(Conflict, match="modifié entre-temps"):
        services.rebaser_amendement(amendement, 7, actor=scene.auteur)
    with pytest.raises(NotFound):
        services.rebaser_amendement(amendement, 1, actor=scene.autre)


# --- Withdrawing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("statut", ["brouillon", "depose", "en_vote"])
def test_the_author_withdraws_while_nobody_voted(scene, make_amendement, statut):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur, statut=statut)
    services.retirer_amendement(amendement, actor=scene.auteur)
    db.session.commit()
    assert amendement.statut == S.RETIRE and _last_action() == "amendement.retire"


def test_no_withdrawal_once_a_ballot_exists(scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur, statut="en_vote")
    db.session.add(Bulletin(amendement_id=amendement.id, user_id=scene.autre.id, choix="pour",
                            revision_id=amendement.revision.id, created_at=amendement.created_at))
    db.session.commit()
    assert not amendement.can_withdraw(scene.auteur)
    with pytest.raises(TransitionInterdite, match="bulletins"):
        services.retirer_amendement(amendement, actor=scene.auteur)
    with pytest.raises(TransitionInterdite, match="bulletins"):
        services.declarer_irrecevable(amendement, "Hors sujet.", actor=scene.comite)
    db.session.rollback()
    assert db.session.get(Amendement, amendement.id).statut == S.EN_VOTE


def test_only_the_author_withdraws(scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    with pytest.raises(Forbidden):
        services.retirer_amendement(amendement, actor=scene.comite)


# --- Co-signing ------------------------------------------------------------------------------------


def test_an_agent_of_another_department_cosigns_once(scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    services.cosigner_amendement(amendement, actor=scene.autre)
    db.session.commit()
    assert [(c.user_id, c.departement_id) for c in amendement.cosignatures] == \
        [(scene.autre.id, scene.autre.departement_id)]
    note = db.session.scalars(select(Notification)).one()
    assert note.user_id == scene.auteur.id and "Sacha Petit" in note.message
    with pytest.raises(Conflict, match="déjà cosigné"):
        services.cosigner_amendement(amendement, actor=scene.autre)


@pytest.mark.parametrize("who, error, message", [
    ("auteur", Forbidden, "propre amendement"),
    ("collegue", Forbidden, "autres services"),
])
def test_no_cosigning_within_the_department(scene, make_amendement, who, error, message):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    with pytest.raises(error, match=message):
        services.cosigner_amendement(amendement, actor=getattr(scene, who))


@pytest.mark.parametrize("statut", ["brouillon", "en_vote", "retire"])
def test_cosigning_needs_a_submitted_amendment(scene, make_amendement, statut):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur, statut=statut)
    with pytest.raises(NotFound if statut == "brouillon" else Conflict):
        services.cosigner_amendement(amendement, actor=scene.autre)
    assert rows(Cosignature) == 0


# --- Inadmissible and other moves ------------------------------------------------------------------


def test_the_committee_declares_an_amendment_inadmissible_with_a_reason(scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    with pytest.raises(Forbidden):
        services.declarer_irrecevable(amendement, "Hors sujet.", actor=scene.autre)
    with pytest.raises(InvalidInput):
        services.declarer_irrecevable(amendement, " ", actor=scene.comite)
    services.declarer_irrecevable(amendement, "Hors du champ de la charte.", actor=scene.comite)
    db.session.commit()
    assert amendement.statut == S.IRRECEVABLE and amendement.motif == "Hors du champ de la charte."
    assert _last_action() == "amendement.irrecevable"
    note = db.session.scalars(select(Notification)).one()
    assert note.user_id == scene.auteur.id and "Hors du champ" in note.message
    with pytest.raises(TransitionInterdite):
        services.declarer_irrecevable(amendement, "Encore.", actor=scene.comite)


def test_changer_statut_follows_the_state_machine(scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    services.changer_statut(amendement, "en_vote")
    services.changer_statut(amendement, S.ADOPTE)
    services.changer_statut(amendement, "caduc", "La clause a été supprimée par l’amendement n° 4.")
    assert amendement.statut == S.CADUC and amendement.motif.startswith("La clause")
    with pytest.raises(TransitionInterdite):
        services.changer_statut(amendement, "integre")
