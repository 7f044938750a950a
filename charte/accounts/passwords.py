"""Password rules and argon2id hashing (argon2-cffi); guessable passwords refused (zxcvbn)."""
from __future__ import annotations

import re
import secrets
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import zxcvbn
from zxcvbn import matching as zxcvbn_matching

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from charte.exceptions import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 128

# argon2id with the library's recommended parameters (RFC 9106, 64 MiB, 3 passes). The test
# suite sets CHARTE_PASSWORD_PROFILE="tests": the same algorithm at its cheapest cost.
_PROFILES = {"standard": PasswordHasher(), "tests": PasswordHasher.from_parameters(profiles.CHEAPEST)}


def _hasher() -> PasswordHasher:
    name = current_app.config.get("CHARTE_PASSWORD_PROFILE", "standard") if has_app_context() else "standard"
    return _PROFILES[name]


@lru_cache(maxsize=None)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the e-mail is unknown, so that both paths cost the same time."""
    return hasher.hash("charte-compte-inexistant")

# No look-alike characters (0/O, 1/l/I): the password is read aloud or copied from a screen.
_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def check_password_rules(password: str, field: str = "password") -> None:
    """Refuse a password outside 12–128 characters, before any hashing."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"Le mot de passe doit compter au moins {MIN_LENGTH} caractères.", field)
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"Le mot de passe ne peut pas dépasser {MAX_LENGTH} caractères.", field)
    if not password.strip():
        raise InvalidInput("Le mot de passe ne peut pas être fait que d’espaces.", field)


# --- Guessable passwords ------------------------------------------------------------------------
# zxcvbn (Dropbox's estimator) rates a password by the cheapest way to guess it: its 30,000 most
# common leaked passwords (azerty, azertyuiop, motdepasse, soleil, doudou's kin…), names, words,
# keyboard walks, dates, repeats and sequences, with l33t and case variants. We add what it lacks
# for a French authority: a shipped list of French words and passwords (mots_de_passe_fr.txt) and
# the AZERTY keyboard. A password must score 3 of 4 ("safely unguessable", over 10^8 guesses).
MIN_SCORE = 3
_ZXCVBN_MAX = 72  # zxcvbn refuses longer input; past 72 characters only the beginning is rated
_FRENCH_LIST = Path(__file__).with_name("mots_de_passe_fr.txt")
# zxcvbn keeps the user inputs of a call in a module-level dictionary: one call at a time.
_ZXCVBN_LOCK = threading.Lock()

# AZERTY rows, one key per token (unshifted then shifted character), laid out as zxcvbn lays out
# QWERTY: each row starts one column further right, so that neighbours are found by position.
_AZERTY = """
²³ &1 é2 "3 '4 (5 -6 è7 _8 ç9 à0 )° =+
    aA zZ eE rR tT yY uU iI oO pP ^¨ $£
     qQ sS dD fF gG hH jJ kK lL mM ù% *µ
      wW xX cC vV bB nN ,? ;. :/ !§
"""


def _keyboard_graph(layout: str) -> dict[str, list[str | None]]:
    """zxcvbn's adjacency graph for a slanted keyboard (its build script's algorithm)."""
    positions = {}
    for y, line in enumerate(layout.split("\n")):
        slant = y - 1
        for token in line.split():
            x, remainder = divmod(line.index(token) - slant, 3)
            assert remainder == 0, token
            positions[(x, y)] = token
    graph = {}
    for (x, y), chars in positions.items():
        neighbours = [(x - 1, y), (x, y - 1), (x + 1, y - 1), (x + 1, y), (x, y + 1), (x - 1, y + 1)]
        for char in chars:
            graph[char] = [positions.get(coord) for coord in neighbours]
    return graph


@lru_cache(maxsize=None)
def _prepare_zxcvbn() -> None:
    """Teach zxcvbn French passwords and the AZERTY keyboard, once per process."""
    words = [line.strip() for line in _FRENCH_LIST.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    zxcvbn_matching.add_frequency_lists({"francais": words})
    zxcvbn_matching.GRAPHS.setdefault("azerty", _keyboard_graph(_AZERTY))


def _strip_accents(value: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch))


def _fold(value: str) -> str:
    """Lower case, no accents, letters and digits only: 'Belval-sur-Loire' -> 'belvalsurloire'."""
    return re.sub(r"[\W_]+", "", _strip_accents(value).casefold())


# Words that say what an authority is rather than which one: not personal enough to refuse.
_GENERIC_WORDS = {
    "ville", "commune", "mairie", "communaute", "communes", "agglomeration", "metropole", "departement",
    "region", "conseil", "syndicat", "collectivite", "territoriale", "territoire", "grand", "saint",
    "sainte", "pays", "votre", "notre",
}


def personal_words(email: str | None = None, nom: str | None = None, authority: str | None = None) -> list[str]:
    """What a password must not contain: the e-mail's local part, the name and the authority's name,
    whole and by word (words of four letters or more), folded."""
    words = []
    for raw, generic in ((email.split("@")[0] if email else None, set()), (nom, set()),
                         (authority, _GENERIC_WORDS)):
        if not raw:
            continue
        whole = _fold(raw)
        if len(whole) >= 3:
            words.append(whole)
        words += [_fold(part) for part in re.split(r"[\W_]+", raw)
                  if len(_fold(part)) >= 4 and _fold(part) not in generic]
    return list(dict.fromkeys(words))


def check_password_strength(password: str, personal: list[str] = (), field: str = "password") -> None:
    """Refuse a chosen password that is too short or long, contains personal words, or is guessable."""
    check_password_rules(password, field)
    folded = _fold(password)
    if any(word in folded for word in personal):
        raise InvalidInput("Le mot de passe ne doit contenir ni votre adresse électronique, ni votre nom, "
                           "ni le nom de la collectivité.", field)
    _prepare_zxcvbn()
    with _ZXCVBN_LOCK:
        # Rated as typed (AZERTY's « é », « è », « ç » keys) and without accents (« liberté »).
        score = min(zxcvbn.zxcvbn(variant[:_ZXCVBN_MAX], user_inputs=list(personal))["score"]
                    for variant in {password, _strip_accents(password)})
    if score < MIN_SCORE:
        raise InvalidInput("Ce mot de passe est trop courant ou trop facile à deviner (mot du dictionnaire, "
                           "suite de touches, prénom, date…). Une phrase de quatre ou cinq mots sans lien "
                           "entre eux est à la fois sûre et facile à retenir.", field)


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher().hash(password)


def hash_secret(secret: str) -> str:
    """argon2id of a generated secret (a recovery code): no password rules apply."""
    return _hasher().hash(secret)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; never raises for a wrong or malformed hash."""
    if len(password) > MAX_LENGTH:
        return False
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and password_hash is not None
    except (VerificationError, InvalidHashError, ValueError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def generate_password(groups: int = 4, size: int = 4) -> str:
    """A random password such as 'k7Pq-Zr3m-Hx9a-Tn2w' (19 characters, ~94 bits)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(size)) for _ in range(groups))
