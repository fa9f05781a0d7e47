"""``GET /audit/tile/...``: the Merkle tree as public, cacheable C2SP tiles, on every backend."""

from __future__ import annotations

from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from application.adapters.tiles import chained_rows, row_leaf_hash
from application.ledger import Ledger
from tests.api.helpers import Api
from tests.domain.test_tiles import HOSTILE_PATHS


def grow(ledger: Ledger, count: int) -> list[bytes]:
    """``count`` events more, written through the recorder; every leaf hash of the log."""
    ledger.store.recorder.insert_events(
        [StoredEvent(uuid4(), 1, "tests.Synthetic", b'{"n": %d}' % n) for n in range(count)]
    )
    found = (row_leaf_hash(r) for r in chained_rows(ledger.store.recorder))
    return [h for h in found if h is not None]


def test_a_full_tile_is_its_256_leaf_hashes_and_cached_for_good(api: Api, ledger: Ledger):
    leaves = grow(ledger, 300)
    response = api.client.get("/audit/tile/0/000")  # no token: tiles are public
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.content == b"".join(leaves[:256])


def test_a_partial_tile_is_a_prefix_of_the_stored_one_and_short_lived(api: Api, ledger: Ledger):
    leaves = grow(ledger, 300)
    response = api.client.get("/audit/tile/0/001.p/20")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.content == b"".join(leaves[256:276])
    level1 = api.client.get("/audit/tile/1/000.p/1")  # the root of the first full tile
    assert level1.status_code == 200 and len(level1.content) == 32


@pytest.mark.parametrize(
    "beyond",
    [
        lambda n: "0/001",
        lambda n: f"0/001.p/{n - 256 + 1}",
        lambda n: "1/000",
        lambda n: "1/000.p/2",
        lambda n: "2/000.p/1",
        lambda n: "0/x001/000",
        lambda n: "63/000.p/1",
    ],
)
def test_a_tile_beyond_the_tree_is_a_404_problem(api: Api, ledger: Ledger, beyond):
    size = len(grow(ledger, 300))
    assert 256 < size < 512
    response = api.client.get(f"/audit/tile/{beyond(size)}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not-found"


def _routed(path: str) -> bool:
    """Paths that reach the tile route: a level, then something after it."""
    level, _, rest = path.partition("/")
    return bool(level and rest) and ".." not in path and not any(c < " " for c in path)


@pytest.mark.parametrize(
    "path",
    [
        p.removeprefix("tile/")
        for paths in HOSTILE_PATHS.values()
        for p in paths
        if _routed(p.removeprefix("tile/"))
    ]
    + ["0/000%00", "0/00%0a", "0/%EF%BC%90%EF%BC%90%EF%BC%90", "0/000.p/%E2%80%8B1"],
    ids=repr,
)
def test_a_path_not_in_the_spec_form_is_a_422_problem(api: Api, path: str):
    response = api.client.get(f"/audit/tile/{path}")
    assert response.status_code == 422, path
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid-input"
