"""The life cycle of an amendment, as data: which state may follow which (pure, no Flask or SQLAlchemy).

    brouillon ──► déposé ──► en vote ──► adopté ──► intégré
        │           │           │           └─────► caduc
        │           │           └─────────► rejeté
        └──► retiré ◄┤◄─ (en vote: only while no ballot exists)
                     └─► irrecevable ◄─ (en vote: only while no ballot exists)

A draft may be abandoned (retiré) by its author; it stays private: what everyone may see is what has
been submitted once (depose_at is set), whatever its state since. Withdrawal and inadmissibility stay possible once the
vote is open as long as nobody has voted: after the first ballot the text belongs to the vote.
"""
from __future__ import annotations

import enum

from charte.exceptions import Conflict


class AmendementStatut(str, enum.Enum):
    BROUILLON = "brouillon"  # private to its author
    DEPOSE = "depose"  # visible, open for comments and co-signatures, revisable by its author
    EN_VOTE = "en_vote"  # text frozen, ballots accepted
    ADOPTE = "adopte"
    REJETE = "rejete"
    INTEGRE = "integre"  # applied into a new version
    RETIRE = "retire"  # withdrawn by its author while no ballot existed
    IRRECEVABLE = "irrecevable"  # declared inadmissible by the committee, with a reason
    CADUC = "caduc"  # lapsed: its clause was deleted or rewritten by another adopted amendment

    @property
    def label(self) -> str:
        return LABELS[self]


S = AmendementStatut

LABELS = {
    S.BROUILLON: "Brouillon",
    S.DEPOSE: "Déposé",
    S.EN_VOTE: "En vote",
    S.ADOPTE: "Adopté",
    S.REJETE: "Rejeté",
    S.INTEGRE: "Intégré",
    S.RETIRE: "Retiré",
    S.IRRECEVABLE: "Irrecevable",
    S.CADUC: "Caduc",
}

# Every allowed move. Anything not listed is refused.
TRANSITIONS: dict[AmendementStatut, frozenset[AmendementStatut]] = {
    S.BROUILLON: frozenset({S.DEPOSE, S.RETIRE}),
    S.DEPOSE: frozenset({S.EN_VOTE, S.RETIRE, S.IRRECEVABLE}),
    S.EN_VOTE: frozenset({S.ADOPTE, S.REJETE, S.RETIRE, S.IRRECEVABLE}),
    S.ADOPTE: frozenset({S.INTEGRE, S.CADUC}),
    S.REJETE: frozenset(),
    S.INTEGRE: frozenset(),
    S.RETIRE: frozenset(),
    S.IRRECEVABLE: frozenset(),
    S.CADUC: frozenset(),
}

# Moves allowed only while no ballot has been cast on the amendment.
SANS_BULLETIN: frozenset[tuple[AmendementStatut, AmendementStatut]] = frozenset({
    (S.EN_VOTE, S.RETIRE),
    (S.EN_VOTE, S.IRRECEVABLE),
})

# States whose text its author may still change (the round must also still be in its submission phase).
REVISABLES = frozenset({S.BROUILLON, S.DEPOSE})
# States in which the discussion is open.
COMMENTABLES = frozenset({S.DEPOSE, S.EN_VOTE})
TERMINAUX = frozenset(s for s, suivants in TRANSITIONS.items() if not suivants)


class TransitionInterdite(Conflict):
    """The amendment cannot go from its state to the one asked for (HTTP 409)."""


def peut_passer(de: AmendementStatut | str, vers: AmendementStatut | str, bulletins: bool = False) -> bool:
    """Whether an amendment in state `de` may go to `vers`; `bulletins`: whether a ballot exists on it."""
    de, vers = AmendementStatut(de), AmendementStatut(vers)
    if vers not in TRANSITIONS[de]:
        return False
    return not (bulletins and (de, vers) in SANS_BULLETIN)


def verifier_transition(de: AmendementStatut | str, vers: AmendementStatut | str, bulletins: bool = False) -> None:
    """Raise TransitionInterdite, with a French message, unless the move is allowed."""
    de, vers = AmendementStatut(de), AmendementStatut(vers)
    if peut_passer(de, vers, bulletins):
        return
    if vers in TRANSITIONS[de]:  # refused only because somebody voted
        quoi = "retiré" if vers == S.RETIRE else "déclaré irrecevable"
        raise TransitionInterdite(f"Des bulletins ont déjà été déposés sur cet amendement : il ne peut plus être {quoi}.")
    if de == vers:
        raise TransitionInterdite(f"Cet amendement est déjà à l’état « {de.label} ».")
    if de in TERMINAUX:
        raise TransitionInterdite(f"Cet amendement est à l’état « {de.label} » : il ne peut plus changer d’état.")
    raise TransitionInterdite(
        f"Un amendement à l’état « {de.label} » ne peut pas passer à l’état « {vers.label} ».")
