"""Receipt codes (pure): shape, uniqueness, collisions with codes already given, recount."""
import itertools

from hypothesis import given
from hypothesis import strategies as st

from charte.scrutins.decompte import Comptes
from charte.scrutins.recus import ALPHABET, FORME, nouveau_code, nouveaux_codes, recompter


def test_a_code_has_ten_unambiguous_characters_in_three_groups():
    for _ in range(200):
        code = nouveau_code()
        assert FORME.match(code), code
        assert len(code.replace("-", "")) == 10
    assert not set("01OIL") & set(ALPHABET)


def test_codes_are_distinct_and_avoid_those_already_taken():
    # A deterministic source that repeats itself: the first codes collide with each other and with the taken one.
    source = itertools.cycle("2222222222" "2222222222" "3333333333" "4444444444" "5555555555")
    taken = {"3333-3333-33"}
    asked = []

    def deja_pris(batch):
        asked.append(set(batch))
        return batch & taken

    codes = nouveaux_codes(3, deja_pris, choice=lambda alphabet: next(source))
    assert sorted(codes) == ["2222-2222-22", "4444-4444-44", "5555-5555-55"]
    assert len(asked) == 2  # the taken code was replaced in a second round


def test_many_codes_are_unique():
    codes = nouveaux_codes(5000)
    assert len(set(codes)) == 5000 and all(FORME.match(c) for c in codes)


@given(st.lists(st.sampled_from(["pour", "contre", "abstention"]), max_size=50))
def test_recount(choices):
    liste = [(nouveau_code(), c) for c in choices]
    assert recompter(liste) == Comptes(choices.count("pour"), choices.count("contre"), choices.count("abstention"))
