"""Actions on amendments: create, submit, revise, rebase, withdraw, co-sign, declare inadmissible.

Each takes the acting user as `actor`, checks the same permissions as the views
(charte.amendements.permissions), raises a DomainError with a French message, flushes, journals and
never commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from charte.accounts.models import User
from charte.amendements.etats import SANS_BULLETIN, AmendementStatut, verifier_transition
from charte.amendements.models import Amendement, Cosignature, Nature, Revision
from charte.amendements.permissions import bulletins_existent, maintenant, require
from charte.chartes.models import Charte, Version, VersionClause
from charte.exceptions import Conflict, InvalidInput, NotFound
from charte.extensions import db
from charte.journal.services import record
from charte.notifications.services import notifier
from charte.tours.models import Tour

TITRE_MAX = 200
TEXTE_MAX = 20_000
EXPOSE_MAX = 10_000
MOTIF_MAX = 2_000

_CONTROLES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def nombre(n: int) -> str:
    """20 000, with a narrow non-breaking space between thousands."""
    return f"{n:,}".replace(",", "\u202f")


def nettoyer_texte(raw: str | None, field: str, what: str, max_length: int, required: bool = True) -> str:
    """Line breaks made plain, control characters dropped, outer spaces trimmed; refuse empty or too long."""
    value = _CONTROLES.sub("", (raw or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if required and not value:
        raise InvalidInput(f"Indiquez {what}.", field)
    if len(value) > max_length:
        raise InvalidInput(f"Ce texte ne peut pas dépasser {nombre(max_length)} caractères "
                           f"(il en compte {nombre(len(value))}).", field)
    return value


def nettoyer_titre(raw: str | None, field: str = "titre") -> str:
    value = " ".join(_CONTROLES.sub("", raw or "").split())
    if not value:
        raise InvalidInput("Indiquez le titre de la clause.", field)
    if len(value) > TITRE_MAX:
        raise InvalidInput(f"Le titre ne peut pas dépasser {TITRE_MAX} caractères.", field)
    return value


def lien(amendement: Amendement, ancre: str = "") -> str:
    """The amendment's page (a path: notifications are read on this site)."""
    return f"/amendements/{amendement.id}" + (f"#{ancre}" if ancre else "")


def designation(amendement: Amendement, article: str = "l’") -> str:
    """« l’amendement n° 3 « Titre » » (or with another article: « votre amendement … »)."""
    return f"{article}amendement n° {amendement.numero} « {amendement.titre} »"


# --- Reading -------------------------------------------------------------------------------------


def tour_en_cours(charte: Charte) -> Tour | None:
    """The charter's round that is not closed, if any (at most one, by a unique constraint)."""
    return db.session.scalar(select(Tour).filter_by(ouvert_charte_id=charte.id))


def get_amendement(amendement_id: int, user) -> Amendement:
    """An amendment the person may see, or 404."""
    amendement = db.session.get(Amendement, amendement_id)
    if amendement is None:
        raise NotFound("Cet amendement n’existe pas.")
    require("voir", amendement, user)
    return amendement


def emplacements(version: Version) -> list[tuple[str, list[tuple[str, str]]]]:
    """Where a new clause may go, theme by theme: ("theme:position", label) choices."""
    groupes = []
    for theme_position, (theme, clauses) in enumerate(version.themes_with_clauses(), start=1):
        choix = [(f"{theme_position}:1", f"En tête du thème « {theme.titre} »")]
        choix += [(f"{theme_position}:{c.position + 1}", f"Après {c.ref} — {c.titre}") for c in clauses]
        groupes.append((theme.titre, choix))
    return groupes


def preremplissage(version: Version, nature: Nature, clause: VersionClause | None, theme: int | None) -> dict:
    """What a new proposal's form starts with: the clause's text to modify, or the end of the chosen theme."""
    if nature == Nature.MODIFICATION:
        return {"titre": clause.titre, "texte": clause.texte}
    if nature == Nature.AJOUT and theme:
        return {"emplacement": f"{theme}:{1 + sum(1 for c in version.clauses if c.theme_position == theme)}"}
    return {}


