"""Check 2 — crash: ``kill -9`` the API and the projection runner in the middle of a load,
restart both, and prove nothing acknowledged was lost and nothing was half-written.

``hoctap serve`` (uvicorn) and ``hoctap projections run`` run as separate processes on one
PostgreSQL schema. Client threads take cases through the whole path over HTTP
(``http_load``), recording every 2xx with the id, version and log position it returned. In
the middle both processes get SIGKILL; they are restarted on the same port and store, the
clients resend the requests that got no answer (same Idempotency-Key, same If-Match) and go
on for a while.

Verdicts: every acknowledged command is in the log where the server said it landed; no case
has a step recorded twice (in-doubt retries wrote nothing twice); every decision and its
cases were saved together (a decision whose cases lack its grant, or a grant citing a missing
decision, would be half-written); every evidence file named in the log is on disk with its
digest; ``hoctap verify`` passes (a chain row for every event); after the restart the views
reach the log's end and ``hoctap projections check`` finds zero differing rows in each.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.adapters.read_models import ReadModels
from application.ledger import Ledger
from ops.reliability.common import (
    Api,
    Report,
    Runner,
    Scratch,
    check_verified_and_views,
    free_port,
    log_shape,
)
from ops.reliability.http_load import Ack, LoadClient, Tally, make_staff

CASE = "hoctap.AssessmentCase."
GRANTS = {f"{CASE}TitleGranted", f"{CASE}RecognitionRefused"}
ISSUED = "hoctap.RecognitionDecision.Issued"


@dataclass(frozen=True)
class Params:
    clients: int = 4
    seconds_before_kill: float = 30.0
    seconds_after_restart: float = 25.0
    #: Small pages: the runner commits often, so the kill is likely to land mid-fold.
    runner_page_size: int = 10


@dataclass
class LogFacts:
    """What the event log holds, gathered in one pass."""

    where: dict[tuple[UUID, int], int]
    ids: set[int]
    steps: dict[UUID, Counter[str]]
    decisions: dict[UUID, set[UUID]]
    grants: dict[UUID, UUID]
    digests: list[str]


def read_log(ledger: Ledger) -> LogFacts:
    facts = LogFacts({}, set(), defaultdict(Counter), {}, {}, [])
    after = 0
    recorder, mapper = ledger.store.recorder, ledger.store.mapper
    while items := recorder.select_notifications(start=after, limit=2000, inclusive_of_start=False):
        for n in items:
            origin = UUID(str(n.originator_id))
            facts.ids.add(n.id)
            facts.where[(origin, n.originator_version)] = n.id
            if not n.topic.startswith(CASE) and n.topic != ISSUED:
                continue
            event: Any = mapper.to_domain_event(n)
            if n.topic == ISSUED:
                facts.decisions[origin] = {UUID(e["case_id"]) for e in event.entries}
                continue
            facts.steps[origin][n.topic] += 1
            if n.topic in GRANTS:
                facts.grants[origin] = event.decision_id
            elif n.topic == f"{CASE}EvidenceAttached":
                facts.digests.append(event.digest)
        after = items[-1].id
    return facts


def run(scratch: Scratch, params: Params) -> Report:
    report = Report("Crash: kill -9 of the API and the runner under HTTP load (PostgreSQL)")
    ledger = Ledger(scratch.settings)  # tables first, as `hoctap db init` does
    models = ReadModels(scratch.settings, ledger.store)
    port = free_port()
    processes: list[Api | Runner] = []
    clients: list[LoadClient] = []
    stop, restarted = threading.Event(), threading.Event()
    try:
        staff = make_staff(ledger)
        models.initialise()
        api, runner = Api(scratch, port), Runner(scratch, params.runner_page_size)
        processes += [api, runner]
        api.wait_ready()
        clients = [
            LoadClient(api.base_url, staff, n, stop, restarted) for n in range(params.clients)
        ]
        for client in clients:
            client.start()
        time.sleep(params.seconds_before_kill)
        in_flight = _wait_for_requests_in_flight(clients)
        acked = sum(len(c.tally.acks) for c in clients)
        codes = (api.kill9(), runner.kill9())
        log_at_kill = ledger.store.recorder.max_notification_id() or 0
        views_at_kill = {n: models.engine._live_position(n) for n in models.engine.projections}
        report.expect(
            "API and runner killed with SIGKILL in the middle of the load",
            codes == (-9, -9) and in_flight > 0 and acked > 0,
            f"exit codes {codes}; {acked} commands acknowledged, {in_flight} in flight",
        )
        report.note(
            f"at the kill the log was at {log_at_kill}; views at "
            f"{min(views_at_kill.values())}..{max(views_at_kill.values())}"
        )
        api = Api(scratch, port, name="api-restarted")
        runner = Runner(scratch, params.runner_page_size, name="runner-restarted")
        processes += [api, runner]
        api.wait_ready()
        restarted.set()
        time.sleep(params.seconds_after_restart)
        stop.set()
        for client in clients:
            client.join(timeout=90)
        tally = _merge([c.tally for c in clients])
        _check_clients(report, tally)
        facts = read_log(ledger)
        _check_acks(report, tally.acks, facts)
        _check_whole(report, ledger, facts)
        last = ledger.store.recorder.max_notification_id() or 0
        report.expect(
            "after the restart the runner brought every view to the log's end",
            models.engine.wait_for(last, 120) and runner.popen.poll() is None,
            f"log at {last}",
        )
        runner.stop()
        report.note(log_shape(ledger.store))
        check_verified_and_views(report, scratch, list(models.engine.projections))
    finally:
        stop.set()
        for process in processes:
            process.stop()
        models.close()
        ledger.close()
    return report


def _wait_for_requests_in_flight(clients: list[LoadClient], timeout: float = 5) -> int:
    """Return as soon as some request is on the wire, so the kill lands mid-request."""
    deadline = time.monotonic() + timeout
    while (busy := sum(c.session.in_flight for c in clients)) == 0:
        if time.monotonic() > deadline:
            break
        time.sleep(0.001)
    return busy


def _merge(tallies: list[Tally]) -> Tally:
    total = Tally()
    for t in tallies:
        total.acks += t.acks
        total.in_doubt += t.in_doubt
        total.retried_ok += t.retried_ok
        total.retried_refused += t.retried_refused
        total.unexpected += t.unexpected
        total.decisions += t.decisions
    return total


def _check_clients(report: Report, tally: Tally) -> None:
    after = sum(1 for a in tally.acks if a.after_restart)
    report.expect(
        "commands succeed again after the restart",
        after > 0,
        f"{len(tally.acks) - after} acknowledged before, {after} after",
    )
    report.expect(
        "no command failed other than those cut off by the kill",
        not tally.unexpected,
        "; ".join(tally.unexpected[:3]) or f"{len(tally.acks)} commands, all 2xx",
    )
    report.note(
        f"{tally.in_doubt} commands got no answer; resent with the same Idempotency-Key: "
        f"{tally.retried_ok} answered 2xx, refused with {dict(Counter(tally.retried_refused))}"
    )


def _check_acks(report: Report, acks: list[Ack], facts: LogFacts) -> None:
    missing = [
        a
        for a in acks
        if (a.id, a.version) not in facts.where
        or a.position not in facts.ids
        or facts.where[(a.id, a.version)] > (a.position or 0)
    ]
    report.expect(
        "every acknowledged (2xx) command is in the log where the server said",
        not missing and bool(acks),
        f"{len(acks)} acknowledged, {len(missing)} missing"
        + (f": {missing[:2]}" if missing else ""),
    )


def _check_whole(report: Report, ledger: Ledger, facts: LogFacts) -> None:
    doubled = {c: {t: n for t, n in s.items() if n > 1} for c, s in facts.steps.items()}
    doubled = {c: s for c, s in doubled.items() if s}
    report.expect(
        "no case has any step recorded twice (retries wrote nothing twice)",
        not doubled,
        f"{len(facts.steps)} cases" + (f"; doubled {list(doubled.items())[:2]}" if doubled else ""),
    )
    half = [
        d for d, cases in facts.decisions.items() if any(facts.grants.get(c) != d for c in cases)
    ]
    orphans = [c for c, d in facts.grants.items() if c not in facts.decisions.get(d, set())]
    report.expect(
        "each decision and its cases were saved together (no half-written decision)",
        not half and not orphans,
        f"{len(facts.decisions)} decisions over {len(facts.grants)} cases; "
        f"{len(half)} decisions lacking a grant, {len(orphans)} grants without their decision",
    )
    broken = []
    for digest in facts.digests:
        try:
            ledger.blobs.get(digest)
        except Exception as error:
            broken.append(f"{digest[:12]}: {error}")
    report.expect(
        "every evidence file named in the log is on disk and matches its digest",
        not broken,
        f"{len(facts.digests)} files" + (f"; {broken[:2]}" if broken else ""),
    )
