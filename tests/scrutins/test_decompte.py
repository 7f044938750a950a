"""The pure vote count: quorum, the three majority rules, one voice per department."""
from itertools import product

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from charte.scrutins.decompte import (
    ABSTENTION, CONTRE, POUR, Comptes, Regle, Regles, Voix, decompter, expliquer, majorite_obtenue, seuil_qualifie,
    voix_du_service, votants_requis,
)

NBSP = "\u00a0"


def bulletins(pour=0, contre=0, abstention=0, departement="A"):
    return [Voix(POUR, departement)] * pour + [Voix(CONTRE, departement)] * contre \
        + [Voix(ABSTENTION, departement)] * abstention


# --- Majority rules --------------------------------------------------------------------------------

@pytest.mark.parametrize("regle, p, c, a, adopte", [
    # simple: pour > contre
    (Regle.SIMPLE, 3, 2, 0, True), (Regle.SIMPLE, 2, 2, 0, False), (Regle.SIMPLE, 2, 3, 0, False),
    (Regle.SIMPLE, 1, 0, 50, True), (Regle.SIMPLE, 0, 0, 5, False), (Regle.SIMPLE, 0, 0, 0, False),
    # absolute: pour > contre + abstention
    (Regle.ABSOLUE, 6, 3, 2, True), (Regle.ABSOLUE, 5, 3, 2, False), (Regle.ABSOLUE, 4, 3, 2, False),
    (Regle.ABSOLUE, 1, 0, 0, True), (Regle.ABSOLUE, 0, 0, 0, False), (Regle.ABSOLUE, 3, 0, 3, False),
    # qualified: pour ≥ 2/3 of pour + contre (abstentions aside), at least one pour
    (Regle.QUALIFIEE, 2, 1, 0, True), (Regle.QUALIFIEE, 4, 2, 9, True), (Regle.QUALIFIEE, 3, 2, 0, False),
    (Regle.QUALIFIEE, 20, 10, 0, True), (Regle.QUALIFIEE, 19, 10, 0, False), (Regle.QUALIFIEE, 1, 0, 0, True),
    (Regle.QUALIFIEE, 0, 0, 3, False), (Regle.QUALIFIEE, 0, 0, 0, False), (Regle.QUALIFIEE, 1, 1, 0, False),
])
def test_majority_rules(regle, p, c, a, adopte):
    assert majorite_obtenue(regle, Comptes(p, c, a)) is adopte
    result = decompter(Regles(0, regle), p + c + a, bulletins(p, c, a))
    assert result.adopte is adopte and result.comptes == Comptes(p, c, a)


@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60))
def test_qualified_is_two_thirds_exactly(p, c, a):
    two_thirds = (p + c) and p / (p + c) >= 2 / 3 - 1e-12
    assert majorite_obtenue(Regle.QUALIFIEE, Comptes(p, c, a)) is bool(p > 0 and two_thirds)
    assert (p >= seuil_qualifie(Comptes(p, c, a))) is majorite_obtenue(Regle.QUALIFIEE, Comptes(p, c, a))


# --- Quorum ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("quorum, electeurs, votants, atteint", [
    (25, 80, 20, True),  # exactly reached: 20/80 = 25 %
    (25, 80, 19, False),
    (25, 80, 34, True),
    (25, 10, 3, True),  # 30 % ≥ 25 %
    (25, 10, 2, False),  # 20 %
    (33, 3, 1, True),  # 33.3 % ≥ 33 %
    (34, 3, 1, False),
    (50, 4, 2, True),
    (100, 4, 4, True), (100, 4, 3, False),
    (0, 10, 0, True),  # no quorum: reached even with nobody
    (25, 10, 0, False),  # zero voters
    (25, 0, 0, False),  # empty electorate: nobody could vote, a quorum > 0 is not reached
    (0, 0, 0, True),
])
def test_quorum(quorum, electeurs, votants, atteint):
    result = decompter(Regles(quorum, Regle.SIMPLE), electeurs, bulletins(pour=votants))
    assert result.quorum_atteint is atteint
    assert result.adopte is (atteint and votants > 0)
    assert (votants >= votants_requis(quorum, electeurs)) is atteint


def test_abstentions_count_towards_the_quorum():
    result = decompter(Regles(50, Regle.SIMPLE), 10, bulletins(pour=2, contre=1, abstention=2))
    assert result.votants == 5 and result.quorum_atteint and result.adopte


