"""Verifying the log: the hash chain, and signed checkpoints over the Merkle tree of events.

A checkpoint signs (tree size, root hash) with the ledger's Ed25519 key, as JSON and as a
C2SP checkpoint note (:mod:`application.adapters.checkpoints`). Anyone who keeps copies of
checkpoints and the public key can later detect a rewritten history: a log that was
changed, shortened or re-chained no longer has the signed root at the signed size.
Witnesses cosign the notes (tlog-witness); their cosignatures are kept beside them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.adapters.chain_workers import Checked, checked_ranges, join_range, worker_count
from application.adapters.checkpoint_tables import CheckpointTable
from application.adapters.checkpoints import (
    Checkpoint,
    KeptCheckpoints,
    checkpoint_body,
    note_holds,
    verify_signature,
)
from application.adapters.notary import NoteSigner
from application.adapters.store import HoctapStore
from domain.errors import InvalidInput, RuleViolation
from domain.integrity import (
    GENESIS,
    ChainedEvent,
    ChainedRow,
    LeafSink,
    MerkleFrontier,
    Problem,
    Span,
    SpanHashes,
    consistency_spans,
    inclusion_spans,
    leaf_bytes,
    leaf_hash,
    plain_chain,
    verify_chain,
    verify_inclusion,
)
from domain.notes import (
    CheckpointText,
    Note,
    Vkey,
)
from domain.tiles import (
    HASH_SIZE,
    HEIGHT,
    WIDTH,
    ExpectedTiles,
    TileId,
    TilesMissing,
    span_hash,
    tiles_for,
)

__all__ = ["Checkpoint", "KeptCheckpoints", "checkpoint_body", "verify_signature"]

PAGE = 2000
Progress = Callable[[int, int], None]


def chained_events(store: HoctapStore) -> Iterator[ChainedEvent]:
    recorder: Any = store.recorder
    after = 0
    while rows := recorder.select_chained(after, PAGE):
        yield from rows
        after = max(r.notification_id or 0 for r in rows)


def chained_at(store: HoctapStore, position: int) -> ChainedEvent | None:
    """The event at chain ``position`` with its chain row, as stored now (two indexed reads,
    not a walk of the log); its ``state`` is None when the event is gone, and the result None
    when there is no chain row at that position."""
    recorder: Any = store.recorder
    notification_id = recorder.chained_notification_id(position)
    if notification_id is None:
        return None
    rows = recorder.select_chained(notification_id - 1, 1)
    return next((row for row in rows if row.position == position), None)


def row_leaf_hash(row: ChainedEvent, position: int, state: bytes) -> bytes:
    """The Merkle leaf hash of a chained row that holds its event (``position``, ``state``)."""
    return leaf_hash(
        leaf_bytes(position, row.originator_id or "", row.version or 0, row.topic or "", state)
    )


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


def _not_verified(problem: Problem, refusing: str = "không ký điểm kiểm") -> LogNotVerified:
    return LogNotVerified(
        f"{refusing}: nhật ký không toàn vẹn từ vị trí {problem.position}"
        f" ({problem.kind}); `hoctap verify` chỉ ra chỗ sai",
        position=problem.position,
        kind=problem.kind,
        expected=problem.expected,
        found=problem.found,
    )


class Auditor:
    """Chain checks and checkpoints for one store (its checkpoint table beside its events).

    Nothing is signed unless the whole log verifies first: its hash chain, and every
    checkpoint signed before (so a new tree always extends the trees already signed).
    """

    def __init__(
        self,
        store: HoctapStore,
        signing_seed: bytes,
        checkpoints: CheckpointTable,
        origin: str = "hoctap.example/ledger",
    ):
        self.store = store
        self._key = Ed25519PrivateKey.from_private_bytes(signing_seed)
        self.checkpoints = checkpoints
        #: Signs checkpoint notes under the log's origin (the key name is the origin).
        self.signer = NoteSigner(origin, signing_seed)
        #: Why the last attempt to sign was refused (``None`` once a signature succeeds).
        self.refused: Problem | None = None

    @property
    def origin(self) -> str:
        return self.signer.name

    @property
    def vkey(self) -> Vkey:
        """The log's verifier key, as witnesses and note tools are configured with it."""
        return self.signer.vkey

    @property
    def public_key(self) -> bytes:
        return self.vkey.public_key

    def export_checkpoints(self) -> str:
        """Public key and every checkpoint, for people outside to keep copies."""
        return json.dumps(
            {
                "public_key": base64.b64encode(self.public_key).decode(),
                "algorithm": "Ed25519",
                "origin": self.origin,
                "vkey": str(self.vkey),
                "checkpoints": [c.as_dict() for c in self.checkpoints.all()],
            },
            ensure_ascii=False,
            indent=2,
        )

    @property
    def tiles(self) -> Any:
        """The store's Merkle tiles (:class:`application.adapters.tiles.TileRows`)."""
        return self.store.recorder.tiles  # type: ignore[attr-defined]

    def tile(self, tile: TileId) -> bytes | None:
        """A tile's hashes as served (C2SP tlog-tiles), or None when the tree the tiles hold
        has no such tile: a partial tile of width W is the first W hashes of the stored one,
        which only ever grows."""
        count = self.tiles.size() >> (HEIGHT * tile.level)
        if tile.index * WIDTH + tile.width > count:
            return None
        stored = self.tiles.read([(tile.level, tile.index)]).get((tile.level, tile.index), b"")
        wanted = tile.width * HASH_SIZE
        return bytes(stored[:wanted]) if len(stored) >= wanted else None

    def catch_up_tiles(self, progress: Progress | None = None, *, rebuild: bool = False) -> int:
        """Build the tiles a log written before them lacks (all again with ``rebuild``)."""
        return int(self.tiles.catch_up(self.store.recorder, progress, rebuild=rebuild))

    def _feed(self, sink: LeafSink, limit: int | None = None) -> int:
        """Stream the log's leaf hashes into ``sink`` (the first ``limit``); returns how many."""
        count = 0
        for row in chained_events(self.store):
            if limit is not None and count >= limit:
                break
            if row.state is not None and row.position is not None:
                sink.append(row_leaf_hash(row, row.position, row.state))
                count += 1
        return count

    def inclusion(self, position: int, tree_size: int) -> tuple[bytes, list[bytes], bytes]:
        """(leaf hash, audit path, root) proving event ``position`` is in the first
        ``tree_size`` events: from O(log n) tiles, or one pass when the tiles lag."""
        if not 1 <= position <= tree_size:
            raise InvalidInput(
                "vị trí hoặc kích thước cây không có trong nhật ký",
                position=position,
                tree_size=tree_size,
            )
        leaf, tree = (position - 1, position), (0, tree_size)
        spans = inclusion_spans(position - 1, tree_size)
        seen = self._span_hashes(tree_size, [*spans, leaf, tree])
        if seen is None:
            raise InvalidInput(
                "vị trí hoặc kích thước cây không có trong nhật ký",
                position=position,
                tree_size=tree_size,
                log_size=self.store.recorder.max_notification_id() or 0,
            )
        return seen[leaf], [seen[span] for span in spans], seen[tree]

    def inclusion_paths(
        self, positions: Iterable[int], tree_size: int
    ) -> dict[int, list[bytes]] | None:
        """The audit path of each event ``position`` (1-based, within ``tree_size``) in the
        first ``tree_size`` events, all from one read of the tiles (or one pass when they
        lag); None when the log is shorter than ``tree_size``. Leaves are the caller's to
        hash from the events as stored: a path from the tiles proves nothing about them."""
        wanted = sorted({p for p in positions if 1 <= p <= tree_size})
        paths = {p: inclusion_spans(p - 1, tree_size) for p in wanted}
        seen = self._span_hashes(tree_size, [s for spans in paths.values() for s in spans])
        if seen is None:
            return None
        return {p: [seen[s] for s in spans] for p, spans in paths.items()}

    def consistency(self, first: int, second: int) -> tuple[bytes, bytes, list[bytes]]:
        """(first root, second root, proof) that the first ``first`` events are unchanged in
        the first ``second``: from O(log n) tiles, or one pass when the tiles lag."""
        if not 1 <= first <= second:
            raise InvalidInput("kích thước cây không hợp lệ", first=first, second=second)
        old, new = (0, first), (0, second)
        spans = consistency_spans(first, second)
        seen = self._span_hashes(second, [*spans, old, new])
        if seen is None:
            raise InvalidInput(
                "kích thước cây không hợp lệ",
                first=first,
                second=second,
                log_size=self.store.recorder.max_notification_id() or 0,
            )
        return seen[old], seen[new], [seen[span] for span in spans]

    def _span_hashes(self, size: int, spans: list[Span]) -> Mapping[Span, bytes] | None:
        """The tree hash of each span of the first ``size`` leaves: from the stored tiles
        (O(log n) rows) when they reach ``size``, else from one pass over the log; None when
        the log is shorter than ``size``."""
        stored = self.tiles.covering(size, tiles_for(spans))
        if stored is not None:
            try:
                return {span: span_hash(span, stored) for span in spans}
            except TilesMissing:  # rebuilt meanwhile: fall back to the log itself
                pass
        seen = SpanHashes(spans)
        if self._feed(seen, limit=size) < size:
            return None
        return {span: seen[span] for span in spans}

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
            raise _not_verified(report.problem)
        return report

    def checkpoint_with_paths(
        self, now: datetime, leaves: Mapping[int, bytes]
    ) -> tuple[Checkpoint, dict[int, list[bytes]], dict[int, list[bytes]]]:
        """The latest signed checkpoint that covers every leaf (index, 0-based, to the leaf
        hash the caller computed from the event as stored), each leaf's audit path against
        it, and a consistency proof to it from every smaller checkpoint signed before (so a
        copy of any of them kept outside can be checked against it).

        A checkpoint is signed only when none covers the leaves yet (an award newer than the
        last checkpoint), and then only over a log that verifies whole. When one covers them
        the log is not walked again for a bundle: each leaf must lead to the signed root by
        its path, as an offline verifier will check, and the tiles must give that root; the
        whole log is verified by ``hoctap verify`` and every scheduled checkpoint, and a
        rewrite the last of them found refuses bundles until a verification passes again.
        """
        wanted = sorted(leaves)
        needed = wanted[-1] + 1 if wanted else 0
        covering = [c for c in self.checkpoints.all() if c.tree_size >= max(needed, 1)]
        if covering:
            if self.refused is not None:
                raise _not_verified(self.refused, "không lập bằng chứng cho gói kiểm tra")
            checkpoint = max(covering, key=lambda c: c.tree_size)
        else:
            report = self._verified()
            checkpoint = self._sign(report.events, report.root, now)
        size = checkpoint.tree_size
        paths = {index: inclusion_spans(index, size) for index in wanted}
        earlier = {c.tree_size for c in self.checkpoints.all() if 0 < c.tree_size < size}
        proofs = {old: consistency_spans(old, size) for old in sorted(earlier)}
        spans = [*paths.values(), *proofs.values()]
        seen = self._span_hashes(size, [(0, size), *(span for each in spans for span in each)])
        if seen is None or seen[(0, size)] != checkpoint.root_hash:
            raise LogNotVerified(  # the log changed between the verification and this pass
                "không lập được bằng chứng: nhật ký vừa thay đổi so với điểm kiểm đã ký",
                tree_size=size,
            )

        found: Mapping[Span, bytes] = seen

        def hashes(chosen: dict[int, list[Span]]) -> dict[int, list[bytes]]:
            return {key: [found[s] for s in each] for key, each in chosen.items()}

        audit_paths = hashes(paths)
        for index in wanted:
            if not verify_inclusion(
                index, size, leaves[index], audit_paths[index], seen[(0, size)]
            ):
                raise LogNotVerified(
                    f"không lập được bằng chứng: sự kiện ở vị trí {index + 1} không khớp với"
                    " điểm kiểm đã ký (đã bị sửa sau khi ký); `hoctap verify` chỉ ra chỗ sai",
                    position=index + 1,
                    kind="leaf-not-in-checkpoint",
                    tree_size=size,
                )
        return checkpoint, audit_paths, hashes(proofs)

    def _sign(self, size: int, top: bytes, now: datetime) -> Checkpoint:
        text = str(CheckpointText(self.origin, size, top))
        note = Note(text, (self.signer.sign(text),))
        body = checkpoint_body(size, top, now)
        signed = Checkpoint(size, top, now, self._key.sign(body), str(note))
        self.checkpoints.add(signed)
        return signed

    def verify(
        self,
        progress: Progress | None = None,
        kept: Sequence[KeptCheckpoints] = (),
        parallel: bool = False,
    ) -> VerifyReport:
        """The whole log against its chain, then every stored checkpoint and every one kept
        elsewhere (``kept``), in one pass.

        Leaf hashes stream into :class:`ExpectedTiles`, the Merkle frontier that notes the
        root at each size a checkpoint names and the tiles the log should have, so memory
        stays O(log n) plus one page of rows (and one digest per full tile).

        Each page is read as plain tuples and checked by :func:`plain_chain`, which builds no
        object per event; a page it does not accept whole (a problem, or a stored value in an
        odd form) is read again as :class:`ChainedEvent` rows and checked by
        :func:`verify_chain`, which names the first problem exactly as it always has.

        With ``parallel``, a large log on a SQLite file is first checked a range at a time
        in worker processes (:mod:`chain_workers`), the seams between ranges here; the pages
        from the first range not accepted whole are checked as above. Only a caller that
        owns its process asks for it (``hoctap verify``): it forks.
        """
        total = self.store.recorder.max_notification_id() or 0
        checkpoints = self.checkpoints.all()
        claims = [_claim(c, self.public_key) for c in checkpoints]
        outside = [
            [
                *(_claim(c, k.public_key) for c in k.checkpoints),
                *(self._note_claim(n) for n in k.notes),
            ]
            for k in kept
        ]
        sizes = {c.tree_size for c in claims}.union(*({c.tree_size for c in o} for o in outside))
        witness = ExpectedTiles(sizes)
        problem, previous, position, after = None, GENESIS, 1, 0
        for _, through, checked in self._ranges(total if parallel else 0):
            joined = join_range(checked, previous, position)
            if joined is None or checked is None:  # checked again below, page by page
                break
            witness.extend(joined)
            previous, position, after = checked.last, checked.position, through
            if progress:
                progress(witness.size, total)
        while page := self._page(after):
            leaves: list[bytes] = []
            plain = plain_chain(page, previous, position, leaves)
            if plain is not None:
                witness.extend(leaves)
                (previous, position), after = plain, max(r[1] or 0 for r in page)
            else:  # a problem or an odd row: the same page as ChainedEvents, checked as ever
                rows = self.store.recorder.select_chained(after, PAGE)  # type: ignore[attr-defined]
                problem, previous, position = verify_chain(rows, previous, position, witness)
                if problem:
                    return VerifyReport(witness.size, 0, problem)
                after = max((r.notification_id or 0 for r in rows), default=after)
            if progress and len(page) >= PAGE:
                progress(witness.size, total)
        if progress:
            progress(witness.size, total)
        for other in outside:
            found = _verify_checkpoints(other, witness)
            if found.problem is not None:
                return VerifyReport(witness.size, len(checkpoints), found.problem)
        report = _verify_checkpoints(claims, witness)
        if report.ok and (problem := self._check_tiles(witness)) is not None:
            return VerifyReport(report.events, report.checkpoints, problem)
        return report

    def _ranges(self, total: int) -> Iterator[tuple[int, int, Checked | None]]:
        """The log's first ``total`` events checked in worker processes, a range at a time
        (:mod:`chain_workers`), when the log is large, on a SQLite file and there is more
        than one CPU; nothing otherwise."""
        source = getattr(self.store.recorder, "chain_source", None)
        workers = worker_count(total)
        if source is None or not workers:
            return iter(())
        return checked_ranges(source, total, workers, PAGE)

    def _page(self, after: int) -> list[ChainedRow]:
        """The rows :meth:`verify` checks after notification id ``after``, as tuples."""
        return self.store.recorder.select_chained_rows(after, PAGE)  # type: ignore[attr-defined]

    def _check_tiles(self, expected: ExpectedTiles) -> Problem | None:
        """The stored tiles against those recomputed from the verified log: the first that
        differs, named by its path (tiles that lag behind the log are not an error: writers
        have not caught up yet, and proofs fall back to the log)."""
        stored_size = self.tiles.size()
        if stored_size < expected.size:
            return None
        if stored_size > expected.size:
            return Problem(
                expected.size + 1,
                "tile-mismatch",
                f"ô cho {expected.size} sự kiện",
                f"ô cho {stored_size} sự kiện",
            )
        difference = expected.first_difference(self.tiles.stored())
        if difference is None:
            return None
        return Problem(
            difference.first_leaf + 1, "tile-mismatch", difference.expected, difference.found
        )

    def _note_claim(self, message: str) -> _Claim:
        """A kept checkpoint note: it must be this log's (its origin) and hold under its key."""
        head = CheckpointText.parse(Note.parse(message).text)
        holds = head.origin == self.origin and note_holds(self.public_key, message)
        return _Claim(head.tree_size, head.root_hash, holds)


@dataclass(frozen=True)
class _Claim:
    """A signed (tree size, root) to check against the log, and whether its signature holds."""

    tree_size: int
    root_hash: bytes
    holds: bool


def _claim(checkpoint: Checkpoint, public_key: bytes) -> _Claim:
    return _Claim(
        checkpoint.tree_size, checkpoint.root_hash, verify_signature(public_key, checkpoint)
    )


def _verify_checkpoints(checkpoints: list[_Claim], witness: ExpectedTiles) -> VerifyReport:
    size = witness.size
    for checkpoint in checkpoints:
        if not checkpoint.holds:
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
    return VerifyReport(size, len(checkpoints), None, witness.root())
