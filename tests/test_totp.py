"""Second factor, pure rules: RFC 6238 codes, the drift window, replay, code formats, the QR code."""
import base64
import re
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charte.accounts import totp

# RFC 6238, appendix B: the SHA-1 secret "12345678901234567890"; our codes are the last 6 digits.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize("unix_time, eight_digits", [
    (59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924"),
    (2000000000, "69279037"), (20000000000, "65353130"),
])
def test_codes_follow_rfc_6238(unix_time, eight_digits):
    at = datetime.fromtimestamp(unix_time, tz=timezone.utc)
    assert totp.code_at(RFC_SECRET, totp.time_step(at)) == eight_digits[-6:]
    # A naive datetime is UTC, as everywhere in Charte.
    assert totp.time_step(at.replace(tzinfo=None)) == unix_time // 30


def test_new_secrets_are_160_bits_and_grouped_by_four():
    secrets = {totp.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    secret = secrets.pop()
    assert len(base64.b32decode(secret)) == 20
    assert totp.grouped(secret) == " ".join(re.findall("....", secret))


NOW = datetime(2026, 11, 23, 10, 0, 10)


@pytest.mark.parametrize("offset_steps, accepted", [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_one_step_of_drift_either_way(offset_steps, accepted):
    secret = totp.new_secret()
    step = totp.time_step(NOW) + offset_steps
    found = totp.matching_step(secret, totp.code_at(secret, step), NOW, None)
    assert (found == step) if accepted else found is None


def test_a_code_is_never_accepted_twice_nor_an_older_one():
    secret = totp.new_secret()
    current = totp.time_step(NOW)
    code = totp.code_at(secret, current)
    assert totp.matching_step(secret, code, NOW, None) == current
    assert totp.matching_step(secret, code, NOW, current) is None  # replay within the window
    assert totp.matching_step(secret, code, NOW + timedelta(seconds=30), current) is None  # still in the drift
    older = totp.code_at(secret, current - 1)
    assert totp.matching_step(secret, older, NOW, current) is None
    newer = totp.code_at(secret, current + 1)
    assert totp.matching_step(secret, newer, NOW, current) == current + 1


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=14, max_size=32), st.integers(min_value=0, max_value=4_000_000_000))
def test_matches_what_an_authenticator_app_shows(raw_secret, unix_time):
    secret = base64.b32encode(raw_secret).decode().rstrip("=")
    at = datetime.fromtimestamp(unix_time, tz=timezone.utc).replace(tzinfo=None)
    app_code = pyotp.TOTP(secret).at(unix_time)  # what FreeOTP, Aegis… display
    assert totp.matching_step(secret, app_code, at, None) is not None
    assert totp.matching_step(secret, app_code, at, unix_time // 30 + 1) is None


@pytest.mark.parametrize("raw, expected", [
    ("123456", "123456"), (" 123 456 ", "123456"), ("123-456", "123456"), ("123\u00a0456", "123456"),
    ("12345", None), ("1234567", None), ("12345a", None), ("", None), (None, None),
    ("１２３４５６", None),  # full-width digits are not ASCII digits
])
def test_code_format(raw, expected):
    assert totp.normalise_code(raw) == expected


def test_recovery_codes_are_ten_distinct_and_read_back_whatever_the_case_or_spacing():
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10
    for code in codes:
        assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", code)
        assert not set(code) & set("01ilo")
        assert totp.normalise_recovery_code(code) == code
        assert totp.normalise_recovery_code(code.upper().replace("-", " ")) == code
        assert totp.normalise_recovery_code(code.replace("-", "")) == code


@pytest.mark.parametrize("raw", ["", "abcd-efgh", "abcd-efgh-jkmn-p", "abcd-efgh-jkm0", "<script>", "é" * 12])
def test_malformed_recovery_codes(raw):
    assert totp.normalise_recovery_code(raw) is None


def test_qr_code_is_inline_svg_without_style_or_script():
    uri = totp.provisioning_uri(totp.new_secret(), "nadia.haddad@belval.example", "Charte – Ville de Belval")
    assert uri.startswith("otpauth://totp/") and "secret=" in uri and "issuer=" in uri
    svg = totp.qr_svg(uri, "Code QR « test »")
    assert svg.startswith("<svg ") and 'role="img"' in svg and 'aria-label="Code QR « test »"' in svg
    assert "viewBox" in svg  # scales with the CSS
    assert "style" not in svg and "<script" not in svg and "href" not in svg
