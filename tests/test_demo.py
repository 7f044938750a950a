"""What `charte demo` leaves in the database: two rounds played through the services, audit intact."""
import pytest
from sqlalchemy import func, select

from charte.amendements.models import Amendement, Commentaire, CommentaireEdition, Cosignature
from charte.chartes.models import Charte
from charte.consolidation.models import ConflitFusion, Decision, Projet, ProjetStatut
from charte.extensions import db
from charte.scrutins.models import Bulletin, BulletinEvenement, Resultat
from charte.tours.models import Tour, TourEvenement, TourStatut


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["charte", "demo", "--password", "demo-charte-2026"])
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(Charte)).one()


def _statuts(tour_numero: int) -> list[str]:
    return list(db.session.scalars(select(Amendement.statut).join(Tour, Tour.id == Amendement.tour_id)
                                   .where(Tour.numero == tour_numero).order_by(Amendement.numero)))


def test_demo_covers_every_amendment_state(demo, runner):
    premier = {s.value for s in _statuts(1)}
    assert premier == {"integre", "caduc", "rejete", "retire", "irrecevable"}
    second = [s.value for s in _statuts(2)]
    assert {"en_vote", "depose", "brouillon"} <= set(second)
    ecarte = db.session.scalars(select(Amendement).filter_by(statut="depose")).one()
    assert "cosignataire" in ecarte.motif
    assert db.session.scalar(select(func.max(Amendement.revision_courante))) == 3
    assert db.session.scalar(select(func.count()).select_from(Cosignature)) >= 5
    assert runner.invoke(args=["charte", "audit-verify"]).exit_code == 0


def test_demo_comments_have_a_reply_an_edit_and_a_hidden_one(demo):
    commentaires = db.session.scalars(select(Commentaire)).all()
    assert any(c.parent_id is not None for c in commentaires)
    masques = [c for c in commentaires if c.masque_at is not None]
    assert len(masques) == 1 and masques[0].masque_motif
    assert db.session.scalar(select(func.count()).select_from(CommentaireEdition)) == 1
    assert any(c.modifie_at is not None for c in commentaires)


def test_demo_first_round_is_closed_with_results_and_receipts(demo):
    tours = {t.numero: t for t in db.session.scalars(select(Tour))}
    premier, second = tours[1], tours[2]
    assert premier.statut == TourStatut.CLOS and second.statut == TourStatut.VOTE
    assert db.session.scalar(select(func.count(func.distinct(Bulletin.user_id)))) >= 5
    resultats = db.session.scalars(select(Resultat).filter_by(tour_id=premier.id)).all()
    assert {r.adopte for r in resultats} == {True, False}
    bulletins_clos = db.session.scalars(select(Bulletin).join(Amendement).filter(Amendement.tour_id == premier.id))
    assert all(b.recu for b in bulletins_clos)
    en_cours = db.session.scalars(select(Bulletin).join(Amendement).filter(Amendement.tour_id == second.id)).all()
    assert en_cours and not any(b.recu for b in en_cours)
    changes = db.session.scalar(select(func.count()).select_from(Bulletin).where(Bulletin.modifie_at.is_not(None)))
    assert changes == 1 and db.session.scalar(select(func.count()).select_from(BulletinEvenement)) > changes
    # The committee closed the windows early, each time with a reason.
    motifs = db.session.scalars(select(TourEvenement.motif).filter_by(tour_id=premier.id)).all()
    assert len(motifs) == 2 and all(motifs)


def test_demo_version_two_is_adopted_with_two_approvals_after_a_resolved_conflict(demo):
    assert demo.version_courante.numero == 2
    projet = db.session.scalars(select(Projet)).one()
    assert projet.statut == ProjetStatut.ADOPTE and projet.version_id == demo.version_courante.id
    conflit = db.session.scalars(select(ConflitFusion)).one()
    assert conflit.resolu_at is not None and conflit.motif
    assert db.session.scalar(select(func.count()).select_from(Decision).filter_by(projet_id=projet.id)) == 2
    integres = db.session.scalars(select(Amendement).filter_by(statut="integre")).all()
    assert len(integres) == 3 and all(a.integre_version_id == projet.version_id for a in integres)
    texte = demo.version_courante.clause("RESP-1").texte
    assert "les faits, les noms propres, les dates, les chiffres et" in texte
    assert demo.version_courante.clause("TRANS-4") is None
