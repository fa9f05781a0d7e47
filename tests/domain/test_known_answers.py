"""Known answers for the bytes the log is hashed over, computed once and written here.

Every other integrity test checks the chain and the tree against the project's own functions,
so a change to the canonical bytes (a field left out, reordered, or re-encoded) would pass them
all and silently break every proof already handed out. These constants fail loudly instead.
"""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.integrity import GENESIS, MerkleFrontier, chain_hash, leaf_bytes, leaf_hash, root

ORIGINATOR = UUID("6f1c2a9e-0b7d-4c1e-9a3f-5d2b8e4c7a10")

FIRST_LEAF = bytes.fromhex(
    "0000000000000001"  # position 1, 8 bytes big-endian
    "00000024"  # the originator id's text is 36 bytes
    "36663163326139652d306237642d346331652d396133662d356432623865346337613130"
    "0000000000000001"  # version 1
    "00000018"  # the topic is 24 bytes
    "686f637461702e506572736f6e2e52656769737465726564"  # hoctap.Person.Registered
    "00000007"  # the stored state is 7 bytes
    "7b2261223a317d"  # {"a":1}
)
FIRST_CHAIN = "01e2ac6f554af1361be231882e836ae73aa4dbf02c254d8ed428bcc9a1bdd80c"
SECOND_CHAIN = "f84cbbc97b6f7d87e88e7dc4314df3b6b3954fb980dd72c8c18dd0c97fec56e6"

ROOTS = {
    1: "9a8dfe906bbfbbc5ddb744294ffc9f4365e3a132d71f6a437ab453da6ddb90b8",
    2: "09e235be3cb07312982e2475d63946c9e61223b612f821ab704ff0331b31f9ef",
    3: "5063f9a05ee180ff7621420ce8dfffd772b9faa89087e67383efe9c6ce9120ca",
    7: "9508c5feec6c932d0e0d9538c5cb23be32b1746c8d4e47345aad3efb0675772b",
}


def first_leaf() -> bytes:
    return leaf_bytes(1, ORIGINATOR, 1, "hoctap.Person.Registered", b'{"a":1}')


def second_leaf() -> bytes:
    return leaf_bytes(2, ORIGINATOR, 2, "hoctap.Person.Corrected", '{"b":"á"}'.encode())


def test_the_leaf_bytes_of_an_event_are_the_published_layout():
    assert first_leaf() == FIRST_LEAF


def test_an_originator_given_as_text_gives_the_same_leaf():
    text = leaf_bytes(1, str(ORIGINATOR).upper(), 1, "hoctap.Person.Registered", b'{"a":1}')
    assert text == FIRST_LEAF


@pytest.mark.parametrize(
    "changed",
    [
        {"position": 2},
        {"originator_id": UUID(int=ORIGINATOR.int + 1)},
        {"version": 2},
        {"topic": "hoctap.Person.Registereds"},
        {"state": b'{"a":2}'},
    ],
    ids=lambda c: next(iter(c)),
)
def test_every_field_of_an_event_changes_its_leaf(changed):
    fields = {
        "position": 1,
        "originator_id": ORIGINATOR,
        "version": 1,
        "topic": "hoctap.Person.Registered",
        "state": b'{"a":1}',
    }
    assert leaf_bytes(**{**fields, **changed}) != FIRST_LEAF


def test_the_chain_hashes_of_two_events_are_the_known_ones():
    first = chain_hash(GENESIS, first_leaf())
    assert first.hex() == FIRST_CHAIN
    assert chain_hash(first, second_leaf()).hex() == SECOND_CHAIN


def seven_leaf_hashes() -> list[bytes]:
    return [leaf_hash(leaf_bytes(i, ORIGINATOR, i, "t", bytes([i]))) for i in range(1, 8)]


@pytest.mark.parametrize("size", sorted(ROOTS))
def test_the_merkle_roots_are_the_known_ones_whichever_way_they_are_computed(size):
    hashes = seven_leaf_hashes()[:size]
    frontier = MerkleFrontier()
    for h in hashes:
        frontier.append(h)
    assert root(hashes).hex() == ROOTS[size]
    assert frontier.root().hex() == ROOTS[size]
