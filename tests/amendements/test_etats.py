"""The amendment state machine: every pair of states, with and without ballots."""
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charte.amendements.etats import (
    COMMENTABLES,
    REVISABLES,
    TERMINAUX,
    AmendementStatut,
    TransitionInterdite,
    peut_passer,
    verifier_transition,
)
from charte.exceptions import Conflict

S = AmendementStatut

ALLOWED = {
    ("brouillon", "depose"), ("brouillon", "retire"),
    ("depose", "en_vote"), ("depose", "retire"), ("depose", "irrecevable"),
    ("en_vote", "adopte"), ("en_vote", "rejete"), ("en_vote", "retire"), ("en_vote", "irrecevable"),
    ("adopte", "integre"), ("adopte", "caduc"),
}
NEEDS_NO_BALLOT = {("en_vote", "retire"), ("en_vote", "irrecevable")}
PAIRS = list(itertools.product([s.value for s in S], repeat=2))


@pytest.mark.parametrize("de, vers", PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
@pytest.mark.parametrize("bulletins", [False, True], ids=["sans-bulletin", "avec-bulletins"])
def test_every_pair(de, vers, bulletins):
    expected = (de, vers) in ALLOWED and not (bulletins and (de, vers) in NEEDS_NO_BALLOT)
    assert peut_passer(de, vers, bulletins) is expected
    assert peut_passer(S(de), S(vers), bulletins) is expected
    if expected:
        assert verifier_transition(de, vers, bulletins) is None
    else:
        with pytest.raises(TransitionInterdite) as refused:
            verifier_transition(de, vers, bulletins)
        assert refused.value.status == 409
        assert isinstance(refused.value, Conflict)
        assert "’" in refused.value.message or "bulletins" in refused.value.message


def test_ballots_are_named_in_the_refusal():
    with pytest.raises(TransitionInterdite, match="Des bulletins ont déjà été déposés .* retiré"):
        verifier_transition("en_vote", "retire", bulletins=True)
    with pytest.raises(TransitionInterdite, match="irrecevable"):
        verifier_transition("en_vote", "irrecevable", bulletins=True)


@pytest.mark.parametrize("statut", ["rejete", "integre", "retire", "irrecevable", "caduc"])
def test_terminal_states_say_so(statut):
    assert S(statut) in TERMINAUX
    with pytest.raises(TransitionInterdite, match="ne peut plus changer d’état"):
        verifier_transition(statut, "depose")


def test_same_state_is_refused_with_its_own_message():
    with pytest.raises(TransitionInterdite, match="déjà à l’état « Déposé »"):
        verifier_transition("depose", "depose")


def test_unknown_state_is_a_value_error():
    with pytest.raises(ValueError):
        peut_passer("publie", "depose")


def test_state_sets():
    assert REVISABLES == {S.BROUILLON, S.DEPOSE}
    assert COMMENTABLES == {S.DEPOSE, S.EN_VOTE}
    assert TERMINAUX == {S.REJETE, S.INTEGRE, S.RETIRE, S.IRRECEVABLE, S.CADUC}
    assert all(s.label and s.label[0].isupper() for s in S)


@given(st.lists(st.sampled_from(list(S)), min_size=1, max_size=12))
def test_every_path_from_a_draft_is_short_and_ends_somewhere_known(path):
    """Following only allowed moves, no state is ever visited twice (the machine has no cycle)."""
    state, seen = S.BROUILLON, {S.BROUILLON}
    for target in path:
        if peut_passer(state, target):
            assert target not in seen
            seen.add(target)
            state = target
    assert len(seen) <= 5
