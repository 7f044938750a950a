"""No query per row: the result pages, the round page and the dashboard cost the same number of SQL
queries with 10 or with 200 amendments (and their ballots and comments)."""
from __future__ import annotations

from sqlalchemy import select

from charte.amendements.models import Amendement, Commentaire, Revision
from charte.extensions import db
from charte.scrutins.models import Bulletin, Electeur
from charte.scrutins.services import clore_scrutin
from charte.temps import maintenant
from tests.amendements.test_queries import counting

CHOIX = ("pour", "contre", "abstention")


def _scene(scrutin, total: int, autre=None, **regles):
    """A round with `total` amendments in the vote, each with a ballot from every agent and two comments
    (`autre`: an earlier scene whose departments and template it reuses, on a new charter)."""
    from charte.chartes.services import creer_charte

    charte = creer_charte(autre.tour.charte.modele, "Autre charte", None) if autre else None
    s = scrutin(n=1, agents=8, services=4, departements=autre.departements if autre else None, charte=charte,
                **regles)
    now = maintenant()
    electeurs = [s.comite, *s.electeurs]
    first = s.amendements[0]
    refs = [c.ref for c in s.tour.version.clauses]
    for i in range(1, total):
        auteur = s.electeurs[i % len(s.electeurs)]
        a = Amendement(tour_id=s.tour.id, charte_id=s.tour.charte_id, numero=first.numero + i,
                       nature="suppression" if i % 17 == 0 else "modification", statut="en_vote",
                       clause_ref=refs[i % len(refs)], theme_position=1 + i % 5, auteur_id=auteur.id,
                       departement_id=auteur.departement_id, base_version_id=s.tour.version_id,
                       titre=f"Amendement {i}", texte="Texte.", expose="Motif.", revision_courante=1, created_at=now,
                       depose_at=now)
        a.revisions.append(Revision(numero=1, base_version_id=s.tour.version_id, titre=a.titre, texte="Texte.",
                                    expose="Motif.", auteur_id=auteur.id, created_at=now))
        db.session.add(a)
    db.session.flush()
    amendements = db.session.scalars(select(Amendement).filter_by(tour_id=s.tour.id)).all()
    for i, a in enumerate(amendements):
        revision = a.revisions[0]
        for j, agent in enumerate(electeurs):
            db.session.add(Bulletin(amendement_id=a.id, user_id=agent.id, choix=CHOIX[(i + j) % 3], motif="",
                                    revision_id=revision.id, created_at=now))
        for j in range(2):
            db.session.add(Commentaire(amendement_id=a.id, revision_id=revision.id, auteur_id=electeurs[j].id,
                                       texte="Avis.", created_at=now))
    db.session.commit()
    assert db.session.query(Electeur).filter_by(tour_id=s.tour.id).count() >= len(electeurs)
    return s, amendements


def _costs(client, auth, s, amendement) -> dict[str, int]:
    auth.login(s.electeurs[0])
    urls = [f"/tours/{s.tour.id}/resultats", f"/amendements/{amendement.id}/resultat",
            f"/tours/{s.tour.id}/participation", f"/tours/{s.tour.id}", f"/amendements/{amendement.id}/bulletin"]
    costs = {}
    for url in urls:
        db.session.rollback()
        with counting() as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        costs[url.replace(str(s.tour.id), "T").replace(str(amendement.id), "A")] = len(statements)
    auth.logout()
    return costs


def test_closed_round_pages_cost_the_same_with_10_or_200_amendments(client, auth, scrutin):
    petit, amendements = _scene(scrutin, 10, une_voix_par_service=True)
    clore_scrutin(petit.tour, petit.comite, "Fin anticipée.")
    db.session.commit()
    small = _costs(client, auth, petit, amendements[3])
    grand, amendements = _scene(scrutin, 200, autre=petit, une_voix_par_service=True)
    clore_scrutin(grand.tour, grand.comite, "Fin anticipée.")
    db.session.commit()
    large = _costs(client, auth, grand, amendements[150])
    assert large == small
    assert all(n <= 20 for n in large.values()), large


def test_live_result_pages_cost_the_same_with_10_or_200_amendments(client, auth, scrutin):
    petit, amendements = _scene(scrutin, 10, resultats_en_direct=True)
    small = _costs(client, auth, petit, amendements[3])
    grand, amendements = _scene(scrutin, 200, autre=petit, resultats_en_direct=True)
    large = _costs(client, auth, grand, amendements[150])
    assert large == small
