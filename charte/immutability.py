"""Model-layer guard: rows of append-only or immutable tables cannot be changed once written."""
from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from charte.exceptions import Conflict


class ImmutableRowError(Conflict):
    """An attempt to change or delete what must stay as it was written."""


# class -> names of the attributes that may still change after insertion (empty: none).
_GUARDED: dict[type, frozenset[str]] = {}


def immutable(*mutable: str):
    """Class decorator: the model's rows are frozen except for the attributes named."""

    def register(cls):
        _GUARDED[cls] = frozenset(mutable)
        return cls

    return register


def _guarded_class(obj) -> tuple[type, frozenset[str]] | None:
    for cls, allowed in _GUARDED.items():
        if isinstance(obj, cls):
            return cls, allowed
    return None


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context, _instances) -> None:
    for obj in session.deleted:
        guarded = _guarded_class(obj)
        if guarded:
            raise ImmutableRowError(f"Un enregistrement de « {guarded[0].__tablename__} » ne peut pas être supprimé.")
    for obj in session.dirty:
        guarded = _guarded_class(obj)
        if not guarded:
            continue
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            if attr.key in guarded[1]:
                continue
            if state.attrs[attr.key].history.has_changes():
                raise ImmutableRowError(
                    f"Le champ « {attr.key} » de « {guarded[0].__tablename__} » ne peut plus être modifié."
                )


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(orm_execute_state) -> None:
    if not (orm_execute_state.is_update or orm_execute_state.is_delete):
        return
    mapper = orm_execute_state.bind_mapper
    if mapper is not None and mapper.class_ in _GUARDED:
        raise ImmutableRowError(
            f"Les enregistrements de « {mapper.class_.__tablename__} » ne peuvent pas être modifiés en masse."
        )
