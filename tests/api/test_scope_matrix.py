"""Every endpoint × every role × a subject inside and outside the role's unit: nothing leaks.

The world: province P with commune N (formed on 2025-07-01 from the old commune A0, which
keeps its records) and village V under N, a second commune B in P, and commune C in another
province Q. One account per role sits in N; the citizen is a person of V with a household.
Inside N's scope: V's person, household and cases, and A0's case (through the merger).
Outside: B's and C's.

For each endpoint the table says which roles may use it. Then, for every role:

* inside the scope, an allowed role gets exactly the status its endpoint expects (200 for a
  read, 412 for a write with a stale If-Match, 409 for a creating write that collides, or as
  the endpoint says), so a refusal or a 404 cannot pass for an allowed call; a role that is
  not allowed gets 403;
* outside the scope, every role gets 403 or 404;
* no response, allowed or not, contains the id of a record outside the scope;
* writes to existing records carry a stale If-Match, so an allowed in-scope write ends in
  412 after every check has passed, and creating writes target an existing record or a
  past deadline (409): the matrix writes nothing but read-audit events and tokens.
"""

from __future__ import annotations

import io
import json
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.app import create_app
from application.ledger import Ledger
from application.services.assessments import SeatRequest
from application.services.decisions import RulingRequest
from application.services.records import VIETNAM, FixedClock
from domain.access import FILE_READERS
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.glossary import DecisionOutcome, Role, SubjectKind, TitleModel, UnitLevel
from tests.conftest import PG_URL, make_settings, require_postgres

CONSOLE = CommandContext("cli:test", Role.ADMINISTRATOR.value, "matrix-setup")
ALL = tuple(Role)
STAFF = tuple(r for r in Role if r is not Role.CITIZEN)
OFFICERS = (Role.VILLAGE_OFFICER, Role.COMMUNE_OFFICER)
APPLICANTS = (Role.CITIZEN, *OFFICERS)
AUDITORS = (Role.INSPECTOR, Role.ADMINISTRATOR)
STALE = '"999"'
#: What the matrix may write: read audit, tokens, and a report compiled inside the scope
#: (compiling has no later check for a stale or wrong body to trip on).
ALLOWED_TOPICS = (
    "hoctap.ReadTrail.",
    "hoctap.ApiToken.Issued",
    "hoctap.StatisticsReport.Compiled",
)


@dataclass
class Side:
    """The records on one side of the scope line."""

    person: uuid.UUID
    household: uuid.UUID
    case: uuid.UUID
    evidence: uuid.UUID
    decision: uuid.UUID
    complaint: uuid.UUID
    unit: uuid.UUID
    commune: uuid.UUID
    user: uuid.UUID
    token: uuid.UUID
    cccd: str


@dataclass
class World:
    ledger: Ledger
    client: TestClient
    tokens: dict[Role, str]
    inside: Side
    outside: Side
    far_case: uuid.UUID
    old_case: uuid.UUID
    ids: dict[str, uuid.UUID] = field(default_factory=dict)

    def call(self, role: Role, method: str, path: str, **kw: Any):
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} | kw.pop("headers", {})
        return self.client.request(method, path, headers=headers, **kw)

    def hidden(self) -> list[str]:
        """Ids that no one in N may ever see."""
        o = self.outside
        records = (o.person, o.household, o.case, o.evidence, o.decision, o.complaint)
        return [str(i) for i in (*records, self.far_case, self.ids["report_outside"])]


# --- building the world through the application, as the console would ---------------------


def unit(ledger: Ledger, code: str, level: UnitLevel, parent: uuid.UUID | None, since: date):
    kind = {"province": "tinh", "commune": "xa", "village": "thon"}[level.value]
    return ledger.registry.establish_unit(
        CONSOLE,
        code=code,
        name=f"Đơn vị {code}",
        level=level,
        unit_type=kind,
        parent_id=parent,
        valid_from=since,
    ).id


def person(ledger: Ledger, cccd: str, unit_id: uuid.UUID) -> uuid.UUID:
    return ledger.registry.register_person(
        CONSOLE,
        cccd=cccd,
        full_name=f"Người {cccd[-3:]}",
        birth_date=date(1990, 1, 1),
        gender="nu",
        ethnicity="Kinh",
        target_group="can_bo",
        unit_id=unit_id,
    ).id


def users_of(ledger: Ledger, suffix: str, unit_id: uuid.UUID) -> dict[Role, uuid.UUID]:
    return {
        role: ledger.access.create_user(
            CONSOLE, f"{role.value.replace('_', '-')}-{suffix}", [role], unit_id
        ).id
        for role in STAFF
    }


