"""The annex of a published version: how its text was written (amendments integrated with their vote,
conflict resolutions, approvals, departments that took part), read from the other modules."""
from __future__ import annotations

from sqlalchemy import select

from charte.amendements.models import Amendement
from charte.chartes.models import Version
from charte.consolidation.models import Projet
from charte.extensions import db
from charte.publication.contenu import AmendementIntegre, Annexe, Approbation, Resolution
from charte.scrutins.models import Resultat
from charte.web import format_dt, pluriel


def _resultat(resultat: Resultat | None) -> str:
    if resultat is None:
        return "—"
    sens = "adopté" if resultat.adopte else "non adopté"
    return (f"{sens}\u00a0: {pluriel(resultat.pour, 'voix', 'voix')} pour, {resultat.contre} contre, "
            f"{pluriel(resultat.abstention, 'abstention')} ({resultat.votants} votants sur "
            f"{resultat.electeurs})")


def annexe_de(version: Version) -> Annexe:
    """What the annex lists for this version; the template's text (v1) has none of it."""
    amendements = db.session.scalars(select(Amendement).filter_by(integre_version_id=version.id)
                                     .order_by(Amendement.numero)).all()
    resultats = {r.amendement_id: r for r in db.session.scalars(
        select(Resultat).where(Resultat.amendement_id.in_([a.id for a in amendements])))} if amendements else {}
    projet = db.session.scalar(select(Projet).filter_by(version_id=version.id))
    resolutions, approbations, departements = [], [], set(a.departement.nom for a in amendements)
    if projet is not None:
        resolutions = [Resolution(c.ref, c.resolu_par.nom if c.resolu_par else "—", c.motif)
                       for c in projet.conflits if c.resolu_at is not None]
        approbations = [Approbation(d.user.nom, format_dt(d.created_at)) for d in projet.approbations_valides()]
        deposes = db.session.scalars(select(Amendement).where(Amendement.tour_id == projet.tour_id,
                                                              Amendement.depose_at.is_not(None))).all()
        for amendement in deposes:
            departements.add(amendement.departement.nom)
            departements.update(c.departement.nom for c in amendement.cosignatures if c.departement is not None)
    return Annexe(
        amendements=tuple(
            AmendementIntegre(f"n°\u00a0{a.numero} ({a.nature.label.lower()}"
                              f"{' de ' + a.clause_ref if a.clause_ref else ''})", a.titre, a.departement.nom,
                              _resultat(resultats.get(a.id)))
            for a in amendements),
        resolutions=tuple(resolutions),
        approbations=tuple(approbations),
        departements=tuple(sorted(departements, key=str.casefold)),
        texte_de_depart=version.parent_id is None,
    )