def lire_emplacement(version: Version, raw: str | None) -> tuple[int, int]:
    """ "2:3" → (theme 2, position 3), checked against the version's themes and clauses."""
    valides = {valeur for _, choix in emplacements(version) for valeur, _ in choix}
    if not raw or raw not in valides:
        raise InvalidInput("Choisissez l’emplacement de la nouvelle clause dans la liste.", "emplacement")
    theme, position = raw.split(":")
    return int(theme), int(position)


def version_de(charte: Charte, version_id: int) -> Version:
    """One of the charter's versions, from the list already loaded with the charter."""
    return next(v for v in charte.versions if v.id == version_id)


@dataclass(frozen=True)
class EtatBase:
    """Whether the clause changed since the amendment was written, and whether it can be rebased."""

    perimee: bool
    base: Version
    courante: Version
    clause: VersionClause | None = None  # the clause in the version in force (None: no longer there)
    titre: str | None = None  # the rebased title and text, when the patch applies exactly
    texte: str | None = None

    @property
    def rebasable(self) -> bool:
        return self.perimee and self.texte is not None


def etat_de_la_base(amendement: Amendement) -> EtatBase:
    """Compare the amendment's base with the version in force; compute the exact rebase if any."""
    charte = amendement.charte
    courante = charte.version_courante
    base = version_de(charte, amendement.base_version_id)
    if courante.id == base.id or amendement.nature == Nature.AJOUT:
        return EtatBase(False, base, courante)
    revision = amendement.revision
    clause = courante.clause(amendement.clause_ref)
    if clause is not None and (clause.titre, clause.texte) == (revision.base_titre, revision.base_texte):
        return EtatBase(False, base, courante, clause)
    if clause is None:
        return EtatBase(True, base, courante)
    if amendement.nature == Nature.SUPPRESSION:
        return EtatBase(True, base, courante, clause, clause.titre, "")
    from charte.textes.diffs import appliquer_exact

    titre = appliquer_exact(revision.base_titre, revision.titre, clause.titre)
    texte = appliquer_exact(revision.base_texte, revision.texte, clause.texte)
    if titre.ok and texte.ok:
        return EtatBase(True, base, courante, clause, titre.texte, texte.texte)
    return EtatBase(True, base, courante, clause)


# --- Writing -------------------------------------------------------------------------------------


def _contenu(nature: Nature, base: tuple[str, str], titre: str | None, texte: str | None,
             expose: str | None) -> tuple[str, str, str]:
    """The cleaned (title, text, rationale) of a proposal on the clause `base` (title, text); a suppression
    keeps the clause's title and has no text."""
    if nature == Nature.SUPPRESSION:
        titre, texte = base[0], ""
    else:
        titre = nettoyer_titre(titre)
        texte = nettoyer_texte(texte, "texte", "le texte proposé", TEXTE_MAX)
    expose = nettoyer_texte(expose, "expose", "l’exposé des motifs", EXPOSE_MAX)
    if nature == Nature.MODIFICATION and (titre, texte) == base:
        raise InvalidInput("Le texte proposé est identique à la clause : modifiez-le avant d’enregistrer.", "texte")
    return titre, texte, expose