def decided_case(
    ledger: Ledger, person_id: uuid.UUID, staff: dict[Role, uuid.UUID], unit_id: uuid.UUID
) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID]:
    """A 2026 case refused on 2026-02-20, and the complaint against it: (case, evidence,
    decision, complaint)."""

    def as_(role: Role) -> CommandContext:
        return CommandContext(str(staff[role]), role.value, "matrix-setup")

    officer = as_(Role.COMMUNE_OFFICER)
    case = ledger.assessments.open_case(
        officer, person_id, TitleModel.LEARNING_CITIZEN, 2026, date(2026, 1, 10)
    )
    evidence = None
    for code in range(1, 11):
        _, evidence_id = ledger.assessments.attach_evidence(
            officer,
            case.id,
            content=f"Giấy xác nhận {code}".encode(),
            kind="giay_xac_nhan",
            issuer="Chi hội Khuyến học",
            issued_on=date(2026, 1, 15),
            indicators=[str(code)],
        )
        evidence = evidence or evidence_id
    scores = {str(i): Decimal(9) for i in range(1, 11)} | {"5": Decimal(4)}
    ledger.assessments.self_assess(as_(Role.VILLAGE_OFFICER), case.id, scores, date(2026, 2, 1))
    ledger.assessments.review(as_(Role.REVIEWER), case.id, scores, None, None, date(2026, 2, 5))
    ledger.assessments.form_council(
        officer,
        case.id,
        "Hội đồng",
        [SeatRequest(staff[Role.COUNCIL_MEMBER], "chair")],
        date(2026, 2, 10),
    )
    ledger.assessments.appraise(
        as_(Role.COUNCIL_MEMBER),
        case.id,
        recommended=False,
        votes_for=0,
        votes_against=1,
        on=date(2026, 2, 15),
    )
    decision = ledger.decisions.issue_decision(
        as_(Role.SIGNER),
        number=f"{secrets.randbelow(10**6)}/QĐ-UBND",
        decided_on=date(2026, 2, 20),
        signer_title="Chủ tịch UBND xã",
        authority_name="UBND xã",
        authority_unit_id=unit_id,
        legal_basis="244/QĐ-KHVN",
        rulings=[RulingRequest(case.id, DecisionOutcome.REFUSED)],
    )
    complaint = ledger.complaints.file_complaint(
        officer,
        case_ids=[case.id],
        grounds="Chỉ số 5 chưa được tính đúng",
        learnt_on=date(2026, 2, 21),
        decision_id=decision.id,
    )
    assert evidence is not None
    return case.id, evidence, decision.id, complaint.id


