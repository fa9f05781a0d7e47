"""The claim, lease, receipt and resolution protocol of keyed requests, step by step on a
real ledger (memory, SQLite, PostgreSQL): who runs, who is answered from what, and what a
failed request leaves behind. Over HTTP: tests/api/test_idempotency.py."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent

from application.adapters import keyed_requests
from application.adapters.idempotency import PENDING, StoredResponse
from application.adapters.keyed_requests import (
    KeyedRequests,
    Receipt,
    Settled,
    claimed,
    receipt_owed,
    recovered,
    retried,
)
from application.ledger import Ledger
from application.services.records import FixedClock
from application.settings import Settings
from tests.application.test_store import ADMIN, _province

CALLER, KEY, DIGEST = "caller-1", "key-0001", "digest-1"
LEASE = 20.0
FAILED = StoredResponse(DIGEST, 500, {"content-type": "application/problem+json"}, b"{}")


class Wall:
    """The wall clock leases are measured by, moved by hand (and by the pauses slept)."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ledger(settings: Settings, clock: FixedClock) -> Iterator[Ledger]:
    with closing(Ledger(settings, clock=clock)) as opened:
        yield opened


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest.fixture
def requests(ledger: Ledger, wall: Wall) -> KeyedRequests:
    return KeyedRequests(ledger.idempotency, ledger.store.recorder, LEASE, wall)


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch, wall: Wall) -> list[float]:
    """The pauses slept between attempts (the wall clock moves on by each)."""
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        wall.now += seconds

    monkeypatch.setattr(keyed_requests.time, "sleep", sleep)
    return slept


def commit(ledger: Ledger, owner: str, code: str = "KEYED") -> Receipt:
    """Run a command as ``owner``'s request: where it landed."""
    with claimed(owner):
        recorded = ledger.registry.establish_unit(ADMIN, **_province(code))
    return Receipt(recorded.id, recorded.version, recorded.position or 0)


def stale_claim(requests: KeyedRequests, owner: str, digest: str = DIGEST) -> StoredResponse:
    """A pending claim of ``owner`` whose lease ended just now."""
    lease_until = requests.clock()
    assert requests.store.claim(CALLER, KEY, digest, owner, lease_until) is None
    return StoredResponse(digest, PENDING, {}, b"", owner, lease_until)


class Cut:
    """A table or receipts whose method ``name`` loses its connection ``times`` times (after
    doing its work, when ``after``), then works; with ``error``, fails so instead."""

    def __init__(
        self,
        inner: Any,
        name: str,
        times: int = 1,
        *,
        after: bool = False,
        error: Exception | None = None,
    ) -> None:
        self.inner, self.name, self.left, self.after = inner, name, times, after
        self.error = error or OperationalError("server closed the connection unexpectedly")

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)
        if name != self.name:
            return method

        def cut(*args: Any) -> Any:
            if self.left <= 0:
                return method(*args)
            self.left -= 1
            if self.after:
                method(*args)
            raise self.error

        return cut


def test_a_receipt_is_the_first_aggregate_its_last_version_and_the_last_position():
    first, other = uuid.uuid4(), uuid.uuid4()
    events = [
        StoredEvent(str(first), 3, "t", b""),
        StoredEvent(str(first), 4, "t", b""),
        StoredEvent(other, 9, "t", b""),
        StoredEvent(str(first), 2, "t", b""),
    ]
    assert Receipt.of(events, [11, 12, 13, 14]) == Receipt(first, 4, 14)


def test_a_claimed_request_owes_its_receipt_until_it_is_written():
    assert receipt_owed() is None
    with claimed("owner-1") as claim:
        assert receipt_owed() is claim and claim.owner == "owner-1"
        claim.written = True
        assert receipt_owed() is None
    assert receipt_owed() is None


def test_a_recovered_answer_says_where_the_command_landed():
    landed = Receipt(uuid.UUID(int=7), 3, 42)
    body = b'{"id": "00000000-0000-0000-0000-000000000007", "version": 3, "position": 42}'
    headers = {"content-type": "application/json", "etag": '"3"', "x-log-position": "42"}
    assert recovered(DIGEST, landed) == StoredResponse(DIGEST, 200, headers, body)


class Done:
    def call(self) -> str:
        return "done"


def test_a_call_is_tried_ten_times_a_fifth_of_a_second_apart(pauses, caplog):
    caplog.set_level(logging.INFO, "hoctap.idempotency")
    flaky = Cut(Done(), "call", times=9)
    assert retried(flaky.call) == "done"
    assert pauses == [0.2] * 9
    assert caplog.messages[0] == "retrying after server closed the connection unexpectedly"
    with pytest.raises(OperationalError):
        retried(Cut(flaky.inner, "call", times=10).call)


REFUSED = IntegrityError("duplicate key value violates unique constraint")


def test_a_refused_statement_is_not_tried_again(pauses):
    refused = Cut(Done(), "call", times=1, error=REFUSED)
    with pytest.raises(IntegrityError):
        retried(refused.call)
    assert pauses == []


