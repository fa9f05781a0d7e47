"""Commands over real HTTP, as an office would send them, recording every acknowledgement.

The staff of one commune (officer, reviewer, two council members, signer) are created at the
console, as ``hoctap users create``/``token`` do, before any server starts. A client then
takes citizens through the whole path — register, open a case, attach evidence, self-assess,
review, form the council, appraise — and every two appraised cases are decided together in
one decision (saved with both cases in one transaction).

Every write to an existing record carries ``If-Match`` with the ETag of the previous answer,
and every POST an ``Idempotency-Key`` (also sent as ``X-Request-ID``, so the command's events
carry it as their causation id). A command whose answer never came (the server was killed)
is *in doubt*: the client waits for the server to come back and sends the very same request
once more; a 2xx then counts as acknowledged, anything else abandons that case. A client
with ``settle_seconds`` also resends, after ``Retry-After``, a request answered 5xx or 409
``idempotency-key-in-progress`` (the server could not tell yet), until it gets a final
answer or that time runs out. Every command and its final answer are kept (``Tally.sent``).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import httpx2 as httpx

from application.ledger import Ledger
from domain.glossary import Role
from ops.reliability.workload import CONSOLE, prepare

SCORES = {str(i): "9" for i in range(1, 11)}


@dataclass(frozen=True)
class Staff:
    """Bearer tokens by role name, and the ids the commands refer to."""

    tokens: dict[str, str]
    ids: dict[str, UUID]
    commune: UUID


def make_staff(ledger: Ledger, reviewers: int = 1) -> Staff:
    """Criteria, a commune and its staff (accounts on the commune's unit), with tokens."""
    world = prepare(ledger, tag="H")
    accounts: list[tuple[str, Role]] = [
        ("officer", Role.COMMUNE_OFFICER),
        ("chair", Role.COUNCIL_MEMBER),
        ("member", Role.COUNCIL_MEMBER),
        ("signer", Role.SIGNER),
    ] + [(f"reviewer{n}", Role.REVIEWER) for n in range(reviewers)]
    tokens, ids = {}, {}
    for name, role in accounts:
        user = ledger.access.create_user(CONSOLE, f"commune-{name}", [role], world.commune).id
        tokens[name] = ledger.access.issue_token(CONSOLE, user, 24, "reliability").token
        ids[name] = user
    tokens["reviewer"], ids["reviewer"] = tokens["reviewer0"], ids["reviewer0"]
    return Staff(tokens, ids, world.commune)


@dataclass(frozen=True)
class Ack:
    """A command the server acknowledged with 2xx: where it says the change landed."""

    what: str
    id: UUID
    version: int
    position: int | None
    after_restart: bool


@dataclass(frozen=True)
class Sent:
    """One command as sent (to send it again) and the final answer it got (None: none)."""

    key: str
    who: str
    path: str
    if_match: int | None
    kwargs: dict[str, Any]
    status: int | None
    body: dict[str, Any] | None


@dataclass
class Tally:
    """What one client saw (merged by the caller)."""

    acks: list[Ack] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    #: Answers that said "not known yet" (5xx, key in progress), each followed by a resend.
    unsettled: list[int] = field(default_factory=list)
    in_doubt: int = 0
    retried_ok: int = 0
    retried_refused: list[int] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    decisions: int = 0


class Down(Exception):
    """The server did not answer (connection refused or reset, or it was killed mid-request)."""


class Session:
    """One client's HTTP connection and its view of the server's life cycle."""

    def __init__(self, base_url: str, staff: Staff, restarted: threading.Event) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60)
        self.staff = staff
        self.restarted = restarted
        self.in_flight = 0

    def close(self) -> None:
        self.http.close()

    def send(
        self, who: str, path: str, *, if_match: int | None = None, **kwargs: Any
    ) -> httpx.Response:
        """POST once with the given Idempotency-Key (in ``headers``); Down if no answer."""
        headers = {"Authorization": f"Bearer {self.staff.tokens[who]}"}
        headers |= kwargs.pop("headers", {})
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        self.in_flight += 1
        try:
            return self.http.post(path, headers=headers, **kwargs)
        except httpx.TransportError as error:
            raise Down(str(error)) from error
        finally:
            self.in_flight -= 1

    def wait_until_up(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.http.get("/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError("server did not come back")


class CaseFlow:
    """Takes citizens through the path over HTTP; decides every two appraised cases at once."""

    def __init__(
        self, session: Session, tally: Tally, client: int, settle_seconds: float = 0
    ) -> None:
        self.s = session
        self.tally = tally
        self.client = client
        self.settle_seconds = settle_seconds
        self.people = 0
        self.appraised: list[UUID] = []

    def command(
        self, what: str, who: str, path: str, *, if_match: int | None = None, **kwargs: Any
    ) -> dict[str, Any] | None:
        """Send; on no answer retry the same request once the server is back. The body of a
        2xx answer, or None when the case has to be abandoned."""
        key = str(uuid.uuid4())
        headers = {"Idempotency-Key": key, "X-Request-ID": key}
        try:
            response = self._settled(who, path, if_match, headers, kwargs)
        except Down:
            self.tally.in_doubt += 1
            self.s.wait_until_up()
            try:
                response = self._settled(who, path, if_match, headers, kwargs)
            except Down:
                self._keep(key, who, path, if_match, kwargs, None)
                return None
            self._keep(key, who, path, if_match, kwargs, response)
            if response.status_code >= 300:
                self.tally.retried_refused.append(response.status_code)
                return None
            self.tally.retried_ok += 1
        else:
            self._keep(key, who, path, if_match, kwargs, response)
        if response.status_code >= 300:
            self.tally.unexpected.append(f"{what}: {response.status_code} {response.text[:200]}")
            return None
        body: dict[str, Any] = response.json()
        if "version" in body:
            self.tally.acks.append(
                Ack(
                    what,
                    UUID(body["id"]),
                    int(body["version"]),
                    body.get("position"),
                    self.s.restarted.is_set(),
                )
            )
        return body

    def _settled(
        self,
        who: str,
        path: str,
        if_match: int | None,
        headers: dict[str, str],
        kwargs: dict[str, Any],
    ) -> httpx.Response:
        """Send; while the answer is "not known yet", wait Retry-After and send again."""
        deadline = time.monotonic() + self.settle_seconds
        while True:
            response = self.s.send(who, path, if_match=if_match, headers=headers, **kwargs)
            if not unsettled(response) or time.monotonic() >= deadline:
                return response
            self.tally.unsettled.append(response.status_code)
            time.sleep(min(float(response.headers.get("retry-after", "1")), 10.0))

    def _keep(
        self,
        key: str,
        who: str,
        path: str,
        if_match: int | None,
        kwargs: dict[str, Any],
        response: httpx.Response | None,
    ) -> None:
        status = response.status_code if response is not None else None
        body = response.json() if response is not None and _is_json(response) else None
        self.tally.sent.append(Sent(key, who, path, if_match, kwargs, status, body))

    def person(self) -> UUID | None:
        self.people += 1
        n = self.people
        body = self.command(
            "register person",
            "officer",
            "/persons",
            json={
                "cccd": f"9{self.client:03d}{n:08d}",
                "full_name": f"Người Tải {self.client}-{n}",
                "birth_date": "1991-02-03",
                "gender": "nu",
                "ethnicity": "Kinh",
                "target_group": "can_bo",
                "unit_id": str(self.s.staff.commune),
            },
        )
        return UUID(body["id"]) if body else None

    def open_reviewed_case(self, person: UUID) -> tuple[UUID, int] | None:
        """Open, attach evidence, self-assess and review; (case id, version) or None."""
        body = self.command(
            "open case",
            "officer",
            "/cases",
            json={
                "subject_id": str(person),
                "model": "cong_dan_hoc_tap",
                "cycle_year": 2026,
                "opened_on": "2026-01-10",
            },
        )
        if body is None:
            return None
        case, version = UUID(body["id"]), int(body["version"])
        steps: list[tuple[str, str, str, dict[str, Any]]] = [
            (
                "attach evidence",
                "officer",
                "evidence",
                {
                    "files": {"file": ("minh-chung.pdf", b"%PDF-1.4\n% " + case.bytes, "a/b")},
                    "data": {
                        "kind": "giay_xac_nhan",
                        "issuer": "Chi hội Khuyến học",
                        "issued_on": "2026-01-15",
                        "indicators": ",".join(SCORES),
                    },
                },
            ),
            (
                "self-assess",
                "officer",
                "self-assessment",
                {"json": {"scores": SCORES, "assessed_on": "2026-02-01"}},
            ),
            (
                "review",
                "reviewer",
                "review",
                {"json": {"scores": SCORES, "remarks": "Đủ", "reviewed_on": "2026-02-05"}},
            ),
        ]
        for what, who, path, kwargs in steps:
            body = self.command(what, who, f"/cases/{case}/{path}", if_match=version, **kwargs)
            if body is None:
                return None
            version = int(body["version"])
        return case, version

    def appraise(self, case: UUID, version: int) -> bool:
        staff = self.s.staff
        council = {
            "name": "Hội đồng xét công nhận năm 2026",
            "members": [
                {"user_id": str(staff.ids["chair"]), "role": "chair"},
                {"user_id": str(staff.ids["member"])},
            ],
            "formed_on": "2026-02-17",
        }
        body = self.command(
            "form council", "officer", f"/cases/{case}/council", if_match=version, json=council
        )
        if body is None:
            return False
        appraisal = {
            "recommended": True,
            "votes_for": 2,
            "votes_against": 0,
            "appraised_on": "2026-02-20",
        }
        body = self.command(
            "appraise",
            "chair",
            f"/cases/{case}/appraisal",
            if_match=int(body["version"]),
            json=appraisal,
        )
        return body is not None

    def decide(self, cases: list[UUID]) -> None:
        self.tally.decisions += 1
        body = {
            "number": f"{self.client}-{self.tally.decisions}/QĐ-TAI",
            "decided_on": date(2026, 3, 1).isoformat(),
            "signer_title": "Chủ tịch UBND xã",
            "authority_name": "UBND xã Kiểm Thử",
            "authority_unit_id": str(self.s.staff.commune),
            "legal_basis": "244/QĐ-KHVN",
            "rulings": [{"case_id": str(c), "outcome": "granted"} for c in cases],
        }
        self.command("issue decision (with its cases)", "signer", "/decisions", json=body)

    def one_case(self) -> None:
        person = self.person()
        if person is None:
            return
        opened = self.open_reviewed_case(person)
        if opened is None or not self.appraise(*opened):
            return
        self.appraised.append(opened[0])
        if len(self.appraised) == 2:
            self.decide(self.appraised)
            self.appraised = []


def unsettled(response: httpx.Response) -> bool:
    """An answer that says the outcome is not known yet: resending the same request (same
    Idempotency-Key) will learn it."""
    if response.status_code >= 500:
        return True
    if response.status_code == 409 and _is_json(response):
        return bool(response.json().get("code") == "idempotency-key-in-progress")
    return False


def _is_json(response: httpx.Response) -> bool:
    return "json" in response.headers.get("content-type", "")


class LoadClient(threading.Thread):
    """One client thread running whole cases until ``stop``."""

    def __init__(
        self,
        base_url: str,
        staff: Staff,
        client: int,
        stop: threading.Event,
        restarted: threading.Event,
        settle_seconds: float = 0,
    ) -> None:
        super().__init__(name=f"client-{client}", daemon=True)
        self.tally = Tally()
        self.session = Session(base_url, staff, restarted)
        self.flow = CaseFlow(self.session, self.tally, client, settle_seconds)
        self.stop = stop

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    self.flow.one_case()
                except (Down, TimeoutError) as error:
                    self.tally.unexpected.append(f"gave up: {error}")
                    self.session.wait_until_up()
        except Exception as error:  # reported by the check
            self.tally.unexpected.append(f"client crashed: {error!r}")
        finally:
            self.session.close()


def reviewed_case(base_url: str, staff: Staff) -> UUID | None:
    """One reviewed case made over HTTP, for the checks that race on a single case."""
    session = Session(base_url, staff, threading.Event())
    try:
        flow = CaseFlow(session, Tally(), client=0)
        person = flow.person()
        opened = flow.open_reviewed_case(person) if person else None
        return opened[0] if opened else None
    finally:
        session.close()
