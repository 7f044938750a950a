"""Password rules and hashing: lengths, guessable passwords (zxcvbn with French additions), personal
words, argon2id."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from charte.accounts.passwords import (
    MAX_LENGTH,
    check_password_rules,
    check_password_strength,
    generate_password,
    hash_password,
    personal_words,
    verify_password,
)
from charte.exceptions import InvalidInput
from tests.conftest import PASSWORD


def test_production_hash_is_argon2id_with_recommended_cost():
    digest = hash_password("une phrase de passe")  # no app context: the standard profile
    assert digest.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(digest, "une phrase de passe")
    assert not verify_password(digest, "une phrase de passe!")


@pytest.mark.parametrize("password, ok", [
    ("a" * 11, False), ("a" * 12, True), ("a" * 128, True), ("a" * 129, False), (" " * 12, False),
])
def test_length_rules(password, ok):
    if ok:
        check_password_rules(password)
    else:
        with pytest.raises(InvalidInput):
            check_password_rules(password)


def test_overlong_password_is_refused_before_hashing():
    assert verify_password(hash_password("x" * 20), "x" * (MAX_LENGTH + 1000)) is False


@pytest.mark.parametrize("stored", [None, "", "pas-un-hash", "$argon2id$v=19$m=1$cassé"])
def test_verify_never_raises_on_a_bad_hash(stored):
    assert verify_password(stored, "un mot de passe quelconque") is False


def test_generated_passwords_follow_the_rules_and_differ():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        check_password_strength(password)
        assert not set(password) & set("0O1lI")


def test_the_common_password_list_is_large():
    assert len(FREQUENCY_LISTS["passwords"]) >= 10_000


@pytest.mark.parametrize("password", [
    "azertyuiop12", "motdepasse123", "Motdepasse2026!", "AZERTYUIOP123", "azerty123456", "123456789012",
    "qsdfghjklm12", "wxcvbn123456", "&é\"'(-è_çà12",  # AZERTY rows
    "bienvenue2024", "doudou123456", "chouchou1234", "ordinateur01", "soleil123456", "bonjour12345",
    "jetaime123456", "marseille1234", "password1234", "aaaaaaaaaaaa", "abcdefghijkl", "x" * 128,
])
def test_common_and_guessable_passwords_are_refused(password):
    with pytest.raises(InvalidInput, match="trop courant"):
        check_password_strength(password)


@pytest.mark.parametrize("password", [
    PASSWORD, "demo-charte-2026", "une girafe lit le journal", "k7Pq-Zr3m-Hx9a-Tn2w",
    "correct horse battery staple", "Le chat de Lise dort sous l’escalier",
])
def test_strong_passwords_are_accepted(password):
    check_password_strength(password, personal_words("claire.moreau@belval.example", "Claire Moreau",
                                                     "Ville de Belval-sur-Loire"))


@pytest.mark.parametrize("password", [
    "claire.moreau-2026", "CLAIRE MOREAU et ses chats", "vive moreau et la mer", "Clàire des pins du bord",
    "j’habite belval depuis 2010", "Belval-sur-Loire!", "VILLE DE BELVAL SUR LOIRE", "la LOIRE coule à flots",
    "Bélval et la forêt noire",
])
def test_passwords_containing_the_email_name_or_authority_are_refused(password):
    words = personal_words("claire.moreau@belval.example", "Claire Moreau", "Ville de Belval-sur-Loire")
    with pytest.raises(InvalidInput, match="ni le nom de la collectivité"):
        check_password_strength(password, words)


def test_personal_words_are_folded_and_skip_generic_authority_words():
    assert personal_words("Élise.Fontaine@x.fr", "Élise Fontaine", "Communauté de communes du Pays de Gex") == [
        "elisefontaine", "elise", "fontaine", "communautedecommunesdupaysdegex"]
    assert personal_words() == []


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=12),
       st.text(min_size=0, max_size=20), st.text(min_size=0, max_size=20))
def test_any_password_containing_the_local_part_is_refused(local, before, after):
    password = f"{before}{local.upper()}{after}".ljust(12, "~")
    with pytest.raises(InvalidInput):
        check_password_strength(password, personal_words(f"{local}@mairie.example", None, None))


@pytest.mark.parametrize("password, message", [
    ("motdepasse123", "trop courant"),
    ("sacha.petit, la suite", "votre nom"),
    ("Belval-sur-Loire 2026", "nom de la collectivité"),
])
def test_an_account_created_with_a_chosen_password_follows_the_rules(app, make_departement, password, message):
    """What `create-user` (password typed at the prompt) and `demo --password` go through."""
    from sqlalchemy import select

    from charte.accounts.models import User
    from charte.accounts.services import creer_compte
    from charte.extensions import db
    from charte.parametres import NOM_COLLECTIVITE, set_parametre

    set_parametre(NOM_COLLECTIVITE, "Ville de Belval-sur-Loire")
    dep = make_departement()
    with pytest.raises(InvalidInput, match=message):
        creer_compte("sacha.petit@mairie.example", "Sacha Petit", dep, {"agent"}, None, password=password)
    db.session.rollback()
    assert db.session.scalars(select(User).filter_by(email="sacha.petit@mairie.example")).first() is None
