"""`hoctap` over three provincial stores (three SQLite folders), run as a user would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

from application.clients.provinces import Provinces
from application.settings import Settings
from domain.errors import NotAuthenticated
from domain.registry import AdministrativeUnit

HOCTAP = [sys.executable, "-m", "cli"]
PROVINCES = [
    {"code": "01", "name": "Thành phố Hà Nội"},
    {"code": "31", "name": "Thành phố Hải Phòng"},
    {"code": "79", "name": "Thành phố Hồ Chí Minh"},
]


def environment(tmp_path: Path, provinces: list[dict[str, str]] | None = None) -> dict[str, str]:
    file = tmp_path / "tinh.json"
    file.write_text(json.dumps({"provinces": provinces or PROVINCES}), encoding="utf-8")
    env = os.environ | {
        "HOCTAP_VAR_DIR": str(tmp_path / "var"),
        "HOCTAP_PROVINCES_FILE": str(file),
        "HOCTAP_ENVIRONMENT": "test",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("HOCTAP_DATABASE_URL", "HOCTAP_PROVINCE"):
        env.pop(name, None)
    return env


def hoctap(
    tmp_path: Path, *args: str, provinces: list[dict[str, str]] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HOCTAP, *args],
        env=environment(tmp_path, provinces),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def figures(report: str) -> dict[str, list[int]]:
    """The rows of `hoctap tinh bao-cao`: code -> its four figures."""
    rows = {}
    for line in report.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 6 and cells[0] in ("01", "31", "79", "VN"):
            rows[cells[0]] = [int(c.replace(".", "")) for c in cells[2:]]
    return rows


def test_every_command_works_on_the_province_chosen_and_the_report_sums_them(tmp_path: Path):
    listed = hoctap(tmp_path, "tinh", "list")
    assert listed.returncode == 0, listed.stderr
    assert all(p["code"] in listed.stdout for p in PROVINCES)
    seeded = hoctap(tmp_path, "tinh", "nap-tieu-chi")
    assert seeded.returncode == 0, seeded.stderr
    assert seeded.stdout.count("đã công bố 12 bộ tiêu chí") == 3
    for code in ("31", "79"):
        loaded = hoctap(tmp_path, "--tinh", code, "demo", "load")
        assert loaded.returncode == 0, loaded.stderr
    assert (tmp_path / "var" / "tinh" / "31" / "hoctap.sqlite").exists()

    report = hoctap(tmp_path, "tinh", "bao-cao", "--nam", "2026")

    assert report.returncode == 0, report.stderr
    rows = figures(report.stdout)
    assert rows["01"] == [0, 0, 0, 0]
    assert rows["31"] == rows["79"] != [0, 0, 0, 0]
    assert rows["VN"] == [a + b for a, b in zip(rows["31"], rows["79"], strict=True)]
    for code in ("01", "31", "79"):
        verified = hoctap(tmp_path, "--tinh", code, "verify")
        assert verified.returncode == 0, verified.stderr
    chains = [
        hoctap(tmp_path, "--tinh", code, "verify").stdout.split(" sự kiện")[0].split()[-1]
        for code in ("01", "31")
    ]
    assert int(chains[0]) < int(chains[1])  # the demo went to 31's chain only
    criteria = json.loads(
        (Path(__file__).parents[1] / "application/seed/criteria-cdht-nong-dan.json").read_text(
            encoding="utf-8"
        )
    )
    criteria["effective_from"] = "2027-01-01"
    criteria["rules"]["min_total"] = 85
    (tmp_path / "bo-moi.json").write_text(json.dumps(criteria), encoding="utf-8")
    published = hoctap(tmp_path, "tinh", "cong-bo", str(tmp_path / "bo-moi.json"))
    assert published.returncode == 0, published.stderr
    assert published.stdout.count(f"đã công bố {criteria['code']}") == 3
    again = hoctap(tmp_path, "tinh", "cong-bo", str(tmp_path / "bo-moi.json"))
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("đã có, không công bố lại") == 3


def test_a_province_generated_from_the_console_is_that_province(tmp_path: Path):
    """`hoctap --tinh 31 demo generate` makes province MP31 in store 31, and 79 makes MP79:
    no unit in both stores, so every command about a unit has one store to go to."""
    for code in ("31", "79"):
        made = hoctap(tmp_path, "--tinh", code, "demo", "generate", "--scale", "12")
        assert made.returncode == 0, made.stderr
    zero = hoctap(tmp_path, "--tinh", "01", "demo", "generate", "--scale", "12")
    assert zero.returncode == 0, zero.stderr  # 01 is MP01, the first province's number
    settings = Settings(
        var_dir=tmp_path / "var", provinces_file=tmp_path / "tinh.json", environment="test"
    )
    provinces = Provinces(settings)
    try:
        codes = {}
        for code in ("01", "31", "79"):
            ledger = provinces.ledger_for(code)
            ids = [
                UUID(str(n.originator_id))
                for n in ledger.store.recorder.select_notifications(start=None, limit=100_000)
                if n.topic == "hoctap.AdministrativeUnit.Established"
            ]
            found = ledger.records.load_all(ids).values()
            codes[code] = {unit.code for unit in found if isinstance(unit, AdministrativeUnit)}
            assert {provinces.province_of_unit(unit_id) for unit_id in ids} == {code}
        assert {code: {c[:4] for c in found} for code, found in codes.items()} == {
            "01": {"MP01"},
            "31": {"MP31"},
            "79": {"MP79"},
        }
    finally:
        provinces.close()


def test_a_national_account_from_the_console_opens_every_province_until_revoked(
    tmp_path: Path,
):
    """`hoctap tinh tai-khoan`, `ma-truy-cap` and `thu-hoi`: one account and one token for
    every province; a token for an account some province lacks is one line, and nothing."""
    missing = hoctap(tmp_path, "tinh", "ma-truy-cap", "bo-gddt")
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        'Lỗi: tỉnh 01 chưa có tài khoản toàn quốc bo-gddt ({"province": "01", "username":'
        ' "bo-gddt"})'
    ]
    made = hoctap(tmp_path, "tinh", "tai-khoan", "bo-gddt", "--role", "reporting_officer")
    assert made.returncode == 0, made.stderr
    assert made.stdout.count("bo-gddt đã tạo") == 3
    issued = hoctap(tmp_path, "tinh", "ma-truy-cap", "bo-gddt", "--label", "Bộ GD&ĐT")
    assert issued.returncode == 0, issued.stderr
    [token] = issued.stdout.split()
    token_id = issued.stderr.split("Mã số để thu hồi: ")[1].split()[0]
    settings = Settings(
        var_dir=tmp_path / "var", provinces_file=tmp_path / "tinh.json", environment="test"
    )

    def who() -> dict[str, object]:
        provinces = Provinces(settings, initialise=False)
        try:
            found: dict[str, object] = {}
            for code in ("01", "31", "79"):
                try:
                    found[code] = provinces.ledger_for(code).access.authenticate(token).username
                except NotAuthenticated as refused:
                    found[code] = refused.message
            return found
        finally:
            provinces.close()

    assert who() == dict.fromkeys(("01", "31", "79"), "bo-gddt")
    revoked = hoctap(tmp_path, "tinh", "thu-hoi", token_id, "--reason", "hết nhiệm vụ")
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.count("đã thu hồi") == 3
    assert who() == dict.fromkeys(("01", "31", "79"), "mã truy cập đã bị thu hồi")


def test_a_command_without_a_province_or_with_an_unknown_one_is_one_line(tmp_path: Path):
    for args, said in (
        (
            ("verify",),
            "Lỗi: triển khai nhiều tỉnh: chọn tỉnh bằng hoctap --tinh <mã> …"
            " (danh sách: hoctap tinh list)",
        ),
        (("--tinh", "99", "verify"), "Lỗi: không có tỉnh mã '99' (các tỉnh: 01, 31, 79)"),
    ):
        result = hoctap(tmp_path, *args)
        assert result.returncode == 1
        assert result.stderr.strip().splitlines() == [said]


def test_a_bad_provinces_file_is_one_line(tmp_path: Path):
    twice = [{"code": "01", "name": "Hà Nội"}, {"code": "01", "name": "Hải Phòng"}]
    for args in (
        ("tinh", "list"),
        ("--tinh", "01", "verify"),
        ("tinh", "bao-cao", "--nam", "2026"),
    ):
        result = hoctap(tmp_path, *args, provinces=twice)
        assert result.returncode == 1
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("Lỗi: cấu hình không hợp lệ: HOCTAP_PROVINCES_FILE ")
        assert line.endswith("mã tỉnh 01 xuất hiện hai lần")


def lags(tmp_path: Path, code: str) -> list[tuple[int, int]]:
    """``hoctap --tinh <code> projections status``: (position, lag in events) of each view."""
    status = hoctap(tmp_path, "--tinh", code, "projections", "status")
    assert status.returncode == 0, status.stderr
    rows = []
    for line in status.stdout.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 5 and cells[2].isdigit():
            rows.append((int(cells[2]), int(cells[3])))
    assert rows, status.stdout
    return rows


def test_one_process_keeps_every_provinces_views_folded(tmp_path: Path):
    runner = subprocess.Popen(
        [*HOCTAP, "tinh", "mo-hinh-doc"],
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert runner.stdout is not None
        started = runner.stdout.readline()
        assert "Đang cập nhật mô hình đọc của 3 tỉnh" in started, started
        for code in ("31", "79"):
            seeded = hoctap(tmp_path, "--tinh", code, "criteria", "load-seed")
            assert seeded.returncode == 0, seeded.stderr

        deadline = time.monotonic() + 120
        while True:
            views = {code: lags(tmp_path, code) for code in ("01", "31", "79")}
            done = all(p > 0 and lag == 0 for code in ("31", "79") for p, lag in views[code])
            if done:
                break
            assert time.monotonic() < deadline, f"not folded: {views}"
            time.sleep(0.5)
        assert all(p == 0 for p, _ in views["01"])  # nothing was written there

        runner.send_signal(signal.SIGTERM)
        rest, _ = runner.communicate(timeout=60)
        assert runner.returncode == 0, rest
        assert "Đã dừng." in rest
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
