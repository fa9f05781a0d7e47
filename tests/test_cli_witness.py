"""A witness run from the console, as an inspectorate would: its own key and process, the
log asking it over HTTP, and the operator's rewrite refused with the evidence kept."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.application.test_tamper import RawLog, rechained_history
from tests.conftest import make_settings
from tests.test_cli import HOCTAP, demo_store, hoctap, one_line  # noqa: F401  (the fixture)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def log_cli(var: Path, witness_vkey: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "HOCTAP_VAR_DIR": str(var),
        "HOCTAP_WITNESS_KEYS": json.dumps([witness_vkey]),
    }
    env.pop("HOCTAP_DATABASE_URL", None)
    return subprocess.run(
        [*HOCTAP, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def served(tmp_path: Path, demo_store: tuple[Path, str]) -> Iterator[tuple[Path, str, str, Path]]:  # noqa: F811
    """(the log's var dir, the witness's URL and vkey, its state file), the witness serving."""
    var = tmp_path / "var"
    shutil.copytree(demo_store[0], var)
    assert hoctap(var, "checkpoints", "make").returncode == 0
    log_vkey = json.loads(hoctap(var, "checkpoints", "export").stdout)["vkey"]
    key, state = tmp_path / "nhan-chung" / "khoa", tmp_path / "nhan-chung" / "state.json"
    made = hoctap(var, "witness", "init", "--name", "thanh-tra.example/w1", "--key", str(key))
    assert made.returncode == 0, made.stderr
    assert key.stat().st_mode & 0o777 == 0o600
    witness_vkey = made.stdout.strip().splitlines()[-1]
    port = _free_port()
    serve = ("witness", "serve", "--key", str(key), "--state", str(state), "--log", log_vkey)
    server = subprocess.Popen(
        [*HOCTAP, *serve, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield var, f"http://127.0.0.1:{port}", witness_vkey, state
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_log_gets_a_cosignature_and_a_rewrite_is_refused_with_evidence(served, tmp_path):
    var, url, witness_vkey, state = served
    asked = log_cli(var, witness_vkey, "checkpoints", "witness", url)
    assert asked.returncode == 0, asked.stderr
    assert "thanh-tra.example/w1" in asked.stdout
    note = log_cli(var, witness_vkey, "checkpoints", "note").stdout
    assert note.count("\u2014 ") == 2  # the log's signature and the witness's
    kept = tmp_path / "thanh-tra.note"
    kept.write_text(note, encoding="utf-8")
    assert hoctap(var, "verify", "--trusted", str(kept)).returncode == 0

    raw = RawLog(make_settings("sqlite", var))
    rechained_history(raw)
    raw.run(f"DELETE FROM {raw.checkpoints}")
    assert hoctap(var, "checkpoints", "make").returncode == 0  # the key signs the rewrite

    refused = one_line(log_cli(var, witness_vkey, "checkpoints", "witness", url))
    assert "rẽ nhánh" in refused and "hai gốc khác nhau" in refused
    listed = hoctap(var, "witness", "evidence", "--state", str(state))
    assert "two-roots" in listed.stdout and "1 bằng chứng" in listed.stdout
    caught = one_line(hoctap(var, "verify", "--trusted", str(kept)))
    assert "root-mismatch" in caught


def test_a_damaged_witness_key_file_is_one_line(tmp_path: Path):
    key = tmp_path / "khoa"
    key.write_text("PRIVATE+KEY+x+00000000+AAAA\n", encoding="utf-8")
    line = one_line(
        hoctap(
            tmp_path / "var", "witness", "serve", "--key", str(key), "--state", "s", "--log", "x"
        )
    )
    assert "tệp khóa" in line
