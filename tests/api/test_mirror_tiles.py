"""``ops/verifier/mirror_tiles.py`` against a live API: it mirrors the tiles, recomputes the
signed root with its own Merkle code, and names a tile that was changed."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime
from pathlib import Path

import pytest

from application.services.records import VIETNAM
from tests.api.helpers import Api
from tests.api.test_tiles import grow
from tests.application.test_tamper import RawLog

SCRIPT = Path(__file__).resolve().parents[2] / "ops" / "verifier" / "mirror_tiles.py"
spec = importlib.util.spec_from_file_location("mirror_tiles", SCRIPT)
assert spec is not None and spec.loader is not None
mirror_tiles = importlib.util.module_from_spec(spec)
sys.modules["mirror_tiles"] = mirror_tiles
spec.loader.exec_module(mirror_tiles)

NOW = datetime(2026, 11, 21, 10, tzinfo=VIETNAM)


def test_the_mirror_recomputes_the_signed_root_from_the_served_tiles(api: Api, tmp_path: Path):
    assert api.ledger is not None
    size = len(grow(api.ledger, 600))  # level 0: two full tiles and a partial one
    api.ledger.auditor.make_checkpoint(NOW)

    out = tmp_path / "mirror"
    assert mirror_tiles.mirror(api.client, "/audit", out) == (size, 4)
    assert (out / "checkpoint").read_text(encoding="utf-8").split("\n")[1] == str(size)
    assert (out / "tile" / "0" / "000").stat().st_size == 8192


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_mirror_names_a_tile_whose_hash_was_changed(api: Api):
    assert api.ledger is not None
    grow(api.ledger, 600)
    api.ledger.auditor.make_checkpoint(NOW)
    raw = RawLog(api.ledger.settings)  # an operator's UPDATE of the second leaf tile
    ((stored,),) = raw.run(f"SELECT hashes FROM {raw.tiles} WHERE level = 0 AND idx = 1")
    raw.run(
        f"UPDATE {raw.tiles} SET hashes = ? WHERE level = 0 AND idx = 1",
        (bytes(32) + bytes(stored)[32:],),
    )
    with pytest.raises(mirror_tiles.Mismatch) as found:
        mirror_tiles.mirror(api.client, "/audit")
    assert str(found.value) == "tile/1/000.p/2: mục 1 không phải gốc của tile/0/001"


def test_an_unreachable_log_is_one_plain_line_and_exit_code_1(capsys: pytest.CaptureFixture[str]):
    assert mirror_tiles.main(["http://127.0.0.1:9/audit"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("KHÔNG KHỚP: ")