def test_an_answer_the_store_refuses_is_not_tried_again_and_the_claim_waits_its_lease(
    requests: KeyedRequests, pauses: list[float], caplog
):
    caplog.set_level(logging.WARNING, "hoctap.idempotency")
    owner = requests.begin(CALLER, KEY, DIGEST)
    refusing = Cut(requests.store, "complete", times=100, error=REFUSED)
    requests.store = refusing
    requests.finish(CALLER, KEY, owner, StoredResponse(DIGEST, 201, {}, b""))
    assert (pauses, 100 - refusing.left) == ([], 1)
    assert requests.store.get(CALLER, KEY).pending
    assert caplog.messages == [
        f"idempotency key {KEY}: answer not stored: duplicate key value violates unique constraint"
    ]


def test_a_refused_fence_leaves_the_outcome_unknown_as_a_lost_one_does(
    requests: KeyedRequests, caplog
):
    owner = requests.begin(CALLER, KEY, DIGEST)
    assert isinstance(owner, str)
    requests.receipts = Cut(requests.receipts, "fence", times=1, error=REFUSED)
    assert requests.settle(CALLER, KEY, owner, DIGEST) == Settled(None, known=False)
    assert requests.store.get(CALLER, KEY).pending


def test_a_fresh_key_is_claimed_for_a_new_owner_for_one_lease(requests: KeyedRequests):
    owner = requests.begin(CALLER, KEY, DIGEST)
    assert isinstance(owner, str) and len(owner) == 32
    held = StoredResponse(DIGEST, PENDING, {}, b"", owner, requests.clock() + LEASE)
    assert requests.store.get(CALLER, KEY) == held
    # While the lease runs, the same request is told it is in progress
    assert requests.begin(CALLER, KEY, DIGEST) == held
    assert requests.retry_after(held) == 20


def test_a_claim_won_before_its_reply_was_lost_is_still_won(requests: KeyedRequests):
    requests.store = Cut(requests.store, "claim", after=True)
    owner = requests.begin(CALLER, KEY, DIGEST)
    assert isinstance(owner, str)
    assert requests.store.get(CALLER, KEY).owner == owner


def test_a_key_reused_for_another_request_is_answered_with_its_record(requests: KeyedRequests):
    stale = stale_claim(requests, "gone-owner", digest="another-digest")
    assert requests.begin(CALLER, KEY, DIGEST) == stale  # not taken over
    assert requests.store.get(CALLER, KEY) == stale


def test_a_claim_made_before_owners_existed_is_never_taken_over(requests: KeyedRequests):
    stale = stale_claim(requests, "")
    assert requests.begin(CALLER, KEY, DIGEST) == stale
    assert requests.store.get(CALLER, KEY) == stale


def test_a_claim_whose_owner_never_committed_is_run_again_once_its_lease_ends(
    requests: KeyedRequests, ledger: Ledger, caplog
):
    caplog.set_level(logging.WARNING, "hoctap.idempotency")
    stale_claim(requests, "gone-owner")
    owner = requests.begin(CALLER, KEY, DIGEST)
    assert isinstance(owner, str) and owner != "gone-owner"
    held = StoredResponse(DIGEST, PENDING, {}, b"", owner, requests.clock() + LEASE)
    assert requests.store.get(CALLER, KEY) == held
    assert caplog.messages == [f"idempotency key {KEY}: its request never committed; running it"]
    assert ledger.store.recorder.fence("gone-owner") is None


def test_a_claim_whose_owner_committed_is_answered_with_where_it_landed(
    requests: KeyedRequests, ledger: Ledger
):
    stale_claim(requests, "slow-owner")
    landed = commit(ledger, "slow-owner")
    answer = requests.begin(CALLER, KEY, DIGEST)
    assert answer == recovered(DIGEST, landed)
    stored = requests.store.get(CALLER, KEY)
    assert stored is not None and not stored.pending
    assert (stored.status, stored.headers, stored.body) == (200, answer.headers, answer.body)


def test_of_two_retries_of_an_expired_claim_the_second_to_take_it_over_waits(
    requests: KeyedRequests, ledger: Ledger
):
    stale_claim(requests, "gone-owner")
    store = requests.store

    class FirstRetryWins:
        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        def take_over(self, scope: str, key: str, old: str, owner: str, lease: float) -> bool:
            assert store.take_over(scope, key, old, "first-retry", lease)
            return store.take_over(scope, key, old, owner, lease)

    requests.store = FirstRetryWins()
    answer = requests.begin(CALLER, KEY, DIGEST)
    held = StoredResponse(DIGEST, PENDING, {}, b"", "first-retry", requests.clock() + LEASE)
    assert answer == held
    # The first retry still runs it: the old owner is not fenced by the second
    assert commit(ledger, "gone-owner") is not None


