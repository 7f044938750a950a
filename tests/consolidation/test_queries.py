"""No query per clause nor per amendment: the consolidation, comparison and changelog pages cost the same
number of queries on a 300-clause charter with 150 adopted amendments as on an 8-clause one with 7."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from charte.amendements.models import Amendement, Revision
from charte.consolidation import services, validation
from charte.consolidation.models import Projet, ProjetStatut
from charte.extensions import db
from charte.scrutins.models import Resultat
from tests.amendements.test_queries import counting

THEMES = 4


def modele_source(clauses: int) -> str:
    """A template with `clauses` clauses over four themes, each clause with words of its own."""
    lignes = ["---", f"titre: Charte de {clauses} clauses", "description: Banc d’essai.", "version: 1.0", "---", "",
              "Préambule de la charte.", ""]
    for t in range(THEMES):
        lignes += [f"## Thème {t}", "", f"Introduction du thème {t}.", ""]
        for j in range(clauses // THEMES):
            lignes += [f"### TH{t}-{j + 1} — Clause {t}-{j + 1}", "",
                       f"Le service {t} applique la règle {j + 1} avec soin. Mot{t}x{j} reste ici. Fin de la clause.", ""]
    return "\n".join(lignes)


def _amendement(tour, auteur, numero, nature, ref, base, texte, theme_position=1, position=None):
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    a = Amendement(tour_id=tour.id, charte_id=tour.charte_id, numero=numero, nature=nature, statut="adopte",
                   clause_ref=ref, theme_position=theme_position, position=position, auteur_id=auteur.id,
                   departement_id=auteur.departement_id, base_version_id=tour.version_id,
                   titre=base.titre if base else "Clause ajoutée", texte=texte, expose="Motif.", revision_courante=1,
                   created_at=now, depose_at=now)
    a.revisions.append(Revision(numero=1, base_version_id=tour.version_id, base_titre=base.titre if base else "",
                                base_texte=base.texte if base else "", titre=a.titre, texte=texte, expose="Motif.",
                                auteur_id=auteur.id, created_at=now))
    db.session.add(a)
    db.session.flush()
    db.session.add(Resultat(amendement_id=a.id, tour_id=tour.id, electeurs=40, votants=20, pour=12, contre=6,
                            abstention=2, quorum_atteint=True, adopte=True, calcule_at=now))
    return a


def adopted_amendments(tour, auteurs, total: int) -> None:
    """`total` adopted amendments: a conflicting pair, a suppression making a modification caduc, additions
    and disjoint modifications of the other clauses."""
    version = tour.version
    clause = {c.ref: c for c in version.clauses}
    numero = 0

    def add(*args, **kwargs):
        nonlocal numero
        numero += 1
        return _amendement(tour, auteurs[numero % len(auteurs)], numero, *args, **kwargs)

    first, second = clause["TH0-1"], clause["TH0-2"]
    add("modification", "TH0-1", first, first.texte.replace("Mot0x0", "Alpha"))
    add("modification", "TH0-1", first, first.texte.replace("Mot0x0", "Beta"))
    add("suppression", "TH0-2", second, "")
    add("modification", "TH0-2", second, second.texte.replace("Mot0x1", "Gamma"))
    for k in range(max(1, (total - 4) // 14)):
        add("ajout", None, None, f"Texte de la clause ajoutée {k}.", theme_position=2, position=1)
    autres = [c for c in version.clauses if c.ref not in ("TH0-1", "TH0-2")]
    for c in autres[: total - numero]:
        t, j = c.ref[2], int(c.ref.split("-")[1]) - 1
        add("modification", c.ref, c, c.texte.replace(f"Mot{t}x{j}", f"Nouveau{t}x{j}"))
    db.session.commit()


def _scenario(make_modele, make_charte, make_tour, make_user, make_departement, clauses, amendements):
    charte = make_charte(modele=make_modele(modele_source(clauses), f"banc-{clauses}.md"))
    tour = make_tour(charte, statut="clos")
    comites = [make_user("comite", departement=make_departement()) for _ in range(2)]
    auteurs = [make_user("agent", departement=make_departement()) for _ in range(3)]
    adopted_amendments(tour, auteurs, amendements)
    projet = services.consolider(tour, actor=comites[0]).projet
    conflit = projet.conflits[0]
    services.resoudre_conflit(conflit, "Clause 0-1", "Texte fusionné.", "Synthèse.", conflit.amendement_ids[:1],
                              projet.revision, actor=comites[0])
    services.corriger_projet(projet, "TH1-1", "Clause 1-1", "Texte corrigé.", "Coquille.", projet.revision,
                             actor=comites[1])
    validation.soumettre_projet(projet, projet.revision, actor=comites[0])
    for membre in comites:
        validation.decider_projet(projet, "approuve", "Bon texte.", projet.revision, actor=membre)
    db.session.commit()
    assert projet.statut == ProjetStatut.ADOPTE
    return charte, projet, comites[0]


def _costs(client, charte, projet):
    conflit = projet.conflits[0]
    urls = [f"/projets/{projet.id}", f"/projets/{projet.id}/comparaison", f"/chartes/{charte.id}/comparer?de=1&a=2",
            f"/chartes/{charte.id}/versions/2/modifications", f"/chartes/{charte.id}/versions/2",
            f"/chartes/{charte.id}/projets", f"/projets/{projet.id}/conflits/{conflit.id}"]
    costs = []
    for url in urls:
        db.session.rollback()
        with counting() as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        costs.append(len(statements))
    return costs


def test_page_queries_do_not_grow_with_the_charter(client, auth, make_modele, make_charte, make_tour, make_user,
                                                   make_departement):
    small_charte, small, comite = _scenario(make_modele, make_charte, make_tour, make_user, make_departement, 8, 7)
    big_charte, big, _ = _scenario(make_modele, make_charte, make_tour, make_user, make_departement, 300, 150)
    assert len(big_charte.versions[1].clauses) > 290
    assert db.session.scalar(select(Amendement.id).filter_by(tour_id=big.tour_id).order_by(Amendement.id.desc())
                             .limit(1).offset(149)) is not None
    assert len(big.appliques) > 140
    auth.login(comite)
    small_costs = _costs(client, small_charte, small)
    assert small_costs == _costs(client, big_charte, big)
    assert max(small_costs) < 30, small_costs
    assert db.session.query(Projet).count() == 2
