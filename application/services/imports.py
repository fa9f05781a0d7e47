"""Bulk import of a village workbook into one commune: check the whole file, then write it.

``check`` reads and checks every row and writes nothing. ``run`` checks again and, only if
the file is clean, writes it through :meth:`RegistryService.register_batch` a few hundred
rows at a time, each batch in one transaction together with the :class:`~domain.imports.Import`
event that names the rows it accepted. The import's id derives from the commune and the
file's SHA-256 digest: the same file again is the same import (nothing new once completed,
taken up where it stopped if a run was cut off), and a corrected file writes only the rows
that are new, since persons are found by CCCD and households by village and code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.adapters.vault import normalise_cccd
from application.adapters.workbooks import RawWorkbook, read_workbook, write_template
from application.services.assessments import AssessmentService
from application.services.criteria import CriteriaService
from application.services.import_check import (
    CheckReport,
    HouseholdRow,
    PersonRow,
    Registration,
    RegistrationRow,
    check_workbook,
)
from application.services.records import Records
from application.services.registry import (
    ClanMembership,
    Membership,
    NewHousehold,
    NewPerson,
    RegistryService,
)
from application.services.scope import Scopes
from domain.base import CommandContext, acting
from domain.errors import DomainError, InvalidInput, NotFound
from domain.glossary import SubjectKind, TitleModel, UnitLevel
from domain.imports import (
    TEMPLATES,
    Import,
    SheetKind,
    clan_id_for,
    household_id_for,
    import_id_for,
    template_of,
)
from domain.registry import (
    AdministrativeUnit,
    Collective,
    Person,
    community_id_for,
    unit_id_for,
)

#: Persons written per transaction (with their households).
BATCH_ROWS = 500
Progress = Callable[[int, int], None]


def digest_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass
class ImportOutcome:
    """What an import did: its id, the check, and what it wrote."""

    import_id: UUID
    digest: str
    report: CheckReport
    accepted: int = 0  # rows that wrote something new
    unchanged: int = 0  # rows already in the ledger
    created: int = 0  # records created (persons and households)
    already_done: bool = False  # the same file was imported before: nothing written


class _Facts:
    """What the check asks the ledger, each question answered once."""

    def __init__(
        self,
        records: Records,
        scopes: Scopes,
        registry: RegistryService,
        criteria: CriteriaService,
        commune_id: UUID,
    ) -> None:
        self.records, self.scopes, self.registry = records, scopes, registry
        self.criteria = criteria
        self._in_force: dict[tuple[str, str | None], bool] = {}
        self.commune_id, self.today = commune_id, records.today()
        self._villages: dict[str, UUID | None] = {}
        self._persons: dict[str, Person] = {}
        self._numbers: set[str] = set()
        self._households: set[UUID] = set()

    def village(self, code: str) -> UUID | None:
        if code not in self._villages:
            unit = self.records.find(AdministrativeUnit, unit_id_for(code))
            found = (
                unit is not None
                and unit.level is UnitLevel.VILLAGE
                and unit.is_valid_on(self.today)
                and self.scopes.unit_covers(self.commune_id, unit.id)
            )
            self._villages[code] = unit.id if found and unit is not None else None
        return self._villages[code]

    def prefetch(self, book: RawWorkbook) -> None:
        """Read what the check will ask about every row in a few round trips: the persons
        with the file's CCCD numbers, the households with its codes."""
        rows = [
            row
            for kind in (SheetKind.PERSONS, SheetKind.REGISTRATIONS)
            if (sheet := book.sheets.get(kind)) is not None
            for row in sheet.rows
        ]
        numbers = {n for n in (_number(r.cells.get("cccd")) for r in rows) if n is not None}
        self._persons = self.registry.registered_persons(sorted(numbers))
        self._numbers = numbers
        ids = set()
        for sheet in book.sheets.values():
            for row in sheet.rows:
                village, code = row.cells.get("village_code"), row.cells.get("household_code")
                if isinstance(village, str | int) and isinstance(code, str | int):
                    village_id = self.village(str(village).strip())
                    if village_id is not None:
                        ids.add(household_id_for(village_id, str(code).strip()))
        wanted = sorted(ids)
        for start in range(0, len(wanted), 500):
            self._households |= set(self.records.load_all(wanted[start : start + 500]))

    def registration(self, cccd: str, village_id: UUID) -> Registration:
        if cccd in self._numbers:
            person = self._persons.get(cccd)
        else:
            person = self.registry.registered_person(cccd)
        if person is None:
            return Registration.FREE
        return Registration.HERE if person.unit_id == village_id else Registration.ELSEWHERE

    def household_exists(self, village_id: UUID, household_code: str) -> bool:
        household_id = household_id_for(village_id, household_code)
        return household_id in self._households or (
            self.records.find(Collective, household_id) is not None
        )

    def person_in_commune(self, cccd: str) -> tuple[bool, str | None]:
        if cccd in self._numbers:
            person = self._persons.get(cccd)
        else:
            person = self.registry.registered_person(cccd)
        if person is None or not self.scopes.unit_covers(self.commune_id, person.unit_id):
            return False, None
        return True, person.target_group

    def clan_exists(self, village_id: UUID, clan_name: str) -> bool:
        clan = self.records.find(Collective, clan_id_for(village_id, clan_name))
        return clan is not None and clan.kind is SubjectKind.CLAN

    def criteria_in_force(self, model: str, group: str | None) -> bool:
        if (model, group) not in self._in_force:
            try:
                self.criteria.spec_in_force(TitleModel(model), group, None, self.today)
                self._in_force[(model, group)] = True
            except DomainError:
                self._in_force[(model, group)] = False
        return self._in_force[(model, group)]


