"""The fold of token events into one row per token (pure): its account, label, expiry and
whether it was revoked. The token itself is never logged (only its SHA-256, as its id)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from domain.access import ApiToken
from projections.engine import Envelope, Projection, Row, RowPerAggregate, Rows, Table

TOKENS = Table(
    name="tokens",
    key="token_id",
    columns=(
        "token_id",
        "user_id",
        "label",
        "issued_at",
        "issued_by",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "position",
    ),
    timestamps=frozenset({"issued_at", "expires_at", "revoked_at"}),
)

TOPICS = frozenset({ApiToken.Issued.TOPIC, ApiToken.Revoked.TOPIC})


def evolve(row: Row | None, envelope: Envelope) -> Row | None:
    event = envelope.event
    actor = getattr(event, "actor_id", None)
    if envelope.topic == ApiToken.Issued.TOPIC:
        row = {
            "token_id": str(event.originator_id),
            "user_id": str(event.user_id),
            "label": event.label,
            "issued_at": envelope.recorded_at,
            "issued_by": actor,
            "expires_at": event.expires_at,
            "revoked_at": None,
            "revoked_by": None,
        }
    elif row is None:
        return None
    else:
        row = dict(row) | {"revoked_at": envelope.recorded_at, "revoked_by": actor}
    row["position"] = envelope.position
    return row


class Tokens(Projection):
    name = "tokens"
    version = 1
    tables = (TOKENS,)
    topics = TOPICS
    folder = Path(__file__).parent

    fold = RowPerAggregate("tokens", evolve)

    def keys(self, envelope: Envelope) -> Iterable[tuple[str, str]]:
        return self.fold.keys(envelope)

    def apply(self, envelope: Envelope, rows: Rows) -> None:
        self.fold.apply(envelope, rows)
