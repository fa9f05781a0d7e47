"""The data generator: deterministic, complete, lawful, and never storing personal data.

Complaints, second complaints, lawsuits and revocations are generated too: each kind
appears at this small scale, every filing is within the legal period of the published
clock rules, and the read models count what the generator says it made.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.persistence import Notification

from application.adapters.read_models import ReadModels
from application.clients.explanation import explain
from application.clients.generator import GenerationSummary, generate
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from domain import geography
from domain.access import UserAccount
from domain.assessment import AssessmentCase
from domain.clocks import FILING, SECOND_FILING, deadline, parse_clock_rules
from domain.complaints import Complaint
from domain.decision import RecognitionDecision
from domain.errors import RuleViolation
from domain.glossary import CaseStatus, ComplaintOutcome, ComplaintStatus, TitleModel, UnitLevel
from domain.registry import TWO_LEVEL_GOVERNMENT_FROM, AdministrativeUnit, Collective, Person
from projections.complaints.projection import Complaints
from projections.complaints.queries import due, listed
from projections.engine import Engine, Row
from projections.register.projection import Register
from projections.standings.projection import Standings
from projections.standings.queries import SORTABLE, list_cases
from projections.statistics.projection import Statistics
from tests.conftest import BACKENDS, PG_URL, make_settings, require_postgres

#: Reached only through complaints and revocations, which the 2026 cycle has not reached.
APPEAL_ONLY = {CaseStatus.REOPENED, CaseStatus.REVOKED}
#: Big enough for every kind of complaint in each cycle (the first refusals of a cycle take
#: one kind each), small enough to run in about a second.
SCALE = 300
SEED = 11
CLOCK_RULES = Path(__file__).parents[2] / "application/seed/complaint-clocks-2011.json"
AFTER_EVERYTHING = datetime(2026, 11, 20, 9, 0, tzinfo=VIETNAM)


@dataclass
class Generated:
    ledger: Ledger
    summary: GenerationSummary
    progress: list[tuple[int, int]]
    settings: Settings

    def notifications(self) -> list[Notification]:
        limit = self.summary.events + 1
        return list(self.ledger.store.recorder.select_notifications(start=None, limit=limit))

    def ids_of(self, topic: str) -> list[UUID]:
        return [UUID(str(n.originator_id)) for n in self.notifications() if n.topic == topic]

    def complaints(self) -> list[Complaint]:
        received = self.ids_of("hoctap.Complaint.Received")
        return [self.ledger.records.get(Complaint, i) for i in received]

    def cases(self) -> list[AssessmentCase]:
        opened = self.ids_of("hoctap.AssessmentCase.Opened")
        return [self.ledger.records.get(AssessmentCase, i) for i in opened]


def run_generator(settings: Settings) -> Generated:
    ledger = Ledger(settings, clock=FixedClock(AFTER_EVERYTHING))
    calls: list[tuple[int, int]] = []
    summary = generate(ledger, SCALE, SEED, lambda done, total: calls.append((done, total)))
    return Generated(ledger, summary, calls, settings)


@pytest.fixture(scope="module", params=BACKENDS)
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Generated]:
    """One generated store per backend for the whole module: the tests only read it (the read
    models write their own tables)."""
    backend = str(request.param)
    schema = None
    if backend == "postgres":
        require_postgres()
        schema = f"test_{uuid.uuid4().hex[:12]}"
    result = run_generator(make_settings(backend, tmp_path_factory.mktemp("generated"), schema))
    try:
        yield result
    finally:
        result.ledger.close()
        if schema is not None:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_the_same_seed_gives_the_same_events_and_case_ids(generated: Generated, tmp_path: Path):
    # Person ids derive from the keyed CCCD hash: the second store shares the look-up secret.
    elsewhere = generated.settings.model_copy(
        update={"store": "memory", "database_url": None, "var_dir": tmp_path / "second"}
    )
    again = run_generator(elsewhere)
    try:
        assert again.summary == generated.summary
        assert again.summary.events == generated.summary.events > 10 * SCALE
        opened = "hoctap.AssessmentCase.Opened"
        assert again.ids_of(opened) == generated.ids_of(opened)
        assert len(generated.ids_of(opened)) == SCALE
        assert generated.summary.complaints > 0

        def log(run: Generated) -> list[tuple[str, UUID, int | None]]:
            return [(n.topic, n.originator_id, n.originator_version) for n in run.notifications()]

        assert log(again) == log(generated)  # every event, of every aggregate, in order
    finally:
        again.ledger.close()


def test_every_status_appears_in_every_cycle(generated: Generated):
    cases = generated.cases()
    for cycle in (2024, 2025, 2026):
        statuses = Counter(c.status for c in cases if c.cycle_year == cycle)
        expected = set(CaseStatus) - (APPEAL_ONLY if cycle == 2026 else set())
        assert set(statuses) == expected, cycle
    made = {k: v for k, v in generated.summary.cases_by_status.items() if v}
    assert Counter(c.status.value for c in cases) == made
    assert {c.model.value for c in cases} == {
        "cong_dan_hoc_tap",
        "gia_dinh_hoc_tap",
        "don_vi_hoc_tap",
    }


def test_no_step_is_dated_after_today_and_districts_decide_only_before_the_reform(
    generated: Generated,
):
    ledger = generated.ledger
    today = ledger.records.today()
    for case_id in generated.ids_of("hoctap.AssessmentCase.Opened"):
        case = ledger.records.get(AssessmentCase, case_id)
        assert max(case.step_dates.values()) <= today
    decisions = [
        ledger.records.get(RecognitionDecision, i)
        for i in generated.ids_of("hoctap.RecognitionDecision.Issued")
    ]
    assert len(decisions) == generated.summary.decisions > 0
    levels = {d.authority_level for d in decisions}
    assert UnitLevel.DISTRICT in levels and UnitLevel.COMMUNE in levels
    for decision in decisions:
        if decision.decided_on >= TWO_LEVEL_GOVERNMENT_FROM:
            assert decision.authority_level in (UnitLevel.COMMUNE, UnitLevel.PROVINCE)


def forms_of(text: str) -> list[bytes]:
    """How a string could appear in stored JSON: UTF-8, or escaped to ASCII."""
    return [text.encode(), json.dumps(text).strip('"').encode()]


def test_no_cccd_number_name_or_birth_date_is_stored_in_plaintext(generated: Generated):
    ledger = generated.ledger
    secrets: set[str] = set()
    for person_id in generated.ids_of("hoctap.Person.Registered"):
        person = ledger.records.get(Person, person_id)
        details = ledger.vault.unseal(person.id, person.sealed) or {}
        secrets |= {details["cccd"], details["full_name"], details["birth_date"]}
    for collective_id in generated.ids_of("hoctap.Collective.Registered"):
        collective = ledger.records.get(Collective, collective_id)
        if collective.sealed is not None:
            secrets.add((ledger.vault.unseal(collective.id, collective.sealed) or {})["name"])
    assert len(secrets) > SCALE
    everything = b"\n".join(n.state for n in generated.notifications())
    for secret in secrets:
        for form in forms_of(secret):
            assert form not in everything, f"{secret!r} found in the stored events"


def test_progress_is_reported_up_to_the_total(generated: Generated):
    done = [d for d, _ in generated.progress]
    totals = {t for _, t in generated.progress}
    assert done == sorted(done) and done[0] == 0
    assert len(totals) == 1 and done[-1] == totals.pop()


def test_a_store_that_already_holds_generated_data_is_refused(generated: Generated):
    with pytest.raises(RuleViolation):
        generate(generated.ledger, SCALE, SEED)


def test_a_clock_before_the_last_generated_day_is_refused(settings: Settings):
    ledger = Ledger(settings, clock=FixedClock(datetime(2026, 3, 1, 9, 0, tzinfo=VIETNAM)))
    try:
        with pytest.raises(RuleViolation):
            generate(ledger, SCALE, SEED)
        assert ledger.store.recorder.max_notification_id() in (None, 0)
    finally:
        ledger.close()


def test_generated_dates_fit_the_cycle_of_each_case(generated: Generated):
    ledger = generated.ledger
    for case_id in generated.ids_of("hoctap.AssessmentCase.Opened"):
        case = ledger.records.get(AssessmentCase, case_id)
        opened_on = case.step_dates[CaseStatus.OPENED]
        assert case.cycle_year <= opened_on.year <= case.cycle_year + 1
        assert all(
            item.issued_on <= date(case.cycle_year, 12, 31) for item in case.evidence.values()
        )


# --- complaints, second complaints, lawsuits and revocations ---------------------------------


def test_complaints_in_every_state_appear(generated: Generated):
    complaints = generated.complaints()
    assert {c.status for c in complaints} == set(ComplaintStatus)
    assert {c.outcome for c in complaints if c.outcome} == {
        ComplaintOutcome.UPHELD,
        ComplaintOutcome.REJECTED,
    }
    second = [c for c in complaints if c.level == 2]
    assert second and all(c.previous_complaint_id for c in second)
    firsts = {c.id: c for c in complaints if c.level == 1}
    for complaint in second:
        first = firsts[complaint.previous_complaint_id]
        assert first.escalated_to == complaint.id
        assert first.outcome is ComplaintOutcome.REJECTED
    assert any(c.lawsuit is not None for c in complaints)
    assert any(c.handler_id for c in complaints if c.status is ComplaintStatus.ACCEPTED)
    summary = generated.summary
    assert Counter(c.status.value for c in complaints) == {
        k: v for k, v in summary.complaints_by_status.items() if v
    }
    assert len(second) == summary.second_complaints
    assert sum(1 for c in complaints if c.lawsuit) == summary.lawsuits


def test_every_complaint_is_filed_within_the_period_of_the_published_rules(
    generated: Generated,
):
    rules = parse_clock_rules(json.loads(CLOCK_RULES.read_text(encoding="utf-8")))
    today = generated.ledger.records.today()
    for complaint in generated.complaints():
        period = FILING if complaint.level == 1 else SECOND_FILING
        last_day = deadline(rules, period, complaint.learnt_on, remote=complaint.remote_area)
        assert complaint.filing_deadline == last_day
        assert complaint.learnt_on <= complaint.received_on <= last_day
        for day in (complaint.accepted_on, complaint.closed_on):
            assert day is None or complaint.received_on <= day <= today
        case = generated.ledger.records.get(AssessmentCase, complaint.case_ids[0])
        assert complaint.complainant_id == case.subject_id
        assert complaint.unit_ids == [case.unit_id]  # so that scoped lists find it
        decision = generated.ledger.records.get(RecognitionDecision, complaint.decision_id)
        assert complaint.learnt_on >= decision.decided_on


def test_an_upheld_complaint_reopens_the_case_revises_its_scores_and_amends_the_decision(
    generated: Generated,
):
    ledger = generated.ledger
    upheld = [c for c in generated.complaints() if c.outcome is ComplaintOutcome.UPHELD]
    amending = [
        d
        for d in (
            ledger.records.get(RecognitionDecision, i)
            for i in generated.ids_of("hoctap.RecognitionDecision.Issued")
        )
        if d.amends is not None
    ]
    assert len(amending) == generated.summary.amending_decisions
    granted_on_appeal = {
        e["case_id"] for d in amending for e in d.entries if e["outcome"] == "granted"
    }
    assert granted_on_appeal and upheld
    for complaint in upheld:
        case_id = complaint.case_ids[0]
        case = ledger.records.get(AssessmentCase, case_id)
        assert case.appeal_complaint_id == complaint.id
        cited = [
            ledger.store.mapper.to_domain_event(n).complaint_id
            for n in generated.notifications()
            if n.originator_id == case_id and n.topic == "hoctap.AssessmentCase.ScoreRevised"
        ]
        assert complaint.id in cited
        if complaint.level == 1:
            assert str(case_id) in granted_on_appeal
            assert case.status is CaseStatus.GRANTED
        else:
            assert case.status is CaseStatus.REOPENED  # awaiting its new decision
    for decision in amending:
        original = ledger.records.get(RecognitionDecision, decision.amends)
        assert decision.decided_on >= original.decided_on
        assert all(
            e["case_id"] in {x["case_id"] for x in original.entries} for e in decision.entries
        )


def test_a_few_granted_titles_are_revoked_by_an_amending_decision(generated: Generated):
    revoked = [c for c in generated.cases() if c.status is CaseStatus.REVOKED]
    assert revoked and len(revoked) == generated.summary.cases_by_status["revoked"]
    for case in revoked:
        decision = generated.ledger.records.get(RecognitionDecision, case.decision_id)
        assert decision.amends is not None
        (entry,) = decision.entries
        assert entry["outcome"] == "revoked" and entry["reason"]


def live_rows(engine: Engine, name: str, table: str) -> list[Row]:
    projection = engine.projections[name]
    return list(engine.rows(projection, engine.live_generation(name) or 0, table).values())


@pytest.mark.parametrize("sort", sorted(SORTABLE))
def test_paging_the_standings_to_the_end_returns_every_case_once_in_order(
    generated: Generated, sort: str
):
    """Small pages over many ties (a generated year shares its dates and totals): the pages,
    joined, are the one long list, in both directions, on every backend."""
    models = ReadModels(generated.settings, generated.ledger.store)
    try:
        models.initialise()
        models.catch_up()
        for descending in (True, False):
            whole = list_cases(models.engine, sort=sort, descending=descending, limit=10_000)
            assert len(whole.items) == sum(generated.summary.cases_by_status.values())
            assert whole.next_cursor is None
            paged: list[str] = []
            cursor = None
            for _ in range(len(whole.items)):
                page = list_cases(
                    models.engine, sort=sort, descending=descending, cursor=cursor, limit=7
                )
                paged += [row["case_id"] for row in page.items]
                cursor = page.next_cursor
                if cursor is None:
                    break
            assert paged == [row["case_id"] for row in whole.items], (sort, descending)
    finally:
        models.close()


@pytest.mark.parametrize("which", ["due", "listed"])
def test_paging_the_complaints_to_the_end_returns_every_complaint_once_in_order(
    generated: Generated, which: str
):
    """Both complaint lists (the API's due list, the page's list), in pages of 1 over the
    generated complaints, many received or due on the same day, are the one long list."""
    models = ReadModels(generated.settings, generated.ledger.store)
    try:
        models.initialise()
        models.catch_up()
        today = generated.ledger.records.today()

        def page(cursor: str | None, limit: int) -> Any:
            if which == "due":
                return due(models.engine, today, 365, cursor=cursor, limit=limit)
            return listed(models.engine, cursor=cursor, limit=limit)

        whole = page(None, 10_000)
        assert len(whole.items) > 1 and whole.next_cursor is None
        paged: list[str] = []
        cursor = None
        for _ in range(len(whole.items)):
            part = page(cursor, 1)
            paged += [row["complaint_id"] for row in part.items]
            cursor = part.next_cursor
            if cursor is None:
                break
        assert paged == [row["complaint_id"] for row in whole.items]
    finally:
        models.close()


def test_the_read_models_count_what_the_generator_made(generated: Generated):
    models = ReadModels(generated.settings, generated.ledger.store)
    try:
        models.initialise()
        models.catch_up()
        engine = models.engine
        summary = generated.summary
        made = {k: v for k, v in summary.cases_by_status.items() if v}
        standings = live_rows(engine, Standings.name, "cases")
        assert Counter(r["status"] for r in standings) == made
        complaints = live_rows(engine, Complaints.name, "complaints")
        assert Counter(r["status"] for r in complaints) == {
            k: v for k, v in summary.complaints_by_status.items() if v
        }
        assert sum(1 for r in complaints if r["lawsuit_on"]) == summary.lawsuits
        open_ids = {
            r["complaint_id"] for r in complaints if r["status"] in ("received", "accepted")
        }
        today = generated.ledger.records.today()
        assert open_ids and {r["complaint_id"] for r in due(engine, today, 365).items} == open_ids
        counts = live_rows(engine, Statistics.name, "counts")
        assert sum(int(r["recognised"]) for r in counts) == summary.cases_by_status["granted"]
        titles = live_rows(engine, Register.name, "titles")
        decided = [r for r in titles if r["outcome"] is not None]
        assert decided and all(r["decision_number"] for r in decided)
        assert Counter(r["outcome"] for r in titles if r["amends_decision_id"]) == {
            "granted": Counter(r["outcome"] for r in titles if r["amends_decision_id"])["granted"],
            "revoked": summary.cases_by_status["revoked"],
        }
    finally:
        models.close()


def test_staff_act_only_within_their_unit_on_the_day_they_act(generated: Generated):
    """Every step of a case or complaint is taken by an account whose unit exists that day
    (no district after the reform, no merged commune after its merger) and covers the case:
    what the API's scoping by unit would allow."""
    ledger = generated.ledger
    units: dict[UUID, AdministrativeUnit | None] = {}
    accounts: dict[UUID, UserAccount] = {}
    unit_of: dict[UUID, UUID] = {}  # case or complaint -> the unit of its case

    def lookup(unit_id: UUID) -> AdministrativeUnit | None:
        if unit_id not in units:
            units[unit_id] = ledger.records.find(AdministrativeUnit, unit_id)
        return units[unit_id]

    checked = 0
    for n in generated.notifications():
        if not n.topic.startswith(("hoctap.AssessmentCase.", "hoctap.Complaint.")):
            continue
        event = ledger.store.mapper.to_domain_event(n)
        if n.topic == "hoctap.AssessmentCase.Opened":
            unit_of[n.originator_id] = event.unit_id
        elif n.topic == "hoctap.Complaint.Received":
            unit_of[n.originator_id] = event.unit_ids[0]
        day = event.effective_date
        if day is None or event.actor_role == "citizen":
            continue
        account_id = UUID(event.actor_id)
        account = accounts.get(account_id) or ledger.records.get(UserAccount, account_id)
        accounts[account_id] = account
        assert account.unit_id is not None
        unit = lookup(account.unit_id)
        assert unit is not None and unit.is_valid_on(day), (n.topic, day, unit)
        assert not (unit.level is UnitLevel.DISTRICT and day >= TWO_LEVEL_GOVERNMENT_FROM)
        assert geography.covers(account.unit_id, unit_of[n.originator_id], day, lookup), (
            n.topic,
            day,
            unit.code,
        )
        checked += 1
    assert checked > 5 * SCALE


