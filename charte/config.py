"""Configuration read from the environment, with safe defaults for the demo."""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The environment does not allow the application to start safely."""


def _instance_path() -> Path:
    raw = os.environ.get("CHARTE_INSTANCE_PATH")
    path = Path(raw) if raw else PROJECT_ROOT / "instance"
    return path.resolve()


def _read_or_create_key(key_file: Path) -> str:
    """The key stored in key_file, generated there once (mode 0600) when the file does not exist yet."""
    if key_file.exists():
        return _read_key(key_file)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        # Created with 0600 permissions, and only if absent: two workers starting together agree.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(key_file)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def _read_key(key_file: Path) -> str:
    # Another process may have created the file an instant ago and not written it yet.
    for _ in range(50):
        key = key_file.read_text(encoding="utf-8").strip()
        if key:
            return key
        time.sleep(0.01)
    raise ConfigurationError(f"Le fichier de clé {key_file} est vide.")


def _secret_key(instance: Path, allow_generated: bool) -> str:
    """Return SECRET_KEY, or a key generated once into the instance folder for the demo."""
    key = os.environ.get("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ConfigurationError("SECRET_KEY doit compter au moins 32 caractères.")
        return key
    key_file = instance / "secret_key"
    if not key_file.exists() and not allow_generated:
        raise ConfigurationError(
            "SECRET_KEY est obligatoire hors démonstration "
            "dès que DATABASE_URL est défini (ou posez CHARTE_DEMO=1)."
        )
    return _read_or_create_key(key_file)


JOURNAL_KEY_FILE = "journal_key"
JOURNAL_CHECKPOINT_FILE = "journal_checkpoints"


def journal_key(configured: str, instance: Path, allow_generated: bool) -> bytes:
    """The key that seals the journal: CHARTE_JOURNAL_KEY, else the instance file `journal_key`,
    generated once like the session key. Treated like SECRET_KEY: outside the demo, with a configured
    database, it must be given (or its file already present)."""
    if configured:
        if len(configured) < 32:
            raise ConfigurationError("CHARTE_JOURNAL_KEY doit compter au moins 32 caractères.")
        return configured.encode("utf-8")
    key_file = instance / JOURNAL_KEY_FILE
    if not key_file.exists() and not allow_generated:
        raise ConfigurationError(
            "CHARTE_JOURNAL_KEY est obligatoire hors démonstration "
            "dès que DATABASE_URL est défini (ou posez CHARTE_DEMO=1)."
        )
    return _read_or_create_key(key_file).encode("utf-8")


def journal_checkpoint_path(configured: str, instance: Path) -> Path:
    """The append-only file of the journal's checkpoints: CHARTE_JOURNAL_CHECKPOINT or the instance folder."""
    return Path(configured).resolve() if configured else instance / JOURNAL_CHECKPOINT_FILE


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} doit être un nombre entier.") from exc


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "oui", "on"}


def load_config() -> dict:
    """Build the Flask configuration mapping from the environment."""
    instance = _instance_path()
    configured_url = os.environ.get("DATABASE_URL", "").strip()
    # The embedded SQLite default is the demo set-up; a configured database is production.
    demo = _flag("CHARTE_DEMO") or _flag("FLASK_DEBUG") or not configured_url
    database_url = configured_url or f"sqlite:///{instance / 'charte.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return {
        "INSTANCE_PATH": str(instance),
        "CHARTE_DEMO": demo,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY_LOADER": lambda: _secret_key(instance, allow_generated=demo),
        "CHARTE_AUTHORITY_NAME": os.environ.get("CHARTE_AUTHORITY_NAME", ""),
        "CHARTE_AUTHORITY_NAME_DE": os.environ.get("CHARTE_AUTHORITY_NAME_DE", ""),
        "CHARTE_PROXY_COUNT": _int("CHARTE_PROXY_COUNT", 0),
        "CHARTE_SESSION_HOURS": _int("CHARTE_SESSION_HOURS", 8),
        "CHARTE_SESSION_MAX_HOURS": _int("CHARTE_SESSION_MAX_HOURS", 12),
        "MAX_CONTENT_LENGTH": _int("CHARTE_MAX_UPLOAD_KB", 512) * 1024,
        # Read when the application starts (charte.journal.keys), from the final INSTANCE_PATH.
        "CHARTE_JOURNAL_KEY": os.environ.get("CHARTE_JOURNAL_KEY", "").strip(),
        "CHARTE_JOURNAL_CHECKPOINT": os.environ.get("CHARTE_JOURNAL_CHECKPOINT", "").strip(),
        # Publication: the authority's signing certificate (PKCS#12, or PEM key + certificate), the
        # optional RFC 3161 timestamp server, who signs and where, and the public address of the site.
        "CHARTE_SIGNING_P12": os.environ.get("CHARTE_SIGNING_P12", ""),
        "CHARTE_SIGNING_P12_PASSWORD": os.environ.get("CHARTE_SIGNING_P12_PASSWORD", ""),
        "CHARTE_SIGNING_KEY": os.environ.get("CHARTE_SIGNING_KEY", ""),
        "CHARTE_SIGNING_KEY_PASSWORD": os.environ.get("CHARTE_SIGNING_KEY_PASSWORD", ""),
        "CHARTE_SIGNING_CERT": os.environ.get("CHARTE_SIGNING_CERT", ""),
        "CHARTE_TSA_URL": os.environ.get("CHARTE_TSA_URL", ""),
        "CHARTE_TSA_CA": os.environ.get("CHARTE_TSA_CA", ""),
        "CHARTE_SIGNER_NAME": os.environ.get("CHARTE_SIGNER_NAME", ""),
        "CHARTE_SIGNER_ROLE": os.environ.get("CHARTE_SIGNER_ROLE", ""),
        "CHARTE_SIGNING_PLACE": os.environ.get("CHARTE_SIGNING_PLACE", ""),
        "CHARTE_PUBLIC_URL": os.environ.get("CHARTE_PUBLIC_URL", "").strip().rstrip("/"),
        "CHARTE_MAX_PDF_MB": _int("CHARTE_MAX_PDF_MB", 20),
    }
