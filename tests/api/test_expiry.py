"""Titles whose validity ended are recorded as expired by the scheduled job, once."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from application.clients.housekeeping import expire_lapsed_titles
from application.services.records import VIETNAM, FixedClock
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.glossary import Role
from tests.api.helpers import Api
from tests.api.test_reads import granted_world

CONSOLE = CommandContext("cli:test", Role.ADMINISTRATOR.value, "expiry-test")


def test_the_scheduled_job_records_each_lapsed_title_once_and_the_views_follow(
    api: Api, clock: FixedClock
):
    # Given two titles granted on 2026-03-01, valid for a year
    world = granted_world(api)
    inspector = api.user("inspector", ["inspector"])
    ledger, models = api.ledger, api.client.app.state.read_models
    assert models.engine.wait_for(world["position"], 5.0, ["standings"])
    valid_until = ledger.records.get(AssessmentCase, world["citizen_case"]).valid_until
    assert valid_until is not None
    assert expire_lapsed_titles(ledger, models) == 0  # nothing has lapsed yet
    clock.current = datetime.combine(valid_until, time(23, 0), VIETNAM)
    assert expire_lapsed_titles(ledger, models) == 0  # the last valid day

    # When the job runs the day after
    clock.advance(hours=2)
    recorded = expire_lapsed_titles(ledger, models)

    # Then both expiries are in the log, dated the day after valid_until, and only once
    assert recorded == 2
    assert expire_lapsed_titles(ledger, models) == 0
    expired_on = (valid_until + timedelta(days=1)).isoformat()
    api.tokens["inspector"] = ledger.access.issue_token(
        CONSOLE, inspector
    ).token  # the old one lapsed
    history = api.get("inspector", f"/cases/{world['citizen_case']}/history").json()
    assert [
        (h["actor_id"], h["effective_date"])
        for h in history
        if h["topic"] == "hoctap.AssessmentCase.TitleExpired"
    ] == [("system:expiry", expired_on)]
    # and the standings show it
    page = api.get("inspector", "/standings?model=cong_dan_hoc_tap&cycle_year=2026").json()
    [row] = [i for i in page["items"] if i["case_id"] == str(world["citizen_case"])]
    assert (row["status"], row["expired_on"]) == ("granted", expired_on)