def build_world(ledger: Ledger, clock: FixedClock) -> dict[str, Any]:
    clock.current = datetime(2025, 5, 1, 9, tzinfo=VIETNAM)  # before the 2025 merger
    ledger.criteria.load_seed_criteria(CONSOLE)
    p = unit(ledger, "MT-P", UnitLevel.PROVINCE, None, date(2008, 1, 1))
    q = unit(ledger, "MT-Q", UnitLevel.PROVINCE, None, date(2008, 1, 1))
    a0 = unit(ledger, "MT-A0", UnitLevel.COMMUNE, p, date(2008, 1, 1))
    old_person = person(ledger, "001090000900", a0)
    old_case = ledger.assessments.open_case(
        CONSOLE, old_person, TitleModel.LEARNING_CITIZEN, 2025, date(2025, 5, 1)
    ).id
    clock.current = datetime(2026, 3, 1, 9, tzinfo=VIETNAM)
    reform = date(2025, 7, 1)
    n = unit(ledger, "MT-N", UnitLevel.COMMUNE, p, reform)
    ledger.registry.merge_units(
        CONSOLE, [a0], n, reform, "Nghị quyết sắp xếp đơn vị hành chính 2025"
    )
    b = unit(ledger, "MT-B", UnitLevel.COMMUNE, p, reform)
    c = unit(ledger, "MT-C", UnitLevel.COMMUNE, q, reform)
    v = unit(ledger, "MT-V", UnitLevel.VILLAGE, n, reform)
    world: dict[str, Any] = {"old_case": old_case, "units": {"P": p, "N": n, "B": b, "V": v}}
    for side, home, commune, cccd in (
        ("inside", v, n, "001090000901"),
        ("outside", b, b, "001090000902"),
    ):
        who = person(ledger, cccd, home)
        household = ledger.registry.register_collective(
            CONSOLE, kind=SubjectKind.HOUSEHOLD, name=f"Hộ {cccd[-3:]}", unit_id=home
        ).id
        ledger.registry.add_member(CONSOLE, household, who, "chu_ho")
        ledger.registry.register_collective(
            CONSOLE, kind=SubjectKind.COMMUNITY, name="Thôn", unit_id=home
        )
        staff = users_of(ledger, side, commune)
        case, evidence, decision, complaint = decided_case(ledger, who, staff, commune)
        token = ledger.access.issue_token(CONSOLE, staff[Role.COMMUNE_OFFICER]).token_id
        world[side] = Side(
            who,
            household,
            case,
            evidence,
            decision,
            complaint,
            home,
            commune,
            staff[Role.COMMUNE_OFFICER],
            token,
            cccd,
        )
        world[f"staff_{side}"] = staff
    far = person(ledger, "001090000903", c)
    world["far_case"] = ledger.assessments.open_case(
        CONSOLE, far, TitleModel.LEARNING_CITIZEN, 2026, date(2026, 1, 10)
    ).id
    citizen = ledger.access.create_user(
        CONSOLE, "citizen-inside", [Role.CITIZEN], v, world["inside"].person
    )
    world["citizen"] = citizen.id
    return world


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    schema = None
    if request.param == "postgres":
        require_postgres()
        schema = f"test_{uuid.uuid4().hex[:12]}"
    settings = make_settings(request.param, Path(tmp_path_factory.mktemp("var")), schema)
    settings.projections_in_api = True
    clock = FixedClock(datetime(2026, 3, 1, 9, tzinfo=VIETNAM))
    ledger = Ledger(settings, clock=clock)
    try:
        built = build_world(ledger, clock)
        tokens = {
            role: ledger.access.issue_token(CONSOLE, built["staff_inside"][role]).token
            for role in STAFF
        }
        tokens[Role.CITIZEN] = ledger.access.issue_token(CONSOLE, built["citizen"]).token
        ledger.auditor.make_checkpoint(clock.now())  # GET /audit/checkpoint has one to serve
        with TestClient(create_app(settings, ledger=ledger)) as client:
            the_world = World(
                ledger,
                client,
                tokens,
                built["inside"],
                built["outside"],
                built["far_case"],
                built["old_case"],
                built["units"]
                | {
                    "citizen": built["citizen"],
                    "criteria_set": ledger.records.get(
                        AssessmentCase, built["inside"].case
                    ).criteria_set_id,
                },
            )
            # let the views fold the world before the lists are read
            position = ledger.store.recorder.max_notification_id()
            the_world.call(Role.ADMINISTRATOR, "GET", f"/standings?wait_for_position={position}")
            for side in ("inside", "outside"):
                reporter = built[f"staff_{side}"][Role.REPORTING_OFFICER]
                the_world.ids[f"report_{side}"] = ledger.reports.compile_report(
                    CommandContext(str(reporter), Role.REPORTING_OFFICER.value, "matrix-setup"),
                    client.app.state.read_models,
                    cycle_year=2026,
                    structure="two_level",
                    model=None,
                    unit_id=built[side].commune,
                ).id
            yield the_world
    finally:
        ledger.close()
        if schema:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


# --- the table: every endpoint, who may use it inside the scope, and how to call it ---------

Fill = Callable[[World, Side], dict[str, Any]]