def test_a_claim_expires_when_its_lease_ends_not_before(requests: KeyedRequests):
    wall = requests.clock
    held = StoredResponse(DIGEST, PENDING, {}, b"", "gone-owner", wall() + 1.0)
    requests.store.claim(CALLER, KEY, DIGEST, "gone-owner", held.lease_until)
    assert requests.retry_after(held) == 1
    wall.now += 0.5
    assert requests.begin(CALLER, KEY, DIGEST) == held
    assert requests.retry_after(held) == 1
    wall.now += 0.5
    assert isinstance(requests.begin(CALLER, KEY, DIGEST), str)


def test_retry_after_rounds_the_rest_of_the_lease_up():
    wall = Wall()
    requests = KeyedRequests(None, None, LEASE, wall)
    assert requests.retry_after(StoredResponse(DIGEST, PENDING, {}, b"", "o", wall() + 2.5)) == 3
    assert requests.retry_after(StoredResponse(DIGEST, PENDING, {}, b"", "o", wall() - 9)) == 1


def test_an_answer_below_500_is_kept_and_sent(requests: KeyedRequests):
    owner = requests.begin(CALLER, KEY, DIGEST)
    refused = StoredResponse(DIGEST, 499, {"etag": '"1"'}, b"no")
    assert requests.finish(CALLER, KEY, owner, refused) is refused
    stored = requests.store.get(CALLER, KEY)
    assert (stored.status, stored.headers, stored.body) == (499, {"etag": '"1"'}, b"no")


def test_a_500_that_wrote_nothing_is_sent_and_its_claim_released(requests: KeyedRequests):
    owner = requests.begin(CALLER, KEY, DIGEST)
    assert requests.finish(CALLER, KEY, owner, FAILED) is FAILED
    assert requests.store.get(CALLER, KEY) is None  # a retry runs afresh
    assert requests.settle(CALLER, KEY, "gone", DIGEST) == Settled(None, known=True)


def test_a_500_after_the_command_committed_is_answered_with_its_success(
    requests: KeyedRequests, ledger: Ledger
):
    owner = requests.begin(CALLER, KEY, DIGEST)
    assert isinstance(owner, str)
    landed = commit(ledger, owner)
    answer = recovered(DIGEST, landed)
    assert requests.finish(CALLER, KEY, owner, FAILED) == answer
    stored = requests.store.get(CALLER, KEY)
    assert (stored.status, stored.body) == (200, answer.body)
    assert requests.settle(CALLER, KEY, owner, DIGEST) == Settled(answer, known=True)


def test_a_500_whose_outcome_cannot_be_learnt_leaves_the_claim_to_its_lease(
    requests: KeyedRequests, caplog
):
    caplog.set_level(logging.WARNING, "hoctap.idempotency")
    owner = requests.begin(CALLER, KEY, DIGEST)
    assert isinstance(owner, str)
    requests.receipts = Cut(requests.receipts, "fence", times=2)
    assert requests.finish(CALLER, KEY, owner, FAILED) is None
    assert requests.settle(CALLER, KEY, owner, DIGEST) == Settled(None, known=False)
    assert requests.store.get(CALLER, KEY).pending
    assert caplog.messages[0] == (
        f"idempotency key {KEY}: outcome unknown until its lease ends:"
        " server closed the connection unexpectedly"
    )


def test_storing_an_answer_is_retried_with_growing_pauses_for_half_a_lease(
    requests: KeyedRequests, pauses: list[float], caplog
):
    caplog.set_level(logging.WARNING, "hoctap.idempotency")
    owner = requests.begin(CALLER, KEY, DIGEST)
    lost = Cut(requests.store, "complete", times=100)
    requests.store = lost
    requests.finish(CALLER, KEY, owner, StoredResponse(DIGEST, 201, {}, b""))
    assert pauses == [0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0, 2.0]  # 9.1 s of 10
    assert 100 - lost.left == 9
    assert requests.store.get(CALLER, KEY).pending
    assert caplog.messages == [
        f"idempotency key {KEY}: answer not stored: server closed the connection unexpectedly"
    ]


def test_an_answer_is_stored_when_the_connection_comes_back(
    requests: KeyedRequests, pauses: list[float]
):
    owner = requests.begin(CALLER, KEY, DIGEST)
    requests.store = Cut(requests.store, "complete", times=2)
    requests.finish(CALLER, KEY, owner, StoredResponse(DIGEST, 201, {}, b"ok"))
    assert pauses == [0.1, 0.2]
    assert requests.store.get(CALLER, KEY).body == b"ok"


def test_an_attempt_that_would_end_exactly_at_half_the_lease_is_still_made(
    requests: KeyedRequests, pauses: list[float]
):
    requests.lease_seconds = 0.2  # half a lease is the first pause
    owner = requests.begin(CALLER, KEY, DIGEST)
    lost = Cut(requests.store, "complete", times=100)
    requests.store = lost
    requests.finish(CALLER, KEY, owner, StoredResponse(DIGEST, 201, {}, b""))
    assert pauses == [0.1]
    assert 100 - lost.left == 2
