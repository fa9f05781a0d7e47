"""Turn a reader's scope into the filters of a list: which units, which subjects.

Single records are checked by the application (``ledger.case_for``, ``ledger.subject_for``);
lists are filtered here, over the read models, with the same geography (``domain.geography``
serves both the aggregates and the units view).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.adapters.read_models import ReadModels
from application.ledger import Ledger
from domain.access import UserAccount
from domain.base import CommandContext
from domain.errors import OutOfScope, PermissionDenied
from projections.statistics.queries import unit_tree


@dataclass(frozen=True)
class ListFilter:
    """``None`` means no restriction on that axis; an empty set means nothing is visible."""

    unit_ids: set[str] | None
    subject_ids: set[str] | None
    #: The unit a report is rooted at: the one asked for, else the reader's own.
    root_id: UUID | None


def list_filter(
    ledger: Ledger,
    models: ReadModels,
    ctx: CommandContext,
    unit_id: UUID | None,
    day: date,
    *,
    citizens: bool = True,
) -> ListFilter:
    """What a reader may list: their unit's subtree (or the part of it they asked for), or,
    for a citizen, their own and their households' records (``citizens=False``: refused)."""
    scope = ledger.scopes.scope(ctx)
    if not scope.by_unit:
        if not citizens:
            raise PermissionDenied("danh sách này chỉ dành cho cán bộ", role=scope.role.value)
        units = _within(models, unit_id, day) if unit_id else None
        return ListFilter(units, {str(s) for s in scope.circle}, None)
    if unit_id is not None:
        if not ledger.scopes.reaches_unit(scope, unit_id):
            raise OutOfScope(
                "đơn vị này nằm ngoài phạm vi của bạn",
                unit_id=str(unit_id),
                scope_unit_id=str(scope.unit_id) if scope.unit_id else None,
            )
        return ListFilter(_within(models, unit_id, day), None, unit_id)
    if scope.nationwide:
        return ListFilter(None, None, None)
    assert scope.unit_id is not None
    return ListFilter(_within(models, scope.unit_id, day), None, scope.unit_id)


def _within(models: ReadModels, unit_id: UUID, day: date) -> set[str]:
    return unit_tree(models.engine).within(str(unit_id), day)


def trail_filter(
    ledger: Ledger, models: ReadModels, ctx: CommandContext, actor_id: str | None
) -> set[str] | None:
    """Trails of actions and reads: the units whose accounts' rows a reader may list.

    Nationwide readers see everyone's rows (``None``: no filter), and anyone may list their
    own. A reader with a unit sees the rows of the accounts of that unit and the units below
    it; an actor they name must be such an account.
    """
    scope = ledger.scopes.scope(ctx)
    if scope.nationwide or (actor_id is not None and actor_id == ctx.actor_id):
        return None
    if scope.unit_id is None:
        raise OutOfScope("nhật ký này chỉ dành cho cán bộ", role=scope.role.value)
    if actor_id is None:
        return _within(models, scope.unit_id, ledger.records.today())
    try:
        account = ledger.records.find(UserAccount, UUID(actor_id))
    except ValueError:
        account = None
    if (
        account is None
        or account.unit_id is None
        or not ledger.scopes.reaches_unit(scope, account.unit_id)
    ):
        raise OutOfScope("người này nằm ngoài phạm vi của bạn", actor_id=actor_id)
    return None
