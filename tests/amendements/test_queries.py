"""No query per row: the lists and the amendment's page cost the same number of queries with 10 or 200
amendments (and their comments, replies, edits, co-signatures, revisions)."""
from __future__ import annotations

import contextlib

from sqlalchemy import event

from charte.amendements.models import Amendement, Commentaire, CommentaireEdition, Cosignature, Revision
from charte.extensions import db


@contextlib.contextmanager
def counting():
    statements: list[str] = []

    def capture(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)


def _grow(scene, cible, people, total):
    """Bring the charter to `total` submitted amendments, and `cible` to `total` comments (half of them
    replies, some edited, some hidden), `total // 10` revisions and one co-signature per other person."""
    tour, now = scene.tour, cible.created_at
    have = db.session.query(Amendement).count()
    refs = [c.ref for c in scene.charte.version_courante.clauses]
    for i in range(have, total):
        auteur = people[i % len(people)]
        a = Amendement(tour_id=tour.id, charte_id=tour.charte_id, numero=i + 1, nature="modification",
                       statut="depose", clause_ref=refs[i % len(refs)], theme_position=1 + i % 5,
                       auteur_id=auteur.id, departement_id=auteur.departement_id, base_version_id=tour.version_id,
                       titre=f"Amendement {i}", texte="Texte.", expose="Motif.", revision_courante=1,
                       created_at=now, depose_at=now)
        a.revisions.append(Revision(numero=1, base_version_id=tour.version_id, titre=a.titre, texte="Texte.",
                                    expose="Motif.", auteur_id=auteur.id, created_at=now))
        db.session.add(a)
    while cible.revision_courante < max(1, total // 10):
        cible.revision_courante += 1
        cible.revisions.append(Revision(numero=cible.revision_courante, base_version_id=tour.version_id,
                                        titre=cible.titre, texte=f"Texte {cible.revision_courante}.",
                                        expose="Motif.", auteur_id=cible.auteur_id, created_at=now))
    db.session.flush()
    comments = db.session.query(Commentaire).filter_by(amendement_id=cible.id).order_by(Commentaire.id).all()
    roots = [c for c in comments if c.parent_id is None]
    for i in range(len(comments), total):
        c = Commentaire(amendement_id=cible.id, revision_id=cible.revisions[i % len(cible.revisions)].id,
                        auteur_id=people[i % len(people)].id, texte=f"Commentaire **{i}**.", created_at=now,
                        parent_id=roots[-1].id if i % 2 and roots else None)
        if i % 7 == 0:
            c.masque_at, c.masque_par_id, c.masque_motif = now, scene.comite.id, "Hors sujet."
        db.session.add(c)
        db.session.flush()
        if c.parent_id is None:
            roots.append(c)
        if i % 5 == 0:
            c.modifie_at = now
            db.session.add(CommentaireEdition(commentaire_id=c.id, texte="Avant.", remplace_at=now))
    signed = {s.user_id for s in cible.cosignatures}
    for p in people:
        if p.departement_id != cible.departement_id and p.id not in signed and len(signed) < total // 10:
            db.session.add(Cosignature(amendement_id=cible.id, user_id=p.id, departement_id=p.departement_id,
                                       created_at=now))
            signed.add(p.id)
    db.session.commit()


def _costs(client, scene, cible):
    urls = ["/amendements/", f"/amendements/{cible.id}", "/amendements/mes-amendements",
            f"/chartes/{scene.charte.id}/clauses/RESP-1", f"/amendements/?q=texte&theme=1",
            f"/amendements/{cible.id}/revisions/1"]
    costs = {}
    for url in urls:
        db.session.rollback()
        with counting() as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        costs[url] = len(statements)
    return costs


def test_query_counts_do_not_grow_with_the_data(client, auth, scene, make_user, make_departement,
                                                make_amendement):
    people = [scene.auteur, scene.collegue, scene.autre, scene.comite]
    people += [make_user("agent", departement=make_departement(f"Service {i}")) for i in range(20)]
    cible = make_amendement(tour=scene.tour, auteur=scene.auteur)
    auth.login(scene.comite)  # the committee sees the most (hidden comments' texts, forms)
    _grow(scene, cible, people, 10)
    small = _costs(client, scene, cible)
    _grow(scene, cible, people, 200)
    large = _costs(client, scene, cible)
    assert db.session.query(Commentaire).count() == 200 and db.session.query(Amendement).count() == 200
    assert large == small
    assert max(small.values()) < 30, small
