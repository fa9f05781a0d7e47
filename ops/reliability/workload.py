"""A small, realistic stream of commands written straight through the ledger (no HTTP).

Used by the writer processes of the gap-free check and by the online-backup check: each unit
of work registers a person, opens a Công dân học tập case for them, attaches one evidence
file, self-assesses and reviews it. That touches several aggregates, the personal-data vault
and the blob store, and gives every read model something to fold (statistics counts cases
and subjects, standings has one row per case), so a double-applied or missed event shows up
as a wrong count, not only as a differing row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.ledger import Ledger
from domain.base import CommandContext
from domain.glossary import Role, TitleModel, UnitLevel

#: Commands typed at the console act nationwide; the world is set up that way.
CONSOLE = CommandContext("cli:reliability", Role.ADMINISTRATOR.value, "reliability-setup")
SCORES = {str(i): Decimal(9) for i in range(1, 11)}
#: Events one unit of work appends: person, case opened, evidence, self-assessment, review.
EVENTS_PER_CASE = 5


@dataclass(frozen=True)
class World:
    """What exists before the writers start: criteria, a commune and two staff accounts."""

    province: UUID
    commune: UUID
    officer: UUID
    reviewer: UUID

    def officer_ctx(self, request: str) -> CommandContext:
        return CommandContext(str(self.officer), Role.COMMUNE_OFFICER.value, request)

    def reviewer_ctx(self, request: str) -> CommandContext:
        return CommandContext(str(self.reviewer), Role.REVIEWER.value, request)


def prepare(ledger: Ledger, tag: str = "R") -> World:
    """Criteria sets, a province and commune, and nationwide staff (no unit on the account)."""
    ledger.criteria.load_seed_criteria(CONSOLE)
    province = _unit(ledger, f"{tag}-T", "Tỉnh Kiểm Thử", UnitLevel.PROVINCE, "tinh", None)
    commune = _unit(ledger, f"{tag}-X", "Xã Kiểm Thử", UnitLevel.COMMUNE, "xa", province)
    officer = ledger.access.create_user(
        CONSOLE, f"{tag.lower()}-officer", [Role.COMMUNE_OFFICER]
    ).id
    reviewer = ledger.access.create_user(CONSOLE, f"{tag.lower()}-reviewer", [Role.REVIEWER]).id
    return World(province, commune, officer, reviewer)


def _unit(
    ledger: Ledger, code: str, name: str, level: UnitLevel, kind: str, parent: UUID | None
) -> UUID:
    return ledger.registry.establish_unit(
        CONSOLE,
        code=code,
        name=name,
        level=level,
        unit_type=kind,
        parent_id=parent,
        valid_from=date(2008, 1, 1),
    ).id


def cccd(tag: int, n: int) -> str:
    """A distinct 12-digit citizen number per writer and unit of work."""
    return f"0{tag:03d}{n:08d}"


def write_case(ledger: Ledger, world: World, tag: int, n: int) -> UUID:
    """One unit of work (five events over two aggregates); returns the case id."""
    request = f"w{tag}-{n}"
    person = ledger.registry.register_person(
        world.officer_ctx(request),
        cccd=cccd(tag, n),
        full_name=f"Người Thử {tag}-{n}",
        birth_date=date(1990, 1, 1),
        gender="nu",
        ethnicity="Kinh",
        target_group="can_bo",
        unit_id=world.commune,
    ).id
    officer = world.officer_ctx(request)
    case = ledger.assessments.open_case(
        officer, person, TitleModel.LEARNING_CITIZEN, 2026, date(2026, 1, 10)
    )
    ledger.assessments.attach_evidence(
        officer,
        case.id,
        content=f"%PDF-1.4\n% minh chung {request}\n".encode(),
        kind="giay_xac_nhan",
        issuer="Chi hội Khuyến học",
        issued_on=date(2026, 1, 15),
        indicators=list(SCORES),
        expected_version=case.version,
    )
    ledger.assessments.self_assess(
        officer, case.id, SCORES, on=date(2026, 2, 1), expected_version=case.version + 1
    )
    ledger.assessments.review(
        world.reviewer_ctx(request),
        case.id,
        SCORES,
        remarks="Đủ minh chứng",
        on=date(2026, 2, 5),
        expected_version=case.version + 2,
    )
    return case.id


def hold_lock_after_insert(recorder: Any, seconds: float) -> None:
    """Make every save of this recorder hold its transaction open for ``seconds``.

    PostgreSQL only. The sleep runs on the server (``pg_sleep``) after the events and their
    chain rows were inserted and their notification ids drawn, before COMMIT: the exact
    window in which a late-committing writer could make a tailing reader skip an id, were the
    events table not locked. Set on the instance, so only this process is slowed.
    """
    original = recorder._fetch_ids_after_insert_events

    def slow(curs: Any, stored_events: Any, **kwargs: Any) -> Any:
        ids = original(curs, stored_events, **kwargs)
        curs.execute("SELECT pg_sleep(%s)", (seconds,))
        return ids

    recorder._fetch_ids_after_insert_events = slow