def creer_amendement(tour: Tour, nature: Nature | str, *, clause_ref: str | None = None,
                     emplacement: str | None = None, titre: str | None = None, texte: str | None = None,
                     expose: str | None = None, actor: User) -> Amendement:
    """Write a private draft on behalf of the author's department, against the version in force."""
    require("creer", tour, actor)
    try:
        nature = Nature(nature)
    except ValueError:
        raise InvalidInput("Choisissez une modification, un ajout ou une suppression.", "nature") from None
    version = tour.charte.version_courante
    clause, position = None, None
    if nature == Nature.AJOUT:
        theme_position, position = lire_emplacement(version, emplacement)
    else:
        clause = version.clause(clause_ref or "")
        if clause is None:
            raise InvalidInput("Cette clause ne figure pas dans le texte en vigueur.", "clause_ref")
        theme_position = clause.theme_position
    titre, texte, expose = _contenu(nature, (clause.titre, clause.texte) if clause else ("", ""), titre, texte, expose)
    doublon = db.session.scalar(select(Amendement.numero).filter_by(
        tour_id=tour.id, auteur_id=actor.id, nature=nature, clause_ref=clause.ref if clause else None,
        theme_position=theme_position, position=position, titre=titre, texte=texte, expose=expose,
    ).where(Amendement.statut != AmendementStatut.RETIRE).limit(1))
    if doublon is not None:  # a double click, or the same form sent twice
        raise Conflict(f"Vous avez déjà enregistré cet amendement (n° {doublon}) : il n’a pas été créé une "
                       "seconde fois.")
    now = maintenant()
    numero = 1 + (db.session.scalar(select(func.max(Amendement.numero)).filter_by(charte_id=tour.charte_id)) or 0)
    amendement = Amendement(
        tour_id=tour.id, charte_id=tour.charte_id, numero=numero, nature=nature,
        statut=AmendementStatut.BROUILLON, clause_ref=clause.ref if clause else None,
        theme_position=theme_position, position=position, auteur_id=actor.id,
        departement_id=actor.departement_id, base_version_id=version.id, titre=titre, texte=texte, expose=expose,
        revision_courante=1, created_at=now, statut_at=now,
    )
    amendement.revisions.append(Revision(
        numero=1, base_version_id=version.id, base_titre=clause.titre if clause else "",
        base_texte=clause.texte if clause else "", titre=titre, texte=texte, expose=expose, auteur_id=actor.id,
        created_at=now,
    ))
    db.session.add(amendement)
    db.session.flush()
    record("amendement.cree", actor, f"amendement:{amendement.id}", numero=numero, nature=nature.value,
           clause=amendement.clause_ref, emplacement=emplacement if nature == Nature.AJOUT else None, tour=tour.id)
    return amendement


def _comite_actif() -> list[int]:
    return list(db.session.scalars(select(User.id).filter_by(is_comite=True, is_active=True)))


def deposer_amendement(amendement: Amendement, *, actor: User) -> Amendement:
    """Submit a draft: it becomes visible, open to comments and co-signatures; the committee is told."""
    require("deposer", amendement, actor)
    now = maintenant()
    amendement.statut = AmendementStatut.DEPOSE
    amendement.depose_at = amendement.statut_at = now
    db.session.flush()
    record("amendement.depose", actor, f"amendement:{amendement.id}", numero=amendement.numero,
           revision=amendement.revision_courante)
    notifier(_comite_actif(), "amendement.depose",
             f"Amendement n° {amendement.numero} déposé par {amendement.departement.nom} : « {amendement.titre} ».",
             lien(amendement), sauf=actor)
    return amendement


def _verrou(amendement: Amendement, revision_attendue: int | None, apres: str) -> None:
    """Optimistic lock: the form was written on the current revision, or the save is refused."""
    if revision_attendue != amendement.revision_courante:
        raise Conflict(
            f"Cet amendement a été modifié entre-temps : il en est à la révision {amendement.revision_courante}. "
            f"Rien n’a été enregistré. {apres}")


def _nouvelle_revision(amendement: Amendement, titre: str, texte: str, expose: str, actor: User, note: str = "",
                       base: tuple[Version, VersionClause] | None = None) -> Revision:
    precedente = amendement.revision
    numero = amendement.revision_courante + 1
    revision = Revision(
        numero=numero, titre=titre, texte=texte, expose=expose, note=note, auteur_id=actor.id,
        created_at=maintenant(),
        base_version_id=base[0].id if base else precedente.base_version_id,
        base_titre=base[1].titre if base else precedente.base_titre,
        base_texte=base[1].texte if base else precedente.base_texte,
    )
    amendement.revisions.append(revision)
    amendement.titre, amendement.texte, amendement.expose = titre, texte, expose
    amendement.revision_courante = numero
    if base:
        amendement.base_version_id = base[0].id
    db.session.flush()
    return revision


def reviser_amendement(amendement: Amendement, titre: str | None, texte: str | None, expose: str | None,
                       revision_attendue: int | None, *, actor: User) -> Revision:
    """Save a new revision (every one is kept), refusing a save made on an older revision."""
    require("reviser", amendement, actor)
    _verrou(amendement, revision_attendue,
            "Votre texte est conservé ci-dessous : relisez la dernière révision, puis enregistrez de nouveau "
            "pour la remplacer.")
    precedente = amendement.revision
    titre, texte, expose = _contenu(Nature(amendement.nature), (precedente.base_titre, precedente.base_texte),
                                    titre, texte, expose)
    if (titre, texte, expose) == (precedente.titre, precedente.texte, precedente.expose):
        raise InvalidInput("Rien n’a changé depuis la révision en cours : il n’y a rien à enregistrer.", "texte")
    revision = _nouvelle_revision(amendement, titre, texte, expose, actor)
    record("amendement.revise", actor, f"amendement:{amendement.id}", numero=amendement.numero,
           revision=revision.numero, statut=AmendementStatut(amendement.statut).value)
    return revision


