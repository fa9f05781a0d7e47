"""``hoctap verify --trusted`` and ``--strict``, as an operator or an inspector runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.application.test_tamper import RawLog, rechained_history
from tests.conftest import make_settings
from tests.test_cli import demo_store, hoctap, one_line  # noqa: F401  (the fixture)


def test_a_rewrite_hidden_by_deleting_checkpoints_is_caught_by_a_kept_export(
    demo_store: tuple[Path, str],  # noqa: F811
    tmp_path: Path,
):
    var = tmp_path / "var"
    shutil.copytree(demo_store[0], var)
    assert hoctap(var, "checkpoints", "make").returncode == 0
    kept = tmp_path / "thanh-tra.json"
    assert hoctap(var, "checkpoints", "export", str(kept)).returncode == 0
    assert hoctap(var, "verify", "--trusted", str(kept)).returncode == 0

    raw = RawLog(make_settings("sqlite", var))
    rechained_history(raw)
    raw.run(f"DELETE FROM {raw.checkpoints}")

    alone = hoctap(var, "verify")
    assert alone.returncode == 0 and "Cảnh báo: chưa có điểm kiểm nào" in alone.stderr
    assert "chưa có điểm kiểm nào" in one_line(hoctap(var, "verify", "--strict"))
    caught = one_line(hoctap(var, "verify", "--trusted", str(kept)))
    assert "không toàn vẹn" in caught and "root-mismatch" in caught


def test_a_trusted_file_that_is_not_an_export_is_one_line(
    demo_store: tuple[Path, str],  # noqa: F811
    tmp_path: Path,
):
    junk = tmp_path / "rac.json"
    junk.write_text("không phải JSON", encoding="utf-8")
    line = one_line(hoctap(demo_store[0], "verify", "--trusted", str(junk)))
    assert "rac.json" in line and "không phải bản xuất điểm kiểm" in line


def test_a_copy_without_its_secrets_is_refused_and_no_key_is_made(
    demo_store: tuple[Path, str],  # noqa: F811
    tmp_path: Path,
):
    """A backup taken without ``--with-secrets`` cannot be verified until the keys come back:
    a command that reads says so in one line and never makes keys of its own (new keys would
    sign nothing that is there and open nothing that was sealed)."""
    var = tmp_path / "var"
    shutil.copytree(demo_store[0], var)
    kept = (var / "secrets.json").read_bytes()
    (var / "secrets.json").unlink()
    for command in (("verify",), ("checkpoints", "note")):
        line = one_line(hoctap(var, *command))
        assert "secrets.json" in line and "--with-secrets" in line, (command, line)
        assert not (var / "secrets.json").exists(), command
    (var / "secrets.json").write_bytes(kept)
    assert hoctap(var, "verify").returncode == 0
