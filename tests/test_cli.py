"""The `hoctap` command, run as a user would: a real process, real files, a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

HOCTAP = [sys.executable, "-m", "cli"]


def hoctap(var: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"HOCTAP_VAR_DIR": str(var), "HOCTAP_DATABASE_URL": ""}
    env.pop("HOCTAP_DATABASE_URL")
    return subprocess.run(
        [*HOCTAP, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_setting_up_a_fresh_store_from_the_console(tmp_path: Path):
    var = tmp_path / "var"
    assert hoctap(var, "db", "init").returncode == 0
    seeded = hoctap(var, "criteria", "load-seed")
    assert seeded.returncode == 0, seeded.stderr
    assert "244/QĐ-KHVN/CDHT/can-bo" in seeded.stdout
    assert "Đã công bố 0" in hoctap(var, "criteria", "load-seed").stdout
    created = hoctap(var, "users", "create", "thanh-tra", "--role", "inspector")
    assert created.returncode == 0, created.stderr
    token = hoctap(var, "users", "token", "thanh-tra")
    assert token.returncode == 0 and token.stdout.strip().startswith("htl_")


def test_a_console_error_is_one_plain_line(tmp_path: Path):
    var = tmp_path / "var"
    result = hoctap(var, "users", "token", "khong-co-ai")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Lỗi: không tìm thấy người dùng")


def test_publishing_a_broken_criteria_file_says_what_is_wrong(tmp_path: Path):
    broken = tmp_path / "bo-tieu-chi.json"
    broken.write_text('{"code": "X", "model": "unknown"}', encoding="utf-8")
    result = hoctap(tmp_path / "var", "criteria", "publish", str(broken))
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Lỗi: model: phải là một trong")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_run_loads_the_demo_prints_tokens_and_serves(tmp_path: Path):
    var, port = tmp_path / "var", free_port()
    env = os.environ | {"HOCTAP_VAR_DIR": str(var), "HOCTAP_PORT": str(port)}
    env.pop("HOCTAP_DATABASE_URL", None)
    server = subprocess.Popen(
        [*HOCTAP, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        health = None
        for _ in range(120):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    pytest.fail(
                        f"hoctap run exited: {server.stdout.read() if server.stdout else ''}"
                    )
                time.sleep(0.5)
        assert health is not None and health.status_code == 200
        assert health.json()["backend"] == "sqlite"
        assert (var / "hoctap.sqlite").exists()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    token = next(
        word
        for line in output.splitlines()
        if "demo-admin" in line
        for word in line.split()
        if word.startswith("htl_")
    )
    assert token


def test_a_report_is_reproduced_from_the_log_with_progress_and_a_wrong_id_is_one_line(
    tmp_path: Path,
):
    from application.ledger import Ledger
    from application.read_models import ReadModels
    from application.settings import Settings
    from domain.base import CommandContext
    from domain.glossary import Role
    from domain.reporting import StatisticsReport

    var = tmp_path / "var"
    generated = hoctap(var, "demo", "generate", "--scale", "150")
    assert generated.returncode == 0, generated.stderr
    settings = Settings(var_dir=var)
    ledger = Ledger(settings, initialise=False)
    models = ReadModels(settings, ledger.store)
    try:
        models.initialise()
        models.catch_up()
        console = CommandContext("cli:test", Role.REPORTING_OFFICER.value, "cli-report")
        report = ledger.compile_report(
            console, models, cycle_year=2025, structure="two_level", model=None, unit_id=None
        ).id
        figures = ledger.get(StatisticsReport, report).figures
        assert sum(line["registered"] for line in figures) > 0
    finally:
        models.close()
        ledger.close()

    reproduced = hoctap(var, "reports", "reproduce", str(report))
    assert reproduced.returncode == 0, reproduced.stderr
    assert "Khớp" in reproduced.stdout
    wrong = hoctap(var, "reports", "reproduce", "khong-phai-ma")
    assert wrong.returncode == 1
    assert wrong.stderr.strip().splitlines() == ["Lỗi: mã báo cáo không hợp lệ: khong-phai-ma"]


def test_lapsed_titles_are_recorded_as_expired_once_from_the_console(tmp_path: Path):
    var = tmp_path / "var"
    generated = hoctap(var, "demo", "generate", "--scale", "150")
    assert generated.returncode == 0, generated.stderr
    first = hoctap(var, "titles", "expire")
    assert first.returncode == 0, first.stderr
    expired = int(first.stdout.split(":")[1].split()[0])
    assert expired > 0  # the generated 2024 and 2025 titles have lapsed by now
    again = hoctap(var, "titles", "expire")
    assert again.stdout.strip() == "Đã ghi nhận hết hiệu lực: 0 danh hiệu."
