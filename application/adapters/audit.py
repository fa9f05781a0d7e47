"""Verifying the log: the hash chain, and signed checkpoints over the Merkle tree of events.

A checkpoint signs (tree size, root hash, time) with the ledger's Ed25519 key. Anyone who
keeps copies of checkpoints and the public key can later detect a rewritten history: a log
that was changed, shortened or re-chained no longer has the signed root at the signed size.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from application.adapters.store import HoctapStore
from domain.errors import InvalidInput, RuleViolation
from domain.integrity import (
    GENESIS,
    ChainedEvent,
    LeafSink,
    MerkleFrontier,
    Problem,
    SpanHashes,
    consistency_spans,
    inclusion_spans,
    leaf_bytes,
    leaf_hash,
    verify_chain,
)

PAGE = 2000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Checkpoint:
    tree_size: int
    root_hash: bytes
    signed_at: datetime
    signature: bytes

    def body(self) -> bytes:
        return checkpoint_body(self.tree_size, self.root_hash, self.signed_at)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "signed_at": self.signed_at.isoformat(),
            "signature": base64.b64encode(self.signature).decode(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkpoint:
        return cls(
            int(data["tree_size"]),
            bytes.fromhex(data["root_hash"]),
            datetime.fromisoformat(data["signed_at"]),
            base64.b64decode(data["signature"]),
        )


def checkpoint_body(tree_size: int, root_hash: bytes, signed_at: datetime) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    return (
        f"hoctap-ledger/checkpoint/v1\n{tree_size}\n{root_hash.hex()}\n{signed_at.isoformat()}\n"
    ).encode()


def verify_signature(public_key: bytes, checkpoint: Checkpoint) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            checkpoint.signature, checkpoint.body()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class KeptCheckpoints:
    """Checkpoints someone outside kept (``hoctap checkpoints export``), with the key that
    signed them: a log that was rewritten since no longer matches them, whatever the
    operator did to the checkpoints stored beside the events."""

    public_key: bytes
    checkpoints: list[Checkpoint]
    source: str = ""

    @classmethod
    def parse(cls, text: str, source: str = "") -> KeptCheckpoints:
        """Read an export; a file that is not one is refused, naming what is wrong."""
        try:
            data = json.loads(text)
            key = base64.b64decode(data["public_key"], validate=True)
            kept = [Checkpoint.from_dict(c) for c in data["checkpoints"]]
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidInput(
                f"{source or 'tệp điểm kiểm'}: không phải bản xuất điểm kiểm hợp lệ ({error})",
                source=source,
            ) from error
        if len(key) != 32 or any(len(c.root_hash) != 32 for c in kept):
            raise InvalidInput(
                f"{source or 'tệp điểm kiểm'}: khóa hoặc gốc không đủ 32 byte", source=source
            )
        return cls(key, kept, source)


def chained_events(store: HoctapStore) -> Iterator[ChainedEvent]:
    recorder: Any = store.recorder
    after = 0
    while rows := recorder.select_chained(after, PAGE):
        yield from rows
        after = max(r.notification_id or 0 for r in rows)


@dataclass(frozen=True)
class VerifyReport:
    events: int
    checkpoints: int
    problem: Problem | None
    #: The Merkle root of the ``events`` leaves verified (empty when a problem stopped it).
    root: bytes = b""

    @property
    def ok(self) -> bool:
        return self.problem is None


class LogNotVerified(RuleViolation):
    """The log does not verify against its chain and the checkpoints already signed, so it
    is not signed again: a signature over a rewritten log would vouch for the rewrite."""

    code = "log-not-verified"


class Auditor:
    """Chain checks and checkpoints for one store (its checkpoint table beside its events).

    Nothing is signed unless the whole log verifies first: its hash chain, and every
    checkpoint signed before (so a new tree always extends the trees already signed).
    """

    def __init__(self, store: HoctapStore, signing_seed: bytes, checkpoints: CheckpointTable):
        self.store = store
        self._key = Ed25519PrivateKey.from_private_bytes(signing_seed)
        self.checkpoints = checkpoints
        #: Why the last attempt to sign was refused (``None`` once a signature succeeds).
        self.refused: Problem | None = None

    @property
    def public_key(self) -> bytes:
        return self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def export_checkpoints(self) -> str:
        """Public key and every checkpoint, for people outside to keep copies."""
        return json.dumps(
            {
                "public_key": base64.b64encode(self.public_key).decode(),
                "algorithm": "Ed25519",
                "checkpoints": [c.as_dict() for c in self.checkpoints.all()],
            },
            ensure_ascii=False,
            indent=2,
        )

    def _feed(self, sink: LeafSink, limit: int | None = None) -> int:
        """Stream the log's leaf hashes into ``sink`` (the first ``limit``); returns how many."""
        count = 0
        for row in chained_events(self.store):
            if limit is not None and count >= limit:
                break
            if row.state is not None and row.position is not None:
                sink.append(
                    leaf_hash(
                        leaf_bytes(
                            row.position,
                            row.originator_id or "",
                            row.version or 0,
                            row.topic or "",
                            row.state,
                        )
                    )
                )
                count += 1
        return count

    def inclusion(self, position: int, tree_size: int) -> tuple[bytes, list[bytes], bytes]:
        """(leaf hash, audit path, root) proving event ``position`` is in the first
        ``tree_size`` events: one pass over them, O(log n) memory."""
        if not 1 <= position <= tree_size:
            raise InvalidInput(
                "vị trí hoặc kích thước cây không có trong nhật ký",
                position=position,
                tree_size=tree_size,
            )
        leaf, tree = (position - 1, position), (0, tree_size)
        spans = inclusion_spans(position - 1, tree_size)
        seen = SpanHashes([*spans, leaf, tree])
        log_size = self._feed(seen, limit=tree_size)
        if log_size < tree_size:
            raise InvalidInput(
                "vị trí hoặc kích thước cây không có trong nhật ký",
                position=position,
                tree_size=tree_size,
                log_size=log_size,
            )
        return seen[leaf], [seen[span] for span in spans], seen[tree]

    def consistency(self, first: int, second: int) -> tuple[bytes, bytes, list[bytes]]:
        """(first root, second root, proof) that the first ``first`` events are unchanged in
        the first ``second``: one pass over them, O(log n) memory."""
        if not 1 <= first <= second:
            raise InvalidInput("kích thước cây không hợp lệ", first=first, second=second)
        old, new = (0, first), (0, second)
        spans = consistency_spans(first, second)
        seen = SpanHashes([*spans, old, new])
        log_size = self._feed(seen, limit=second)
        if log_size < second:
            raise InvalidInput(
                "kích thước cây không hợp lệ", first=first, second=second, log_size=log_size
            )
        return seen[old], seen[new], [seen[span] for span in spans]

    def checkpoint_if_grown(self, now: datetime) -> Checkpoint | None:
        """A scheduled checkpoint: signed only when the log grew since the last one."""
        latest = max((c.tree_size for c in self.checkpoints.all()), default=0)
        if (self.store.recorder.max_notification_id() or 0) <= latest:
            return None
        return self.make_checkpoint(now)

    def make_checkpoint(self, now: datetime) -> Checkpoint:
        """Sign the whole log, once it verifies (one pass, O(log n) memory)."""
        report = self._verified()
        return self._sign(report.events, report.root, now)

    def _verified(self) -> VerifyReport:
        """The log's verification, or :class:`LogNotVerified` naming the first problem."""
        report = self.verify()
        self.refused = report.problem
        if report.problem is not None:
            problem = report.problem
            raise LogNotVerified(
                f"không ký điểm kiểm: nhật ký không toàn vẹn từ vị trí {problem.position}"
                f" ({problem.kind}); `hoctap verify` chỉ ra chỗ sai",
                position=problem.position,
                kind=problem.kind,
                expected=problem.expected,
                found=problem.found,
            )
        return report

    def checkpoint_with_paths(
        self, now: datetime, indexes: Iterable[int]
    ) -> tuple[Checkpoint, dict[int, list[bytes]]]:
        """The latest signed checkpoint that covers every leaf index (0-based), and each
        leaf's audit path against it.

        The log is verified first. A checkpoint is signed only when none covers the leaves
        yet (an award newer than the last checkpoint): asking for proofs does not make the
        key sign again each time.
        """
        report = self._verified()
        wanted = sorted(set(indexes))
        needed = wanted[-1] + 1 if wanted else 0
        covering = [c for c in self.checkpoints.all() if c.tree_size >= max(needed, 1)]
        checkpoint = (
            max(covering, key=lambda c: c.tree_size)
            if covering
            else self._sign(report.events, report.root, now)
        )
        size = checkpoint.tree_size
        paths = {index: inclusion_spans(index, size) for index in wanted}
        seen = SpanHashes([(0, size), *(span for spans in paths.values() for span in spans)])
        if self._feed(seen, limit=size) < size or seen[(0, size)] != checkpoint.root_hash:
            raise LogNotVerified(  # the log changed between the verification and this pass
                "không lập được bằng chứng: nhật ký vừa thay đổi so với điểm kiểm đã ký",
                tree_size=size,
            )
        return checkpoint, {index: [seen[s] for s in spans] for index, spans in paths.items()}

    def _sign(self, size: int, top: bytes, now: datetime) -> Checkpoint:
        unsigned = Checkpoint(size, top, now, b"")
        signed = Checkpoint(size, top, now, self._key.sign(unsigned.body()))
        self.checkpoints.add(signed)
        return signed

    def verify(
        self, progress: Progress | None = None, kept: Sequence[KeptCheckpoints] = ()
    ) -> VerifyReport:
        """The whole log against its chain, then every stored checkpoint and every one kept
        elsewhere (``kept``), in one pass.

        Leaf hashes stream into a :class:`MerkleFrontier` that notes the root at each size a
        checkpoint names, so memory stays O(log n) plus one page of rows.
        """
        total = self.store.recorder.max_notification_id() or 0
        checkpoints = self.checkpoints.all()
        sizes = {c.tree_size for c in checkpoints}
        witness = _Witness(sizes.union(*({c.tree_size for c in k.checkpoints} for k in kept)))
        previous, position = GENESIS, 1
        rows: list[ChainedEvent] = []
        for row in chained_events(self.store):
            rows.append(row)
            if len(rows) == PAGE:
                problem, previous, position = verify_chain(rows, previous, position, witness)
                if problem:
                    return VerifyReport(witness.size, 0, problem)
                rows = []
                if progress:
                    progress(witness.size, total)
        problem, previous, position = verify_chain(rows, previous, position, witness)
        if problem:
            return VerifyReport(witness.size, 0, problem)
        if progress:
            progress(witness.size, total)
        for other in kept:
            outside = _verify_checkpoints(other.public_key, other.checkpoints, witness)
            if outside.problem is not None:
                return VerifyReport(witness.size, len(checkpoints), outside.problem)
        return _verify_checkpoints(self.public_key, checkpoints, witness)


