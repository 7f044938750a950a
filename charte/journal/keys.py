"""The journal key and the checkpoint file's path, settled once per application when it starts."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from charte.config import journal_checkpoint_path, journal_key as configured_journal_key

_EXTENSION = "charte.journal"


def install(app: Flask) -> None:
    """Read (or generate, in the demo) the key now, so that a missing key stops the start-up."""
    instance = Path(app.config["INSTANCE_PATH"])
    app.extensions[_EXTENSION] = {
        "key": configured_journal_key(app.config.get("CHARTE_JOURNAL_KEY", ""), instance,
                                      bool(app.config.get("CHARTE_DEMO"))),
        "checkpoints": journal_checkpoint_path(app.config.get("CHARTE_JOURNAL_CHECKPOINT", ""), instance),
    }


def _settings() -> dict:
    app = current_app._get_current_object()
    if _EXTENSION not in app.extensions:
        install(app)
    return app.extensions[_EXTENSION]


def journal_key() -> bytes:
    """The secret that seals the journal; it never lives in the database."""
    return _settings()["key"]


def checkpoint_path() -> Path:
    """The append-only file where the head of the journal is written after each commit."""
    return _settings()["checkpoints"]
