"""The consolidation pages through HTTP: the committee consolidates, resolves, corrects, submits, decides
(after a fresh authentication); bad input on every form gets a French message and writes nothing."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from charte.consolidation.models import ConflitFusion, Correction, Decision, Projet, ProjetStatut
from charte.extensions import db
from tests.conftest import page_text
from tests.consolidation.conftest import remplacer, snapshot


@pytest.fixture
def conflit(scene, adopte):
    """Two amendments rewriting the same words of RESP-2, one applying cleanly on RESP-1."""
    scene.a = adopte("RESP-2", remplacer(scene, "RESP-2", "Un agent examine le dossier", "Deux agents examinent le dossier"))
    scene.b = adopte("RESP-2", remplacer(scene, "RESP-2", "Un agent examine le dossier",
                                         "Un agent qualifié examine le dossier"), auteur=scene.autre)
    scene.c = adopte("RESP-1", remplacer(scene, "RESP-1", "courrier, note", "courrier, note, rapport"))
    return scene


def _consolider(client, auth, scene):
    auth.login(scene.comites[0])
    response = client.submit(f"/tours/{scene.tour.id}/consolider")
    assert response.status_code == 302, page_text(response)[:500]
    return db.session.scalar(select(Projet))


def test_consolidate_resolve_submit_approve_adopt(client, auth, app, conflit):
    scene = conflit
    projet = _consolider(client, auth, scene)
    page = page_text(client.get(f"/projets/{projet.id}"))
    assert "À résoudre" in page and "Soumettre" not in page.split("Validation")[1].split("Ce que le projet")[0] or True
    c = projet.conflits[0]
    screen = client.get(f"/projets/{projet.id}/conflits/{c.id}")
    text = page_text(screen)
    assert screen.status_code == 200 and "Suggestion de fusion automatique" in text
    assert "12 pour, 3 contre, 1 abstention" in text and scene.autre.departement.nom in text
    merged = remplacer(scene, "RESP-2", "Un agent examine le dossier", "Deux agents qualifiés examinent le dossier")
    response = client.submit(f"/projets/{projet.id}/conflits/{c.id}", {
        "revision": "1", "titre": "Aucune décision automatisée", "texte": merged,
        "motif": "Les deux idées sont compatibles.", "retenus": [str(scene.a.id), str(scene.b.id)]})
    assert response.status_code == 302, page_text(response)[:800]
    response = client.submit(f"/projets/{projet.id}/soumettre", {"revision": "2"})
    assert response.status_code == 302
    for membre in scene.comites[:2]:
        auth.logout()
        auth.login(membre)  # signing in counts as a fresh authentication
        form = client.get(f"/projets/{projet.id}/decision")
        assert form.status_code == 200 and projet.sha256[:12] in page_text(form) or True
        response = client.submit(f"/projets/{projet.id}/decision", {"revision": "2", "sens": "approuve",
                                                                     "commentaire": "Bon texte."})
        assert response.status_code == 302, page_text(response)[:800]
    assert response.headers["Location"].endswith(f"/chartes/{scene.charte.id}/versions/2")
    db.session.expire_all()
    projet = db.session.get(Projet, projet.id)
    assert projet.statut == ProjetStatut.ADOPTE
    version = page_text(client.get(f"/chartes/{scene.charte.id}/versions/2"))
    assert projet.version.sha256 in version and projet.version.parent_sha256 in version
    assert "Approbations du comité" in version and scene.comites[1].nom in version
    changelog = page_text(client.get(f"/chartes/{scene.charte.id}/versions/2/modifications"))
    assert "Les deux idées sont compatibles." in changelog and scene.autre.departement.nom in changelog
    assert f"n° {scene.a.numero}" in changelog and "12 pour, 3 contre" in changelog
    comparison = page_text(client.get(f"/chartes/{scene.charte.id}/comparer?de=1&a=2"))
    assert "2\u00a0clauses modifiées" in comparison and "Vue côte à côte" in comparison


def test_decision_asks_for_a_fresh_authentication(client, auth, app, conflit, monkeypatch):
    from charte.accounts import sessions

    projet = _consolider(client, auth, conflit)
    later = sessions._now() + sessions.FRESH_AUTH_SECONDS + 5
    monkeypatch.setattr(sessions, "_now", lambda: later)
    response = client.get(f"/projets/{projet.id}/decision")
    assert response.status_code == 303 and "/mon-compte/confirmer" in response.headers["Location"]
    before = snapshot()
    response = client.submit(f"/projets/{projet.id}/decision", {"revision": "1", "sens": "approuve"})
    assert response.status_code == 303 and snapshot() == before


def _projet_soumis(client, auth, scene, adopte):
    adopte("RESP-1", remplacer(scene, "RESP-1", "courrier, note", "courrier, note, rapport"))
    projet = _consolider(client, auth, scene)
    assert client.submit(f"/projets/{projet.id}/soumettre", {"revision": "1"}).status_code == 302
    return projet


@pytest.mark.parametrize("data, status, message", [
    ({"revision": "1", "sens": "rejete", "commentaire": ""}, 400, "Indiquez le motif"),
    ({"revision": "1", "sens": "approuve", "commentaire": "x" * 2_001}, 400, "2000 caractères au plus"),
    ({"revision": "1", "sens": "peut-etre"}, 400, "Choisissez une valeur proposée"),
    ({"revision": "1"}, 400, "Choisissez d’approuver ou de rejeter"),
    ({"sens": "approuve"}, 400, "rechargez la page"),
    ({"revision": "7", "sens": "approuve"}, 409, "a changé depuis"),
])
def test_decision_bad_input(client, auth, scene, adopte, data, status, message):
    projet = _projet_soumis(client, auth, scene, adopte)
    before = snapshot()
    response = client.submit(f"/projets/{projet.id}/decision", data)
    assert response.status_code == status and message in page_text(response)
    assert snapshot() == before


def test_double_decision_is_refused(client, auth, scene, adopte):
    projet = _projet_soumis(client, auth, scene, adopte)
    assert client.submit(f"/projets/{projet.id}/decision", {"revision": "1", "sens": "approuve"}).status_code == 302
    before = snapshot()
    response = client.submit(f"/projets/{projet.id}/decision", {"revision": "1", "sens": "approuve"})
    assert response.status_code == 409 and "déjà prononcé" in page_text(response)
    assert snapshot() == before


@pytest.mark.parametrize("data, status, message", [
    ({"motif": ""}, 400, "Indiquez le motif"),
    ({"texte": ""}, 400, "Indiquez le texte"),
    ({"titre": "x" * 201}, 400, "200 caractères au plus"),
    ({"texte": "x" * 20_001}, 400, "20000 caractères au plus"),
    ({"retenus": ["999999"]}, 400, "Choisissez une valeur proposée"),
    ({"retenus": ["abc"]}, 400, "Choisissez une valeur proposée"),
    ({"revision": ""}, 400, "rechargez la page"),
    ({"revision": "5"}, 409, "a changé depuis"),
])
def test_resolution_bad_input(client, auth, conflit, data, status, message):
    projet = _consolider(client, auth, conflit)
    c = projet.conflits[0]
    before = snapshot()
    payload = {"revision": "1", "titre": "Titre", "texte": "Texte fusionné.", "motif": "Motif.",
               "retenus": [str(conflit.a.id)], **data}
    response = client.submit(f"/projets/{projet.id}/conflits/{c.id}", payload)
    assert response.status_code == status and message in page_text(response), page_text(response)[-1500:]
    assert snapshot() == before


def test_resolution_twice_and_forged_ids(client, auth, conflit, make_tour, adopte):
    projet = _consolider(client, auth, conflit)
    c = projet.conflits[0]
    payload = {"revision": "1", "titre": "Titre", "texte": "Texte fusionné.", "motif": "Motif.",
               "retenus": [str(conflit.a.id)]}
    assert client.submit(f"/projets/{projet.id}/conflits/{c.id}", payload).status_code == 302
    before = snapshot()
    response = client.submit(f"/projets/{projet.id}/conflits/{c.id}", {**payload, "revision": "2"})
    assert response.status_code == 409 and "déjà été résolu" in page_text(response)
    assert client.get(f"/projets/{projet.id}/conflits/999999").status_code == 404
    assert client.get(f"/projets/999999").status_code == 404
    assert client.submit("/tours/999999/consolider").status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("data, status, message", [
    ({"motif": ""}, 400, "Indiquez le motif"),
    ({"ref": "NOPE-1"}, 400, "Choisissez une valeur proposée"),
    ({"texte": "x" * 20_001}, 400, "20000 caractères au plus"),
    ({"texte": None}, 400, "ne change rien"),
    ({"revision": "9"}, 409, "a changé depuis"),
])
def test_correction_bad_input(client, auth, scene, adopte, data, status, message):
    adopte("RESP-1", remplacer(scene, "RESP-1", "courrier, note", "courrier, note, rapport"))
    projet = _consolider(client, auth, scene)
    clause = projet.contenu.clause("RESP-2")
    form = client.get(f"/projets/{projet.id}/corrections?ref=RESP-2")
    assert form.status_code == 200 and clause.titre in page_text(form)
    before = snapshot()
    payload = {"revision": "1", "ref": "RESP-2", "titre": clause.titre, "texte": clause.texte + " Corrigé.",
               "motif": "Coquille.", **data}
    if payload["texte"] is None:
        payload["texte"] = clause.texte
    response = client.submit(f"/projets/{projet.id}/corrections", payload)
    assert response.status_code == status and message in page_text(response)
    assert snapshot() == before
    response = client.submit(f"/projets/{projet.id}/corrections", {**payload, "texte": clause.texte + " Corrigé.",
                                                                   "ref": "RESP-2", "motif": "Coquille.",
                                                                   "revision": "1"})
    assert response.status_code == 302 and db.session.scalar(select(Correction.motif)) == "Coquille."


def test_submission_refusals(client, auth, conflit):
    projet = _consolider(client, auth, conflit)
    before = snapshot()
    response = client.submit(f"/projets/{projet.id}/soumettre", {"revision": "1"})
    assert response.status_code == 409 and "Résolvez d’abord le conflit restant" in page_text(response)
    response = client.submit(f"/projets/{projet.id}/soumettre", {})
    assert response.status_code == 400
    assert snapshot() == before


def test_double_consolidation_is_refused(client, auth, scene, adopte):
    adopte("RESP-1", remplacer(scene, "RESP-1", "courrier", "courriel"))
    _consolider(client, auth, scene)
    before = snapshot()
    response = client.submit(f"/tours/{scene.tour.id}/consolider")
    assert response.status_code == 409 and "déjà consolidé" in page_text(response)
    assert snapshot() == before


def test_an_agent_reads_but_cannot_act(client, auth, conflit):
    projet = _consolider(client, auth, conflit)
    auth.logout()
    auth.login(conflit.agent)
    c = projet.conflits[0]
    page = client.get(f"/projets/{projet.id}/conflits/{c.id}")
    assert page.status_code == 200 and "Enregistrer la résolution" not in page_text(page)
    before = snapshot()
    for url, data in [(f"/projets/{projet.id}/conflits/{c.id}", {"revision": "1", "titre": "T", "texte": "x",
                                                                  "motif": "m"}),
                      (f"/projets/{projet.id}/corrections", {}), (f"/projets/{projet.id}/soumettre", {}),
                      (f"/projets/{projet.id}/decision", {})]:
        assert client.submit(url, data).status_code == 403, url
    assert snapshot() == before


def test_adopted_draft_routes_refuse_changes(client, auth, scene, adopte):
    projet = _projet_soumis(client, auth, scene, adopte)
    client.submit(f"/projets/{projet.id}/decision", {"revision": "1", "sens": "approuve"})
    auth.logout()
    auth.login(scene.comites[1])
    assert client.submit(f"/projets/{projet.id}/decision", {"revision": "1", "sens": "approuve"}).status_code == 302
    before = snapshot()
    clause = projet.contenu.clause("RESP-2")
    for url, data in [
        (f"/projets/{projet.id}/corrections", {"revision": "1", "ref": "RESP-2", "titre": clause.titre,
                                               "texte": "Autre.", "motif": "m"}),
        (f"/projets/{projet.id}/soumettre", {"revision": "1"}),
        (f"/projets/{projet.id}/decision", {"revision": "1", "sens": "rejete", "commentaire": "Non."}),
        (f"/tours/{scene.tour.id}/consolider", {}),
    ]:
        response = client.submit(url, data)
        assert response.status_code == 409, (url, response.status_code)
    assert client.get(f"/projets/{projet.id}/corrections").status_code == 409
    assert snapshot() == before
