"""Receipt codes: one random code per final ballot, given at closing, so that each voter can find their
ballot in the published list (code and choice, no name) and anyone can recount it. Pure."""
from __future__ import annotations

import re
import secrets
from typing import Callable, Iterable

from charte.scrutins.decompte import Comptes

# No 0/O, 1/I/L: a code read aloud or copied by hand stays unambiguous.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LONGUEUR = 10  # 31^10 ≈ 8·10^14 possible codes
FORME = re.compile(r"^[%s]{4}-[%s]{4}-[%s]{2}$" % ((ALPHABET,) * 3))


def nouveau_code(choice: Callable[[str], str] = secrets.choice) -> str:
    """A random code such as K7PQ-ZR3M-HX."""
    raw = "".join(choice(ALPHABET) for _ in range(LONGUEUR))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def nouveaux_codes(nombre: int, deja_pris: Callable[[set[str]], set[str]] = lambda codes: set(),
                   choice: Callable[[str], str] = secrets.choice) -> list[str]:
    """`nombre` distinct codes, none of which `deja_pris` (asked about a batch, answers the taken ones) knows."""
    codes: set[str] = set()
    while len(codes) < nombre:
        batch = set()
        while len(batch) < nombre - len(codes):
            code = nouveau_code(choice)
            if code not in codes:
                batch.add(code)
        codes |= batch - deja_pris(batch)
    # Handed out in random order: the order of the ballots (their casting time, which the journal
    # shows for each voter) must not be readable from the order of the codes.
    shuffled = list(codes)
    secrets.SystemRandom().shuffle(shuffled)
    return shuffled


def recompter(liste: Iterable[tuple[str, str]]) -> Comptes:
    """Recount a published list of (code, choice)."""
    return Comptes.de(choix for _code, choix in liste)