UNKNOWN_SERIAL = {"serial": "00000-00000-00000-00000"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    route: str
    #: Roles that may use it on records inside their scope (the citizen: on their own).
    roles: tuple[Role, ...]
    params: Fill = lambda w, s: {}
    body: Fill | None = None
    query: str = ""
    #: ``record``: inside/outside subjects; ``list``: filtered by scope; ``global``: unscoped.
    kind: str = "record"
    if_match: bool = False
    #: What an allowed role gets inside its scope, when not the usual: 200 for a read, 412
    #: for a write with the stale If-Match, 409 for a creating write that collides.
    allowed: int | None = None

    @property
    def expected(self) -> int:
        if self.allowed is not None:
            return self.allowed
        return 200 if self.method == "GET" else 412 if self.if_match else 409

    @property
    def name(self) -> str:
        return f"{self.method} {self.route}{'?' + self.query if self.query else ''}"

    def url(self, world: World, side: Side) -> str:
        path = self.route.format(**self.params(world, side))
        query = self.query.format(**self.params(world, side))
        return f"{path}?{query}" if query else path


def case(w: World, s: Side) -> dict[str, Any]:
    return {"case_id": s.case, "evidence_id": s.evidence}


def scores(_: World, __: Side) -> dict[str, Any]:
    return {"scores": {"1": "5"}}


def report(w: World, s: Side) -> dict[str, Any]:
    return {"report_id": w.ids["report_inside" if s is w.inside else "report_outside"]}


def reason(_: World, __: Side) -> dict[str, Any]:
    return {"reason": "Kiểm tra phạm vi"}


COMPLAINT_HANDLING = (Role.COMPLAINT_HANDLER, Role.COMMUNE_OFFICER)
REGISTRARS = (*OFFICERS, Role.ADMINISTRATOR)
ACTIVITY = (Role.INSPECTOR, Role.ADMINISTRATOR, Role.REPORTING_OFFICER)
REPORTERS = (Role.REPORTING_OFFICER, Role.ADMINISTRATOR)
REPORT_READERS = (Role.REPORTING_OFFICER, Role.INSPECTOR, Role.ADMINISTRATOR)
FILE_OPENERS = (Role.CITIZEN, *FILE_READERS)
WATCHERS = (Role.COMPLAINT_HANDLER, Role.COMMUNE_OFFICER, Role.INSPECTOR, Role.ADMINISTRATOR)

ENDPOINTS = [
    # cases and their steps
    Endpoint("GET", "/cases/{case_id}", ALL, case),
    Endpoint(
        "POST",
        "/cases",
        APPLICANTS,
        body=lambda w, s: {
            "subject_id": str(s.person),
            "model": "cong_dan_hoc_tap",
            "cycle_year": 2026,
            "opened_on": "2027-01-01",
        },
    ),
    Endpoint("POST", "/cases/{case_id}/evidence", APPLICANTS, case, if_match=True),
    Endpoint("GET", "/cases/{case_id}/evidence/{evidence_id}", FILE_OPENERS, case),
    Endpoint(
        "POST",
        "/cases/{case_id}/evidence/{evidence_id}/supersession",
        APPLICANTS,
        case,
        reason,
        if_match=True,
    ),
    Endpoint("POST", "/cases/{case_id}/self-assessment", APPLICANTS, case, scores, if_match=True),
    Endpoint("POST", "/cases/{case_id}/review", (Role.REVIEWER,), case, scores, if_match=True),
    Endpoint(
        "POST",
        "/cases/{case_id}/score-revisions",
        (Role.REVIEWER,),
        case,
        lambda w, s: {"indicator": "1", "score": "5", "reason": "Sửa"},
        if_match=True,
    ),
    Endpoint(
        "POST",
        "/cases/{case_id}/member-shares",
        OFFICERS,
        case,
        lambda w, s: {"indicator": "1"},
        if_match=True,
    ),
    Endpoint(
        "POST",
        "/cases/{case_id}/notice",
        OFFICERS,
        case,
        lambda w, s: {"posted_on": "2026-02-01", "closes_on": "2026-02-15", "place": "Nhà văn hóa"},
        if_match=True,
    ),
    Endpoint(
        "POST",
        "/cases/{case_id}/notice/closure",
        OFFICERS,
        case,
        lambda w, s: {"closed_on": "2026-02-16", "comments_received": 0},
        if_match=True,
    ),
    Endpoint(
        "POST",
        "/cases/{case_id}/council",
        OFFICERS,
        case,
        lambda w, s: {"name": "Hội đồng", "members": [{"user_id": str(s.user)}]},
        if_match=True,
    ),
    Endpoint(
        "POST",
        "/cases/{case_id}/council/conflicts",
        (Role.COUNCIL_MEMBER, Role.COMMUNE_OFFICER),
        case,
        lambda w, s: {"member_id": str(s.user), "reason": "Người thân"},
        if_match=True,
    ),
    Endpoint(
        "POST",
        "/cases/{case_id}/appraisal",
        (Role.COUNCIL_MEMBER,),
        case,
        lambda w, s: {"recommended": False, "votes_for": 0, "votes_against": 1},
        if_match=True,
    ),
    Endpoint("POST", "/cases/{case_id}/withdrawal", APPLICANTS, case, reason, if_match=True),
    Endpoint("GET", "/cases/{case_id}/as-of", ALL, case, query="version=1"),
    Endpoint("GET", "/cases/{case_id}/history", ALL, case),
    Endpoint(
        "POST",
        "/cases/{case_id}/re-evaluations",
        ALL,
        case,
        lambda w, s: {"criteria_set_id": str(w.ids["criteria_set"])},
        allowed=200,  # a would-it-pass answer: nothing is written
    ),
    Endpoint("GET", "/cases/{case_id}/explanation", ALL, case),
    Endpoint("GET", "/cases/{case_id}/explanation.html", ALL, case),
    # the matrix's cases are not granted: inside the scope 404 (no credential yet), outside
    # 403 before that; tests/api/test_credentials.py reads a granted one
    Endpoint("GET", "/cases/{case_id}/credential", ALL, case, allowed=404),
    Endpoint("GET", "/audit/bundles/{case_id}", AUDITORS, case),
    # decisions and complaints
    Endpoint("GET", "/decisions/{decision_id}", ALL, lambda w, s: {"decision_id": s.decision}),
    Endpoint(
        "POST",
        "/decisions",
        (Role.SIGNER,),
        body=lambda w, s: {
            "number": "99/QĐ-UBND",
            "decided_on": "2026-02-28",
            "signer_title": "Chủ tịch",
            "authority_name": "UBND xã",
            "authority_unit_id": str(w.ids["N"]),
            "legal_basis": "244/QĐ-KHVN",
            "rulings": [{"case_id": str(s.case), "outcome": "granted"}],
        },
    ),
    Endpoint(
        "POST",
        "/complaints",
        APPLICANTS,
        body=lambda w, s: {
            "case_ids": [str(s.case)],
            "decision_id": str(s.decision),
            "grounds": "Khiếu nại quá hạn",
            "learnt_on": "2020-01-01",
        },
    ),
    Endpoint("GET", "/complaints/{complaint_id}", ALL, lambda w, s: {"complaint_id": s.complaint}),
    *[
        Endpoint(
            "POST",
            f"/complaints/{{complaint_id}}/{step}",
            roles,
            lambda w, s: {"complaint_id": s.complaint},
            body,
            if_match=True,
        )
        for step, roles, body in (
            ("acceptance", COMPLAINT_HANDLING, lambda w, s: {}),
            ("non-acceptance", COMPLAINT_HANDLING, lambda w, s: {"rule": "Điều 11", "reason": "x"}),
            ("handler", COMPLAINT_HANDLING, lambda w, s: {"handler_id": str(s.user)}),
            (
                "resolution",
                (Role.COMPLAINT_HANDLER,),
                lambda w, s: {"outcome": "rejected", "reason": "x"},
            ),
            ("lawsuit", APPLICANTS, lambda w, s: {"court": "Tòa án nhân dân tỉnh"}),
        )
    ],
    # persons, households, the register of titles
    Endpoint("GET", "/persons/{person_id}", ALL, lambda w, s: {"person_id": s.person}),
    Endpoint("POST", "/persons/lookup", ALL, body=lambda w, s: {"cccd": s.cccd}, allowed=200),
    Endpoint(
        "POST",
        "/persons",
        REGISTRARS,
        body=lambda w, s: {"cccd": s.cccd, "full_name": "Trùng", "unit_id": str(s.unit)},
    ),
    Endpoint(
        "POST",
        "/persons/{person_id}/corrections",
        REGISTRARS,
        lambda w, s: {"person_id": s.person},
        lambda w, s: {"changes": {"full_name": "Tên mới"}, "reason": "Sai chính tả"},
        if_match=True,
    ),
    Endpoint(
        "POST",
        "/persons/{person_id}/relocation",
        REGISTRARS,
        lambda w, s: {"person_id": s.person},
        lambda w, s: {"unit_id": str(s.commune), "moved_on": "2026-03-01", "reason": "Chuyển"},
        if_match=True,
    ),
    Endpoint(
        "POST",
        "/collectives/{collective_id}/relocation",
        REGISTRARS,
        lambda w, s: {"collective_id": s.household},
        lambda w, s: {"unit_id": str(s.commune), "moved_on": "2026-03-01", "reason": "Chuyển"},
        if_match=True,
    ),
    Endpoint(
        "POST",
        "/persons/{person_id}/erasure",
        (Role.ADMINISTRATOR,),
        lambda w, s: {"person_id": s.person},
        reason,
        if_match=True,
    ),
    Endpoint(
        "GET", "/collectives/{collective_id}", ALL, lambda w, s: {"collective_id": s.household}
    ),
    Endpoint(
        "POST",
        "/collectives",
        REGISTRARS,
        body=lambda w, s: {"kind": "community", "name": "Thôn", "unit_id": str(s.unit)},
    ),
    Endpoint(
        "POST",
        "/collectives/{collective_id}/members",
        REGISTRARS,
        lambda w, s: {"collective_id": s.household},
        lambda w, s: {"member_id": str(s.person)},
        if_match=True,
    ),
    Endpoint(
        "POST",
        "/collectives/{collective_id}/members/{member_id}/departure",
        REGISTRARS,
        lambda w, s: {"collective_id": s.household, "member_id": s.person},
        lambda w, s: {"left_on": "2026-03-01", "reason": "Tách hộ"},
        if_match=True,
    ),
    Endpoint("GET", "/register/subjects/{subject_id}", ALL, lambda w, s: {"subject_id": s.person}),
    # administrative units
    Endpoint("GET", "/units/{unit_id}", ALL, lambda w, s: {"unit_id": s.unit}, kind="global"),
    Endpoint(
        "POST",
        "/units",
        (Role.ADMINISTRATOR,),
        body=lambda w, s: {
            "code": "MT-V",
            "name": "Trùng mã",
            "level": "village",
            "unit_type": "thon",
            "parent_id": str(s.commune),
            "valid_from": "2025-07-01",
        },
    ),
    Endpoint(
        "POST",
        "/units/{unit_id}/parent",
        (Role.ADMINISTRATOR,),
        lambda w, s: {"unit_id": s.unit},
        lambda w, s: {"parent_id": str(s.commune), "from_date": "2026-01-01", "reason": "x"},
        if_match=True,
    ),
    Endpoint(
        "POST",
        "/unit-mergers",
        (Role.ADMINISTRATOR,),
        body=lambda w, s: {
            "predecessor_ids": [str(s.commune)],
            "successor_id": str(w.ids["N"]),
            "from_date": "2026-01-01",
            "legal_basis": "x",
        },
        allowed=422,  # inside, the commune merges into itself: refused after every check
    ),
    # accounts and tokens
    Endpoint(
        "POST",
        "/users",
        (Role.ADMINISTRATOR,),
        body=lambda w, s: {
            "username": "commune-officer-inside",
            "roles": ["reviewer"],
            "unit_id": str(s.commune),
        },
    ),
    Endpoint("GET", "/users/{user_id}", (Role.ADMINISTRATOR,), lambda w, s: {"user_id": s.user}),
    Endpoint(
        "POST",
        "/users/{user_id}/tokens",
        (Role.ADMINISTRATOR,),
        lambda w, s: {"user_id": s.user},
        lambda w, s: {},
        allowed=201,
    ),
    Endpoint(
        "GET",
        "/tokens/{token_id}",
        (Role.ADMINISTRATOR, Role.COMMUNE_OFFICER),
        lambda w, s: {"token_id": s.token},
    ),
    Endpoint(
        "POST",
        "/tokens/{token_id}/revocation",
        (Role.ADMINISTRATOR, Role.COMMUNE_OFFICER),
        lambda w, s: {"token_id": s.token},
        reason,
        if_match=True,
    ),
    Endpoint("GET", "/users/me", ALL, kind="global"),
    Endpoint("GET", "/users/me/tokens", ALL, kind="global"),
    Endpoint(
        "GET", "/users/{user_id}/tokens", (Role.ADMINISTRATOR,), lambda w, s: {"user_id": s.user}
    ),
    Endpoint("POST", "/users/me/tokens", ALL, body=lambda w, s: {}, kind="global", allowed=201),
    # statistics reports sent upward
    Endpoint(
        "POST",
        "/reports",
        REPORTERS,
        body=lambda w, s: {"cycle_year": 2026, "unit_id": str(s.commune)},
        allowed=201,
    ),
    Endpoint("GET", "/reports/{report_id}", REPORT_READERS, report),
    Endpoint(
        "POST",
        "/reports/{report_id}/submission",
        REPORTERS,
        report,
        lambda w, s: {"recipient": "UBND tỉnh"},
        if_match=True,
    ),
    Endpoint("POST", "/reports/{report_id}/supersession", REPORTERS, report, reason, if_match=True),
    Endpoint("GET", "/reports/{report_id}/reproduction", REPORT_READERS, report),
    # trails of actions and reads: a unit's readers see its accounts' rows, or name one of them
    Endpoint("GET", "/activity", ACTIVITY, lambda w, s: {"user": s.user}, query="actor_id={user}"),
    Endpoint("GET", "/activity", ACTIVITY, query="limit=500", kind="global"),
    Endpoint(
        "GET", "/audit/reads", AUDITORS, lambda w, s: {"user": s.user}, query="viewer_id={user}"
    ),
    Endpoint("GET", "/audit/reads", AUDITORS, query="limit=1000", kind="global"),
    # lists and exports, filtered by scope
    Endpoint("GET", "/standings", ALL, kind="list"),
    Endpoint("GET", "/units", ALL, query="q=x", kind="list"),
    Endpoint("GET", "/register/holders", STAFF, query="on=2026-03-01", kind="list"),
    Endpoint("GET", "/statistics", STAFF, query="cycle_year=2026", kind="list"),
    Endpoint("GET", "/complaints", WATCHERS, query="due_within_days=365", kind="list"),
    Endpoint(
        "GET",
        "/exports/standings.{fmt}",
        ALL,
        lambda w, s: {"fmt": "csv"},
        query="cycle_year=2026",
        kind="list",
    ),
    Endpoint(
        "GET",
        "/exports/standings.{fmt}",
        ALL,
        lambda w, s: {"fmt": "xlsx"},
        query="cycle_year=2026",
        kind="list",
    ),
    Endpoint(
        "GET",
        "/exports/register.{fmt}",
        STAFF,
        lambda w, s: {"fmt": "csv"},
        query="cycle_year=2026",
        kind="list",
    ),
    Endpoint(
        "GET",
        "/exports/statistics.{fmt}",
        STAFF,
        lambda w, s: {"fmt": "xlsx"},
        query="cycle_year=2026",
        kind="list",
    ),
    # published rules, integrity data and operations: the same for everyone
    Endpoint("GET", "/criteria-sets", ALL, kind="global"),
    Endpoint(
        "GET",
        "/criteria-sets/{set_id}",
        ALL,
        lambda w, s: {"set_id": w.ids["criteria_set"]},
        kind="global",
    ),
    Endpoint("GET", "/rules/{kind}", ALL, lambda w, s: {"kind": "complaint-clocks"}, kind="global"),
    Endpoint("POST", "/criteria-sets", (), body=lambda w, s: {"code": "x"}, kind="global"),
    Endpoint(
        "POST",
        "/rules/{kind}",
        (),
        lambda w, s: {"kind": "complaint-clocks"},
        lambda w, s: {"code": "x"},
        kind="global",
    ),
    Endpoint("GET", "/audit/checkpoints", ALL, kind="global"),
    Endpoint("GET", "/audit/checkpoint", ALL, kind="global"),
    Endpoint(
        "GET",
        "/audit/tile/{level}/{rest}",
        ALL,
        lambda w, s: {"level": 0, "rest": "000.p/1"},
        kind="global",
    ),
    # the signature is the check: the matrix's body is no note, refused after every check
    Endpoint("POST", "/audit/cosignatures", ALL, kind="global", allowed=422),
    Endpoint("POST", "/audit/checkpoints", AUDITORS, kind="global", allowed=201),
    # proofs hold hashes only, derivable from the public tiles: public like them
    Endpoint("GET", "/audit/proofs/inclusion", ALL, query="position=1&tree_size=2", kind="global"),
    Endpoint("GET", "/audit/proofs/consistency", ALL, query="first=1&second=2", kind="global"),
    # the public check of a paper certificate (api/web/certificates.py): no sign-in
    Endpoint(
        "GET", "/xac-minh/{serial}", ALL, lambda w, s: UNKNOWN_SERIAL, kind="global", allowed=404
    ),
    Endpoint(
        "POST",
        "/xac-minh/{serial}",
        ALL,
        lambda w, s: UNKNOWN_SERIAL,
        body=lambda w, s: {},
        kind="global",
        allowed=404,
    ),
    # the signed credentials' status list and issuer key (api/web/certificates.py): public,
    # a verifier anywhere fetches them with no account
    Endpoint(
        "GET", "/chung-chi/trang-thai/{number}", ALL, lambda w, s: {"number": 0}, kind="global"
    ),
    Endpoint("GET", "/chung-chi/ben-cap.json", ALL, kind="global"),
    Endpoint("GET", "/.well-known/jwks.json", ALL, kind="global"),
    Endpoint("GET", "/health", ALL, kind="global"),
    Endpoint("GET", "/metrics", ALL, kind="global"),
]


def test_the_matrix_covers_every_route_of_the_api(world: World):
    served = {
        (method, context.path_format)
        for context in iter_route_contexts(world.client.app.routes)  # type: ignore[attr-defined]
        for method in context.methods or ()
        if method not in {"HEAD", "OPTIONS"}
        and context.path_format not in {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
        and not context.path_format.startswith("/trang")  # pages: tests/api/test_pages_scope.py
    }
    covered = {(e.method, e.route) for e in ENDPOINTS}
    assert served - covered == set(), "endpoints missing from the scope matrix"
    assert covered - served == set(), "the matrix names endpoints the API does not serve"


# --- running the matrix ------------------------------------------------------------------


def send(world: World, role: Role, endpoint: Endpoint, side: Side):
    url = endpoint.url(world, side)
    headers = {"If-Match": STALE} if endpoint.if_match else {}
    if endpoint.route == "/cases/{case_id}/evidence":
        return world.call(
            role,
            "POST",
            url,
            headers=headers,
            files={"file": ("minh-chung.pdf", b"%PDF-1.4\n% matrix\n", "application/pdf")},
            data={"kind": "giay", "issuer": "x", "issued_on": "2026-01-15", "indicators": "1"},
        )
    body = endpoint.body(world, side) if endpoint.body else None
    if endpoint.method == "GET":
        return world.call(role, "GET", url, headers=headers)
    return world.call(role, endpoint.method, url, headers=headers, json=body)


def text_of(response) -> str:
    if response.headers.get("content-type", "").startswith(
        "application/vnd.openxmlformats-officedocument"
    ):
        book = load_workbook(io.BytesIO(response.content))
        return " ".join(
            str(value)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return response.text


def events_since(ledger: Ledger, position: int) -> list[str]:
    notes = ledger.store.recorder.select_notifications(start=position + 1, limit=10_000)
    return [n.topic for n in notes]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_no_role_reaches_beyond_its_scope(world: World, endpoint: Endpoint):
    before = world.ledger.store.recorder.max_notification_id() or 0
    wrong: list[str] = []
    hidden = world.hidden()
    for role in Role:
        sides = [("inside", world.inside)]
        if endpoint.kind == "record":
            sides.append(("outside", world.outside))
        for where, side in sides:
            response = send(world, role, endpoint, side)
            status = response.status_code
            allowed = role in endpoint.roles
            if where == "outside":
                ok = status in (403, 404)
            elif allowed:
                ok = status == endpoint.expected
            else:
                ok = status == 403
            asked = endpoint.url(world, side) + json.dumps(
                endpoint.body(world, side) if endpoint.body else None
            )
            # an id the caller sent may be echoed back (instance, details); none other may appear
            leaked = [h for h in hidden if h in text_of(response) and h not in asked]
            if not ok or leaked:
                wrong.append(
                    f"{role.value} {where}: {status} {response.text[:160]}"
                    + (f" LEAKED {leaked}" if leaked else "")
                )
        if endpoint.kind == "list" and role is not Role.CITIZEN:
            url = endpoint.url(world, world.inside)
            joined = "&" if "?" in url else "?"
            response = world.call(role, "GET", f"{url}{joined}unit_id={world.outside.commune}")
            if response.status_code != 403:
                wrong.append(f"{role.value} with an outside unit_id: {response.status_code}")
    written = [t for t in events_since(world.ledger, before) if not t.startswith(ALLOWED_TOPICS)]
    assert wrong == [], "\n".join(wrong)
    assert written == [], f"the matrix wrote {written}"


def test_the_merged_commune_reaches_the_records_of_the_communes_merged_into_it(world: World):
    officer = Role.COMMUNE_OFFICER
    assert world.call(officer, "GET", f"/cases/{world.old_case}").status_code == 200
    stale = world.call(
        officer,
        "POST",
        f"/cases/{world.old_case}/withdrawal",
        headers={"If-Match": STALE},
        json={"reason": "x"},
    )
    assert stale.status_code == 412  # every check passed; only the version was stale
    listed = world.call(officer, "GET", "/standings?cycle_year=2025").json()["items"]
    assert [i["case_id"] for i in listed] == [str(world.old_case)]


def test_evidence_files_open_for_those_who_assess_and_never_for_reporting_officers(world: World):
    url = f"/cases/{world.inside.case}/evidence/{world.inside.evidence}"
    refused = world.call(Role.REPORTING_OFFICER, "GET", url)
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission-denied"
    opened = world.call(Role.REVIEWER, "GET", url)
    assert opened.status_code == 200
    assert opened.content.startswith("Giấy xác nhận".encode())  # decrypted
    listed = world.call(Role.REPORTING_OFFICER, "GET", f"/cases/{world.inside.case}")
    assert listed.status_code == 200  # the case, with its evidence's size and kind
