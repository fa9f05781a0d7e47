"""Check 5 — idempotency under concurrency and faults: the README promises that a POST
resent with the same ``Idempotency-Key`` "returns the first result and writes nothing".

The command used is filing a complaint (``POST /complaints``): it creates a record with a
fresh id and carries no ``If-Match``, so nothing but the key stands between a retry and a
second complaint, whose legal clocks would then run twice.

1. A retry sent after the first answer came back: must replay the answer, write nothing.
2. The same request sent several times at once with one key (a client that timed out and
   retried while the first was still running, or a proxy that duplicated it): must write
   once, and every answer must name the same complaint.
3. The server dies after the complaint was committed and before the key's record was stored
   (``faulty_api``: SIGKILL at that exact point), comes back, and the client resends: must
   write nothing more, and once the dead request's lease has ended the resend must learn
   the complaint that was committed (never "in progress" for good).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from uuid import UUID

import httpx2 as httpx

from application.ledger import Ledger
from ops.reliability.common import Api, Report, Scratch, free_port
from ops.reliability.http_load import Staff, make_staff, reviewed_case

RECEIVED = "hoctap.Complaint.Received"


@dataclass(frozen=True)
class Params:
    clients: int = 4
    rounds: int = 5


#: The claim lease of the servers of the crash step: the resend waits it out.
LEASE_SECONDS = 2.0


def complaint_ids(ledger: Ledger) -> list[str]:
    """The complaints the log holds, in order (only this check files any)."""
    found, after = [], 0
    while items := ledger.store.recorder.select_notifications(
        start=after, limit=2000, inclusive_of_start=False
    ):
        found += [str(n.originator_id) for n in items if n.topic == RECEIVED]
        after = items[-1].id
    return found


def complaints(ledger: Ledger) -> int:
    """How many complaints the log holds."""
    return len(complaint_ids(ledger))


class Complainant:
    """Sends one complaint about one case, with the key it is given."""

    def __init__(self, base_url: str, staff: Staff, case: UUID) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60)
        self.token = staff.tokens["officer"]
        self.body = {
            "case_ids": [str(case)],
            "step": "review",
            "grounds": "Điểm thẩm định chỉ số 1 chưa đúng",
            "learnt_on": "2026-11-20",
        }

    def file(self, key: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": key}
        return self.http.post("/complaints", json=self.body, headers=headers)

    def close(self) -> None:
        self.http.close()


def run(scratch: Scratch, params: Params) -> Report:
    report = Report("Idempotency-Key under concurrent duplicates and a crash (PostgreSQL)")
    ledger = Ledger(scratch.settings)
    port = free_port()
    api = Api(scratch, port)
    try:
        staff = make_staff(ledger)
        api.wait_ready()
        case = reviewed_case(api.base_url, staff)
        if not report.expect("a reviewed case to complain about", case is not None, str(case)):
            return report
        assert case is not None
        _sequential(report, ledger, Complainant(api.base_url, staff, case))
        _concurrent(report, ledger, api.base_url, staff, case, params)
        api.stop()
        _crash(report, ledger, scratch, port, staff, case)
    finally:
        api.stop()
        ledger.close()
    return report


def _sequential(report: Report, ledger: Ledger, complainant: Complainant) -> None:
    before = complaints(ledger)
    key = str(uuid.uuid4())
    first, again = complainant.file(key), complainant.file(key)
    complainant.close()
    written = complaints(ledger) - before
    report.expect(
        "a retry after the answer replays it and writes nothing",
        first.status_code == again.status_code == 201
        and first.json()["id"] == again.json()["id"]
        and written == 1,
        f"answers {first.status_code}/{again.status_code}, replayed="
        f"{again.headers.get('idempotent-replayed')}, complaints written {written}",
    )


def _concurrent(
    report: Report, ledger: Ledger, base_url: str, staff: Staff, case: UUID, params: Params
) -> None:
    """``rounds`` times: ``clients`` identical requests with one key, released together."""
    before = complaints(ledger)
    senders = [Complainant(base_url, staff, case) for _ in range(params.clients)]
    ids_per_round: list[set[str]] = []
    statuses: list[int] = []
    for _ in range(params.rounds):
        key = str(uuid.uuid4())
        barrier = threading.Barrier(params.clients)
        answers: list[httpx.Response] = []

        threads = [
            threading.Thread(target=_send_at_once, args=(s, key, barrier, answers)) for s in senders
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        statuses += [a.status_code for a in answers]
        ids_per_round.append({a.json().get("id", "") for a in answers if a.status_code < 300})
    for sender in senders:
        sender.close()
    written = complaints(ledger) - before
    report.expect(
        f"identical requests sent at once with one key write once ({params.clients} at a "
        f"time, {params.rounds} rounds)",
        written == params.rounds and all(len(ids) == 1 for ids in ids_per_round),
        f"{written} complaints written for {params.rounds} keys; distinct ids per round "
        f"{[len(ids) for ids in ids_per_round]}; answers {sorted(set(statuses))}",
    )


def _send_at_once(
    sender: Complainant, key: str, barrier: threading.Barrier, answers: list[httpx.Response]
) -> None:
    barrier.wait(timeout=60)
    answers.append(sender.file(key))


def _crash(
    report: Report, ledger: Ledger, scratch: Scratch, port: int, staff: Staff, case: UUID
) -> None:
    """Commit, die before the key is stored, come back, resend the same request."""
    before = complaints(ledger)
    scratch.env["HOCTAP_IDEMPOTENCY_LEASE_SECONDS"] = str(LEASE_SECONDS)
    faulty = Api(scratch, port, name="api-faulty", faulty=True)
    key = str(uuid.uuid4())
    try:
        faulty.wait_ready()
        complainant = Complainant(faulty.base_url, staff, case)
        try:
            complainant.file(key)
            answered = True
        except httpx.TransportError:
            answered = False
        complainant.close()
        died = faulty.popen.wait(timeout=30)
    finally:
        faulty.stop()
    committed = complaints(ledger) - before
    api = Api(scratch, port, name="api-after-fault")
    try:
        api.wait_ready()
        complainant = Complainant(api.base_url, staff, case)
        time.sleep(LEASE_SECONDS + 0.5)
        retry = complainant.file(key)
        complainant.close()
    finally:
        api.stop()
    ids = complaint_ids(ledger)
    written = len(ids) - before
    learnt = retry.json().get("id") if retry.status_code == 200 else None
    report.expect(
        "a resend after the server died between commit and storing the key writes nothing"
        " more, and learns the committed complaint once the dead request's lease ended",
        not answered and died == -9 and committed == 1 and written == 1 and learnt == ids[-1],
        f"first attempt: no answer={not answered}, server exit {died}, committed {committed}; "
        f"resend answered {retry.status_code} with id {learnt} (replayed="
        f"{retry.headers.get('idempotent-replayed')}); complaints written in all {written}",
    )
