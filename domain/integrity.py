"""Integrity of the event log: a hash chain and a Merkle tree over the same canonical leaves.

Pure functions with every input explicit, shared by the recorders, ``hoctap verify`` and the
offline bundle verifier. Only the standard library.

- A leaf is the canonical, length-prefixed encoding of one stored event: its gap-free log
  position, originator id, version, topic and stored bytes.
- The chain: ``hash_n = SHA-256("hoctap.chain.v1" | hash_{n-1} | leaf_n)``, from 32 zero bytes,
  written in the same transaction as the event.
- The Merkle tree follows RFC 9162 (Certificate Transparency 2.0): leaf hashes are
  ``SHA-256(0x00 | leaf)``, node hashes ``SHA-256(0x01 | left | right)``, with its inclusion
  and consistency proofs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

#: A SHA-256 digest: every leaf, node, root and chain hash.
HASH_SIZE = 32
GENESIS = bytes(HASH_SIZE)
CHAIN_LABEL = b"hoctap.chain.v1"


def _field(value: bytes) -> bytes:
    return len(value).to_bytes(4, "big") + value


def leaf_bytes(
    position: int, originator_id: UUID | str, version: int, topic: str, state: bytes
) -> bytes:
    """The canonical bytes of one stored event (the same on every backend)."""
    originator = (
        str(UUID(str(originator_id))) if not isinstance(originator_id, UUID) else str(originator_id)
    )
    return b"".join(
        (
            position.to_bytes(8, "big"),
            _field(originator.encode()),
            version.to_bytes(8, "big"),
            _field(topic.encode()),
            _field(bytes(state)),
        )
    )


def chain_hash(previous: bytes, leaf: bytes) -> bytes:
    return hashlib.sha256(_field(CHAIN_LABEL) + previous + leaf).digest()


#: A row as :func:`plain_chain` reads it: the fields of :class:`ChainedEvent`, in order.
ChainedRow = tuple[Any, ...]

#: Originator ids in the canonical form :func:`leaf_bytes` gives them, or as SQLite stores
#: them (32 lowercase hex digits: the canonical form without its hyphens), one after another.
_CANONICAL_IDS = re.compile(r"(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})*")
_HEX_IDS = re.compile(r"[0-9a-f]*")
_HEX_GROUPS = struct.Struct("8s4s4s4s12s")
#: position, the originator's length (36) and text, version, the topic's length.
_LEAF_HEAD = struct.Struct(">QI36sQI")
_LENGTH = struct.Struct(">I")


def _originators(ids: list[str]) -> list[bytes] | None:
    """A page's originator ids as the canonical bytes of :func:`leaf_bytes`, when every one
    is canonical text or every one is 32 lowercase hex digits (None otherwise)."""
    lengths = set(map(len, ids))
    if lengths == {32} and _HEX_IDS.fullmatch(joined := "".join(ids)):
        return list(map(b"-".join, _HEX_GROUPS.iter_unpack(joined.encode())))
    if lengths == {36} and _CANONICAL_IDS.fullmatch("".join(ids)):
        return [i.encode() for i in ids]
    return None if ids else []


def plain_chain(
    rows: Sequence[ChainedRow], previous: bytes, start: int, leaves: list[bytes]
) -> tuple[bytes, int] | None:
    """:func:`verify_chain` over rows that are all plain, with few Python objects per row.

    A plain row has the expected position, its event, a text topic, bytes state and a stored
    hash that matches; the page's originator ids are all canonical text, or all their 32 hex
    digits alone (as SQLite stores them). For those the leaf bytes, the chain hash and the
    Merkle leaf hash are exactly :func:`verify_chain`'s: it returns (last hash, next
    position) with every leaf hash appended to ``leaves``. It returns None as soon as one
    row is not plain (a problem, or an odd stored value), and ``leaves`` is then to be
    discarded: the caller checks the same rows with :func:`verify_chain`, which names the
    problem or accepts the row, exactly as it always has.

    Each row's chain hash is computed from the *stored* hash of the row before it (from
    ``previous`` for the first), so the rows are independent of one another; the page is
    accepted only when every stored hash is 32 bytes and all of them equal those computed,
    which makes each stored hash the one :func:`verify_chain` computes in turn.
    """
    sha256, join = hashlib.sha256, b"".join
    head, length, label = _LEAF_HEAD.pack, _LENGTH.pack, _field(CHAIN_LABEL)
    try:
        texts = _originators([r[2] for r in rows])
        if texts is None or [r[0] for r in rows] != list(range(start, start + len(rows))):
            return None
        names = [r[4].encode() for r in rows]
        page = [
            join((head(r[0], 36, text, r[3], len(name)), name, length(len(r[5])), r[5]))
            for r, text, name in zip(rows, texts, names, strict=True)
        ]
        stored = [r[6] for r in rows]
        if set(map(len, stored)) - {HASH_SIZE}:  # None or text: TypeError
            return None
        before = [previous, *stored][: len(page)]
        expected = [sha256(label + p + leaf).digest() for p, leaf in zip(before, page, strict=True)]
        if not hmac.compare_digest(join(expected), join(stored)):
            return None
    except Exception:  # an odd stored value: verify_chain says what it makes of it
        return None
    leaves += [sha256(b"\x00" + leaf).digest() for leaf in page]
    return (expected[-1] if expected else previous), start + len(rows)


@dataclass(frozen=True)
class Problem:
    """What a verification found wrong, with the evidence."""

    position: int
    kind: str  # hash-mismatch | missing-event | unchained-event | truncated | ...
    expected: str
    found: str

    def __str__(self) -> str:
        return f"vị trí {self.position}: {self.kind} (cần {self.expected}, thấy {self.found})"


@dataclass(frozen=True)
class ChainedEvent:
    """One event as read back, with the chain row written beside it (None when missing)."""

    position: int | None  # the chain's position, None for an event with no chain row
    notification_id: int | None  # None for a chain row whose event is gone
    originator_id: UUID | str | None
    version: int | None
    topic: str | None
    state: bytes | None
    stored_hash: bytes | None


class LeafSink(Protocol):
    def append(self, leaf_hash: bytes, /) -> None: ...


def verify_chain(
    rows: Iterable[ChainedEvent],
    previous: bytes = GENESIS,
    start: int = 1,
    leaves: LeafSink | None = None,
) -> tuple[Problem | None, bytes, int]:
    """Check rows in log order; returns (first problem or None, last hash, next position).

    With ``leaves`` (a list, or a :class:`MerkleFrontier`), each verified event's Merkle leaf
    hash is appended to it, so one pass over the log serves both the chain and the
    checkpoints.
    """
    expected_position = start
    for row in rows:
        if row.position is None:
            return (
                Problem(
                    expected_position,
                    "unchained-event",
                    "một dòng xích",
                    f"sự kiện {row.notification_id} không có dòng xích",
                ),
                previous,
                0,
            )
        if row.position != expected_position:
            return (
                Problem(
                    expected_position, "position-gap", str(expected_position), str(row.position)
                ),
                previous,
                0,
            )
        if row.state is None or row.originator_id is None or row.version is None:
            return (
                Problem(
                    row.position, "missing-event", "sự kiện của dòng xích", "không có (đã bị xóa)"
                ),
                previous,
                0,
            )
        leaf = leaf_bytes(row.position, row.originator_id, row.version, row.topic or "", row.state)
        expected = chain_hash(previous, leaf)
        if row.stored_hash is None or not hmac.compare_digest(expected, row.stored_hash):
            found = row.stored_hash.hex() if row.stored_hash else "-"
            return Problem(row.position, "hash-mismatch", expected.hex(), found), previous, 0
        if leaves is not None:
            leaves.append(leaf_hash(leaf))
        previous, expected_position = expected, expected_position + 1
    return None, previous, expected_position


# --- Merkle tree (RFC 9162) ------------------------------------------------------------


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of leaves given by their leaf hashes."""
    n = len(leaf_hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(root(leaf_hashes[:k]), root(leaf_hashes[k:]))


class MerkleFrontier:
    """The tree hash of a growing log, computed leaf by leaf in O(log n) memory.

    It keeps the roots of the perfect subtrees the leaves so far split into (one per set bit
    of the size, largest first). :meth:`root` folds them from the right, which is exactly
    :func:`root` of every leaf added: the largest power of two below the size is the first
    subtree. Verifying a national log therefore needs no list of every leaf hash.
    """

    def __init__(self) -> None:
        self.size = 0
        self._peaks: list[bytes] = []

    def append(self, leaf_hash: bytes) -> None:
        self._peaks.append(leaf_hash)
        self.size += 1
        merged = self.size
        while merged % 2 == 0:  # two subtrees of equal size become one
            right = self._peaks.pop()
            self._peaks[-1] = node_hash(self._peaks[-1], right)
            merged //= 2

    def root(self) -> bytes:
        return peaks_root(self._peaks)


def peaks_root(peaks: Sequence[bytes]) -> bytes:
    """The tree hash from the roots of its perfect subtrees (largest first), folded from the
    right: :meth:`MerkleFrontier.root`."""
    if not peaks:
        return hashlib.sha256(b"").digest()
    top = peaks[-1]
    for peak in reversed(peaks[:-1]):
        top = node_hash(peak, top)
    return top


#: A subtree as the leaves it spans: ``[start, end)``.
Span = tuple[int, int]


def inclusion_spans(index: int, size: int) -> list[Span]:
    """The subtrees whose hashes make the audit path of leaf ``index`` (0-based) in a tree of
    ``size`` leaves, in the order the proof lists them (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError("index outside the tree")

    def path(lo: int, hi: int) -> list[Span]:
        if hi - lo == 1:
            return []
        mid = lo + _split(hi - lo)
        return [*path(lo, mid), (mid, hi)] if index < mid else [*path(mid, hi), (lo, mid)]

    return path(0, size)


def consistency_spans(old_size: int, size: int) -> list[Span]:
    """The subtrees whose hashes prove the first ``old_size`` leaves are a prefix of the tree
    of ``size`` leaves, in proof order (RFC 9162 §2.1.4.1)."""
    if not 0 < old_size <= size:
        raise ValueError("old size outside the tree")

    def subproof(m: int, lo: int, hi: int, complete: bool) -> list[Span]:
        if m == hi - lo:
            return [] if complete else [(lo, hi)]
        mid = lo + _split(hi - lo)
        if m <= mid - lo:
            return [*subproof(m, lo, mid, complete), (mid, hi)]
        return [*subproof(m - (mid - lo), mid, hi, False), (lo, mid)]

    return subproof(old_size, 0, size, True)


class SpanHashes:
    """Tree hashes of chosen subtrees, from one pass over the leaf hashes in log order.

    Each span gets its own :class:`MerkleFrontier`; leaves outside every span only advance
    the count. Memory: O(log n) per span, whatever the length of the log, so proofs are
    served from a stream instead of a list of every leaf hash.
    """

    def __init__(self, spans: Iterable[Span]) -> None:
        self._waiting = sorted(set(spans))
        self._open: list[tuple[Span, MerkleFrontier]] = []
        self._done: dict[Span, bytes] = {}
        self.count = 0

    def append(self, leaf_hash: bytes) -> None:
        at = self.count
        while self._waiting and self._waiting[0][0] == at:
            self._open.append((self._waiting.pop(0), MerkleFrontier()))
        still_open = []
        for span, frontier in self._open:
            frontier.append(leaf_hash)
            if span[1] == at + 1:
                self._done[span] = frontier.root()
            else:
                still_open.append((span, frontier))
        self._open = still_open
        self.count += 1

    def __getitem__(self, span: Span) -> bytes:
        if span not in self._done:
            raise ValueError(f"leaves {span[0]}..{span[1]} were not all seen")
        return self._done[span]


def span_hashes(spans: Sequence[Span], leaf_hashes: Iterable[bytes]) -> list[bytes]:
    """The tree hash of each span, in order."""
    seen = SpanHashes(spans)
    for leaf in leaf_hashes:
        seen.append(leaf)
    return [seen[span] for span in spans]


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf ``index`` (0-based) in the tree of ``leaf_hashes``."""
    return span_hashes(inclusion_spans(index, len(leaf_hashes)), leaf_hashes)


def verify_inclusion(
    index: int, size: int, leaf_hash_value: bytes, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2 (every hash must be a SHA-256 digest: 32 bytes)."""
    if not 0 <= index < size or not _digests(leaf_hash_value, expected_root, *proof):
        return False
    fn, sn, r = index, size - 1, leaf_hash_value
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(r, expected_root)


def _digests(*hashes: bytes) -> bool:
    """Are these all SHA-256 digests? A proof of other lengths proves nothing."""
    return all(len(h) == HASH_SIZE for h in hashes)


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.4: proof that the first ``old_size`` leaves are a prefix of the tree."""
    return span_hashes(consistency_spans(old_size, len(leaf_hashes)), leaf_hashes)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2 (every hash must be a SHA-256 digest: 32 bytes)."""
    if old_size > new_size or old_size == 0 or not _digests(old_root, new_root, *proof):
        return False
    if old_size == new_size:
        return not proof and hmac.compare_digest(old_root, new_root)
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path = [old_root, *path]
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(fr, old_root) and hmac.compare_digest(sr, new_root)
