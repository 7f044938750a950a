"""The demo's story after the charter is written: a first round of amendments voted and closed, its
consolidation into version 2, and a second round whose vote is open.

Everything goes through the real services, so the journal records every action and `audit-verify`
holds. The services refuse windows in the past, so each round opens with its submission window
already begun (its start a fortnight ago, which `ouvrir_tour` allows) and ending in the future; the
committee then closes the submission window and the vote early, with a reason, as the services allow.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from charte.accounts.models import User
from charte.amendements.commentaires import commenter_amendement, masquer_commentaire, modifier_commentaire
from charte.amendements.models import Amendement
from charte.amendements.services import (
    cosigner_amendement,
    creer_amendement,
    declarer_irrecevable,
    deposer_amendement,
    retirer_amendement,
    reviser_amendement,
)
from charte.chartes.models import Charte
from charte.consolidation.services import consolider, resoudre_conflit
from charte.consolidation.validation import decider_projet, soumettre_projet
from charte.extensions import db
from charte.scrutins.services import clore_scrutin, ouvrir_vote, voter
from charte.temps import maintenant
from charte.tours.models import Tour
from charte.tours.services import definir_regles, ouvrir_tour

REGLES = {"quorum_pct": 25, "majorite": "simple", "une_voix_par_service": False, "resultats_en_direct": False,
          "validation_seuil": 2}


def jouer_les_tours(charte: Charte) -> None:
    """Round 1 voted and closed, consolidated into version 2; round 2 on version 2 with its vote open."""
    gens = {u.email.split("@")[0].split(".")[0]: u for u in db.session.scalars(select(User))}
    tour = premier_tour(charte, gens)
    consolider_premier_tour(tour, gens)
    second_tour(charte, gens)


def _ouvrir(charte: Charte, comite: User, titre: str, cosignataires_min: int) -> Tour:
    """Set the rules, then open a round whose submission window has begun and runs for another week."""
    definir_regles(charte, comite, cosignataires_min=cosignataires_min, **REGLES)
    now = maintenant()
    return ouvrir_tour(charte, comite, titre, now - timedelta(days=14), now + timedelta(days=7),
                       now + timedelta(days=7), now + timedelta(days=21))


def _proposer(tour: Tour, auteur: User, ref: str, avant: str, apres: str, expose: str,
              titre: str | None = None) -> Amendement:
    """A modification of clause `ref` replacing `avant` by `apres` in its text, drafted then submitted."""
    clause = tour.charte.version_courante.clause(ref)
    if avant not in clause.texte:  # the template changed: the story must be rewritten
        raise ValueError(f"«\u00a0{avant}\u00a0» ne figure pas dans la clause {ref}.")
    amendement = creer_amendement(tour, "modification", clause_ref=ref, titre=titre or clause.titre,
                                  texte=clause.texte.replace(avant, apres), expose=expose, actor=auteur)
    return deposer_amendement(amendement, actor=auteur)


def _voter(amendement: Amendement, pour: list[User], contre: list[User], abstention: list[User] = ()) -> None:
    for choix, qui in (("pour", pour), ("contre", contre), ("abstention", abstention)):
        for user in qui:
            voter(amendement, user, choix)


# --- Round 1 -------------------------------------------------------------------------------------


def premier_tour(charte: Charte, g: dict[str, User]) -> Tour:
    """Round 1 on version 1: amendments from several departments, a debate, a vote, the results."""
    tour = _ouvrir(charte, g["claire"], "Premier tour — relecture par les services", cosignataires_min=0)
    relire = "vérifie les faits, les chiffres et les références réglementaires"
    # État civil rewrites its proposal twice after the discussion (three revisions).
    noms = _proposer(tour, g["julien"], "RESP-1", relire,
                     "vérifie les faits, les noms et les références réglementaires",
                     "Les erreurs sur les noms propres sont les plus fréquentes dans nos actes.")
    reviser_amendement(noms, noms.titre, noms.texte.replace("les noms", "les noms propres"),
                       noms.expose, 1, actor=g["julien"])
    reviser_amendement(noms, noms.titre, noms.texte.replace("les noms propres", "les noms propres, les chiffres"),
                       "Les erreurs sur les noms propres sont les plus fréquentes dans nos actes\u00a0; "
                       "les chiffres restent à vérifier.", 2, actor=g["julien"])
    dates = _proposer(tour, g["thomas"], "RESP-1", relire,
                      "vérifie les faits, les dates, les chiffres et les références réglementaires",
                      "Les délais d’instruction de l’urbanisme reposent sur des dates exactes.")
    sans_ombre = creer_amendement(tour, "suppression", clause_ref="TRANS-4", actor=g["elise"],
                                  expose="Un usage non validé n’a pas à être encadré\u00a0: il doit cesser.")
    deposer_amendement(sans_ombre, actor=g["elise"])
    ombre = _proposer(tour, g["marc"], "TRANS-4", "sans reproche ni sanction", "sans reproche ni sanction, "
                      "dans un délai d’un mois", "Un délai clair aide les agents à se déclarer.")
    sante = _proposer(tour, g["amina"], "DON-2", "après avis du délégué",
                      "après avis du médecin de prévention et du délégué",
                      "Le médecin de prévention connaît les dossiers des agents.")
    retire = _proposer(tour, g["sophie"], "TRANS-2", "au guichet, par téléphone ou par écrit",
                       "au guichet ou par écrit", "Le standard ne peut pas tout absorber.")
    hors_sujet = _proposer(tour, g["ines"], "RESP-4", "Seuls les outils de la liste validée",
                           "Seuls les outils de la liste validée, financés par une prime informatique,",
                           "Une prime encouragerait l’usage des outils validés.")
    for amendement, soutiens in ((noms, ["lucas", "elise"]), (dates, ["julien", "nadia"]), (sans_ombre, ["marc"]),
                                 (ombre, ["thomas"]), (sante, ["sophie"])):
        for qui in soutiens:
            cosigner_amendement(amendement, actor=g[qui])
    _debattre(noms, g)
    retirer_amendement(retire, actor=g["sophie"])
    declarer_irrecevable(hors_sujet, "Le régime indemnitaire relève du dialogue social, pas de cette charte.",
                         actor=g["nadia"])

    ouvrir_vote(tour, g["claire"], "Tous les services ont déposé leurs propositions\u00a0: le comité ouvre le vote "
                                   "une semaine plus tôt.")
    votants = [g[n] for n in ("julien", "sophie", "lucas", "amina", "thomas", "elise", "marc", "ines", "claire")]
    for amendement in (noms, dates, sans_ombre, ombre):
        _voter(amendement, votants[:6], votants[6:8], votants[8:])
    _voter(sante, [g["amina"], g["lucas"]], [g["julien"], g["thomas"], g["elise"], g["marc"], g["claire"]])
    voter(sante, g["lucas"], "contre", "Réflexion faite, le délégué suffit.")  # a change of mind
    clore_scrutin(tour, g["claire"], "Tous les inscrits actifs se sont prononcés\u00a0: le comité clôt le vote "
                                     "avant son terme.")
    return tour


def _debattre(amendement: Amendement, g: dict[str, User]) -> None:
    """A discussion thread: a comment edited by its author, a reply, and an off-topic one hidden."""
    question = commenter_amendement(amendement, "Faut-il aussi vérifier les prénoms composés\u00a0?", actor=g["amina"])
    commenter_amendement(amendement, "Oui\u00a0: «\u00a0noms propres\u00a0» couvre les prénoms.", question.id,
                         actor=g["julien"])
    modifier_commentaire(question, "Faut-il aussi vérifier les prénoms composés et les noms d’usage\u00a0?",
                         actor=g["amina"])
    hors_sujet = commenter_amendement(amendement, "Et la cantine, quand est-ce qu’on en parle\u00a0?", actor=g["marc"])
    masquer_commentaire(hors_sujet, "Hors sujet\u00a0: la restauration scolaire n’est pas l’objet de cette charte.",
                        actor=g["claire"])


# --- Consolidation -------------------------------------------------------------------------------


def consolider_premier_tour(tour: Tour, g: dict[str, User]) -> None:
    """Paul merges the adopted amendments, resolves the conflict on RESP-1; Claire and Nadia approve."""
    projet = consolider(tour, actor=g["paul"]).projet
    for conflit in projet.conflits_ouverts:
        resoudre_conflit(
            conflit, projet.contenu.clause(conflit.ref).titre,
            _texte_fusionne(projet.base_version.clause(conflit.ref).texte),
            "Les deux amendements adoptés complètent la même liste\u00a0: le comité les réunit.",
            conflit.amendement_ids, projet.revision, actor=g["paul"])
    soumettre_projet(projet, projet.revision, actor=g["paul"])
    decider_projet(projet, "approuve", "Conforme aux votes.", projet.revision, actor=g["claire"])
    decider_projet(projet, "approuve", "", projet.revision, actor=g["nadia"])


def _texte_fusionne(texte: str) -> str:
    return texte.replace("vérifie les faits, les chiffres et les références réglementaires",
                         "vérifie les faits, les noms propres, les dates, les chiffres et les références "
                         "réglementaires")


# --- Round 2 -------------------------------------------------------------------------------------


def second_tour(charte: Charte, g: dict[str, User]) -> Tour:
    """Round 2 on version 2, one co-signing department required: two amendments in the vote, one kept out
    for want of support, one draft still private."""
    tour = _ouvrir(charte, g["claire"], "Second tour — données et registre", cosignataires_min=1)
    photos = _proposer(tour, g["lucas"], "DON-1", "courriel, photographie", "courriel, photographie, voix",
                       "Les outils de transcription enregistrent la voix des parents.")
    registre = _proposer(tour, g["thomas"], "TRANS-3", "au moins deux fois par an", "chaque trimestre",
                         "Les usages changent vite.")
    _proposer(tour, g["ines"], "DON-3", "avant son lancement", "dès sa conception",
              "Le DPO doit être associé tôt.")
    creer_amendement(tour, "modification", clause_ref="DON-4", titre="Encadrer les prestataires",
                     texte=charte.version_courante.clause("DON-4").texte + " Les contrats sont publiés.",
                     expose="Brouillon en cours de rédaction.", actor=g["sophie"])
    cosigner_amendement(photos, actor=g["julien"])
    cosigner_amendement(registre, actor=g["elise"])
    ouvrir_vote(tour, g["claire"], "Propositions peu nombreuses\u00a0: le comité ouvre le vote sans attendre.")
    _voter(photos, [g["lucas"], g["amina"], g["julien"]], [g["marc"]])
    _voter(registre, [g["thomas"]], [], [g["ines"]])
    return tour
