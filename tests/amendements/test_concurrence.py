"""Two tabs at the same moment: one revision wins, the other gets a conflict; a double co-signature
leaves one row. Real threads against the real database (SQLite or PostgreSQL)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from charte.amendements.models import Cosignature, Revision
from charte.extensions import db


def _race(app, clients, url, payloads):
    barrier = threading.Barrier(len(clients))
    statuses = []
    db.session.rollback()  # on SQLite, the test's own open transaction would hold the write lock

    def run(client, data):
        with app.app_context():
            barrier.wait()
            statuses.append(client.submit(url, data).status_code)
            db.session.remove()

    threads = [threading.Thread(target=run, args=(c, d)) for c, d in zip(clients, payloads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(statuses)


def _logged_in(app, user, auth_class):
    client = app.test_client()
    auth_class(client).login(user)
    return client


@pytest.mark.parametrize("attempt", range(3))
def test_two_tabs_saving_at_once(app, auth, scene, make_amendement, attempt):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    clients = [_logged_in(app, scene.auteur, type(auth)) for _ in range(2)]
    payloads = [{"titre": amendement.titre, "texte": f"Texte de l’onglet {i}.", "expose": "Motif.",
                 "revision_attendue": "1"} for i in range(2)]
    statuses = _race(app, clients, f"/amendements/{amendement.id}/modifier", payloads)
    assert statuses == [302, 409]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Revision)
                             .filter_by(amendement_id=amendement.id)) == 2


@pytest.mark.parametrize("attempt", range(3))
def test_double_cosignature_at_once(app, auth, scene, make_amendement, attempt):
    amendement = make_amendement(tour=scene.tour, auteur=scene.auteur)
    clients = [_logged_in(app, scene.autre, type(auth)) for _ in range(2)]
    statuses = _race(app, clients, f"/amendements/{amendement.id}/cosigner", [{}, {}])
    assert statuses == [302, 409]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Cosignature)) == 1
