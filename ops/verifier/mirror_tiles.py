#!/usr/bin/env python3
"""Mirror a Hoctap Ledger's Merkle tiles and recompute its signed root, from outside.

    python3 ops/verifier/mirror_tiles.py https://ledger.example/audit [--out DIR]

Needs only the standard library and httpx: nothing of this repository, so the check does
not trust the code that wrote the tiles. It fetches the latest checkpoint
(``<prefix>/checkpoint``, a C2SP signed note) and every tile of its tree size
(``<prefix>/tile/<L>/<N>[.p/<W>]``, C2SP tlog-tiles), then checks that

1. each tile has the length its place in the tree gives it (32-byte hashes);
2. each hash of a level-L tile (L >= 1) is the RFC 9162 tree hash of the full tile below it;
3. the tree hash of all the leaf hashes is the checkpoint's root.

With ``--out`` the tiles and the checkpoint are written under DIR in the same layout, ready
to be served as static files by a mirror. The note's signatures are not checked here
(that needs Ed25519): check them with the log's vkey (``GET <prefix>/checkpoints``) and a
signed-note tool, or with ``verify_bundle.py``. Exit code 0 when everything holds.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import sys
from pathlib import Path
from typing import Any

try:
    import httpx
except ImportError:  # the project's own environment has the httpx2 distribution
    import httpx2 as httpx

WIDTH = 256
HASH = 32


class Mismatch(Exception):
    """What does not hold, in one plain line."""


def tile_path(level: int, index: int, width: int) -> str:
    rest, parts = index, []
    while True:
        parts.append(f"{rest % 1000:03d}")
        rest //= 1000
        if not rest:
            break
    groups = "/".join([*(f"x{p}" for p in reversed(parts[1:])), parts[0]])
    return f"tile/{level}/{groups}" + (f".p/{width}" if width < WIDTH else "")


def tree_hash(hashes: list[bytes]) -> bytes:
    """RFC 9162 Merkle tree hash over leaf hashes (a stack, independent of the log's code)."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    stack: list[tuple[int, bytes]] = []
    for h in hashes:
        node = (1, h)
        while stack and stack[-1][0] == node[0]:
            left = stack.pop()
            node = (node[0] * 2, hashlib.sha256(b"\x01" + left[1] + node[1]).digest())
        stack.append(node)
    top = stack.pop()[1]
    while stack:
        top = hashlib.sha256(b"\x01" + stack.pop()[1] + top).digest()
    return top


def parse_checkpoint(note: str) -> tuple[str, int, bytes]:
    lines = note.split("\n")
    if len(lines) < 4 or not lines[1].isascii() or not lines[1].isdigit():
        raise Mismatch("điểm kiểm không đúng dạng C2SP tlog-checkpoint")
    return lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)


def fetch(client: Any, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise Mismatch(f"{url}: HTTP {response.status_code}")
    return response


def mirror(client: Any, prefix: str, out: Path | None = None) -> tuple[int, int]:
    """Fetch and check everything; returns (tree size, tiles fetched)."""
    note = fetch(client, f"{prefix}/checkpoint").text
    origin, size, root = parse_checkpoint(note)
    if out is not None:
        (out / "checkpoint").parent.mkdir(parents=True, exist_ok=True)
        (out / "checkpoint").write_text(note, encoding="utf-8")
    level, count, fetched = 0, size, 0
    leaves: list[bytes] = []
    below: list[bytes] = []  # the tree hash of each full tile of the level below
    while count > 0:
        hashes: list[bytes] = []
        for index in range((count + WIDTH - 1) // WIDTH):
            width = min(WIDTH, count - index * WIDTH)
            path = tile_path(level, index, width)
            body = fetch(client, f"{prefix}/{path}").content
            fetched += 1
            if len(body) != width * HASH:
                raise Mismatch(f"{path}: {len(body)} byte, cần {width * HASH}")
            if out is not None:
                (out / path).parent.mkdir(parents=True, exist_ok=True)
                (out / path).write_bytes(body)
            hashes += [body[i : i + HASH] for i in range(0, len(body), HASH)]
        for n, (entry, expected) in enumerate(zip(hashes, below, strict=False)):
            if entry != expected:
                here = tile_path(level, n // WIDTH, min(WIDTH, count - n // WIDTH * WIDTH))
                raise Mismatch(
                    f"{here}: mục {n % WIDTH} không phải gốc của {tile_path(level - 1, n, WIDTH)}"
                )
        if level == 0:
            leaves = hashes
        below = [tree_hash(hashes[i : i + WIDTH]) for i in range(0, len(hashes) - WIDTH + 1, WIDTH)]
        level, count = level + 1, count // WIDTH
    found = tree_hash(leaves)
    if found != root:
        raise Mismatch(
            f"gốc tính từ các ô ({found.hex()}) khác gốc của điểm kiểm {origin} cỡ {size}"
            f" ({root.hex()})"
        )
    return size, fetched


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Sao các ô cây Merkle và tính lại gốc.")
    parser.add_argument("prefix", help="tiền tố của nhật ký, ví dụ https://so-cai.example/audit")
    parser.add_argument("--out", type=Path, help="thư mục ghi bản sao các ô")
    args = parser.parse_args(argv)
    try:
        with httpx.Client(timeout=30) as client:
            size, fetched = mirror(client, args.prefix.rstrip("/"), args.out)
    except (Mismatch, httpx.HTTPError, ValueError) as exc:
        print(f"KHÔNG KHỚP: {exc}", file=sys.stderr)
        return 1
    print(f"Khớp: {fetched} ô, gốc của cây {size} sự kiện đúng như điểm kiểm.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