def _number(value: object) -> str | None:
    """A CCCD as the check will read it, or None if it will refuse it."""
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    try:
        return normalise_cccd(text) if text else None
    except InvalidInput:
        return None


@dataclass
class _Batch:
    households: list[HouseholdRow] = field(default_factory=list)
    persons: list[PersonRow] = field(default_factory=list)


@dataclass(frozen=True)
class ImportService:
    records: Records
    scopes: Scopes
    registry: RegistryService
    criteria: CriteriaService
    assessments: AssessmentService

    @staticmethod
    def template(kind: str, villages: Sequence[tuple[str, str]] = (), unit_name: str = "") -> bytes:
        """An empty workbook of this kind (``persons``, ``households``); with a commune's
        villages (code, name) listed for the drop-down of village codes."""
        sheets = TEMPLATES.get(kind)
        if sheets is None:
            raise InvalidInput(f"không có mẫu “{kind}”; có: {', '.join(TEMPLATES)}", field="kind")
        return write_template(sheets, villages, unit_name)

    def commune(self, ctx: CommandContext, unit_id: UUID) -> AdministrativeUnit:
        """The unit imported into, if the actor reaches it."""
        self.scopes.require_unit(ctx, unit_id)
        unit = self.records.find(AdministrativeUnit, unit_id)
        if unit is None:
            raise NotFound("không tìm thấy đơn vị hành chính", unit_id=str(unit_id))
        return unit

    def check(self, ctx: CommandContext, unit_id: UUID, content: bytes) -> ImportOutcome:
        """Every row checked; nothing written."""
        self.commune(ctx, unit_id)
        digest = digest_of(content)
        facts = _Facts(self.records, self.scopes, self.registry, self.criteria, unit_id)
        book = read_workbook(content)
        facts.prefetch(book)
        report = check_workbook(book, facts.today, facts)
        return ImportOutcome(import_id_for(unit_id, digest), digest, report)

    def run(
        self,
        ctx: CommandContext,
        unit_id: UUID,
        content: bytes,
        *,
        progress: Progress | None = None,
        checked: ImportOutcome | None = None,
    ) -> ImportOutcome:
        """Check the file, then write it if it is clean (else InvalidInput, nothing written).

        ``checked``: the outcome of :meth:`check` on the same content, to spare a second read.
        """
        outcome = checked if checked and checked.digest == digest_of(content) else None
        outcome = outcome or self.check(ctx, unit_id, content)
        report = outcome.report
        if not report.clean:
            raise InvalidInput(
                f"tệp còn {len(report.errors) + len(report.problems)} lỗi: chưa ghi gì; "
                "hãy sửa rồi nhập lại",
                errors=len(report.errors),
                problems=report.problems,
            )
        with acting(ctx):
            record = self.records.find(Import, outcome.import_id)
            if record is not None and record.completed:
                outcome.already_done = True
                outcome.unchanged = report.row_count
                return outcome
            record = record or Import.start(
                unit_id=unit_id,
                digest=outcome.digest,
                row_count=report.row_count,
                template=template_of(report.sheet_kinds),
            )
        caused = replace(ctx, causation_id=str(outcome.import_id))  # each record names it
        done, total = 0, report.row_count
        if progress is not None:
            progress(done, total)
        for batch in _batches(report):
            outcome.created += self._write(caused, record, batch)
            done += len(batch.households) + len(batch.persons)
            if progress is not None:
                progress(done, total)
        for registration in report.registrations:
            outcome.created += self._register(caused, record, registration)
            done += 1
            if progress is not None and done % 100 == 0:
                progress(done, total)
        accepted = sum(len(rows) for rows in record.accepted.values())
        with acting(caused):
            record.complete(unchanged=report.row_count - accepted)
            self.records.save(record)
        outcome.accepted, outcome.unchanged = accepted, report.row_count - accepted
        return outcome

    def _register(self, ctx: CommandContext, record: Import, row: RegistrationRow) -> int:
        """Open the case a registration row asks for, unless that title and year has one;
        the row is recorded as accepted in the same transaction."""
        if row.row in record.accepted.get(SheetKind.REGISTRATIONS, set()):
            return 0
        subject_id = _subject_of(row, self.registry)
        model = TitleModel(row.model)
        if self.assessments.latest_case(subject_id, model, row.cycle_year) is not None:
            return 0
        created = 1
        if model is TitleModel.LEARNING_COMMUNITY:
            created += self._community(ctx, subject_id, row)
        with acting(ctx):
            record.accept_rows(SheetKind.REGISTRATIONS, [row.row], created)
        self.assessments.open_case(ctx, subject_id, model, row.cycle_year, also=[record])
        return created

    def _community(self, ctx: CommandContext, community_id: UUID, row: RegistrationRow) -> int:
        """The village's community, registered the first time a title is asked for it
        (through the registry, as ``POST /collectives`` does); 1 if it was registered now."""
        if self.records.find(Collective, community_id) is not None:
            return 0
        assert row.village_id is not None  # by the check
        village = self.records.get(AdministrativeUnit, row.village_id)
        self.registry.register_collective(
            ctx, kind=SubjectKind.COMMUNITY, name=f"Cộng đồng {village.name}", unit_id=village.id
        )
        return 1

    def _write(self, ctx: CommandContext, record: Import, batch: _Batch) -> int:
        """One batch in one transaction; the rows already written are left out."""
        done = record.accepted
        existing = self.records.load_all(
            [household_id_for(h.village_id, h.code) for h in batch.households]
        )
        households = [
            h
            for h in batch.households
            if h.row not in done.get(SheetKind.HOUSEHOLDS, set())
            and _household_writes_something(h, existing.get(household_id_for(h.village_id, h.code)))
        ]
        registered = self.registry.registered_persons(
            [p.cccd for p in batch.persons if p.registered]
        )
        persons = [
            p
            for p in batch.persons
            if p.row not in done.get(SheetKind.PERSONS, set())
            and _writes_something(p, registered.get(p.cccd))
        ]
        if not households and not persons:
            return 0
        with acting(ctx):
            new_persons = sum(1 for p in persons if not p.registered)
            new_households = sum(
                1 for h in households if household_id_for(h.village_id, h.code) not in existing
            )
            record.accept_rows(SheetKind.HOUSEHOLDS, [h.row for h in households], new_households)
            record.accept_rows(SheetKind.PERSONS, [p.row for p in persons], new_persons)
        result = self.registry.register_batch(
            ctx,
            persons=[_new_person(p) for p in persons],
            households=[
                NewHousehold(household_id_for(h.village_id, h.code), h.name, h.village_id)
                for h in households
            ],
            clans=[
                ClanMembership(
                    clan_id_for(h.village_id, h.clan),
                    h.clan,
                    h.village_id,
                    household_id_for(h.village_id, h.code),
                )
                for h in households
                if h.clan is not None
            ],
            memberships=[
                Membership(household_id_for(p.village_id, p.household_code), p.cccd, p.relation)
                for p in persons
                if p.household_code is not None
            ],
            also=[record],
        )
        return result.created