def rebaser_amendement(amendement: Amendement, revision_attendue: int | None, *, actor: User) -> Revision:
    """Carry the amendment over to the version in force, only when its changes apply there exactly."""
    require("reviser", amendement, actor)
    _verrou(amendement, revision_attendue, "Relisez-le avant de le rebaser.")
    etat = etat_de_la_base(amendement)
    if not etat.perimee:
        raise Conflict("Cet amendement est déjà écrit sur le texte en vigueur : il n’y a rien à rebaser.")
    if etat.clause is None:
        raise Conflict(f"La clause {amendement.clause_ref} ne figure plus dans la version {etat.courante.numero} : "
                       "cet amendement ne peut pas être rebasé.")
    if not etat.rebasable:
        raise Conflict("La clause a changé aux endroits mêmes que modifie l’amendement : il ne peut pas être "
                       "rebasé automatiquement. Réécrivez-le à partir du texte en vigueur.")
    revision = _nouvelle_revision(amendement, etat.titre, etat.texte, amendement.expose, actor,
                                  note=f"Rebasée sur la version {etat.courante.numero}",
                                  base=(etat.courante, etat.clause))
    record("amendement.rebase", actor, f"amendement:{amendement.id}", numero=amendement.numero,
           revision=revision.numero, de_version=etat.base.numero, vers_version=etat.courante.numero)
    return revision


def retirer_amendement(amendement: Amendement, *, actor: User) -> Amendement:
    """The author withdraws their amendment (a draft is abandoned the same way), while nobody has voted."""
    require("retirer", amendement, actor)
    precedent = AmendementStatut(amendement.statut)
    amendement.statut = AmendementStatut.RETIRE
    amendement.statut_at = maintenant()
    db.session.flush()
    record("amendement.retire", actor, f"amendement:{amendement.id}", numero=amendement.numero,
           depuis=precedent.value)
    return amendement


def cosigner_amendement(amendement: Amendement, *, actor: User) -> Cosignature:
    """An agent of another department supports the amendment; their department is listed; the author is told."""
    require("cosigner", amendement, actor)
    cosignature = Cosignature(user_id=actor.id, departement_id=actor.departement_id, created_at=maintenant())
    amendement.cosignatures.append(cosignature)
    db.session.flush()
    record("amendement.cosigne", actor, f"amendement:{amendement.id}", numero=amendement.numero,
           departement=actor.departement_id)
    notifier([amendement.auteur_id], "amendement.cosigne",
             f"{actor.nom} ({actor.departement.nom}) a cosigné {designation(amendement)}.", lien(amendement, "soutiens"))
    return cosignature


def declarer_irrecevable(amendement: Amendement, motif: str | None, *, actor: User) -> Amendement:
    """The committee declares the amendment inadmissible, with a reason shown to all; the author is told."""
    require("declarer_irrecevable", amendement, actor)
    motif = nettoyer_texte(motif, "motif", "le motif", MOTIF_MAX)
    changer_statut(amendement, AmendementStatut.IRRECEVABLE, motif)
    record("amendement.irrecevable", actor, f"amendement:{amendement.id}", numero=amendement.numero, motif=motif)
    notifier([amendement.auteur_id], "amendement.irrecevable",
             f"Le comité a déclaré {designation(amendement)} irrecevable : {motif}", lien(amendement), sauf=actor)
    return amendement


def changer_statut(amendement: Amendement, vers: AmendementStatut | str, motif: str = "") -> Amendement:
    """Move an amendment to another state, as the state machine allows (the ballots checked when it matters).

    For the other modules' services (opening and closing the vote, consolidation): it checks the
    transition only, neither permission nor window, and does not journal; the caller does both.
    """
    vers = AmendementStatut(vers)
    de = AmendementStatut(amendement.statut)
    verifier_transition(de, vers, (de, vers) in SANS_BULLETIN and bulletins_existent(amendement))
    amendement.statut = vers
    amendement.statut_at = maintenant()
    if motif:
        amendement.motif = motif
    db.session.flush()
    return amendement
