"""The Merkle tree as C2SP tlog-tiles: stored level by level, so a proof reads O(log n) tiles.

A tile at level ``L`` and index ``N`` holds up to 256 consecutive hashes at tree height
``8 * L``: level-0 tiles hold leaf hashes, and each hash of a level-``L`` tile is the root of
a *full* tile at level ``L - 1`` (``MTH(D[(N*256 + i) * 256**L : (N*256 + i + 1) * 256**L])``).
The right edge of a tree is made of partial tiles of ``floor(size / 256**L) mod 256`` hashes.
Because the tree only grows, a partial tile is a prefix of every later version of itself.

Pure functions; every proof computed here is exactly the one :mod:`domain.integrity`
computes from every leaf (the tests check it over thousands of sizes). ``height`` is the
number of tree levels a tile spans: 8 in the stored format; the tests also use small heights
so that multi-level trees stay small.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.integrity import (
    HASH_SIZE,
    Span,
    consistency_spans,
    inclusion_spans,
    node_hash,
    peaks_root,
    root,
)

#: Tree levels per tile, and hashes in a full tile (C2SP tlog-tiles).
HEIGHT = 8
WIDTH = 1 << HEIGHT
#: C2SP allows levels 0..63.
MAX_LEVEL = 63

#: Tiles as stored: (level, index) -> the concatenated hashes (a partial tile is shorter).
Tiles = Mapping[tuple[int, int], bytes]


class TilePathError(ValueError):
    """A tile path that is not in the C2SP form."""


class TilesMissing(LookupError):
    """The tiles given do not hold a hash a computation needs (they lag behind the tree)."""

    def __init__(self, level: int, index: int, entry: int) -> None:
        super().__init__(f"tile {level}/{index} lacks entry {entry}")
        self.level, self.index, self.entry = level, index, entry


@dataclass(frozen=True, order=True)
class TileId:
    """One tile: its level, index and width (``WIDTH`` for a full tile)."""

    level: int
    index: int
    width: int = WIDTH

    @property
    def full(self) -> bool:
        return self.width == WIDTH

    @property
    def path(self) -> str:
        return tile_path(self.level, self.index, self.width)


def tile_path(level: int, index: int, width: int = WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]`` with N in zero-padded 3-digit elements, all but the last
    prefixed with ``x``: index 1234067 is ``x001/x234/067``."""
    if not 0 <= level <= MAX_LEVEL or index < 0 or not 1 <= width <= WIDTH:
        raise ValueError(f"no tile {level}/{index} of width {width}")
    groups = []
    rest = index
    while True:
        groups.append(f"{rest % 1000:03d}")
        rest //= 1000
        if rest == 0:
            break
    elements = [f"x{g}" for g in reversed(groups[1:])] + [groups[0]]
    suffix = f".p/{width}" if width < WIDTH else ""
    return f"tile/{level}/{'/'.join(elements)}{suffix}"


_LEVEL = re.compile(r"(0|[1-9][0-9]?)\Z", re.ASCII)
_WIDTH = re.compile(r"([1-9][0-9]{0,2})\Z", re.ASCII)
_GROUP = re.compile(r"[0-9]{3}\Z", re.ASCII)
#: Index elements beyond this would be an index no log of this century reaches (2**63).
_MAX_GROUPS = 7


