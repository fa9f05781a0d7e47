"""``hoctap db backup``: the operator's command, as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HOCTAP = [sys.executable, "-m", "cli"]


def hoctap(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCTAP_")}
    env |= {"HOCTAP_VAR_DIR": str(var), "COLUMNS": "300"}
    return subprocess.run(
        [*HOCTAP, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_backup_copies_the_databases_but_not_the_secrets_unless_asked(tmp_path: Path):
    var = tmp_path / "var"
    assert hoctap(var, "criteria", "load-seed").returncode == 0
    made = hoctap(var, "db", "backup", str(tmp_path / "copy"))
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "copy" / "hoctap.sqlite").exists()
    assert (tmp_path / "copy" / "keys.sqlite").exists()
    assert not (tmp_path / "copy" / "secrets.json").exists()
    assert "Không chép" in made.stdout and "--with-secrets" in made.stdout  # says what it left
    refused = hoctap(tmp_path / "copy", "verify")  # a reading command never makes keys
    assert refused.returncode == 1 and "secrets.json" in refused.stderr, refused.stderr
    assert not (tmp_path / "copy" / "secrets.json").exists()
    with_secrets = hoctap(var, "db", "backup", str(tmp_path / "full"), "--with-secrets")
    assert with_secrets.returncode == 0, with_secrets.stderr
    assert "Không chép" not in with_secrets.stdout
    assert (tmp_path / "full" / "secrets.json").stat().st_mode & 0o077 == 0
    verified = hoctap(tmp_path / "full", "verify")
    assert verified.returncode == 0, verified.stderr


def test_a_backup_never_writes_into_a_folder_that_holds_data(tmp_path: Path):
    var, target = tmp_path / "var", tmp_path / "copy"
    assert hoctap(var, "db", "init").returncode == 0
    target.mkdir()
    (target / "something").write_text("x", encoding="utf-8")
    refused = hoctap(var, "db", "backup", str(target))
    assert refused.returncode == 1
    assert refused.stderr.strip().startswith("Lỗi:")
    assert (target / "something").read_text(encoding="utf-8") == "x"