def test_quorum_missed_rejects_even_a_unanimous_vote():
    result = decompter(Regles(50, Regle.SIMPLE), 10, bulletins(pour=4))
    assert result.majorite_obtenue and not result.quorum_atteint and not result.adopte


@pytest.mark.parametrize("bad", [
    lambda: Regles(101, Regle.SIMPLE), lambda: Regles(-1, Regle.SIMPLE), lambda: Regles(10, "proportionnelle"),
    lambda: Voix("peut-etre"), lambda: decompter(Regles(0, Regle.SIMPLE), 1, bulletins(pour=2)),
])
def test_impossible_inputs_are_refused(bad):
    with pytest.raises(ValueError):
        bad()


# --- One voice per department -----------------------------------------------------------------

@pytest.mark.parametrize("p, c, a, voix", [
    (2, 1, 0, POUR), (1, 2, 5, CONTRE), (2, 2, 0, ABSTENTION), (2, 2, 7, ABSTENTION),  # split evenly: abstains
    (0, 0, 3, ABSTENTION), (1, 0, 9, POUR), (0, 1, 0, CONTRE),
])
def test_a_department_voice_is_the_majority_of_its_agents(p, c, a, voix):
    assert voix_du_service(Comptes(p, c, a)) == voix


def test_a_large_department_cannot_outvote_the_small_ones():
    ballots = bulletins(pour=10, departement="Grand") + bulletins(contre=1, departement="B") \
        + bulletins(contre=1, departement="C")
    individual = decompter(Regles(0, Regle.SIMPLE), 12, ballots)
    per_department = decompter(Regles(0, Regle.SIMPLE, une_voix_par_service=True), 12, ballots)
    assert individual.adopte
    assert not per_department.adopte and per_department.decisifs == Comptes(1, 2, 0)
    assert [(s.departement, s.voix) for s in per_department.services] == [("B", CONTRE), ("C", CONTRE),
                                                                          ("Grand", POUR)]


def test_a_department_split_evenly_abstains_and_weighs_under_absolute_majority():
    ballots = bulletins(pour=1, contre=1, departement="Partagé") + bulletins(pour=1, departement="B")
    simple = decompter(Regles(0, Regle.SIMPLE, True), 3, ballots)
    absolue = decompter(Regles(0, Regle.ABSOLUE, True), 3, ballots)
    assert simple.decisifs == Comptes(1, 0, 1) and simple.adopte  # 1 > 0
    assert not absolue.adopte  # 1 > 0 + 1 is false


def test_department_mode_keeps_the_quorum_on_individual_voters():
    ballots = bulletins(pour=3, departement="A") + bulletins(contre=1, departement="B")
    result = decompter(Regles(50, Regle.SIMPLE, True), 10, ballots)
    assert result.votants == 4 and not result.quorum_atteint  # 4 agents of 10, though 2 departments voted
    assert decompter(Regles(40, Regle.SIMPLE, True), 10, ballots).quorum_atteint


def test_department_mode_with_zero_voters():
    result = decompter(Regles(0, Regle.SIMPLE, True), 5, [])
    assert result.services == () and result.decisifs == Comptes() and not result.adopte


@pytest.mark.parametrize("regle", list(Regle))
@pytest.mark.parametrize("tallies", list(product(range(3), repeat=3)))
def test_one_agent_per_department_gives_the_individual_result(regle, tallies):
    """Exhaustive over small counts: when every department has one voter, both modes agree."""
    p, c, a = tallies
    choices = [POUR] * p + [CONTRE] * c + [ABSTENTION] * a
    ballots = [Voix(choix, f"S{i}") for i, choix in enumerate(choices)]
    individual = decompter(Regles(0, regle), len(ballots), ballots)
    per_department = decompter(Regles(0, regle, True), len(ballots), ballots)
    assert individual.adopte == per_department.adopte
    assert per_department.decisifs == individual.comptes


# --- Properties ---------------------------------------------------------------------------------

voix_strategy = st.builds(Voix, st.sampled_from([POUR, CONTRE, ABSTENTION]), st.sampled_from("ABCDE"))
regles_strategy = st.builds(Regles, st.integers(0, 100), st.sampled_from(list(Regle)), st.booleans())


