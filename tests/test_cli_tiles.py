"""``hoctap db init`` and ``hoctap tiles catch-up`` on a store written before tiles existed."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tests.test_cli import demo_store, hoctap, one_line  # noqa: F401  (the fixture)


def _tiles(var: Path) -> tuple[int, int]:
    """(tree size the tiles describe, number of tile rows)."""
    with sqlite3.connect(var / "hoctap.sqlite") as db:
        size = db.execute("SELECT size FROM stored_events_tiles_size").fetchone()
        rows = db.execute("SELECT COUNT(*) FROM stored_events_tiles").fetchone()[0]
    db.close()
    return (size[0] if size else 0), rows


def _events(var: Path) -> int:
    with sqlite3.connect(var / "hoctap.sqlite") as db:
        (count,) = db.execute("SELECT COUNT(*) FROM stored_events_chain").fetchone()
    db.close()
    return int(count)


def test_db_init_builds_the_tiles_of_a_store_made_before_them(
    demo_store: tuple[Path, str],  # noqa: F811
    tmp_path: Path,
):
    var = tmp_path / "var"
    shutil.copytree(demo_store[0], var)
    with sqlite3.connect(var / "hoctap.sqlite") as db:  # as a store of the previous release
        db.execute("DROP TABLE stored_events_tiles")
        db.execute("DROP TABLE stored_events_tiles_size")
    db.close()

    init = hoctap(var, "db", "init")
    assert init.returncode == 0, init.stderr
    assert _tiles(var) == (_events(var), 1)  # 68 events: one partial level-0 tile
    assert hoctap(var, "verify").returncode == 0


def test_tiles_catch_up_rebuild_writes_them_again_and_says_so(
    demo_store: tuple[Path, str],  # noqa: F811
    tmp_path: Path,
):
    var = tmp_path / "var"
    shutil.copytree(demo_store[0], var)
    with sqlite3.connect(var / "hoctap.sqlite") as db:  # a tile damaged by hand
        db.execute("UPDATE stored_events_tiles SET hashes = zeroblob(length(hashes))")
    db.close()
    damaged = one_line(hoctap(var, "verify"))
    assert "tile-mismatch" in damaged and "tile/0/000.p/" in damaged

    rebuilt = hoctap(var, "tiles", "catch-up", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"Ô cây Merkle đã khớp nhật ký: {_events(var)} sự kiện." in rebuilt.stdout
    assert hoctap(var, "verify").returncode == 0
