"""Jobs a runner does on a schedule: sign a checkpoint when the log grew, and record the
expiry of titles whose validity ended (domain invariant 9: expiry is an explicit event)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from uuid import UUID

from application.adapters.read_models import ReadModels
from application.ledger import Ledger
from domain.base import CommandContext
from domain.glossary import Role
from projections.standings.queries import lapsed_titles


def expiry_context() -> CommandContext:
    """The scheduled job acts as itself, nationwide, and each run is one correlation."""
    return CommandContext("system:expiry", Role.ADMINISTRATOR.value, str(uuid.uuid4()))


def expire_lapsed_titles(ledger: Ledger, models: ReadModels, batch: int = 500) -> int:
    """Record every lapsed title the standings know of, in batches; returns how many."""
    total, today = 0, ledger.records.today()
    while True:
        lapsed = lapsed_titles(models.engine, today, batch)
        if not lapsed:
            return total
        done = ledger.assessments.expire_titles(expiry_context(), [UUID(c) for c in lapsed], today)
        total += len(done)
        if not done:  # nothing could be recorded (all changed meanwhile): next period
            return total
        models.catch_up()  # the standings learn of these expiries before the next batch


def scheduled_jobs(ledger: Ledger, models: Callable[[], ReadModels]) -> Callable[[], None]:
    """The ``every`` job of a :class:`ReadModels` runner (``models`` gives the runner itself,
    which exists only once the job is built)."""

    def run() -> None:
        ledger.auditor.checkpoint_if_grown(ledger.clock.now())
        expire_lapsed_titles(ledger, models())

    return run
