"""Requests with an ``Idempotency-Key``: run once, answered the same every time, and never
left "in progress" for good.

The protocol, per (caller, key):

1. **Claim.** The request inserts a pending record (only one insert can win) carrying a fresh
   *owner* nonce and a *lease* (``HOCTAP_IDEMPOTENCY_LEASE_SECONDS``, longer than any request
   runs). A duplicate that arrives while the lease runs is refused with 409
   ``idempotency-key-in-progress`` and ``Retry-After``.
2. **Receipt.** While the owner runs, :func:`claimed` puts its nonce in a context variable;
   the event store's recorder writes a *receipt* (owner, first aggregate, its version, the
   last log position) **in the same transaction as the command's events**. A receipt exists
   if and only if the command committed.
3. **Answer.** The owner stores its answer on the claim (retried across lost connections)
   and sends it. A later retry gets that answer again.
4. **Resolve.** When the answer could not be stored, or the owner died, the claim stays
   pending until its lease ends. Then one retry *takes the claim over* (a compare-and-set on
   the owner: of two retries at once exactly one wins, the other is told "in progress") and
   *fences* the old owner: it inserts the old owner's receipt row itself, empty. Either that
   insert wins — the old request never committed, and now never can, because its own
   receipt insert would violate the primary key and roll its events back — and the retry
   runs the command afresh; or the row is there already with a position — the command
   committed — and the retry is answered 200 with where it landed (``id``, ``version``,
   ``position``, ``ETag``): the first answer itself is lost, so a command whose usual answer
   carries more (an issued token, a whole record) gives only where it landed; read it.
   The same fence settles a request that itself ends in a 5xx or an exception: it was
   committed (answer the success) or it never will be (release the claim; a retry runs).

A command that saves more than once writes the receipt with its first save. Claims stored
before owners existed (owner "") cannot be resolved this way and stay refused, as before.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol, TypeVar
from uuid import UUID

from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    PersistenceError,
    StoredEvent,
)

from application.adapters.idempotency import IdempotencyStore, StoredResponse

log = logging.getLogger("hoctap.idempotency")

#: Errors of a lost or busy connection, after which storing an answer is tried again (the
#: same the hash chain's recorder retries); a refused statement (an integrity or programming
#: error) would fail the same way again, so it is not retried.
TRANSIENT = (OperationalError, InterfaceError, sqlite3.OperationalError)
#: Every error of the stores: after a failed command, its outcome cannot be learnt.
STORE_ERRORS = (PersistenceError, sqlite3.Error)


T = TypeVar("T")


def retried(call: Callable[[], T], attempts: int = 10, pause: float = 0.2) -> T:
    """``call()``, tried again after a lost or busy connection (for statements whose retry
    is safe)."""
    for _ in range(attempts - 1):
        try:
            return call()
        except TRANSIENT as error:
            log.info("retrying after %s", error)
            time.sleep(pause)
    return call()


@dataclass(frozen=True)
class Receipt:
    """Where a keyed request's command landed: its first aggregate, version, last position."""

    id: UUID
    version: int
    position: int

    @classmethod
    def of(cls, stored_events: Sequence[StoredEvent], ids: Sequence[int]) -> Receipt:
        first = stored_events[0].originator_id
        version = max(e.originator_version for e in stored_events if e.originator_id == first)
        return cls(UUID(str(first)), version, int(ids[-1]))


class Receipts(Protocol):
    """The receipts table beside the events (implemented by the event store's recorder)."""

    def fence(self, owner: str) -> Receipt | None:
        """The receipt of ``owner``'s committed command, or None after making sure that
        ``owner`` can never commit one."""
        ...


@dataclass
class Claim:
    """The running request's claim, as the recorder sees it."""

    owner: str
    written: bool = False


_claim: ContextVar[Claim | None] = ContextVar("hoctap_idempotency_claim", default=None)


@contextmanager
def claimed(owner: str) -> Iterator[Claim]:
    """Run the enclosed request as the owner of a claim: its first save writes a receipt."""
    claim = Claim(owner)
    token = _claim.set(claim)
    try:
        yield claim
    finally:
        _claim.reset(token)


def receipt_owed() -> Claim | None:
    """The running request's claim, while its receipt is not yet written."""
    claim = _claim.get()
    return claim if claim is not None and not claim.written else None


