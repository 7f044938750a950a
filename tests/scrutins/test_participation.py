"""The participation dashboard: per department and per theme, amendments, comments, voters, turnout."""
from charte.amendements.models import Commentaire
from charte.extensions import db
from charte.scrutins import services
from charte.scrutins.participation import participation
from charte.temps import maintenant
from tests.conftest import page_text
from tests.scrutins.conftest import texte


def test_figures_per_department_and_per_theme(client, auth, scrutin, make_amendement):
    s = scrutin(n=0, agents=4, services=2, ouvrir=False)  # A: comité, agents 0 and 2; B: agents 1 and 3
    a_resp = make_amendement(tour=s.tour, auteur=s.electeurs[0], ref="RESP-2")  # theme 1, service A
    a_don = make_amendement(tour=s.tour, auteur=s.electeurs[1], ref="DON-1")  # theme 3, service B
    make_amendement(tour=s.tour, auteur=s.electeurs[1], ref="SOB-1", statut="brouillon")  # a draft counts nowhere
    now = maintenant()
    for auteur in (s.electeurs[1], s.electeurs[3], s.electeurs[0]):
        db.session.add(Commentaire(amendement_id=a_resp.id, revision_id=a_resp.revisions[0].id, auteur_id=auteur.id,
                                   texte="Avis.", created_at=now))
    db.session.commit()
    before = participation(s.tour)
    assert before.total.electeurs is None and before.services[0].taux is None  # electorate not frozen yet
    services.ouvrir_vote(s.tour, s.comite)
    services.voter(a_resp, s.electeurs[0], "pour")
    services.voter(a_don, s.electeurs[0], "contre")
    services.voter(a_resp, s.electeurs[1], "abstention")
    db.session.commit()

    p = participation(s.tour)
    by_dep = {l.libelle: l for l in p.services}
    assert (by_dep["Service A"].amendements, by_dep["Service A"].commentaires, by_dep["Service A"].votants,
            by_dep["Service A"].electeurs) == (1, 1, 1, 3)
    assert (by_dep["Service B"].amendements, by_dep["Service B"].commentaires, by_dep["Service B"].votants,
            by_dep["Service B"].electeurs) == (1, 2, 1, 2)
    assert round(by_dep["Service B"].taux) == 50
    themes = {l.libelle: l for l in p.themes}
    assert len(themes) == 5
    assert (themes["Responsabilité"].amendements, themes["Responsabilité"].commentaires,
            themes["Responsabilité"].votants) == (1, 3, 2)
    assert (themes["Données"].amendements, themes["Données"].votants) == (1, 1)
    assert themes["Sobriété"].amendements == 0  # the draft is not counted
    assert (p.total.amendements, p.total.commentaires, p.total.votants, p.total.electeurs) == (2, 3, 2, 5)

    auth.login(s.electeurs[2])
    response = client.get(f"/tours/{s.tour.id}/participation")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.count('role="img"') == 4 and "style=" not in html
    text = texte(response)
    assert "Service B 1 2 1 2 50\u00a0%" in text and "Ensemble 2 3 2 5 40\u00a0%" in text
    assert "Participation au vote par service" in page_text(response)
