"""Evidence files written for a refused command are removed, and only those: a file another
record names is never touched, even when the same content arrives at the same moment."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from application.adapters.blobs import BlobStore
from domain.errors import RuleViolation


def files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != ".lock"}


def test_a_refused_command_removes_the_files_it_wrote_and_keeps_those_already_there(
    tmp_path: Path,
):
    blobs = BlobStore(tmp_path)
    named_elsewhere = blobs.put(b"%PDF-1.4 named by an earlier event")
    before = files(tmp_path)
    with (
        pytest.raises(RuleViolation),
        blobs.kept_if_recorded(
            [b"%PDF-1.4 named by an earlier event", b"%PDF-1.4 new", b"%PDF-1.4 new"]
        ),
    ):
        raise RuleViolation("refused")
    assert files(tmp_path) == before
    assert blobs.get(named_elsewhere) == b"%PDF-1.4 named by an earlier event"


def test_an_accepted_command_keeps_its_files(tmp_path: Path):
    blobs = BlobStore(tmp_path)
    with blobs.kept_if_recorded([b"%PDF-1.4 a", b"%PDF-1.4 b"]) as digests:
        pass
    assert [blobs.get(d) for d in digests] == [b"%PDF-1.4 a", b"%PDF-1.4 b"]


def test_the_same_content_at_the_same_moment_waits_for_the_refusal_then_is_kept(tmp_path: Path):
    blobs = BlobStore(tmp_path)
    content = b"%PDF-1.4 the same file, sent twice at once"
    digest = hashlib.sha256(content).hexdigest()
    inside, refuse = threading.Event(), threading.Event()
    seen: list[bool] = []

    def refused_upload() -> None:
        try:
            with blobs.kept_if_recorded([content]):
                inside.set()
                refuse.wait(10)
                raise RuleViolation("refused")
        except RuleViolation:
            pass

    def accepted_upload() -> None:
        with blobs.kept_if_recorded([content]) as (written,):
            seen.append(blobs.path_of(written).exists())  # the event would name it here

    first = threading.Thread(target=refused_upload)
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=accepted_upload)
    second.start()
    second.join(0.3)
    assert second.is_alive()  # waits while the first upload's command is undecided
    refuse.set()
    first.join(10)
    second.join(10)
    assert seen == [True]
    assert blobs.get(digest) == content
