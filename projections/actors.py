"""The unit of the account behind each action (pure).

The trails of actions and of reads are audited per unit: an inspector of a province lists
what the accounts of that province did and viewed. An account's unit is set when it is created
and never changes, so each trail keeps a small ``accounts`` table (account → unit) from
``UserAccount.Created`` and stamps every row with the unit of its actor at fold time. Actors
that are not accounts (the console, system jobs) and accounts without a unit (nationwide)
stamp no unit: only nationwide readers see their rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.access import UserAccount
from projections.engine import Envelope, Rows, Table

ACCOUNTS = Table(name="accounts", key="user_id", columns=("user_id", "unit_id"))
ACCOUNT_CREATED = UserAccount.Created.TOPIC


def actor_keys(envelope: Envelope) -> Iterable[tuple[str, str]]:
    """The account row an event's actor needs (prefetched with the page)."""
    actor_id = getattr(envelope.event, "actor_id", None)
    if actor_id:
        yield ACCOUNTS.name, actor_id


def remember_account(envelope: Envelope, rows: Rows) -> None:
    """Keep the unit of an account when it is created."""
    if envelope.topic == ACCOUNT_CREATED:
        unit_id = envelope.event.unit_id
        rows.put(
            ACCOUNTS.name,
            {"user_id": str(envelope.event.originator_id), "unit_id": unit_id and str(unit_id)},
        )


def actor_unit(envelope: Envelope, rows: Rows) -> str | None:
    """The unit of the account that acted, if the actor is an account with a unit."""
    actor_id = getattr(envelope.event, "actor_id", None)
    account = rows.get(ACCOUNTS.name, actor_id) if actor_id else None
    return account["unit_id"] if account else None