def parse_tile_path(path: str) -> TileId:
    """The tile a path names, refusing anything but the exact C2SP form: ASCII digits only,
    no extra leading zeros, no empty or extra elements, a width of 1..255."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise TilePathError("không phải đường dẫn ô")
    if not _LEVEL.match(parts[1]) or int(parts[1]) > MAX_LEVEL:
        raise TilePathError("tầng phải là 0..63, không có số 0 đứng đầu")
    width = WIDTH
    elements = parts[2:]
    if len(elements) >= 2 and elements[-2].endswith(".p"):
        if not _WIDTH.match(elements[-1]) or int(elements[-1]) >= WIDTH:
            raise TilePathError("độ rộng ô dở dang phải là 1..255, không có số 0 đứng đầu")
        width = int(elements[-1])
        elements = [*elements[:-2], elements[-2][: -len(".p")]]
    if len(elements) > _MAX_GROUPS:
        raise TilePathError("chỉ số ô quá dài")
    *prefixed, last = elements
    if not all(e.startswith("x") and _GROUP.match(e[1:]) for e in prefixed):
        raise TilePathError("mỗi phần chỉ số ô trước phần cuối phải là x và 3 chữ số")
    if not _GROUP.match(last):
        raise TilePathError("phần cuối của chỉ số ô phải là 3 chữ số")
    digits = [e[1:] for e in prefixed] + [last]
    if prefixed and digits[0] == "000":
        raise TilePathError("chỉ số ô có phần 000 thừa ở đầu")
    index = int("".join(digits))
    return TileId(int(parts[1]), index, width)


def tiles_of(size: int, height: int = HEIGHT) -> list[TileId]:
    """Every tile of a tree of ``size`` leaves, level by level: full ones, then the partial
    right edge where the level's count is not a multiple of the width."""
    width = 1 << height
    found = []
    level, count = 0, size
    while count > 0:
        found += [TileId(level, n, width) for n in range(count // width)]
        if count % width:
            found.append(TileId(level, count // width, count % width))
        level, count = level + 1, count >> height
    return found


def edge_of(size: int, height: int = HEIGHT) -> list[TileId]:
    """The partial tiles of a tree of ``size`` leaves (what grows when it is appended to)."""
    width = 1 << height
    found = []
    level, count = 0, size
    while count > 0:
        if count % width:
            found.append(TileId(level, count // width, count % width))
        level, count = level + 1, count >> height
    return found


def _perfect_parts(span: Span) -> list[Span]:
    """The perfect subtrees whose hashes combine into the tree hash of ``span`` (RFC 9162
    splits at the largest power of two below the length)."""
    lo, hi = span
    if hi - lo <= 0:
        raise ValueError("empty span")
    if (hi - lo) & (hi - lo - 1) == 0 and lo % (hi - lo) == 0:
        return [span]
    k = 1
    while k * 2 < hi - lo:
        k *= 2
    return [*_perfect_parts((lo, lo + k)), *_perfect_parts((lo + k, hi))]


def _entries(span: Span, height: int) -> tuple[int, int, int]:
    """A perfect span as (level, first entry, count) of consecutive entries of one tile."""
    lo, hi = span
    j = (hi - lo).bit_length() - 1
    level = j // height
    return level, lo >> (height * level), 1 << (j % height)


def tiles_for(spans: Iterable[Span], height: int = HEIGHT) -> set[tuple[int, int]]:
    """The (level, index) of every tile the tree hashes of ``spans`` are computed from."""
    needed = set()
    for span in spans:
        for part in _perfect_parts(span):
            level, first, _ = _entries(part, height)
            needed.add((level, first >> height))
    return needed


def span_hash(span: Span, tiles: Tiles, height: int = HEIGHT) -> bytes:
    """The tree hash of leaves ``[lo, hi)`` from tile contents. A perfect subtree of height
    ``8L + r`` is the root of ``2**r`` aligned entries of one level-L tile; any other span
    splits into perfect subtrees, as RFC 9162 does."""
    lo, hi = span
    if hi - lo <= 0:
        raise ValueError("empty span")
    if (hi - lo) & (hi - lo - 1) == 0 and lo % (hi - lo) == 0:
        return _perfect_hash(span, tiles, height)
    k = 1
    while k * 2 < hi - lo:
        k *= 2
    return node_hash(span_hash((lo, lo + k), tiles, height), span_hash((lo + k, hi), tiles, height))


def _perfect_hash(span: Span, tiles: Tiles, height: int) -> bytes:
    level, first, count = _entries(span, height)
    index, offset = first >> height, first % (1 << height)
    data = tiles.get((level, index), b"")
    end = (offset + count) * HASH_SIZE
    if len(data) < end:
        raise TilesMissing(level, index, offset + count - 1)
    chunk = data[offset * HASH_SIZE : end]
    return root([chunk[i : i + HASH_SIZE] for i in range(0, len(chunk), HASH_SIZE)])


def root_from_tiles(size: int, tiles: Tiles, height: int = HEIGHT) -> bytes:
    """The tree hash of the first ``size`` leaves."""
    return span_hash((0, size), tiles, height) if size else root([])


def inclusion_from_tiles(index: int, size: int, tiles: Tiles, height: int = HEIGHT) -> list[bytes]:
    """The audit path of leaf ``index`` (0-based) in the tree of ``size`` leaves, as
    :func:`domain.integrity.inclusion_proof` computes it from every leaf."""
    return [span_hash(s, tiles, height) for s in inclusion_spans(index, size)]


def consistency_from_tiles(
    old_size: int, size: int, tiles: Tiles, height: int = HEIGHT
) -> list[bytes]:
    """The proof that the first ``old_size`` leaves are a prefix of the tree of ``size``
    leaves, as :func:`domain.integrity.consistency_proof` computes it from every leaf."""
    return [span_hash(s, tiles, height) for s in consistency_spans(old_size, size)]


class TileBuilder:
    """Tiles of a growing tree, from its stored right edge and the leaf hashes appended.

    ``edge`` maps each level to the hashes of its partial tile at ``size`` (as
    :func:`edge_of` names them; a level whose count is a multiple of the width has none).
    :meth:`add` returns every tile the new leaves changed or completed, to upsert.
    """

    def __init__(self, size: int, edge: Mapping[int, bytes], height: int = HEIGHT) -> None:
        self.size, self.height, self.width = size, height, 1 << height
        self._edge: dict[int, bytes] = {}
        count, level = size, 0
        while count > 0:
            have = edge.get(level, b"")
            if len(have) != (count % self.width) * HASH_SIZE:
                raise ValueError(f"the edge at level {level} does not match size {size}")
            if have:
                self._edge[level] = bytes(have)
            level, count = level + 1, count >> height

    def edge(self) -> dict[int, bytes]:
        return dict(self._edge)

    def add(self, leaf_hashes: Iterable[bytes]) -> dict[tuple[int, int], bytes]:
        """Append leaves; the changed tiles as {(level, index): hashes}."""
        changed: dict[tuple[int, int], bytes] = {}
        entries = list(leaf_hashes)
        if any(len(h) != HASH_SIZE for h in entries):
            raise ValueError("leaf hashes are 32 bytes")
        old, level, added = self.size, 0, len(entries)
        while entries:  # the full tiles completed at one level are entries of the next
            index = (old >> (self.height * level)) // self.width
            partial, completed = bytearray(self._edge.pop(level, b"")), []
            for entry in entries:
                partial += entry
                if len(partial) == self.width * HASH_SIZE:
                    changed[(level, index)] = full = bytes(partial)
                    completed.append(_root_of(full))
                    partial, index = bytearray(), index + 1
            if partial:
                self._edge[level] = changed[(level, index)] = bytes(partial)
            entries, level = completed, level + 1
        self.size = old + added
        return changed


def _root_of(tile: bytes) -> bytes:
    return root([tile[i : i + HASH_SIZE] for i in range(0, len(tile), HASH_SIZE)])


def extend_tiles(
    size: int, edge: Mapping[int, bytes], leaf_hashes: Iterable[bytes], height: int = HEIGHT
) -> dict[tuple[int, int], bytes]:
    """The tiles to upsert when ``leaf_hashes`` are appended to a tree of ``size`` leaves
    whose partial tiles are ``edge`` (level -> hashes)."""
    return TileBuilder(size, edge, height).add(leaf_hashes)


@dataclass(frozen=True)
class TileDifference:
    """The first stored tile that is not the one recomputed from the log."""

    tile: TileId
    expected: str
    found: str

    @property
    def first_leaf(self) -> int:
        """The 0-based index of the first leaf the tile covers."""
        return self.tile.index << (HEIGHT * (self.tile.level + 1))


class ExpectedTiles:
    """The tiles a log should have, recomputed leaf by leaf (a :class:`LeafSink`): the
    SHA-256 of each full tile and the partial right edge, O(n / 256) memory.

    It is also the log's Merkle frontier (:class:`domain.integrity.MerkleFrontier`: one
    subtree root per set bit of the size) and takes each tile's entries from the nodes that
    frontier computes anyway: an entry of a level-L tile is the root of 256**L leaves, a node
    at height 8L. So no node is hashed twice. Leaves are taken a batch at a time and the tree
    grows a height at a time over the batch (few Python calls per node); the root at each
    size in ``sizes`` is kept in :attr:`roots`.
    """

    def __init__(self, sizes: Iterable[int] = ()) -> None:
        self.size = 0
        #: Height -> the subtree root not yet paired at that height (one per set bit of the
        #: size: the frontier's peaks), or nothing.
        self._unpaired: list[list[bytes]] = []
        #: Level -> the entries of its partial tile (a full tile is hashed and dropped), and
        #: how many full tiles it has.
        self._edge: list[list[bytes]] = []
        self._full: list[int] = []
        self._digests: dict[tuple[int, int], bytes] = {}
        self._sizes = frozenset(sizes)
        self.roots: dict[int, bytes] = {}

    def append(self, leaf_hash: bytes) -> None:
        self.extend((leaf_hash,))

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        batch = list(leaf_hashes)
        if set(map(len, batch)) - {HASH_SIZE}:
            raise ValueError("leaf hashes are 32 bytes")
        old = self.size
        at = 0
        for size in sorted(s for s in self._sizes if old < s <= old + len(batch)):
            self._grow(batch[at : size - old])
            self.roots[size], at = self.root(), size - old
        self._grow(batch[at:] if at else batch)

    def _grow(self, nodes: list[bytes]) -> None:
        sha256, unpaired = hashlib.sha256, self._unpaired
        self.size += len(nodes)
        height = 0
        while nodes:
            if not height % HEIGHT:  # roots of 256**L leaves: entries of level L
                self._entries(height // HEIGHT, nodes)
            if height == len(unpaired):
                unpaired.append([])
            left = unpaired[height]
            if left:
                nodes = [left.pop(), *nodes]
            if len(nodes) % 2:
                left.append(nodes.pop())
            nodes = [
                sha256(b"\x01" + a + b).digest()
                for a, b in zip(nodes[0::2], nodes[1::2], strict=True)
            ]
            height += 1

    def _entries(self, level: int, entries: list[bytes]) -> None:
        if level == len(self._edge):
            self._edge.append([])
            self._full.append(0)
        edge = self._edge[level]
        edge += entries
        while len(edge) >= WIDTH:
            key = (level, self._full[level])
            self._digests[key] = hashlib.sha256(b"".join(edge[:WIDTH])).digest()
            del edge[:WIDTH]
            self._full[level] += 1

    def root(self) -> bytes:
        """The Merkle tree hash of the leaves so far."""
        return peaks_root([left[0] for left in reversed(self._unpaired) if left])

    def first_difference(self, stored: Iterable[tuple[int, int, bytes]]) -> TileDifference | None:
        """Compare stored tiles (in (level, index) order) with these: the first that differs,
        is missing or should not exist."""
        edge = {(t.level, t.index): t for t in edge_of(self.size)}
        expected = {
            (t.level, t.index): (
                self._digests[(t.level, t.index)]
                if t.full
                else hashlib.sha256(b"".join(self._edge[t.level])).digest()
            )
            for t in tiles_of(self.size)
        }
        keys, at = sorted(expected), 0
        for level, index, hashes in stored:
            width = len(hashes) // HASH_SIZE
            tile = TileId(level, index, width) if 0 < width <= WIDTH else TileId(level, index)
            if at < len(keys) and keys[at] < (level, index):
                return _missing(keys[at], edge)
            if (level, index) not in expected:
                return TileDifference(tile, "không có ô này", _described(hashes))
            want = expected[(level, index)]
            if hashlib.sha256(hashes).digest() != want:
                right = edge.get((level, index), TileId(level, index))
                return TileDifference(
                    tile, f"{right.path} {want.hex()}", f"{tile.path} {_described(hashes)}"
                )
            at += 1
        return _missing(keys[at], edge) if at < len(keys) else None


def _missing(key: tuple[int, int], edge: Mapping[tuple[int, int], TileId]) -> TileDifference:
    tile = edge.get(key, TileId(*key))
    return TileDifference(tile, f"ô {tile.path}", "không có")


def _described(hashes: bytes) -> str:
    return f"{len(hashes)} byte, SHA-256 {hashlib.sha256(hashes).hexdigest()}"
