"""The `hoctap` command, run as a user would: a real process, real files, a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import PG_URL

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
    assert len(token.stdout.strip().splitlines()) == 1  # one line to copy, never folded
    token_id = token.stderr.split("Mã số để thu hồi: ")[1].split()[0]
    revoked = hoctap(var, "users", "revoke", token_id, "--reason", "lộ mã")
    assert revoked.returncode == 0 and "Đã thu hồi" in revoked.stdout, revoked.stderr


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


def read_until(server: subprocess.Popen[str], marker: str) -> list[str]:
    """The server's output lines up to the one starting with ``marker`` (EOF: a crash)."""
    lines: list[str] = []
    assert server.stdout is not None
    while not (lines and lines[-1].startswith(marker)):
        line = server.stdout.readline()
        if not line:
            pytest.fail("hoctap run exited: " + "".join(lines))
        lines.append(line.strip())
    return lines


def test_run_loads_the_demo_prints_one_sign_in_per_role_and_serves(tmp_path: Path):
    var, port = tmp_path / "var", free_port()
    env = os.environ | {"HOCTAP_VAR_DIR": str(var), "HOCTAP_PORT": str(port)}
    env.pop("HOCTAP_DATABASE_URL", None)
    server = subprocess.Popen(
        [*HOCTAP, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        lines = read_until(server, "Trang:")
        health = None
        for _ in range(120):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert health is not None and health.status_code == 200
        assert health.json()["backend"] == "sqlite"
        assert (var / "hoctap.sqlite").exists()
        assert lines[-1] == f"Trang: http://127.0.0.1:{port}/trang"
        sign_ins = {line.split()[-2]: line.split()[-1] for line in lines if " demo-" in line}
        assert len(sign_ins) == 10  # every role, the reporting officer and complaint handler too
        assert {"demo-reporting", "demo-complaints"} <= set(sign_ins)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as browser:
            form = browser.get("/trang/dang-nhap").text
            token = form.split('name="csrf" value="')[1].split('"')[0]
            signed = browser.post(
                "/trang/dang-nhap",
                data={
                    "csrf": token,
                    "username": "demo-commune",
                    "password": sign_ins["demo-commune"],
                },
            )
            assert signed.status_code == 303 and signed.headers["location"] == "/trang"
            assert browser.get("/trang").status_code == 200
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_run_on_postgresql_also_folds_the_read_models(tmp_path: Path, pg_schema: str):
    """On PostgreSQL the views are folded by their own process by default: ``hoctap run``,
    a newcomer's one command, folds them itself, so the lists fill up."""
    port = free_port()
    env = os.environ | {
        "HOCTAP_VAR_DIR": str(tmp_path / "var"),
        "HOCTAP_PORT": str(port),
        "HOCTAP_DATABASE_URL": PG_URL,
        "HOCTAP_DATABASE_SCHEMA": pg_schema,
    }
    server = subprocess.Popen(
        [*HOCTAP, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert "trong tiến trình này" in read_until(server, "Mô hình đọc:")[-1]
        assert server.stdout is not None  # drained, or the access log fills the pipe and blocks
        threading.Thread(target=server.stdout.read, daemon=True).start()
        caught_up, health = False, None
        for _ in range(240):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).json()
            except httpx.TransportError:
                time.sleep(0.5)
                continue
            assert health["backend"] == "postgres"
            if all(p["lag_events"] == 0 and p["position"] > 0 for p in health["projections"]):
                caught_up = True
                break
            time.sleep(0.5)
        assert caught_up, health
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_a_password_is_set_from_the_console_and_must_be_changed(tmp_path: Path):
    var = tmp_path / "var"
    assert hoctap(var, "users", "create", "can-bo-xa", "--role", "commune_officer").returncode == 0
    env = os.environ | {"HOCTAP_VAR_DIR": str(var)}
    env.pop("HOCTAP_DATABASE_URL", None)
    result = subprocess.run(
        [*HOCTAP, "users", "password", "can-bo-xa", "--password-stdin"],
        input="mật-khẩu-tạm-2026\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "phải đổi ở lần đăng nhập tới" in result.stdout


@pytest.mark.parametrize("password", ["ngắn", "có\x07chuông-điện-tử", "x" * 10_000])
def test_a_bad_console_password_is_one_plain_line(tmp_path: Path, password: str):
    var = tmp_path / "var"
    assert hoctap(var, "users", "create", "can-bo-xa", "--role", "commune_officer").returncode == 0
    env = os.environ | {"HOCTAP_VAR_DIR": str(var)}
    env.pop("HOCTAP_DATABASE_URL", None)
    result = subprocess.run(
        [*HOCTAP, "users", "password", "can-bo-xa", "--password-stdin"],
        input=password + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("Lỗi: mật khẩu")


def test_a_report_is_reproduced_from_the_log_with_progress_and_a_wrong_id_is_one_line(
    tmp_path: Path,
):
    from application.adapters.read_models import ReadModels
    from application.ledger import Ledger
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
        report = ledger.reports.compile_report(
            console, models, cycle_year=2025, structure="two_level", model=None, unit_id=None
        ).id
        figures = ledger.records.get(StatisticsReport, report).figures
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
    tail = generated.stdout.split("Tài khoản (tên theo mẫu")[1].splitlines()[1:]
    accounts = {line.split()[-1] for line in tail if line.startswith("  ")}
    assert len(accounts) >= 6 and any(a.endswith(".can-bo") for a in accounts), tail
    for username in sorted(accounts)[:2]:  # printed names are accounts one can sign in with
        token = hoctap(var, "users", "token", username)
        assert token.returncode == 0 and token.stdout.startswith("htl_"), token.stderr
    first = hoctap(var, "titles", "expire")
    assert first.returncode == 0, first.stderr
    expired = int(first.stdout.split(":")[1].split()[0])
    assert expired > 0  # the generated 2024 and 2025 titles have lapsed by now
    again = hoctap(var, "titles", "expire")
    assert again.stdout.strip() == "Đã ghi nhận hết hiệu lực: 0 danh hiệu."


def test_a_profile_is_named_by_its_file_and_an_unknown_one_is_one_plain_line(tmp_path: Path):
    var = tmp_path / "var"
    unknown = hoctap(var, "demo", "generate", "--scale", "150", "--profile", "ha-noi-1990")
    assert unknown.returncode == 1
    assert "không có hồ sơ mô phỏng này" in unknown.stderr and "hai-duong-2023" in unknown.stderr
    shaped = hoctap(var, "demo", "generate", "--scale", "150", "--profile", "hai-duong-2023")
    assert shaped.returncode == 0, shaped.stderr


# --- one error boundary: a bad id, a missing file or a damaged log is one plain line --------

UNKNOWN = "00000000-0000-4000-8000-000000000001"


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed and said why in one plain line, with no traceback anywhere."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: "), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A store with the demo loaded, and the id of one of its cases."""
    import sqlite3

    var = tmp_path_factory.mktemp("demo") / "var"
    loaded = hoctap(var, "demo", "load")
    assert loaded.returncode == 0, loaded.stderr
    with sqlite3.connect(var / "hoctap.sqlite") as db:
        (case,) = db.execute(
            "SELECT originator_id FROM stored_events"
            " WHERE topic = 'hoctap.AssessmentCase.Opened' LIMIT 1"
        ).fetchone()
    db.close()
    return var, str(uuid.UUID(case))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("bundle", "khong-phai-ma", "-o", "{tmp}/goi.json"), "giá trị không hợp lệ cho case_id"),
        (("bundle", UNKNOWN, "-o", "{tmp}/goi.json"), "không tìm thấy hồ sơ"),
        (("bundle", "{case}", "-o", "{tmp}/khong/co/thu-muc.json"), "không tìm thấy tệp"),
        (("users", "revoke", "khong-phai-ma", "--reason", "x"), "giá trị không hợp lệ"),
        (("users", "revoke", UNKNOWN, "--reason", "x"), "không tìm thấy mã truy cập"),
        (("users", "create", "ai-do", "--role", "reviewer", "--unit", "12"), "không hợp lệ"),
        (("users", "token", "khong-co-ai"), "không tìm thấy người dùng"),
        (("users", "token", "demo-admin", "--ttl-hours", "-5"), "từ 1 giờ trở lên"),
        (("users", "token", "demo-admin", "--ttl-hours", "0"), "từ 1 giờ trở lên"),
        (("reports", "reproduce", "khong-phai-ma"), "mã báo cáo không hợp lệ"),
        (("reports", "reproduce", UNKNOWN), "không tìm thấy báo cáo"),
        (("projections", "rebuild", "khong-co"), "không có mô hình đọc"),
        (("projections", "check", "khong-co"), "không có mô hình đọc"),
        (("criteria", "publish", "{tmp}/khong-co.json"), "không hợp lệ cho path"),
        (("checkpoints", "export", "{tmp}/khong/co/kiem.json"), "không tìm thấy tệp"),
        (("db", "backup", "{var}"), "đã có dữ liệu"),
    ],
)
def test_a_bad_id_or_a_missing_file_is_one_plain_line(
    demo_store: tuple[Path, str], tmp_path: Path, args: tuple[str, ...], says: str
):
    var, case = demo_store
    filled = [a.format(tmp=tmp_path, case=case, var=var) for a in args]
    result = hoctap(var, *filled)
    assert says in one_line(result)
    assert "htl_" not in result.stdout  # no token issued by a refused command


@pytest.fixture(params=["modified-payload", "deleted-row"])
def damaged_store(
    request: pytest.FixtureRequest, demo_store: tuple[Path, str], tmp_path: Path
) -> tuple[Path, str]:
    """A copy of the demo store whose case lost or garbled its second event."""
    import shutil
    import sqlite3

    source, case = demo_store
    var = tmp_path / "var"
    shutil.copytree(source, var)
    where = "originator_id = ? AND originator_version = 2"
    with sqlite3.connect(var / "hoctap.sqlite") as db:
        if request.param == "modified-payload":
            db.execute(
                f"UPDATE stored_events SET state = ? WHERE {where}", (b'{"x', uuid.UUID(case).hex)
            )
        else:
            db.execute(f"DELETE FROM stored_events WHERE {where}", (uuid.UUID(case).hex,))
    db.close()
    return var, case


@pytest.mark.parametrize(
    ("args", "must_fail"),
    [
        (("verify",), True),
        (("bundle", "{case}", "-o", "{var}/goi.json"), True),
        (("checkpoints", "make"), False),
        (("titles", "expire"), False),  # reads the views, which may not touch the damage
        (("projections", "rebuild", "standings"), False),
        (("projections", "check", "standings"), False),
        (("projections", "status"), False),
    ],
)
def test_a_damaged_log_is_one_plain_line_never_a_traceback(
    damaged_store: tuple[Path, str], args: tuple[str, ...], must_fail: bool
):
    var, case = damaged_store
    result = hoctap(var, *[a.format(case=case, var=var) for a in args])
    assert "Traceback" not in result.stderr + result.stdout
    if must_fail or result.returncode != 0:
        line = one_line(result)
        assert "hoctap verify" in line or "không toàn vẹn" in line


@pytest.mark.parametrize(
    "args",
    [
        ("db", "init"),
        ("verify",),
        ("users", "token", "ai-do"),
        ("criteria", "load-seed"),
        ("demo", "load"),
        ("projections", "status"),
        ("checkpoints", "make"),
    ],
)
def test_a_store_file_that_is_no_database_is_one_plain_line(tmp_path: Path, args: tuple[str, ...]):
    var = tmp_path / "var"
    assert hoctap(var, "db", "init").returncode == 0  # its secrets stay; its log is then broken
    (var / "hoctap.sqlite").write_bytes(b"khong phai co so du lieu " * 100)
    assert "lỗi cơ sở dữ liệu" in one_line(hoctap(var, *args))


def test_an_unreachable_database_is_one_plain_line(tmp_path: Path):
    env = os.environ | {
        "HOCTAP_VAR_DIR": str(tmp_path / "var"),
        "HOCTAP_DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/test",
    }
    result = subprocess.run(
        [*HOCTAP, "users", "token", "ai-do"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "không mở được cơ sở dữ liệu" in one_line(result)


def test_a_bug_is_one_line_and_its_traceback_only_with_debug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    from cli import errors

    def buggy(**_: object) -> None:
        raise RuntimeError("một lỗi lập trình")

    monkeypatch.delenv("HOCTAP_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exited:
        errors.guarded(buggy)
    assert exited.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "RuntimeError: một lỗi lập trình" in lines[0]
    assert "--debug" in lines[0]
    monkeypatch.setenv("HOCTAP_DEBUG", "1")
    with pytest.raises(RuntimeError):
        errors.guarded(buggy)


def test_publishing_the_public_holidays_makes_a_new_version_of_the_clocks(tmp_path: Path):
    var = tmp_path / "var"
    assert hoctap(var, "criteria", "load-seed").returncode == 0
    tried = hoctap(var, "rules", "holidays", "--from", "2031", "--to", "2031", "--dry-run")
    assert tried.returncode == 0, tried.stderr
    assert "Chạy thử" in tried.stdout and "2031-01-01" in tried.stdout
    published = hoctap(var, "rules", "holidays", "--from", "2031", "--to", "2031")
    assert published.returncode == 0, published.stderr
    assert "phiên bản 2" in published.stdout  # the dry run published nothing
    for first, last in (("2031", "2030"), ("1999", "2000"), ("2031", "2200")):
        refused = hoctap(var, "rules", "holidays", "--from", first, "--to", last)
        assert refused.returncode == 1
        assert refused.stderr.strip().splitlines() == [
            f"Lỗi: năm không hợp lệ: từ {first} đến {last} (trong khoảng 2000-2100)"
        ]