def recovered(digest: str, receipt: Receipt) -> StoredResponse:
    """The answer to a retry whose command committed but whose first answer was lost."""
    body = {"id": str(receipt.id), "version": receipt.version, "position": receipt.position}
    headers = {
        "content-type": "application/json",
        "etag": f'"{receipt.version}"',
        "x-log-position": str(receipt.position),
    }
    return StoredResponse(digest, 200, headers, json.dumps(body).encode())


@dataclass(frozen=True)
class Settled:
    """How a failed request ended: its command committed (``answer``: send it), or nothing
    was written (``known``, no answer), or that cannot be learnt now (its lease will tell)."""

    answer: StoredResponse | None
    known: bool


class KeyedRequests:
    def __init__(
        self,
        store: IdempotencyStore,
        receipts: Receipts,
        lease_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.receipts = receipts
        self.lease_seconds = lease_seconds
        self.clock = clock

    def begin(self, scope: str, key: str, digest: str) -> str | StoredResponse:
        """Claim the key: the owner nonce to run the request under, or the record to answer
        from (pending, complete, or recovered from the receipt of an expired claim)."""
        owner = uuid.uuid4().hex
        existing = retried(lambda: self.store.claim(scope, key, digest, owner, self._lease()))
        if existing is None or (existing.pending and existing.owner == owner):
            return owner  # won (or won before a lost connection hid the reply)
        if not self._expired(existing) or existing.request_digest != digest:
            return existing
        retried(lambda: self.store.take_over(scope, key, existing.owner, owner, self._lease()))
        current = retried(lambda: self.store.get(scope, key)) or existing
        if not (current.pending and current.owner == owner):
            return current  # another retry took it over first
        receipt = self.receipts.fence(existing.owner)
        if receipt is None:
            log.warning("idempotency key %s: its request never committed; running it", key)
            return owner
        answer = recovered(digest, receipt)
        self._store_answer(scope, key, owner, answer)
        return answer

    def finish(
        self, scope: str, key: str, owner: str, answer: StoredResponse
    ) -> StoredResponse | None:
        """Keep the answer and return what to send. A 5xx is settled first: if the command
        committed after all, its success is sent instead; None when that cannot be known
        now."""
        if answer.status < 500:
            self._store_answer(scope, key, owner, answer)
            return answer
        settled = self.settle(scope, key, owner, answer.request_digest)
        if settled.answer is not None:
            return settled.answer
        return answer if settled.known else None

    def settle(self, scope: str, key: str, owner: str, digest: str) -> Settled:
        """How a request that failed ended (see :class:`Settled`); a claim that wrote
        nothing is released, so that a retry runs."""
        try:
            receipt = self.receipts.fence(owner)
            if receipt is None:
                retried(lambda: self.store.release(scope, key, owner))
                return Settled(None, known=True)
        except STORE_ERRORS as error:
            log.warning("idempotency key %s: outcome unknown until its lease ends: %s", key, error)
            return Settled(None, known=False)
        answer = recovered(digest, receipt)
        self._store_answer(scope, key, owner, answer)
        return Settled(answer, known=True)

    def retry_after(self, record: StoredResponse) -> int:
        """Seconds until a pending claim's lease ends (at least 1)."""
        return max(1, math.ceil(record.lease_until - self.clock()))

    def _store_answer(self, scope: str, key: str, owner: str, answer: StoredResponse) -> None:
        """Store the answer, retrying across lost connections for up to half a lease; if it
        still fails, or the store refuses it outright, the claim stays pending and a retry
        after the lease resolves it."""
        deadline = self.clock() + self.lease_seconds / 2
        pause = 0.1
        while True:
            try:
                self.store.complete(scope, key, owner, answer)
                return
            except TRANSIENT as error:
                if self.clock() + pause > deadline:
                    log.warning("idempotency key %s: answer not stored: %s", key, error)
                    return
                time.sleep(pause)
                pause = min(pause * 2, 2.0)
            except STORE_ERRORS as error:  # refused: trying again would fail alike
                log.warning("idempotency key %s: answer not stored: %s", key, error)
                return

    def _lease(self) -> float:
        return self.clock() + self.lease_seconds

    def _expired(self, record: StoredResponse) -> bool:
        return record.pending and bool(record.owner) and record.lease_until <= self.clock()
