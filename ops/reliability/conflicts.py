"""Check 3 — conflicts: several reviewers revise the same score at the same moment, each with
the same ``If-Match``; exactly one may win, and the case must show exactly the winners.

Two API processes serve one PostgreSQL schema, so the race is between processes, not only
between threads of one server. Each round every client reads nothing new: they all hold the
ETag the coordinator read, wait at a barrier, then POST ``/cases/{id}/score-revisions`` for
the same indicator with a different score each. A client whose precondition no longer holds
gets 412 (the server saw the newer version) or 409 (two saves raced to the same version and
the database refused the second).

Verdicts: every round has exactly one 2xx and every other answer is 409 or 412; the case's
version grew by exactly one per round; its revision events are exactly the winners', in
order, each citing the previous winner's score as ``previous`` (no update was lost or based
on a stale read); its final score is the last winner's.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx2 as httpx

from application.ledger import Ledger
from domain.assessment import AssessmentCase
from ops.reliability.common import Api, Report, Scratch, free_port, hoctap, log_shape, summary
from ops.reliability.http_load import Staff, make_staff, reviewed_case

INDICATOR = "1"
REVISED = "hoctap.AssessmentCase.ScoreRevised"
CHOICES = [Decimal(5) + Decimal("0.5") * n for n in range(11)]  # 5.0 .. 10.0


@dataclass(frozen=True)
class Params:
    clients: int = 6
    rounds: int = 40
    api_processes: int = 2


@dataclass(frozen=True)
class Answer:
    client: int
    score: Decimal
    status: int
    version: int | None


class Reviser(threading.Thread):
    """One reviewer: each round, wait at the barrier, then send the revision."""

    def __init__(self, base_url: str, staff: Staff, client: int, barrier: threading.Barrier):
        super().__init__(name=f"reviser-{client}", daemon=True)
        self.http = httpx.Client(base_url=base_url, timeout=60)
        self.token = staff.tokens[f"reviewer{client}"]
        self.client = client
        self.barrier = barrier
        self.order: tuple[UUID, int, Decimal, int] | None = None
        self.answer: Answer | None = None
        self.error: str | None = None

    def run(self) -> None:
        try:
            while True:
                self.barrier.wait(timeout=120)  # the coordinator has set self.order
                if self.order is None:
                    return
                self.answer = self._send(*self.order)
                self.barrier.wait(timeout=120)  # round over
        except Exception as error:  # reported by the check
            self.error = repr(error)
        finally:
            self.http.close()

    def _send(self, case: UUID, version: int, score: Decimal, round_no: int) -> Answer:
        response = self.http.post(
            f"/cases/{case}/score-revisions",
            headers={"Authorization": f"Bearer {self.token}", "If-Match": f'"{version}"'},
            json={
                "indicator": INDICATOR,
                "score": str(score),
                "reason": f"Vòng {round_no}: người thẩm định {self.client} điều chỉnh",
            },
        )
        new = int(response.json()["version"]) if response.status_code < 300 else None
        return Answer(self.client, score, response.status_code, new)


def _read(http: httpx.Client, staff: Staff, case: UUID) -> tuple[int, Decimal]:
    """The case's ETag and current score for the indicator, as a client reads them."""
    token = staff.tokens["officer"]
    response = http.get(f"/cases/{case}", headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    score = next(
        Decimal(str(i["final_score"])) for i in body["indicators"] if i["code"] == INDICATOR
    )
    return int(response.headers["ETag"].strip('"')), score


def run(scratch: Scratch, params: Params) -> Report:
    report = Report("Conflicts: concurrent score revisions with the same If-Match (PostgreSQL)")
    ledger = Ledger(scratch.settings)
    apis: list[Api] = []
    try:
        staff = make_staff(ledger, reviewers=params.clients)
        apis = [Api(scratch, free_port(), name=f"api-{n}") for n in range(params.api_processes)]
        for api in apis:
            api.wait_ready()
        case = reviewed_case(apis[0].base_url, staff)
        report.expect("a reviewed case to revise", case is not None, str(case))
        if case is None:
            return report
        winners = _race(report, apis, staff, case, params)
        _check_case(report, ledger, case, winners, params.rounds)
        report.note(log_shape(ledger.store))
        verified = hoctap(scratch, "verify")
        report.expect("hoctap verify", verified.returncode == 0, summary(verified))
    finally:
        for api in apis:
            api.stop()
        ledger.close()
    return report


def _race(
    report: Report, apis: list[Api], staff: Staff, case: UUID, params: Params
) -> list[Answer]:
    barrier = threading.Barrier(params.clients + 1)
    revisers = [
        Reviser(apis[n % len(apis)].base_url, staff, n, barrier) for n in range(params.clients)
    ]
    for reviser in revisers:
        reviser.start()
    reader = httpx.Client(base_url=apis[0].base_url, timeout=60)
    winners: list[Answer] = []
    bad_rounds: list[str] = []
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    try:
        version0, _ = _read(reader, staff, case)
        for round_no in range(1, params.rounds + 1):
            version, current = _read(reader, staff, case)
            offers = [c for c in CHOICES if c != current]
            shift = round_no % len(offers)
            offers = offers[shift:] + offers[:shift]
            for n, reviser in enumerate(revisers):
                reviser.order = (case, version, offers[n % len(offers)], round_no)
            barrier.wait(timeout=120)  # go
            barrier.wait(timeout=120)  # everyone answered
            answers = [r.answer for r in revisers if r.answer is not None]
            statuses.update(a.status for a in answers)
            won = [a for a in answers if a.status < 300]
            refused = [a for a in answers if a.status >= 300]
            if len(won) != 1 or len(answers) != params.clients:
                bad_rounds.append(f"round {round_no}: {[a.status for a in answers]}")
            if any(a.status not in (409, 412) for a in refused):
                bad_rounds.append(f"round {round_no}: {[a.status for a in refused]}")
            winners += won
        for reviser in revisers:
            reviser.order = None
        barrier.wait(timeout=120)
    except BaseException:
        barrier.abort()  # releases the revisers when a round failed half-way
        raise
    finally:
        reader.close()
        for reviser in revisers:
            reviser.join(timeout=30)
    errors = [r.error for r in revisers if r.error]
    report.expect(
        f"{params.rounds} rounds of {params.clients} clients on {len(apis)} API processes: "
        "exactly one success per round, the rest 409/412",
        not bad_rounds and not errors,
        "; ".join((bad_rounds + errors)[:3])
        or f"answers {dict(sorted(statuses.items()))} in {time.monotonic() - started:.1f} s",
    )
    report.expect(
        "each success moved the version by exactly one",
        [a.version for a in winners] == list(range(version0 + 1, version0 + 1 + len(winners))),
        f"from {version0} to {winners[-1].version if winners else version0}",
    )
    return winners


def _check_case(
    report: Report, ledger: Ledger, case_id: UUID, winners: list[Answer], rounds: int
) -> None:
    events: list[Any] = list(ledger.store.events.get(case_id))
    revisions = [e for e in events if type(e).__name__ == "ScoreRevised"]
    expected = [w.score for w in winners]
    report.expect(
        "the case's revisions are exactly the winners', in order",
        [e.score for e in revisions] == expected and len(expected) == rounds,
        f"{len(revisions)} revision events for {len(expected)} winners",
    )
    chained = all(
        later.previous == earlier.score for earlier, later in itertools.pairwise(revisions)
    )
    report.expect(
        "each revision was based on the previous winner's score (no lost update)",
        chained,
        "previous = score of the revision before, for every revision",
    )
    case = ledger.records.get(AssessmentCase, case_id)
    final = case.final_scores.get(INDICATOR)
    report.expect(
        "the final score is the last winner's",
        bool(expected) and final == expected[-1],
        f"final {final}, last winner {expected[-1] if expected else None}",
    )
