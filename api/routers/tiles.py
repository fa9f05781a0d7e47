"""The Merkle tree as static tiles (C2SP tlog-tiles), beside ``GET /audit/checkpoint``.

With the latest checkpoint and these tiles anyone can mirror the tree and compute every
inclusion and consistency proof themselves (``ops/verifier/mirror_tiles.py`` does). Tiles
hold hashes only, no event content, so they are public. The prefix is ``/audit``, the one
the checkpoint is served under, as the specification asks of a log's URL prefix.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import LedgerDep
from domain.errors import InvalidInput, NotFound
from domain.tiles import TilePathError, parse_tile_path

router = APIRouter(prefix="/audit", tags=["Kiểm chứng"])

OCTETS = "application/octet-stream"
#: A full tile never changes; a partial one is replaced by wider ones as the log grows.
FULL = "public, max-age=31536000, immutable"
PARTIAL = "public, max-age=60"


@router.get(
    "/tile/{level}/{rest:path}",
    summary="Một ô của cây Merkle (tlog-tiles)",
    response_class=Response,
    responses={200: {"content": {OCTETS: {}}}},
)
def tile(
    level: Annotated[str, Path(description="Tầng của ô, 0-63", examples=["0"])],
    rest: Annotated[
        str,
        Path(
            description="Chỉ số ô theo nhóm 3 chữ số (x001/x234/067), kèm .p/<độ rộng> nếu ô"
            " chưa đủ 256 mã băm",
            examples=["x001/067.p/12"],
        ),
    ],
    ledger: LedgerDep,
) -> Response:
    """One tile: ``<L>/<N>[.p/<W>]``, N in 3-digit elements (``x001/x234/067``), 32-byte
    hashes back to back (no token needed). A tile beyond the tree is 404."""
    try:
        wanted = parse_tile_path(f"tile/{level}/{rest}")
    except TilePathError as exc:
        raise InvalidInput(
            "đường dẫn ô không đúng dạng C2SP tlog-tiles: tile/<L>/<N>[.p/<W>]", reason=str(exc)
        ) from exc
    hashes = ledger.auditor.tile(wanted)
    if hashes is None:
        raise NotFound("nhật ký chưa có ô này", tile=wanted.path)
    cache = FULL if wanted.full else PARTIAL
    return Response(hashes, media_type=OCTETS, headers={"Cache-Control": cache})
