"""Column helpers shared by the models: states stored as short strings guarded by CHECK constraints."""
from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint

from charte.extensions import db


def enum_type(cls: type[enum.Enum], length: int = 16):
    """A string column holding the enum's values (no native enum: same on SQLite and PostgreSQL)."""
    return db.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e],
                   create_constraint=False)


def check_in(column: str, cls: type[enum.Enum], name: str | None = None) -> CheckConstraint:
    """CHECK (column IN (...values)) named after the column."""
    values = ", ".join(f"'{member.value}'" for member in cls)
    return CheckConstraint(f"{column} IN ({values})", name=name or column)
