"""Domain exceptions: each carries a French message for the person and an HTTP status."""
from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the action; the message is shown as is."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status = 400


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class LoginThrottled(DomainError):
    status = 429


class InvalidCredentials(DomainError):
    status = 400


class MigrationStopped(Exception):
    """A migration found data it must not change on its own; the message says what to do.
    (Not a RuntimeError: Flask-Migrate would swallow it into a bare exit code.)"""
