"""Amendment pages and forms over HTTP: the happy paths, and bad input refused with nothing written."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from charte.amendements.etats import AmendementStatut as S
from charte.amendements.models import Amendement, Commentaire, Cosignature
from charte.extensions import db
from charte.notifications.models import Notification
from charte.scrutins.models import Bulletin
from charte.tours.models import TourStatut
from tests.amendements.conftest import snapshot
from tests.amendements.test_services import _new_version
from tests.conftest import page_text

EXPOSE = "Il faut dire qui valide."


def _new_url(scene, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/chartes/{scene.charte.id}/amendements/nouveau" + (f"?{query}" if query else "")


def _get(model, id_):
    db.session.rollback()
    return db.session.get(model, id_)


# --- Proposing ------------------------------------------------------------------------------------


def test_the_chooser_links_every_clause_and_theme(client, auth, scene):
    auth.login(scene.auteur)
    body = page_text(client.get(_new_url(scene)))
    assert "nature=modification&amp;clause=RESP-1" in client.get(_new_url(scene)).get_data(as_text=True)
    assert "Ajouter une clause au thème «\u00a0Responsabilité\u00a0»" in body


def test_the_modification_form_is_prefilled_with_the_clause(client, auth, scene):
    auth.login(scene.auteur)
    clause = scene.charte.version_courante.clause("RESP-1")
    body = page_text(client.get(_new_url(scene, nature="modification", clause="RESP-1")))
    assert clause.texte in body and f'value="{clause.titre}"' in body
    assert "Direction des finances" in body


def test_proposing_a_modification_writes_a_draft(client, auth, scene):
    auth.login(scene.auteur)
    response = client.submit(_new_url(scene, nature="modification", clause="RESP-1"),
                             {"titre": "Responsabilité", "texte": "Nouveau texte.", "expose": EXPOSE})
    assert response.status_code == 302
    amendement = db.session.scalars(select(Amendement)).one()
    assert response.headers["Location"].endswith(f"/amendements/{amendement.id}")
    assert amendement.statut == S.BROUILLON and amendement.texte == "Nouveau texte."
    page = page_text(client.get(f"/amendements/{amendement.id}"))
    assert "brouillon n’est visible que par vous" in page and "Déposer l’amendement" in page


def test_proposing_an_addition_and_a_suppression(client, auth, scene):
    auth.login(scene.auteur)
    assert client.submit(_new_url(scene, nature="ajout", theme=2), {
        "emplacement": "2:1", "titre": "Une clause de plus", "texte": "Texte.", "expose": EXPOSE}).status_code == 302
    assert client.submit(_new_url(scene, nature="suppression", clause="SOB-4"),
                         {"expose": EXPOSE}).status_code == 302
    ajout, suppression = db.session.scalars(select(Amendement).order_by(Amendement.id)).all()
    assert (ajout.theme_position, ajout.position) == (2, 1)
    assert suppression.clause_ref == "SOB-4" and suppression.texte == ""


@pytest.mark.parametrize("params, data, status, message", [
    ({"nature": "modification", "clause": "RESP-1"}, {"titre": "T", "texte": "Nouveau."}, 400,
     "Indiquez l’exposé des motifs"),
    ({"nature": "modification", "clause": "RESP-1"}, {"titre": "T" * 201, "texte": "x", "expose": EXPOSE}, 400,
     "200 caractères au plus"),
    ({"nature": "modification", "clause": "RESP-1"}, {"titre": "T", "texte": "x" * 20_001, "expose": EXPOSE}, 400,
     "20000 caractères au plus"),
    ({"nature": "modification", "clause": "RESP-1"}, {"titre": "T", "texte": "x", "expose": "x" * 10_001}, 400,
     "10000 caractères au plus"),
    ({"nature": "modification", "clause": "RESP-1"}, {"titre": "", "texte": "x", "expose": EXPOSE}, 400,
     "Indiquez le titre"),
    ({"nature": "ajout"}, {"emplacement": "9:9", "titre": "T", "texte": "x", "expose": EXPOSE}, 400,
     "Choisissez l’emplacement"),
    ({"nature": "modification", "clause": "NOPE-9"}, {"titre": "T", "texte": "x", "expose": EXPOSE}, 404,
     "ne figure pas dans le texte en vigueur"),
    ({"nature": "piratage"}, {"expose": EXPOSE}, 404, "n’existe pas"),
    ({}, {"expose": EXPOSE}, 400, "Choisissez d’abord"),
])
def test_bad_proposals_write_nothing(client, auth, scene, params, data, status, message):
    auth.login(scene.auteur)
    before = snapshot()
    response = client.submit(_new_url(scene, **params), data)
    assert response.status_code == status
    assert message in page_text(response)
    assert snapshot() == before


def test_the_typed_text_stays_in_a_refused_form(client, auth, scene):
    auth.login(scene.auteur)
    response = client.submit(_new_url(scene, nature="modification", clause="RESP-1"),
                             {"titre": "Mon titre", "texte": "Mon texte soigneusement tapé.", "expose": ""})
    assert response.status_code == 400 and "Mon texte soigneusement tapé." in page_text(response)


@pytest.mark.parametrize("case", ["closed", "vote", "no-round"])
def test_proposing_outside_the_window_is_refused(client, auth, scene, make_charte, case):
    charte = scene.charte
    if case == "closed":
        scene.tour.depot_debut_at -= timedelta(days=8)
        scene.tour.depot_fin_at -= timedelta(days=8)
    elif case == "vote":
        scene.tour.statut = TourStatut.VOTE
    else:
        charte = make_charte(modele=scene.charte.modele)
    db.session.commit()
    auth.login(scene.auteur)
    before = snapshot()
    url = f"/chartes/{charte.id}/amendements/nouveau?nature=modification&clause=RESP-1"
    assert client.get(url).status_code == 409
    response = client.submit(url, {"titre": "T", "texte": "Nouveau.", "expose": EXPOSE})
    assert response.status_code == 409
    assert re.search(r"a fermé le|vote a été ouvert|Aucun tour", page_text(response))
    assert snapshot() == before


def test_a_forged_csrf_token_writes_nothing(client, auth, scene):
    auth.login(scene.auteur)
    before = snapshot()
    response = client.post(_new_url(scene, nature="modification", clause="RESP-1"),
                           data={"titre": "T", "texte": "x", "expose": EXPOSE, "csrf_token": "faux"})
    assert response.status_code == 400 and snapshot() == before


# --- Revising -------------------------------------------------------------------------------------


def test_revising_keeps_every_revision_and_shows_the_diffs(client, auth, scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur, texte="Le référent valide.")
    auth.login(scene.auteur)
    form = page_text(client.get(f"/amendements/{amendement.id}/modifier"))
    assert 'name="revision_attendue" type="hidden" value="1"' in form
    response = client.submit(f"/amendements/{amendement.id}/modifier", {
        "titre": amendement.titre, "texte": "Le référent IA valide chaque usage.", "expose": EXPOSE,
        "revision_attendue": "1"})
    assert response.status_code == 302
    page = client.get(f"/amendements/{amendement.id}").get_data(as_text=True)
    assert "Par rapport à la révision précédente (1)" in page
    assert re.search(r"<ins>.*IA.*</ins>", page)
    revision = client.get(f"/amendements/{amendement.id}/revisions/2").get_data(as_text=True)
    assert "diff-cote" in revision and "Révision 1" in revision
    assert "<del>" in revision and "[début d’ajout]" in revision


def test_a_second_tab_gets_a_conflict_and_keeps_its_text(client, auth, scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    auth.login(scene.auteur)
    first = {"titre": amendement.titre, "texte": "Texte de l’onglet 1.", "expose": EXPOSE, "revision_attendue": "1"}
    assert client.submit(f"/amendements/{amendement.id}/modifier", first).status_code == 302
    before = snapshot()
    second = {**first, "texte": "Texte de l’onglet 2, tapé longuement."}
    response = client.submit(f"/amendements/{amendement.id}/modifier", second)
    body = page_text(response)
    assert response.status_code == 409
    assert "modifié entre-temps" in body and "Texte de l’onglet 2, tapé longuement." in body
    assert 'name="revision_attendue" type="hidden" value="2"' in body
    assert snapshot() == before
    assert _get(Amendement, amendement.id).texte == "Texte de l’onglet 1."
    # Saving again, knowingly, replaces it.
    assert client.submit(f"/amendements/{amendement.id}/modifier", {**second, "revision_attendue": "2"}
                         ).status_code == 302


@pytest.mark.parametrize("data, status, message", [
    ({"titre": "T", "texte": "x", "expose": EXPOSE}, 400, "rechargez la page"),
    ({"titre": "T", "texte": "x", "expose": EXPOSE, "revision_attendue": "abc"}, 400, ""),
    ({"titre": "T", "texte": "x", "expose": "", "revision_attendue": "1"}, 400, "Indiquez l’exposé"),
    ({"titre": "T", "texte": "x" * 20_001, "expose": EXPOSE, "revision_attendue": "1"}, 400, "20000 caractères"),
])
def test_bad_revisions_write_nothing(client, auth, scene, make_amendement, data, status, message):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    auth.login(scene.auteur)
    before = snapshot()
    response = client.submit(f"/amendements/{amendement.id}/modifier", data)
    assert response.status_code == status and message in page_text(response)
    assert snapshot() == before


@pytest.mark.parametrize("who, statut, status", [
    ("collegue", "depose", 403), ("comite", "depose", 403), ("collegue", "brouillon", 404),
    ("auteur", "en_vote", 409), ("auteur", "retire", 409),
])
def test_revising_someone_elses_or_a_frozen_amendment_is_refused(client, auth, scene, make_amendement, who, statut,
                                                                 status):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur, statut=statut)
    auth.login(getattr(scene, who))
    before = snapshot()
    assert client.get(f"/amendements/{amendement.id}/modifier").status_code == status
    response = client.submit(f"/amendements/{amendement.id}/modifier", {
        "titre": "T", "texte": "x", "expose": EXPOSE, "revision_attendue": "1"})
    assert response.status_code == status
    assert snapshot() == before


def test_the_vote_opening_while_typing_keeps_the_text(client, auth, scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    auth.login(scene.auteur)
    scene.tour.statut = TourStatut.VOTE
    db.session.commit()
    response = client.submit(f"/amendements/{amendement.id}/modifier", {
        "titre": "T", "texte": "Mon long texte.", "expose": EXPOSE, "revision_attendue": "1"})
    assert response.status_code == 409
    assert "vote est ouvert" in page_text(response) and "Mon long texte." in page_text(response)


# --- Submitting, withdrawing, co-signing, inadmissible ----------------------------------------------


def test_submit_then_double_submit(client, auth, scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur, statut="brouillon")
    auth.login(scene.auteur)
    assert client.submit(f"/amendements/{amendement.id}/deposer").status_code == 302
    assert _get(Amendement, amendement.id).statut == S.DEPOSE
    assert [n.user_id for n in db.session.scalars(select(Notification))] == [scene.comite.id]
    before = snapshot()
    response = client.submit(f"/amendements/{amendement.id}/deposer")
    assert response.status_code == 409 and "déjà à l’état" in page_text(response)
    assert snapshot() == before


def test_submitting_someone_elses_draft_or_out_of_window(client, auth, scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur, statut="brouillon")
    auth.login(scene.collegue)
    before = snapshot()
    assert client.submit(f"/amendements/{amendement.id}/deposer").status_code == 404
    assert client.get(f"/amendements/{amendement.id}").status_code == 404
    assert client.submit(f"/amendements/{amendement.id}/commentaires", {"texte": "Hop"}).status_code == 404
    assert client.submit(f"/amendements/{amendement.id}/cosigner").status_code == 404
    auth.logout()
    scene.tour.depot_debut_at -= timedelta(days=8)
    scene.tour.depot_fin_at -= timedelta(days=8)
    db.session.commit()
    auth.login(scene.auteur)
    page = page_text(client.get(f"/amendements/{amendement.id}"))
    assert "a fermé le" in page and "Déposer l’amendement" not in page
    response = client.submit(f"/amendements/{amendement.id}/deposer")
    assert response.status_code == 409
    db.session.rollback()
    assert snapshot()[:5] == before[:5]


def test_a_forged_amendment_id_is_not_found(client, auth, scene):
    auth.login(scene.auteur)
    for url in ("/amendements/999", "/amendements/999/revisions/1", "/amendements/999/modifier"):
        assert client.get(url).status_code == 404
    for url in ("/amendements/999/deposer", "/amendements/999/retirer", "/amendements/999/cosigner",
                "/amendements/999/commentaires", "/commentaires/999/masquer", "/commentaires/999/modifier"):
        assert client.submit(url, {"texte": "x", "motif": "x"}).status_code == 404


def test_a_revision_that_does_not_exist(client, auth, scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    auth.login(scene.auteur)
    assert client.get(f"/amendements/{amendement.id}/revisions/2").status_code == 404
    assert client.get(f"/amendements/{amendement.id}/revisions/0").status_code == 404


def test_withdrawal(client, auth, scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    auth.login(scene.collegue)
    assert client.submit(f"/amendements/{amendement.id}/retirer").status_code == 403
    auth.logout()
    auth.login(scene.auteur)
    assert client.submit(f"/amendements/{amendement.id}/retirer").status_code == 302
    assert _get(Amendement, amendement.id).statut == S.RETIRE
    before = snapshot()
    assert client.submit(f"/amendements/{amendement.id}/retirer").status_code == 409
    assert snapshot() == before
    page = page_text(client.get(f"/amendements/{amendement.id}"))
    assert "Retiré par son auteur" in page and "Les commentaires sont fermés" in page


def test_no_withdrawal_after_a_ballot(client, auth, scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur, statut="en_vote")
    db.session.add(Bulletin(amendement_id=amendement.id, user_id=scene.autre.id, choix="contre",
                            revision_id=amendement.revision.id, created_at=amendement.created_at))
    db.session.commit()
    auth.login(scene.auteur)
    assert "Retirer l’amendement" not in page_text(client.get(f"/amendements/{amendement.id}"))
    before = snapshot()
    response = client.submit(f"/amendements/{amendement.id}/retirer")
    assert response.status_code == 409 and "bulletins" in page_text(response)
    assert snapshot() == before


def test_cosigning(client, auth, scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    before = snapshot()
    for who, status in (("auteur", 403), ("collegue", 403)):
        auth.login(getattr(scene, who))
        assert client.submit(f"/amendements/{amendement.id}/cosigner").status_code == status
        auth.logout()
    assert snapshot() == before
    auth.login(scene.autre)
    assert "Cosigner au nom de Service de l’état civil" in page_text(client.get(f"/amendements/{amendement.id}"))
    assert client.submit(f"/amendements/{amendement.id}/cosigner").status_code == 302
    page = page_text(client.get(f"/amendements/{amendement.id}"))
    assert "Service de l’état civil — cosigné par Sacha Petit" in page
    assert "Cosigner au nom" not in page
    before = snapshot()
    response = client.submit(f"/amendements/{amendement.id}/cosigner")
    assert response.status_code == 409 and "déjà cosigné" in page_text(response)
    assert snapshot() == before
    assert db.session.scalars(select(Notification.user_id)).all() == [scene.auteur.id]


def test_inadmissible(client, auth, scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    url = f"/amendements/{amendement.id}/irrecevable"
    auth.login(scene.autre)
    before = snapshot()
    assert client.submit(url, {"motif": "Hors sujet."}).status_code == 403
    auth.logout()
    auth.login(scene.comite)
    assert "Déclarer l’amendement irrecevable" in page_text(client.get(f"/amendements/{amendement.id}"))
    for data in ({"motif": ""}, {"motif": "x" * 2001}):
        response = client.submit(url, data)
        assert response.status_code == 400 and 'aria-invalid="true"' in response.get_data(as_text=True)
    assert snapshot() == before
    assert client.submit(url, {"motif": "Sans rapport avec l’IA."}).status_code == 302
    auth.logout()
    auth.login(scene.collegue)
    page = page_text(client.get(f"/amendements/{amendement.id}"))
    assert "Déclaré irrecevable par le comité" in page and "Sans rapport avec l’IA." in page
    auth.logout()
    auth.login(scene.comite)
    assert client.submit(url, {"motif": "Encore."}).status_code == 409


# --- Stale base ---------------------------------------------------------------------------------


def test_stale_base_offers_a_rebase_to_the_author_only(client, auth, scene, make_amendement):
    clause = scene.charte.version_courante.clause("RESP-1").texte
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)  # appends a paragraph
    _new_version(scene.charte, **{"RESP-1": clause.replace("engage", "oblige", 1)})
    auth.login(scene.collegue)
    page = page_text(client.get(f"/amendements/{amendement.id}"))
    assert "La clause a changé depuis la rédaction" in page and "Texte de base (version 1)" in page
    assert "Texte en vigueur (version 2)" in page and "Rebaser" not in page
    assert client.submit(f"/amendements/{amendement.id}/rebaser", {"revision_attendue": "1"}).status_code == 403
    auth.logout()
    auth.login(scene.auteur)
    assert "Rebaser sur la version 2" in page_text(client.get(f"/amendements/{amendement.id}"))
    before = snapshot()
    assert client.submit(f"/amendements/{amendement.id}/rebaser", {"revision_attendue": "9"}).status_code == 409
    assert snapshot() == before
    assert client.submit(f"/amendements/{amendement.id}/rebaser", {"revision_attendue": "1"}).status_code == 302
    page = page_text(client.get(f"/amendements/{amendement.id}"))
    assert "La clause a changé" not in page and "Rebasée sur la version 2" in page
    assert client.submit(f"/amendements/{amendement.id}/rebaser", {"revision_attendue": "2"}).status_code == 409


def test_stale_base_that_does_not_apply_asks_for_a_rewrite(client, auth, scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur, texte="Tout autre chose.")
    _new_version(scene.charte, **{"RESP-1": "Un texte entièrement réécrit."})
    auth.login(scene.auteur)
    page = page_text(client.get(f"/amendements/{amendement.id}"))
    assert "ne s’appliquent pas exactement" in page and "réécrivez-le" in page and "Rebaser" not in page
    assert client.submit(f"/amendements/{amendement.id}/rebaser", {"revision_attendue": "1"}).status_code == 409


# --- Comments -------------------------------------------------------------------------------------


def test_comment_reply_edit_history_and_hide(client, auth, scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    auth.login(scene.autre)
    response = client.submit(f"/amendements/{amendement.id}/commentaires", {"texte": "Et les **stagiaires** ?"})
    assert response.status_code == 302 and "#commentaire-" in response.headers["Location"]
    racine = db.session.scalars(select(Commentaire)).one()
    auth.logout()
    auth.login(scene.collegue)
    assert client.submit(f"/amendements/{amendement.id}/commentaires",
                         {"texte": "Bonne question.", "parent_id": str(racine.id)}).status_code == 302
    reponse = db.session.scalars(select(Commentaire).where(Commentaire.parent_id == racine.id)).one()
    # A reply to a reply joins the thread (one level).
    assert client.submit(f"/amendements/{amendement.id}/commentaires",
                         {"texte": "Précision.", "parent_id": str(reponse.id)}).status_code == 302
    assert db.session.scalar(select(Commentaire.parent_id).order_by(Commentaire.id.desc()).limit(1)) == racine.id
    notes = {(n.user_id, n.type) for n in db.session.scalars(select(Notification))}
    assert notes == {(scene.auteur.id, "commentaire.publie"), (scene.autre.id, "commentaire.reponse")}
    page = client.get(f"/amendements/{amendement.id}").get_data(as_text=True)
    assert "<strong>stagiaires</strong>" in page and "sur la révision 1" in page
    auth.logout()
    # The author revises: a new comment is on revision 2, the old ones still say 1.
    auth.login(scene.auteur)
    client.submit(f"/amendements/{amendement.id}/modifier", {"titre": amendement.titre, "texte": "Neuf.",
                                                              "expose": EXPOSE, "revision_attendue": "1"})
    client.submit(f"/amendements/{amendement.id}/commentaires", {"texte": "Corrigé."})
    page = page_text(client.get(f"/amendements/{amendement.id}"))
    assert "sur la révision 2" in page and "sur la révision 1" in page
    auth.logout()
    # Edit with history
    auth.login(scene.autre)
    assert client.get(f"/commentaires/{racine.id}/modifier").status_code == 200
    assert client.submit(f"/commentaires/{racine.id}/modifier", {"texte": "Et les apprentis ?"}).status_code == 302
    history = client.get(f"/commentaires/{racine.id}/historique").get_data(as_text=True)
    assert "stagiaires" in history and "<ins>" in history and "<del>" in history
    auth.logout()
    # Hide
    auth.login(scene.comite)
    assert client.submit(f"/commentaires/{racine.id}/masquer", {"motif": "Propos hors charte."}).status_code == 302
    page = page_text(client.get(f"/amendements/{amendement.id}"))
    assert "Commentaire masqué par le comité" in page and "Et les apprentis" in page  # the committee still reads it
    assert client.get(f"/commentaires/{racine.id}/historique").status_code == 200
    assert client.submit(f"/commentaires/{racine.id}/masquer", {"motif": "Encore."}).status_code == 409
    auth.logout()
    auth.login(scene.collegue)
    page = page_text(client.get(f"/amendements/{amendement.id}"))
    assert "Propos hors charte." in page and "Et les apprentis" not in page
    assert client.get(f"/commentaires/{racine.id}/historique").status_code == 403
    assert client.submit(f"/amendements/{amendement.id}/commentaires",
                         {"texte": "Et alors ?", "parent_id": str(racine.id)}).status_code == 409
    auth.logout()
    auth.login(scene.autre)
    assert client.submit(f"/commentaires/{racine.id}/modifier", {"texte": "Autre."}).status_code == 409


@pytest.mark.parametrize("data, status, message", [
    ({"texte": ""}, 400, "Écrivez votre commentaire"),
    ({"texte": "   "}, 400, "Écrivez votre commentaire"),
    ({"texte": "x" * 5_001}, 400, "5000 caractères au plus"),
    ({"texte": "Réponse", "parent_id": "999"}, 404, "n’existe pas sur cet amendement"),
    ({"texte": "Réponse", "parent_id": "abc"}, 400, ""),
])
def test_bad_comments_write_nothing(client, auth, scene, make_amendement, data, status, message):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    auth.login(scene.autre)
    before = snapshot()
    response = client.submit(f"/amendements/{amendement.id}/commentaires", data)
    assert response.status_code == status and message in page_text(response)
    assert snapshot() == before


def test_a_reply_to_a_comment_of_another_amendment_is_refused(client, auth, scene, make_amendement):
    one = make_amendement(tour=scene.tour, auteur=scene.auteur)
    two = make_amendement(tour=scene.tour, auteur=scene.auteur)
    db.session.add(Commentaire(amendement_id=one.id, revision_id=one.revision.id, auteur_id=scene.autre.id,
                               texte="Ici.", created_at=one.created_at))
    db.session.commit()
    autre_fil = db.session.scalar(select(Commentaire.id))
    auth.login(scene.autre)
    before = snapshot()
    assert client.submit(f"/amendements/{two.id}/commentaires",
                         {"texte": "Là.", "parent_id": str(autre_fil)}).status_code == 404
    assert snapshot() == before


def test_no_comment_on_a_draft_or_a_closed_amendment(client, auth, scene, make_amendement):
    draft = make_amendement(tour=scene.tour, auteur=scene.auteur, statut="brouillon")
    rejected = make_amendement(tour=scene.tour, auteur=scene.auteur, statut="rejete")
    auth.login(scene.auteur)
    before = snapshot()
    response = client.submit(f"/amendements/{draft.id}/commentaires", {"texte": "Note."})
    assert response.status_code == 409 and "brouillon ne se commente pas" in page_text(response)
    response = client.submit(f"/amendements/{rejected.id}/commentaires", {"texte": "Note."})
    assert response.status_code == 409 and "fermés" in page_text(response)
    assert snapshot() == before


def test_bad_comment_edits_and_hides(client, auth, scene, make_amendement):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    db.session.add(Commentaire(amendement_id=amendement.id, revision_id=amendement.revision.id,
                               auteur_id=scene.autre.id, texte="Premier jet.", created_at=amendement.created_at))
    db.session.commit()
    cid = db.session.scalar(select(Commentaire.id))
    before = snapshot()
    auth.login(scene.collegue)
    assert client.get(f"/commentaires/{cid}/modifier").status_code == 403
    assert client.submit(f"/commentaires/{cid}/modifier", {"texte": "Volé."}).status_code == 403
    assert client.submit(f"/commentaires/{cid}/masquer", {"motif": "Non."}).status_code == 403
    auth.logout()
    auth.login(scene.autre)
    for data, message in (({"texte": ""}, "Écrivez"), ({"texte": "x" * 5001}, "5000"),
                          ({"texte": "Premier jet."}, "n’a pas changé")):
        response = client.submit(f"/commentaires/{cid}/modifier", data)
        assert response.status_code == 400 and message in page_text(response)
    auth.logout()
    auth.login(scene.comite)
    for data in ({"motif": ""}, {"motif": "x" * 2001}):
        assert client.submit(f"/commentaires/{cid}/masquer", data).status_code == 400
    assert snapshot() == before


# --- Lists ----------------------------------------------------------------------------------------


def test_list_filters_search_and_pages(client, auth, scene, make_amendement, monkeypatch):
    from charte.amendements import recherche

    monkeypatch.setattr(recherche, "PAR_PAGE", 2)
    a1 = make_amendement(tour=scene.tour, auteur=scene.auteur, ref="RESP-1", titre="Contrôle HUMAIN renforcé")
    a2 = make_amendement(tour=scene.tour, auteur=scene.autre, ref="TRANS-1", titre="Informer",
                         expose="Les habitants doivent savoir : 100 % des courriers.")
    a3 = make_amendement(tour=scene.tour, auteur=scene.autre, ref="DON-1", statut="irrecevable", titre="Données")
    draft = make_amendement(tour=scene.tour, auteur=scene.auteur, ref="SOB-1", statut="brouillon", titre="Secret")
    auth.login(scene.collegue)

    def numeros(query=""):
        response = client.get("/amendements/?" + query)
        assert response.status_code == 200, page_text(response)[:2000]
        return [int(n) for n in re.findall(r'<td data-label="N°">(\d+)</td>', response.get_data(as_text=True))]

    assert numeros() == [a3.numero, a2.numero]  # newest first, 2 per page, the draft is invisible
    assert numeros("page=2") == [a1.numero]
    assert numeros("theme=2") == [a2.numero]
    assert numeros("clause=RESP-1") == [a1.numero]
    assert numeros(f"departement={scene.autre.departement_id}") == [a3.numero, a2.numero]
    assert numeros("statut=irrecevable") == [a3.numero]
    assert numeros(f"auteur={scene.auteur.id}") == [a1.numero]
    assert numeros("q=humain") == [a1.numero]  # case-insensitive
    assert numeros("q=contrôle") == [a1.numero]
    assert numeros("q=100 %") == [a2.numero]  # % is a character, not a wildcard
    assert numeros("q=_") == []
    assert numeros("q=secret") == []
    # The pager keeps the filters.
    body = client.get("/amendements/?q=e&statut=").get_data(as_text=True)
    assert "q=e" in re.search(r'href="([^"]*page=2[^"]*)"', body).group(1)
    auth.logout()
    auth.login(scene.auteur)
    assert draft.numero in numeros("statut=brouillon")


@pytest.mark.parametrize("query", ["statut=publie", "theme=99", "departement=abc", "clause=NOPE-1", "auteur=999999",
                                   "charte=999", "q=" + "x" * 201])
def test_forged_filters_are_refused(client, auth, scene, query):
    auth.login(scene.auteur)
    response = client.get("/amendements/?" + query)
    assert response.status_code == 400 and "valeur inconnue" in page_text(response)


def test_my_amendments(client, auth, scene, make_amendement):
    mine = make_amendement(tour=scene.tour, auteur=scene.auteur, statut="brouillon", titre="Mon brouillon")
    colleague = make_amendement(tour=scene.tour, auteur=scene.collegue, titre="Celui du collègue")
    colleague_draft = make_amendement(tour=scene.tour, auteur=scene.collegue, statut="brouillon", titre="Caché")
    other = make_amendement(tour=scene.tour, auteur=scene.autre, titre="Soutenu")
    db.session.add(Cosignature(amendement_id=other.id, user_id=scene.auteur.id,
                               departement_id=scene.auteur.departement_id, created_at=other.created_at))
    db.session.commit()
    auth.login(scene.auteur)
    page = page_text(client.get("/amendements/mes-amendements"))
    assert "Mon brouillon" in page and "Celui du collègue" in page and "Soutenu" in page
    assert colleague_draft.titre not in page
    assert mine and colleague


def test_the_clause_page_lists_its_amendments(client, auth, scene, make_amendement):
    visible = make_amendement(tour=scene.tour, auteur=scene.autre, titre="Visible ici")
    make_amendement(tour=scene.tour, auteur=scene.autre, statut="brouillon", titre="Brouillon caché")
    make_amendement(tour=scene.tour, auteur=scene.autre, ref="RESP-2", titre="Autre clause")
    auth.login(scene.auteur)
    page = page_text(client.get(f"/chartes/{scene.charte.id}/clauses/RESP-1"))
    assert f"N° {visible.numero} — Modification — Visible ici" in page
    assert "Brouillon caché" not in page and "Autre clause" not in page
    assert "Proposer une modification" in page
    scene.tour.statut = TourStatut.VOTE
    db.session.commit()
    assert "Proposer une modification" not in page_text(client.get(f"/chartes/{scene.charte.id}/clauses/RESP-1"))


def test_double_submitted_proposal_and_comment(client, auth, scene, make_amendement):
    auth.login(scene.auteur)
    data = {"titre": "Responsabilité", "texte": "Nouveau texte.", "expose": EXPOSE}
    url = _new_url(scene, nature="modification", clause="RESP-1")
    assert client.submit(url, data).status_code == 302
    before = snapshot()
    response = client.submit(url, data)
    assert response.status_code == 409 and "déjà enregistré cet amendement (n° 1)" in page_text(response)
    assert snapshot() == before
    assert client.submit(url, {**data, "texte": "Une autre idée."}).status_code == 302
    amendement = make_amendement(tour=scene.tour, auteur=scene.autre)
    comment = {"texte": "Je soutiens."}
    assert client.submit(f"/amendements/{amendement.id}/commentaires", comment).status_code == 302
    before = snapshot()
    response = client.submit(f"/amendements/{amendement.id}/commentaires", comment)
    assert response.status_code == 409 and "vient d’être publié" in page_text(response)
    assert snapshot() == before


def test_an_abandoned_draft_stays_private(client, auth, scene, make_amendement):
    draft = make_amendement(tour=scene.tour, auteur=scene.auteur, statut="brouillon", titre="Idée abandonnée")
    auth.login(scene.auteur)
    assert client.submit(f"/amendements/{draft.id}/retirer").status_code == 302
    assert _get(Amendement, draft.id).statut == S.RETIRE
    assert "Idée abandonnée" in page_text(client.get("/amendements/mes-amendements"))
    auth.logout()
    auth.login(scene.collegue)
    assert client.get(f"/amendements/{draft.id}").status_code == 404
    assert "Idée abandonnée" not in page_text(client.get("/amendements/?statut=retire"))
    assert "Idée abandonnée" not in page_text(client.get("/amendements/mes-amendements"))
