"""Jobs a runner does on a schedule: sign a checkpoint when the log grew, record the
expiry of titles whose validity ended (domain invariant 9: expiry is an explicit event),
and ask the configured witnesses to cosign the new checkpoint."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from uuid import UUID

from application.adapters.read_models import ReadModels
from application.adapters.witness_http import add_checkpoint_at
from application.ledger import Ledger
from domain.base import CommandContext
from domain.errors import DomainError
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
        signed = ledger.auditor.checkpoint_if_grown(ledger.clock.now())
        expire_lapsed_titles(ledger, models())
        if signed is not None:
            ask_witnesses(ledger, [add_checkpoint_at(u) for u in ledger.settings.witness_urls])

    return run


log = logging.getLogger("hoctap.witnesses")


def ask_witnesses(ledger: Ledger, witnesses: list[Callable[[str], tuple[int, str]]]) -> int:
    """Ask each witness to cosign the latest checkpoint; returns how many did. A refusal or
    an unreachable witness is logged and the others are still asked: the checkpoint stands,
    and the next one will be offered again."""
    cosigned = 0
    for post in witnesses:
        try:
            ledger.cosignatures.request_cosignature(post)
            cosigned += 1
        except (DomainError, OSError) as error:
            log.warning("witness did not cosign: %s", error)
    return cosigned
