"""The reliability checks of ``ops/reliability``, small enough for every test run (each well
under a minute): real PostgreSQL, real writer processes, real ``hoctap serve`` and
``hoctap projections run`` processes killed with SIGKILL."""

from __future__ import annotations

from ops.reliability import backup, conflicts, crash, cuts, gap_free, hostile, idempotency
from ops.reliability.common import Report, Scratch, scratch_store
from tests.conftest import PG_URL


def passed(report: Report) -> bool:
    """Print the table (shown when the test fails) and say whether every row passed."""
    report.print()
    return report.passed


def test_concurrent_and_slow_writers_leave_no_gap_and_views_see_each_event_once(
    pg_scratch: Scratch,
):
    params = gap_free.Params(
        writers=4, slow_writers=2, cases_per_writer=6, hold_seconds=0.05, runner_page_size=10
    )
    report = gap_free.run(pg_scratch, params)
    assert passed(report), report.failures()


def test_killing_the_api_and_the_runner_mid_load_loses_nothing_acknowledged(
    pg_scratch: Scratch,
):
    params = crash.Params(clients=3, seconds_before_kill=8, seconds_after_restart=6)
    report = crash.run(pg_scratch, params)
    assert passed(report), report.failures()


def test_concurrent_revisions_with_the_same_if_match_have_exactly_one_winner(
    pg_scratch: Scratch,
):
    report = conflicts.run(pg_scratch, conflicts.Params(clients=4, rounds=10))
    assert passed(report), report.failures()


def test_a_pg_dump_taken_during_writes_restores_into_another_schema_and_verifies(
    pg_scratch: Scratch,
):
    report = Report("backup (PostgreSQL)")
    backup.run_postgres(report, pg_scratch, backup.Params(cases_before=8), PG_URL)
    assert passed(report), report.failures()


def test_an_online_sqlite_backup_taken_during_writes_verifies():
    report = Report("backup (SQLite)")
    with scratch_store("sqlite") as scratch:
        backup.run_sqlite(report, scratch, backup.Params(cases_before=8))
    assert passed(report), report.failures()


def test_an_idempotency_key_writes_once_even_under_duplicates_and_a_crash(pg_scratch: Scratch):
    report = idempotency.run(pg_scratch, idempotency.Params(clients=3, rounds=2))
    assert passed(report), report.failures()


def test_cutting_every_database_connection_under_load_tells_clients_the_truth(
    pg_scratch: Scratch,
):
    params = cuts.Params(clients=3, cuts=3, seconds_between_cuts=3, lease_seconds=2)
    report = cuts.run(pg_scratch, params)
    assert passed(report), report.failures()


def test_hostile_input_through_every_post_never_fails_the_server_nor_stops_a_view(
    pg_scratch: Scratch,
):
    report = hostile.run(pg_scratch, hostile.Params(examples=4, text_examples=2))
    assert passed(report), report.failures()