class _Witness:
    """Leaf hashes into a frontier, keeping the root at every size a checkpoint names."""

    def __init__(self, sizes: set[int]) -> None:
        self.frontier = MerkleFrontier()
        self.sizes = sizes
        self.roots: dict[int, bytes] = {}

    @property
    def size(self) -> int:
        return self.frontier.size

    def append(self, leaf_hash: bytes) -> None:
        self.frontier.append(leaf_hash)
        if self.frontier.size in self.sizes:
            self.roots[self.frontier.size] = self.frontier.root()


def _verify_checkpoints(
    public_key: bytes, checkpoints: list[Checkpoint], witness: _Witness
) -> VerifyReport:
    size = witness.size
    for checkpoint in checkpoints:
        if not verify_signature(public_key, checkpoint):
            return VerifyReport(
                size,
                len(checkpoints),
                Problem(
                    checkpoint.tree_size,
                    "forged-checkpoint",
                    "chữ ký hợp lệ",
                    "chữ ký không khớp nội dung",
                ),
            )
        if checkpoint.tree_size > size:
            return VerifyReport(
                size,
                len(checkpoints),
                Problem(
                    size + 1,
                    "truncated",
                    f"ít nhất {checkpoint.tree_size} sự kiện",
                    f"{size} sự kiện",
                ),
            )
        found = witness.roots.get(checkpoint.tree_size, MerkleFrontier().root())
        if found != checkpoint.root_hash:
            return VerifyReport(
                size,
                len(checkpoints),
                Problem(
                    checkpoint.tree_size,
                    "root-mismatch",
                    checkpoint.root_hash.hex(),
                    found.hex(),
                ),
            )
    return VerifyReport(size, len(checkpoints), None, witness.frontier.root())