def _subject_of(row: RegistrationRow, registry: RegistryService) -> UUID:
    if row.cccd is not None:
        person = registry.registered_person(row.cccd)
        if person is None:
            raise NotFound("không tìm thấy công dân với số CCCD này")
        return person.id
    assert row.village_id is not None  # by the check
    if row.household_code is not None:
        return household_id_for(row.village_id, row.household_code)
    if row.clan is not None:
        return clan_id_for(row.village_id, row.clan)
    return community_id_for(row.village_id)


def _household_writes_something(row: HouseholdRow, found: Aggregate | None) -> bool:
    """A household not yet registered, or registered but not yet in the row's clan."""
    if not isinstance(found, Collective):
        return True
    return row.clan is not None and clan_id_for(row.village_id, row.clan) not in found.affiliations


def _writes_something(row: PersonRow, person: Person | None) -> bool:
    """A person not yet registered, or registered but not yet in the row's household."""
    if not row.registered or person is None:
        return True
    if row.household_code is None:
        return False
    return household_id_for(row.village_id, row.household_code) not in person.households


def _new_person(row: PersonRow) -> NewPerson:
    return NewPerson(
        cccd=row.cccd,
        full_name=row.full_name,
        birth_date=row.birth_date,
        gender=row.gender,
        ethnicity=row.ethnicity,
        target_group=row.target_group,
        unit_id=row.village_id,
    )


def _batches(report: CheckReport) -> list[_Batch]:
    """Rows in batches of about :data:`BATCH_ROWS` persons, a household always together
    with its members listed in the file."""
    groups: dict[tuple[UUID, str], _Batch] = {}
    loose: list[PersonRow] = []
    for household in report.households:
        groups[(household.village_id, household.code.casefold())] = _Batch([household])
    for person in report.persons:
        if person.household_code is None:
            loose.append(person)
            continue
        key = (person.village_id, person.household_code.casefold())
        groups.setdefault(key, _Batch()).persons.append(person)
    batches: list[_Batch] = [_Batch()]
    for group in groups.values():
        if len(batches[-1].persons) + len(batches[-1].households) >= BATCH_ROWS:
            batches.append(_Batch())
        batches[-1].households.extend(group.households)
        batches[-1].persons.extend(group.persons)
    for start in range(0, len(loose), BATCH_ROWS):
        batches.append(_Batch(persons=loose[start : start + BATCH_ROWS]))
    return [b for b in batches if b.households or b.persons]
