"""Check 6 — cuts: terminate every database connection of the API and the projection runner,
several times, in the middle of an HTTP load, and prove clients were told the truth.

``hoctap serve`` and ``hoctap projections run`` run as separate processes on one PostgreSQL
schema; every connection they open carries the application name of this check (``PGAPPNAME``,
read by libpq), and the cuts terminate exactly those backends, never anyone else's (other
test runs share the server). Clients take cases through the whole path (``http_load``) with
an Idempotency-Key and ``X-Request-ID`` per command, resending a command after
``Retry-After`` while the server says its outcome is not known yet.

Verdicts: every acknowledged command is in the log where the server said, and its events
carry its request id; no command answered with a failure has any event in the log (no
committed write answered as a failure); no case step is recorded twice; no Idempotency-Key is
left in progress once its lease ended (each one still pending is resent and must settle to
the answer its client got); the runner is still running and every view reaches the log's end;
``hoctap verify`` and ``hoctap projections check`` pass.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import psycopg

from application.adapters.read_models import ReadModels
from application.ledger import Ledger
from ops.reliability.common import (
    PG_URL,
    Api,
    Report,
    Runner,
    Scratch,
    check_verified_and_views,
    free_port,
    log_shape,
)
from ops.reliability.crash import _check_acks, _check_whole, _merge, read_log
from ops.reliability.http_load import CaseFlow, LoadClient, Sent, Session, Tally, make_staff


@dataclass(frozen=True)
class Params:
    clients: int = 4
    cuts: int = 5
    seconds_between_cuts: float = 6.0
    #: How long a claim is held: a key whose answer was lost settles after this.
    lease_seconds: float = 3.0
    runner_page_size: int = 10


def cut_every_connection(application_name: str, url: str = PG_URL, aim: float = 0.0) -> int:
    """Terminate every backend of this application name; how many there were.

    With ``aim`` (seconds), wait up to that long for a moment when one of them is inside a
    write transaction (it holds a transaction id), so that the cut lands mid-write.
    """
    everyone = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND application_name = %(name)s"
        " AND pid <> pg_backend_pid()"
    )
    writing = (
        " AND EXISTS (SELECT 1 FROM pg_stat_activity w WHERE w.application_name = %(name)s"
        " AND w.backend_xid IS NOT NULL)"
    )
    deadline = time.monotonic() + aim
    with psycopg.connect(url, autocommit=True, application_name="hoctap-cutter") as admin:
        while time.monotonic() < deadline:
            if rows := admin.execute(everyone + writing, {"name": application_name}).fetchall():
                return len(rows)
            time.sleep(0.001)
        return len(admin.execute(everyone, {"name": application_name}).fetchall())


def run(scratch: Scratch, params: Params) -> Report:
    report = Report("Cuts: every database connection terminated under HTTP load (PostgreSQL)")
    name = f"hoctap-{scratch.schema}"
    scratch.env |= {
        "PGAPPNAME": name,
        "HOCTAP_IDEMPOTENCY_LEASE_SECONDS": str(params.lease_seconds),
    }
    ledger = Ledger(scratch.settings)
    models = ReadModels(scratch.settings, ledger.store)
    processes: list[Api | Runner] = []
    clients: list[LoadClient] = []
    stop = threading.Event()
    try:
        staff = make_staff(ledger)
        models.initialise()
        api, runner = Api(scratch, free_port()), Runner(scratch, params.runner_page_size)
        processes += [api, runner]
        api.wait_ready()
        settle = 10 * params.lease_seconds
        clients = [
            LoadClient(api.base_url, staff, n, stop, threading.Event(), settle)
            for n in range(params.clients)
        ]
        for client in clients:
            client.start()
        cut = []
        for _ in range(params.cuts):
            time.sleep(params.seconds_between_cuts)
            cut.append(cut_every_connection(name, aim=2.0))
        time.sleep(params.seconds_between_cuts)
        stop.set()
        for client in clients:
            client.join(timeout=120)
        report.expect(
            "every connection of the API and the runner terminated, again and again, mid-load",
            len(cut) == params.cuts and all(n >= 2 for n in cut),
            f"backends terminated per cut: {cut}",
        )
        tally = _merge([c.tally for c in clients])
        tally.sent = [s for c in clients for s in c.tally.sent]
        tally.unsettled = [u for c in clients for u in c.tally.unsettled]
        _check_answers(report, ledger, tally)
        _check_keys(report, scratch, api, staff, tally, params)
        _check_runner(report, ledger, models, runner)
        report.note(log_shape(ledger.store))
        runner.stop()
        check_verified_and_views(report, scratch, list(models.engine.projections))
    finally:
        stop.set()
        for process in processes:
            process.stop()
        models.close()
        ledger.close()
    return report


def _causations(ledger: Ledger) -> Counter[str]:
    """How many events of the log carry each causation id."""
    found: Counter[str] = Counter()
    after = 0
    recorder, mapper = ledger.store.recorder, ledger.store.mapper
    while items := recorder.select_notifications(start=after, limit=2000, inclusive_of_start=False):
        for n in items:
            event: Any = mapper.to_domain_event(n)
            if cause := getattr(event, "causation_id", None):
                found[cause] += 1
        after = items[-1].id
    return found


def _check_answers(report: Report, ledger: Ledger, tally: Tally) -> None:
    report.expect(
        "clients got final answers (2xx) for the commands of the load",
        bool(tally.acks),
        f"{len(tally.sent)} commands, {len(tally.acks)} acknowledged; resent after 'not known"
        f" yet' answers {dict(Counter(tally.unsettled))}; unexpected: {tally.unexpected[:3]}",
    )
    facts = read_log(ledger)
    _check_acks(report, tally.acks, facts)
    _check_whole(report, ledger, facts)
    causes = _causations(ledger)
    acked = [s for s in tally.sent if s.status is not None and s.status < 300]
    refused = [s for s in tally.sent if s not in acked]
    unrecorded = [s.key for s in acked if causes[s.key] == 0]
    report.expect(
        "every acknowledged command's events carry its request id",
        not unrecorded,
        f"{len(acked)} acknowledged; {len(unrecorded)} without events {unrecorded[:2]}",
    )
    lied = [f"{s.path} {s.status}" for s in refused if causes[s.key] > 0]
    report.expect(
        "no committed write was answered as a failure",
        not lied,
        f"{len(refused)} commands answered non-2xx or not at all"
        f" ({dict(Counter(s.status for s in refused))}); committed among them: {lied[:3]}",
    )


def _pending_keys(ledger: Ledger) -> set[str]:
    datastore: Any = ledger.store.recorder.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=False) as cur:
        cur.execute(
            f'SELECT key FROM "{ledger.settings.database_schema}".idempotency WHERE status = 0'
        )
        return {row["key"] for row in cur.fetchall()}


def _check_keys(
    report: Report, scratch: Scratch, api: Api, staff: Any, tally: Tally, params: Params
) -> None:
    """Keys still pending after the load (their answer was sent but could not be stored)
    settle on a resend once the lease ended, to the answer the client first got."""
    ledger = Ledger(scratch.settings, initialise=False)
    try:
        time.sleep(params.lease_seconds + 0.5)
        pending = _pending_keys(ledger)
        by_key = {s.key: s for s in tally.sent}
        session = Session(api.base_url, staff, threading.Event())
        flow = CaseFlow(session, Tally(), client=99, settle_seconds=10 * params.lease_seconds)
        mismatched = []
        for key in sorted(pending):
            first = by_key.get(key)
            if first is None:
                continue
            again = _resend(flow, first)
            if (again.status_code < 300) != (first.status is not None and first.status < 300):
                mismatched.append(f"{first.path}: first {first.status}, then {again.status_code}")
        session.close()
        left = _pending_keys(ledger)
    finally:
        ledger.close()
    report.expect(
        "no Idempotency-Key is left in progress: each pending one settles on a resend",
        not left and not mismatched,
        f"{len(pending)} keys pending after the load; {len(left)} still pending after resends;"
        f" answers that changed: {mismatched[:3]}",
    )


def _resend(flow: CaseFlow, first: Sent) -> Any:
    headers = {"Idempotency-Key": first.key, "X-Request-ID": first.key}
    return flow._settled(first.who, first.path, first.if_match, headers, first.kwargs)


def _check_runner(report: Report, ledger: Ledger, models: ReadModels, runner: Runner) -> None:
    last = ledger.store.recorder.max_notification_id() or 0
    reached = models.engine.wait_for(last, 120)
    report.expect(
        "the runner outlived every cut and brought every view to the log's end",
        reached and runner.popen.poll() is None,
        f"log at {last}; runner {'running' if runner.popen.poll() is None else 'exited'};"
        f" it logged {runner.tail(200).count('projection runner:')} lines about lost"
        " connections",
    )
