"""Second factor, pure rules: TOTP codes (RFC 6238 through pyotp), recovery codes, the QR code.

No Flask or SQLAlchemy here: the services keep the secret, the last accepted time step and the
hashed recovery codes; these functions decide on plain values.
"""
from __future__ import annotations

import hmac
import io
import re
import secrets
from datetime import datetime, timezone

import pyotp
import segno

DIGITS = 6
INTERVAL = 30  # seconds per time step (RFC 6238 default, what every authenticator app uses)
# Accept the previous and the next step as well: a phone's clock may be 30 s off, and a code
# typed at the end of its window arrives in the next one.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# Lower case letters and digits without look-alikes (0/o, 1/l/i): codes are read from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_GROUPS, _RECOVERY_GROUP_SIZE = 3, 4  # "k7pq-zr3m-hx9a": 12 characters, about 59 bits

_SEPARATORS = re.compile(r"[\s\-\u00a0\u202f.]+")


def new_secret() -> str:
    """A random base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def grouped(secret: str, size: int = 4) -> str:
    """'ABCD EFGH IJKL …': the secret in groups of four, easier to type into an app."""
    return " ".join(secret[i:i + size] for i in range(0, len(secret), size))


def time_step(at: datetime) -> int:
    """The RFC 6238 time step (counter) for a moment; a naive datetime is taken as UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return int(at.timestamp()) // INTERVAL


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).generate_otp(step)


def normalise_code(raw: str | None) -> str | None:
    """Six digits once spaces are removed ('123 456' is fine), else None."""
    value = _SEPARATORS.sub("", raw or "")
    if len(value) == DIGITS and value.isascii() and value.isdigit():
        return value
    return None


def matching_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The time step whose code this is (within the drift), never one at or before `last_step`."""
    current = time_step(at)
    for step in sorted(range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1), key=lambda s: abs(s - current)):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(data: str, label: str) -> str:
    """The QR code as inline SVG, drawn here: no script, no third party, no style attribute (CSP)."""
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", xmldecl=False, svgns=True, scale=4, svgclass="qr", omitsize=True,
                                     lineclass=None, nl=False, dark="#000", light="#fff")
    svg = out.getvalue().decode("utf-8")
    if "style" in svg or "<script" in svg:  # segno draws with attributes only; refuse anything else
        raise ValueError("unexpected markup in the QR code")
    escaped = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escaped}" ', 1)


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Single-use recovery codes such as 'k7pq-zr3m-hx9a'."""
    return ["-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP_SIZE))
                     for _ in range(_RECOVERY_GROUPS)) for _ in range(count)]


def normalise_recovery_code(raw: str | None) -> str | None:
    """A recovery code in its canonical form ('k7pq-zr3m-hx9a'), whatever the case and spacing, or None."""
    value = _SEPARATORS.sub("", raw or "").lower()
    size = _RECOVERY_GROUPS * _RECOVERY_GROUP_SIZE
    if len(value) != size or any(ch not in _RECOVERY_ALPHABET for ch in value):
        return None
    return "-".join(value[i:i + _RECOVERY_GROUP_SIZE] for i in range(0, size, _RECOVERY_GROUP_SIZE))