def test_a_decided_household_case_is_explained_as_assessed_under_an_illustrative_set(
    generated: Generated,
):
    decided = [
        case
        for case in generated.cases()
        if case.model is TitleModel.LEARNING_FAMILY
        and case.status in (CaseStatus.GRANTED, CaseStatus.REFUSED)
    ]
    assert decided, "the generator decides some households at this scale"
    explanation = explain(generated.ledger, decided[0].id)
    [criteria] = [s for s in explanation.sections if s.key == "criteria"]
    assert criteria.statements[-1].text.startswith(
        "Lưu ý: đây là bộ tiêu chí MINH HỌA, chưa phải bộ tiêu chí chính thức"
    )


def test_every_kind_of_decided_generated_case_can_be_explained(generated: Generated):
    """Whatever order a batch saved rulings and decisions in, a decided case of each title
    and outcome explains (one of each: every explanation reads the whole log)."""
    decided = [c for c in generated.cases() if c.status in (CaseStatus.GRANTED, CaseStatus.REFUSED)]
    assert {c.model for c in decided} >= {TitleModel.LEARNING_CITIZEN, TitleModel.LEARNING_FAMILY}
    one_of_each = {(c.model, c.status): c for c in decided}
    for case in one_of_each.values():
        explanation = explain(generated.ledger, case.id)
        assert explanation.outcome in ("granted", "refused"), case.id
        assert any(s.key == "decision" for s in explanation.sections), case.id
