"""What the public checkpoint and verification pages show: the latest signed checkpoint with
its cosignatures, and one event's inclusion proof checked against it.

Nothing here needs a sign-in: a checkpoint is public by design (people outside keep copies),
and an inclusion proof is hashes only. The proof is checked against the *signed* root, not
against one recomputed from today's log, so a rewritten log shows as a failed check.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from application.adapters.audit import chained_at, row_leaf_hash
from application.adapters.checkpoints import Checkpoint
from application.ledger import Ledger
from domain.errors import InvalidInput
from domain.integrity import HASH_SIZE, verify_inclusion


@dataclass(frozen=True)
class CheckpointView:
    origin: str
    tree_size: int
    root_hash: str  # hex
    signed_at: datetime
    log_key: str  # the log's verifier key (C2SP vkey), to check the note offline
    cosigners: tuple[str, ...]  # the witnesses whose cosignatures are kept
    note: str  # the signed note as GET /audit/checkpoint serves it


def _latest(ledger: Ledger) -> Checkpoint | None:
    signed = ledger.auditor.checkpoints.all()
    return max(signed, key=lambda c: c.tree_size) if signed else None


def latest_checkpoint(ledger: Ledger) -> CheckpointView | None:
    """The latest signed checkpoint (None before the first one is signed)."""
    checkpoint = _latest(ledger)
    if checkpoint is None:
        return None
    note = ledger.cosignatures.note(checkpoint) if checkpoint.note else None
    origin = ledger.auditor.origin
    return CheckpointView(
        origin=origin,
        tree_size=checkpoint.tree_size,
        root_hash=checkpoint.root_hash.hex(),
        signed_at=checkpoint.signed_at,
        log_key=str(ledger.auditor.vkey),
        cosigners=tuple(s.name for s in note.signatures if s.name != origin) if note else (),
        note=str(note) if note else "",
    )


@dataclass(frozen=True)
class InclusionCheck:
    position: int
    tree_size: int
    leaf_hash: str  # hex, as the log holds it
    claimed_leaf_hash: str | None  # hex, as pasted (None when only a position was given)
    audit_path: tuple[str, ...]
    signed_root: str  # hex
    proof_holds: bool  # the path leads from the leaf to the signed root

    @property
    def claim_matches(self) -> bool:
        return self.claimed_leaf_hash is None or hmac.compare_digest(
            self.claimed_leaf_hash, self.leaf_hash
        )

    @property
    def ok(self) -> bool:
        return self.proof_holds and self.claim_matches


def parse_leaf_hash(text: str) -> str | None:
    """A pasted leaf hash: 64 ASCII hex digits (either case, spaces around ignored), or
    None for an empty field; anything else is :class:`InvalidInput`."""
    value = text.strip()
    if not value:
        return None
    if len(value) != 2 * HASH_SIZE or not all(c in "0123456789abcdefABCDEF" for c in value):
        raise InvalidInput("mã băm phải gồm đúng 64 chữ số thập lục phân (0-9, a-f)")
    return value.lower()


def check_inclusion(ledger: Ledger, position: int, claimed_leaf_hash: str | None) -> InclusionCheck:
    """Prove event ``position`` is in the latest signed checkpoint and check the proof (one
    read of its tiles, two of its event). A position past the checkpoint is :class:`InvalidInput`."""
    checkpoint = _latest(ledger)
    if checkpoint is None:
        raise InvalidInput("chưa có điểm kiểm nào được ký: chưa thể kiểm tra")
    if not 1 <= position <= checkpoint.tree_size:
        raise InvalidInput(
            f"vị trí phải từ 1 đến {checkpoint.tree_size} (số sự kiện trong điểm kiểm mới nhất)",
            position=position,
            tree_size=checkpoint.tree_size,
        )
    # the path comes from the tiles, but the leaf is hashed from the event as stored now,
    # never read from a tile: a changed event must fail against the root signed before it
    _, path, _ = ledger.auditor.inclusion(position, checkpoint.tree_size)
    leaf = _stored_leaf(ledger, position)
    holds = verify_inclusion(position - 1, checkpoint.tree_size, leaf, path, checkpoint.root_hash)
    return InclusionCheck(
        position=position,
        tree_size=checkpoint.tree_size,
        leaf_hash=leaf.hex(),
        claimed_leaf_hash=claimed_leaf_hash,
        audit_path=tuple(p.hex() for p in path),
        signed_root=checkpoint.root_hash.hex(),
        proof_holds=holds,
    )


def _stored_leaf(ledger: Ledger, position: int) -> bytes:
    """The leaf hash of the event at ``position`` as the store holds it now, or 32 zero bytes
    when the row or its event is gone, which no proof holds."""
    row = chained_at(ledger.store, position)
    if row is None or row.state is None:
        return bytes(HASH_SIZE)
    return row_leaf_hash(row, position, row.state)


@dataclass(frozen=True)
class EventInclusion:
    """Where an event stands against the latest signed checkpoint: ``proof`` is None while
    no checkpoint covers it yet (it was recorded after the last signing)."""

    position: int  # its chain position (the Merkle leaf index + 1)
    checkpoint: CheckpointView | None
    proof: InclusionCheck | None


def event_inclusion(ledger: Ledger, notification_id: int) -> EventInclusion | None:
    """The inclusion of the event the views know as ``notification_id`` in the latest
    signed checkpoint, checked from the event as stored now; None when the log has no chain
    row for it (an event that was never there, or a log cut short)."""
    recorder: Any = ledger.store.recorder
    rows = recorder.select_chained(notification_id - 1, 1)
    row = next((r for r in rows if r.notification_id == notification_id), None)
    if row is None or row.position is None:
        return None
    checkpoint = latest_checkpoint(ledger)
    if checkpoint is None or row.position > checkpoint.tree_size:
        return EventInclusion(row.position, checkpoint, None)
    return EventInclusion(row.position, checkpoint, check_inclusion(ledger, row.position, None))
