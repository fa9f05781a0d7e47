"""A witness (c2sp.org/tlog-witness): cosigns a log's checkpoints only while they extend
the last one it cosigned, and keeps the evidence when they do not.

An inspectorate, a province or a citizen group runs one with its own key, for the logs
it trusts (their vkeys). ``add_checkpoint`` takes the protocol's request body (old size,
consistency proof, checkpoint note) and answers the cosignature line, or refuses:

* 404 :class:`UnknownLog`: not a log this witness follows;
* 403 :class:`CheckpointNotSigned`: no valid signature by that log's key;
* 400 :class:`WitnessBadRequest`: malformed, or an old size above the checkpoint's;
* 409 :class:`OldSizeMismatch`: the old size is not the size it last cosigned (the log
  learns that size and tries again); a checkpoint smaller than that one (a shrink) is
  answered so too, and kept as evidence;
* 422 :class:`LogForked`: the checkpoint does not extend the cosigned one (two roots at one
  size, or a consistency proof that fails). Both notes and the proof are written to a file:
  whoever holds the log key signed two incompatible histories.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, Protocol

from application.adapters.notary import Cosigner, ed25519_verify
from domain.errors import (
    CheckpointNotSigned,
    LogForked,
    OldSizeMismatch,
    UnknownLog,
    WitnessBadRequest,
)
from domain.integrity import verify_consistency
from domain.notes import (
    AddCheckpoint,
    BadSignature,
    CheckpointText,
    MalformedNote,
    Note,
    Vkey,
    verified_by,
)

EMPTY_ROOT = hashlib.sha256(b"").digest()


class WitnessState(Protocol):
    def locked(self) -> AbstractContextManager[dict[str, str]]: ...
    def read(self) -> dict[str, str]: ...
    def record(self, evidence: dict[str, Any], now: datetime) -> Path: ...


@dataclass(frozen=True)
class Witness:
    cosigner: Cosigner
    #: The logs followed, by origin: the keys their checkpoints must be signed with.
    logs: dict[str, list[Vkey]]
    state: WitnessState
    now: Callable[[], datetime]

    def add_checkpoint(self, body: str) -> str:
        """The cosignature line(s) for a request that extends what was cosigned."""
        try:
            request = AddCheckpoint.parse(body)
            head = CheckpointText.parse(request.note.text)
        except MalformedNote as error:
            raise WitnessBadRequest(f"yêu cầu không đúng giao thức nhân chứng: {error}") from error
        keys = self.logs.get(head.origin)
        if keys is None:
            raise UnknownLog(f"nhân chứng không theo dõi nhật ký {head.origin}", origin=head.origin)
        try:
            signed = verified_by(request.note, keys, ed25519_verify)
        except BadSignature as error:
            raise CheckpointNotSigned(f"điểm kiểm có {error}", origin=head.origin) from error
        if not signed:
            raise CheckpointNotSigned(
                f"điểm kiểm không có chữ ký của nhật ký {head.origin}", origin=head.origin
            )
        if request.old_size > head.tree_size:
            raise WitnessBadRequest(
                f"kích thước cũ {request.old_size} lớn hơn điểm kiểm ({head.tree_size})"
            )
        with self.state.locked() as state:
            self._check(request, head, state.get(head.origin))
            cosignature = self.cosigner.cosign(request.note.text, int(self.now().timestamp()))
            state[head.origin] = str(request.note.with_signatures([cosignature]))
        return cosignature.line()

    def _check(self, request: AddCheckpoint, head: CheckpointText, known: str | None) -> None:
        """Refuse unless ``head`` extends the note cosigned before (``known``)."""
        last = CheckpointText.parse(Note.parse(known).text) if known else None
        known_size = last.tree_size if last else 0
        if last is not None and head.tree_size < known_size:
            # The protocol answers 409 with the size held; the smaller tree, newly presented
            # as the latest, is kept as evidence (a truncated log signed again looks so).
            path = self._keep("shrink", known or "", request, head)
            raise OldSizeMismatch(
                f"nhân chứng từ chối: nhật ký {head.origin} đưa cây {head.tree_size} sự kiện,"
                f" nhỏ hơn cây {known_size} sự kiện đã đồng ký; bằng chứng: {path}",
                known_size,
                kind="shrink",
                evidence=str(path),
            )
        if request.old_size != known_size:
            raise OldSizeMismatch(
                f"nhân chứng đã ký đến kích thước {known_size}, không phải {request.old_size}",
                known_size,
            )
        if last is None:
            if request.proof:
                raise LogForked("kích thước cũ là 0 thì bằng chứng phải rỗng")
            if head.tree_size == 0 and head.root_hash != EMPTY_ROOT:
                raise LogForked("cây rỗng phải có gốc của cây rỗng")
            return
        if head.tree_size == known_size:
            if head.root_hash != last.root_hash:
                self._fork("two-roots", known or "", request, head, known_size)
            return
        if not verify_consistency(
            known_size, head.tree_size, last.root_hash, head.root_hash, list(request.proof)
        ):
            self._fork("inconsistent", known or "", request, head, known_size)

    def _fork(
        self, kind: str, known: str, request: AddCheckpoint, head: CheckpointText, size: int
    ) -> NoReturn:
        """Keep both notes and the proof, then refuse naming what differs."""
        path = self._keep(kind, known, request, head)
        what = {
            "two-roots": f"hai gốc khác nhau ở cùng kích thước {size}",
            "inconsistent": (
                f"bằng chứng nhất quán từ {size} đến {head.tree_size} không khớp gốc đã ký"
            ),
        }[kind]
        raise LogForked(
            f"nhân chứng từ chối: nhật ký {head.origin} rẽ nhánh ({what}); bằng chứng: {path}",
            kind=kind,
            evidence=str(path),
            known_size=size,
            tree_size=head.tree_size,
        )

    def _keep(self, kind: str, known: str, request: AddCheckpoint, head: CheckpointText) -> Path:
        """Both notes (the cosigned one and the one presented) and the proof, in a file."""
        evidence = {
            "kind": kind,
            "origin": head.origin,
            "cosigned": known,
            "presented": str(request.note),
            "old_size": request.old_size,
            "proof": [h.hex() for h in request.proof],
            "witness": str(self.cosigner.vkey),
            "recorded_at": self.now().isoformat(),
        }
        return self.state.record(evidence, self.now())

    def checkpoint(self, origin_hash: str) -> str | None:
        """The last cosigned note of the log whose origin hashes (SHA-256, hex) to this."""
        for origin, note in self.state.read().items():
            if hashlib.sha256(origin.encode()).hexdigest() == origin_hash.lower():
                return note
        return None


def logs_by_origin(vkeys: Sequence[Vkey]) -> dict[str, list[Vkey]]:
    """Log keys by the origin they sign under (a log's key name is its origin)."""
    logs: dict[str, list[Vkey]] = {}
    for vkey in vkeys:
        logs.setdefault(vkey.name, []).append(vkey)
    return logs
