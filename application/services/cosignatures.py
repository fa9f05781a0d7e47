"""The log's side of witnessing: its checkpoint notes with the cosignatures witnesses
returned, asking witnesses to cosign (tlog-witness ``add-checkpoint``), and receiving
cosignatures.

Only cosignatures that verify against the configured witness vkeys
(``HOCTAP_WITNESS_KEYS``) are kept; a line from a known witness that does not verify
refuses the whole note, as the signed-note spec requires.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from application.adapters.audit import Auditor
from application.adapters.checkpoint_tables import CosignatureTable
from application.adapters.checkpoints import Checkpoint
from application.adapters.notary import ed25519_verify
from domain.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from domain.notes import (
    AddCheckpoint,
    BadSignature,
    CheckpointText,
    MalformedNote,
    Note,
    Signature,
    Vkey,
    verified_by,
)

#: ``post(body) -> (HTTP status, response text)``: one add-checkpoint call to a witness.
Post = Callable[[str], tuple[int, str]]


class WitnessRefused(RuleViolation):
    """A witness would not cosign the log's latest checkpoint (its answer is in details)."""

    code = "witness-refused"


@dataclass(frozen=True)
class Cosignatures:
    auditor: Auditor
    table: CosignatureTable
    witnesses: Sequence[Vkey]

    def note(self, checkpoint: Checkpoint) -> Note:
        """The checkpoint's note with the log's signature and every cosignature kept."""
        note = Note.parse(checkpoint.note)
        lines = self.table.lines(checkpoint.tree_size, checkpoint.root_hash)
        return note.with_signatures(Signature.parse(line) for line in lines)

    def latest(self) -> Note:
        """The latest checkpoint in note form, cosigned (404 when none was signed as a note)."""
        noted = [c for c in self.auditor.checkpoints.all() if c.note]
        if not noted:
            raise NotFound("chưa có điểm kiểm dạng ghi chú nào được ký")
        return self.note(max(noted, key=lambda c: c.tree_size))

    def accept(self, message: str) -> list[str]:
        """Keep the cosignatures on a checkpoint note the log signed; returns the witnesses'
        names. A note the log did not sign, or with no known witness's line, is refused."""
        try:
            note = Note.parse(message)
            head = CheckpointText.parse(note.text)
            signed = verified_by(note, self.witnesses, ed25519_verify)
        except MalformedNote as error:
            raise InvalidInput(f"không phải điểm kiểm dạng ghi chú ký: {error}") from error
        except BadSignature as error:
            raise InvalidInput(f"đồng ký không hợp lệ: {error}", witness=error.name) from error
        mine = [
            c
            for c in self.auditor.checkpoints.all()
            if c.note and Note.parse(c.note).text == note.text
        ]
        if not mine:
            raise NotFound(
                f"nhật ký chưa ký điểm kiểm {head.tree_size} sự kiện này", tree_size=head.tree_size
            )
        if not signed:
            raise PermissionDenied("không có đồng ký nào của nhân chứng đã cấu hình")
        names = {vkey.name for vkey, _ in signed}
        lines = [s.line() for s in note.signatures if s.name in names and self._known(s)]
        self.table.add(head.tree_size, head.root_hash, lines)
        return sorted(names)

    def _known(self, signature: Signature) -> bool:
        return any((w.name, w.key_id) == (signature.name, signature.key_id) for w in self.witnesses)

    def request_cosignature(self, post: Post) -> list[str]:
        """Ask one witness to cosign the latest checkpoint: first from size 0, then, told
        the size it holds (409), with a consistency proof from there. Returns the names
        whose cosignatures were kept."""
        latest = self.latest()
        head = CheckpointText.parse(latest.text)
        status, answer = post(str(AddCheckpoint(0, (), latest)))
        if status == 409:
            known = int(answer.strip() or 0)
            if not 0 < known <= head.tree_size:
                raise WitnessRefused(
                    f"nhân chứng đã ký đến {known} sự kiện, hơn điểm kiểm mới nhất"
                    f" ({head.tree_size}): nhật ký có thể đã bị cắt ngắn",
                    known_size=known,
                )
            proof: tuple[bytes, ...] = ()
            if known < head.tree_size:
                proof = tuple(self.auditor.consistency(known, head.tree_size)[2])
            status, answer = post(str(AddCheckpoint(known, proof, latest)))
        if status != 200:
            raise WitnessRefused(
                f"nhân chứng từ chối (HTTP {status}): {answer.strip()[:300]}", status=status
            )
        return self.accept(latest.text + "\n" + answer)
