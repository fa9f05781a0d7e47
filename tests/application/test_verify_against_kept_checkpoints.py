"""Checkpoints kept outside catch what the operator can do to the ones kept inside.

Someone with write access to the database can re-chain a rewritten log, or cut its end, and
then delete the checkpoint rows: the log verifies against itself ("0 checkpoints"). A copy of
``hoctap checkpoints export`` taken before, by an inspector or a province, still names the
root at its size; verified against it, the rewrite shows.
"""

from __future__ import annotations

import pytest

from application.adapters.audit import KeptCheckpoints
from domain.errors import InvalidInput
from tests.application.test_tamper import (  # noqa: F401  (fixtures)
    RawLog,
    backend,
    rechained_history,
    truncated_log,
    world,
)


def _without_checkpoints(raw: RawLog) -> None:
    raw.run(f"DELETE FROM {raw.checkpoints}")


@pytest.mark.parametrize(
    ("move", "kind"),
    [(rechained_history, "root-mismatch"), (truncated_log, "truncated")],
    ids=["rechained", "truncated"],
)
def test_a_rewrite_hidden_by_deleting_checkpoints_fails_against_a_kept_copy(
    world,  # noqa: F811
    move,
    kind: str,
):
    ledger, raw = world
    kept = KeptCheckpoints.parse(ledger.auditor.export_checkpoints(), "thanh-tra.json")
    move(raw)
    _without_checkpoints(raw)

    alone = ledger.auditor.verify()
    assert alone.ok and alone.checkpoints == 0  # against itself, nothing shows

    report = ledger.auditor.verify(kept=[kept])
    assert report.problem is not None and report.problem.kind == kind, report.problem


def test_an_untouched_log_matches_a_kept_copy(world):  # noqa: F811
    ledger, _ = world
    kept = KeptCheckpoints.parse(ledger.auditor.export_checkpoints())
    assert ledger.auditor.verify(kept=[kept]).ok


def test_a_kept_copy_signed_by_another_key_is_a_forgery(world):  # noqa: F811
    ledger, _ = world
    kept = KeptCheckpoints.parse(ledger.auditor.export_checkpoints())
    other_key = KeptCheckpoints(bytes(reversed(kept.public_key)), kept.checkpoints)
    report = ledger.auditor.verify(kept=[other_key])
    assert report.problem is not None and report.problem.kind == "forged-checkpoint"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '{"public_key": "!!", "checkpoints": []}',
        '{"public_key": "AAAA", "checkpoints": []}',
        '{"public_key": "' + "A" * 43 + '=", "checkpoints": [{"tree_size": 1}]}',
    ],
    ids=["empty", "list", "not-base64", "short-key", "checkpoint-missing-fields"],
)
def test_a_file_that_is_not_an_export_is_refused_naming_it(text: str):
    with pytest.raises(InvalidInput) as refused:
        KeptCheckpoints.parse(text, "ban-sao.json")
    assert "ban-sao.json" in refused.value.message
