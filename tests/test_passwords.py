"""Password rules and hashing."""
import pytest

from charte.accounts.passwords import (
    MAX_LENGTH,
    check_password_rules,
    generate_password,
    hash_password,
    verify_password,
)
from charte.exceptions import InvalidInput


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
        check_password_rules(password)
        assert not set(password) & set("0O1lI")
