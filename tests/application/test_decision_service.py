"""Who may sign a decision is decided in the decision service, whoever calls it.

The HTTP route asks for the signer role too, but the console, the generator and any future
caller reach :class:`DecisionService` directly: the role is checked there, before anything
is read or written.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from application.ledger import Ledger
from application.services.decisions import RulingRequest
from domain.base import CommandContext
from domain.errors import PermissionDenied
from domain.glossary import DecisionOutcome, Role

NOT_SIGNERS = [role for role in Role if role is not Role.SIGNER]


@pytest.mark.parametrize("role", NOT_SIGNERS, ids=lambda r: r.value)
def test_only_a_signer_issues_a_decision(settings, clock, role: Role):
    ledger = Ledger(settings, clock=clock)
    try:
        before = ledger.store.recorder.max_notification_id() or 0
        with pytest.raises(PermissionDenied) as refused:
            ledger.decisions.issue_decision(
                CommandContext("cli:test", role.value, "sign"),
                number="1/QĐ-UBND",
                decided_on=date(2026, 2, 20),
                signer_title="Chủ tịch UBND xã",
                authority_name="UBND xã",
                authority_unit_id=uuid4(),
                legal_basis="244/QĐ-KHVN",
                rulings=[RulingRequest(uuid4(), DecisionOutcome.GRANTED)],
            )
        assert refused.value.details["required"] == [Role.SIGNER.value]
        assert (ledger.store.recorder.max_notification_id() or 0) == before
    finally:
        ledger.close()