@given(regles_strategy, st.lists(voix_strategy, max_size=40), st.integers(0, 20), st.sampled_from("ABCDEF"))
def test_adding_a_pour_never_turns_adopted_into_rejected(regles, ballots, extra, departement):
    electeurs = len(ballots) + 1 + extra
    before = decompter(regles, electeurs, ballots)
    after = decompter(regles, electeurs, ballots + [Voix(POUR, departement)])
    assert not (before.adopte and not after.adopte)


@given(regles_strategy, st.lists(voix_strategy, max_size=40), st.integers(0, 20), st.sampled_from("ABCDEF"))
def test_adding_a_contre_never_turns_rejected_into_adopted_when_the_quorum_was_reached(regles, ballots, extra,
                                                                                       departement):
    electeurs = len(ballots) + 1 + extra
    before = decompter(regles, electeurs, ballots)
    assume(before.quorum_atteint)
    after = decompter(regles, electeurs, ballots + [Voix(CONTRE, departement)])
    assert not (not before.adopte and after.adopte)


@given(regles_strategy, st.lists(voix_strategy, max_size=40), st.integers(0, 20))
def test_counts_add_up_and_the_order_of_ballots_does_not_matter(regles, ballots, extra):
    electeurs = len(ballots) + extra
    result = decompter(regles, electeurs, ballots)
    assert result.comptes.total == result.votants == len(ballots)
    assert decompter(regles, electeurs, list(reversed(ballots))) == result
    assert result.adopte == (result.quorum_atteint and result.majorite_obtenue)
    if regles.une_voix_par_service:
        assert result.decisifs.total == len({b.departement for b in ballots})
        assert sum(s.comptes.total for s in result.services) == len(ballots)


@given(st.lists(voix_strategy, min_size=1, max_size=40))
def test_swapping_pour_and_contre_never_adopts_both_under_simple_majority(ballots):
    swapped = [Voix({POUR: CONTRE, CONTRE: POUR}.get(b.choix, b.choix), b.departement) for b in ballots]
    for une_voix in (False, True):
        regles = Regles(0, Regle.SIMPLE, une_voix)
        assert not (decompter(regles, len(ballots), ballots).adopte
                    and decompter(regles, len(ballots), swapped).adopte)


@given(st.integers(0, 100), st.integers(0, 500))
def test_votants_requis_is_the_smallest_number_that_reaches_the_quorum(quorum, electeurs):
    n = votants_requis(quorum, electeurs)
    if n <= electeurs:
        assert n * 100 >= quorum * electeurs
    if n > 0 and quorum > 0 and n - 1 >= 1:
        assert (n - 1) * 100 < quorum * electeurs


# --- The explanation in French --------------------------------------------------------------------

def test_explanation_of_a_simple_vote():
    result = decompter(Regles(25, Regle.SIMPLE), 80, bulletins(pour=20, contre=12, abstention=2))
    lines = expliquer(result)
    assert lines[0] == (f"Quorum atteint{NBSP}: 34{NBSP}votants sur 80{NBSP}agents, seuil 25{NBSP}% "
                        f"(20{NBSP}votants au moins).")
    assert lines[1] == (f"Majorité simple (bulletins){NBSP}: 20 «{NBSP}pour{NBSP}» > 12 «{NBSP}contre{NBSP}», "
                        "majorité obtenue.")
    assert lines[-1] == f"Résultat{NBSP}: adopté."


def test_explanation_of_a_missed_quorum_and_a_qualified_majority():
    result = decompter(Regles(50, Regle.QUALIFIEE), 10, bulletins(pour=3, contre=1))
    lines = expliquer(result)
    assert lines[0].startswith(f"Quorum non atteint{NBSP}: 4{NBSP}votants sur 10{NBSP}agents, seuil 50{NBSP}%")
    assert "soit 3" in lines[1] and "majorité obtenue" in lines[1]
    assert lines[-1] == f"Résultat{NBSP}: rejeté, faute de quorum."


def test_explanation_of_department_voices_names_each_department():
    ballots = bulletins(pour=2, contre=1, departement=1) + bulletins(contre=1, departement=2)
    result = decompter(Regles(0, Regle.ABSOLUE, True), 4, ballots)
    lines = expliquer(result, {1: "Ressources humaines", 2: "État civil"}.get)
    text = "\n".join(lines)
    assert f"2{NBSP}services ont voté" in text
    assert f"Ressources humaines{NBSP}: 2 pour, 1 contre, 0{NBSP}abstention → «{NBSP}pour{NBSP}»." in text
    assert "Majorité absolue (voix de services)" in text and lines[-1] == f"Résultat{NBSP}: rejeté."