class CheckpointTable(Protocol):
    """Signed checkpoints beside the events: in memory, in the SQLite event file, or in a
    PostgreSQL table of the store's schema (chosen in :mod:`application.adapters.backends`)."""

    def create_table(self) -> None: ...
    def add(self, checkpoint: Checkpoint) -> None: ...
    def all(self) -> list[Checkpoint]: ...


def _values(checkpoint: Checkpoint) -> tuple[int, bytes, str, bytes]:
    return (
        checkpoint.tree_size,
        checkpoint.root_hash,
        checkpoint.signed_at.isoformat(),
        checkpoint.signature,
    )


def _checkpoint(size: int, top: bytes, at: str, signature: bytes) -> Checkpoint:
    return Checkpoint(int(size), bytes(top), datetime.fromisoformat(at), bytes(signature))


class MemoryCheckpoints:
    def __init__(self) -> None:
        self._items: list[Checkpoint] = []

    def create_table(self) -> None:
        return None

    def add(self, checkpoint: Checkpoint) -> None:
        self._items.append(checkpoint)

    def all(self) -> list[Checkpoint]:
        return sorted(self._items, key=lambda c: c.tree_size)


class SQLiteCheckpoints:
    """In the event store's own SQLite file, so that a copy of the file carries them."""

    def __init__(self, transaction: Callable[..., AbstractContextManager[Any]]) -> None:
        self._transaction = transaction

    def create_table(self) -> None:
        with self._transaction(commit=True) as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS checkpoints (tree_size INTEGER, root_hash BLOB,"
                " signed_at TEXT, signature BLOB)"
            )

    def add(self, checkpoint: Checkpoint) -> None:
        with self._transaction(commit=True) as c:
            c.execute("INSERT INTO checkpoints VALUES (?, ?, ?, ?)", _values(checkpoint))

    def all(self) -> list[Checkpoint]:
        with self._transaction(commit=False) as c:
            c.execute("SELECT * FROM checkpoints ORDER BY tree_size")
            return [_checkpoint(*tuple(r)) for r in c.fetchall()]


class PostgresCheckpoints:
    """``<schema>.hoctap_checkpoints``, beside the events."""

    def __init__(self, transaction: Callable[..., AbstractContextManager[Any]], schema: str):
        self._transaction = transaction
        self._table = f'"{schema}".hoctap_checkpoints'

    def create_table(self) -> None:
        with self._transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} (tree_size bigint,"
                " root_hash bytea, signed_at text, signature bytea)"
            )

    def add(self, checkpoint: Checkpoint) -> None:
        with self._transaction(commit=True) as c:
            c.execute(f"INSERT INTO {self._table} VALUES (%s, %s, %s, %s)", _values(checkpoint))

    def all(self) -> list[Checkpoint]:
        with self._transaction(commit=False) as c:
            c.execute(f"SELECT * FROM {self._table} ORDER BY tree_size")
            return [
                _checkpoint(r["tree_size"], r["root_hash"], r["signed_at"], r["signature"])
                for r in c.fetchall()
            ]
