"""Building blocks shared by every aggregate: who acts, stable topics, deterministic ids.

Every event carries who did it (actor id and role), why (reason), when it took effect
(effective date, when it differs from the recording time) and which request caused it
(correlation and causation ids). The request-scoped values come from a ContextVar that the
application sets once per command (see :func:`acting`), so aggregates never thread them by
hand; on replay the stored values are used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.utils import register_topic

from domain.dates import PROCESS_DATES

#: Namespace of every deterministic id in Hoctap Ledger. Never change it: ids derive from it.
LEDGER_NAMESPACE = UUID("6f1d3c1e-5a0b-4b7e-9d55-3f2a9c0b8e41")


def ledger_id(*parts: object) -> UUID:
    """A deterministic id for a natural key, so that the store itself enforces uniqueness."""
    return uuid5(LEDGER_NAMESPACE, "/".join(str(p) for p in parts))


@dataclass(frozen=True)
class CommandContext:
    """Who is acting, in which role, and for which request."""

    actor_id: str
    actor_role: str
    correlation_id: str
    causation_id: str | None = None


class MissingCommandContext(RuntimeError):
    """An event was triggered outside :func:`acting`: every event must say who caused it."""


_current: ContextVar[CommandContext | None] = ContextVar("hoctap_command_context", default=None)


@contextmanager
def acting(context: CommandContext) -> Iterator[CommandContext]:
    """Run the enclosed commands on behalf of ``context``."""
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def current_context() -> CommandContext:
    context = _current.get()
    if context is None:
        raise MissingCommandContext("no command context: wrap the command in acting(...)")
    return context


def _actor_id() -> str:
    return current_context().actor_id


def _actor_role() -> str:
    return current_context().actor_role


def _correlation_id() -> str:
    return current_context().correlation_id


def _causation_id() -> str | None:
    return current_context().causation_id


class LedgerAggregate(Aggregate):
    """Base of every Hoctap aggregate: its events say who, in which role, why and when."""

    #: True for an aggregate whose later events change none of the state its commands read:
    #: its creation event alone rebuilds it, at any version. Only such an aggregate may be
    #: appended to without replaying its earlier events (``Records.tail``).
    append_only = False  # no annotation: the library would make an annotated class a dataclass

    class Event(Aggregate.Event):
        actor_id: str = field(default_factory=_actor_id, kw_only=True)
        actor_role: str = field(default_factory=_actor_role, kw_only=True)
        reason: str | None = field(default=None, kw_only=True)
        effective_date: date | None = field(default=None, kw_only=True)
        correlation_id: str = field(default_factory=_correlation_id, kw_only=True)
        causation_id: str | None = field(default_factory=_causation_id, kw_only=True)

    @classmethod
    def _create(cls, event_class: Any, **kwargs: Any) -> Any:
        _check_effective_date(kwargs)
        return super()._create(event_class, **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        _check_effective_date(kwargs)
        super().trigger_event(event_class, **kwargs)


def _check_effective_date(event_fields: dict[str, Any]) -> None:
    """Invariant: every step takes effect on a day within the process range (domain.dates)."""
    effective = event_fields.get("effective_date")
    if effective is not None:
        PROCESS_DATES.check(effective, "effective_date")


class LedgerCreated(LedgerAggregate.Event, Aggregate.Created):
    """Base of every event that creates an aggregate."""


A = TypeVar("A", bound=type)


def aggregate_topic(topic: str) -> Callable[[A], A]:
    """Give an aggregate a stable stored topic and check that each of its events has one.

    Stored topics must survive renames and moves of classes. The library's own check for
    explicit topics also demands one on the implicit ``Created`` class that every subclass
    inherits; we never use that class, so the aggregate's topic is set here instead, after
    every event class declared on it was checked for an explicit ``TOPIC`` of its own.
    """

    def decorate(cls: A) -> A:
        for name, member in vars(cls).items():
            if not (isinstance(member, type) and issubclass(member, CanMutateAggregate)):
                continue
            declared = getattr(member, "TOPIC", None)
            if name == "Event" or (name == "Created" and not declared):
                continue  # the library's implicit base classes, never stored
            if not declared or not declared.startswith(f"{topic}."):
                raise TypeError(f"{cls.__name__}.{name} needs TOPIC = '{topic}.{name}'")
            register_topic(declared, member)
        cls.TOPIC = topic  # type: ignore[attr-defined]
        register_topic(topic, cls)
        return cls

    return decorate


def as_dict(value: Any) -> Any:
    """Plain JSON-shaped data for an event field (lists, not tuples; str keys)."""
    if isinstance(value, dict):
        return {str(k): as_dict(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [as_dict(v) for v in value]
    return value
