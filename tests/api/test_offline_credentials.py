"""``ops/verifier/verify_credential.py`` in its own process, on files a holder and a
verifier would have: the credential the holder downloaded, the key published by the ledger
(JWK set, DID document, inspector bundle), the status list fetched before going offline.
No database, no network; every refusal is one line in Vietnamese."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.clients.bundle import dumps, make_bundle
from tests.api.helpers import Api
from tests.api.test_certificates import HOLDER, folded
from tests.api.test_credentials import download

SCRIPT = Path(__file__).resolve().parents[2] / "ops" / "verifier" / "verify_credential.py"


def run(*args: str | Path) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},  # nothing of the ledger's
    )
    assert done.stderr == "", done.stderr
    return done.returncode, done.stdout.splitlines()


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture
def files(api: Api, tmp_path: Path) -> dict[str, Any]:
    world, credential = download(api)
    public = TestClient(api.client.app)
    status_url = credential["credentialStatus"]["statusListCredential"]
    return world | {
        "api": api,
        "credential": write(tmp_path / "chung-chi.json", credential),
        "raw": credential,
        "jwks": write(tmp_path / "jwks.json", public.get("/.well-known/jwks.json").json()),
        "did": write(tmp_path / "did.json", public.get("/chung-chi/ben-cap.json").json()),
        "status": write(tmp_path / "status.json", public.get(status_url[17:]).json()),
        "status_path": status_url[17:],  # without http://testserver
        "today": "2026-06-01",
        "tmp": tmp_path,
    }


def test_a_downloaded_credential_holds_offline_with_each_published_key_form(files):
    for key in (files["jwks"], files["did"]):
        code, lines = run(
            files["credential"], "--key", key, "--status", files["status"], "--today", "2026-06-01"
        )
        assert code == 0, lines
        assert lines[0].startswith("Chữ ký hợp lệ") and lines[-1].startswith("Kết luận: Còn")
        assert files["serial"] in lines[-1]
    bundle = make_bundle(files["api"].ledger, files["case"])
    path = files["tmp"] / "bundle.json"
    path.write_text(dumps(bundle), "utf-8")
    assert run(files["credential"], "--key", path, "--today", "2026-06-01")[0] == 0
    multikey = json.loads(files["did"].read_text())["verificationMethod"][0]
    (files["tmp"] / "key.txt").write_text(multikey["publicKeyMultibase"] + "\n")
    code, lines = run(
        files["credential"], "--key", files["tmp"] / "key.txt", "--today", "2026-06-01"
    )
    assert code == 0 and any("Chưa đối chiếu danh sách thu hồi" in line for line in lines)


def test_the_name_and_the_paper_qr_are_matched_without_the_credential_holding_them(files):
    qr = f"http://testserver/xac-minh/{files['serial']}"
    args = [files["credential"], "--key", files["jwks"], "--today", "2026-06-01", "--qr", qr]
    code, lines = run(*args, "--ho-ten", "  PHẠM thị  Lan")
    assert code == 0 and "Họ tên: khớp." in lines and any("Mã QR khớp" in line for line in lines)
    code, lines = run(*args, "--ho-ten", "Phạm Thị Mai")
    assert "Họ tên: không khớp." in lines
    other = "http://testserver/xac-minh/00000-00000-00000-00000"
    code, lines = run(files["credential"], "--key", files["jwks"], "--qr", other)
    assert (code, lines) == (
        1,
        ["Không hợp lệ: mã QR không phải của chứng chỉ này (khác số giấy chứng nhận)"],
    )
    code, lines = run(qr)  # the QR alone: only the address of the online check
    assert code == 1 and files["serial"] in lines[0] and "trực tuyến" in lines[0]


def test_past_its_validity_the_credential_is_expired(files):
    code, lines = run(files["credential"], "--key", files["jwks"], "--today", "2099-01-01")
    assert code == 1 and lines[-1].startswith("Kết luận: Hết hiệu lực")


def test_a_revoked_title_is_revoked_offline_once_its_list_is_fetched_again(files):
    api: Api = files["api"]
    api.created(
        "signer",
        "/decisions",
        {
            "number": "42/QĐ-UBND",
            "decided_on": "2026-03-01",
            "signer_title": "Chủ tịch UBND xã",
            "authority_name": "UBND xã Hòa Bình",
            "authority_unit_id": str(files["commune"]),
            "legal_basis": "244/QĐ-KHVN",
            "amends": str(files["decision"]),
            "rulings": [{"case_id": str(files["case"]), "outcome": "revoked", "reason": "Sai"}],
        },
    )
    folded(api)
    fresh = TestClient(api.client.app).get(files["status_path"]).json()
    path = write(files["tmp"] / "status-new.json", fresh)
    code, lines = run(files["credential"], "--key", files["jwks"], "--status", path)
    assert code == 1 and lines[-1].startswith("Kết luận: Đã thu hồi")
    # a status list whose bit was cleared by hand no longer carries the ledger's signature
    forged = copy.deepcopy(fresh)
    forged["credentialSubject"]["encodedList"] = json.loads(files["status"].read_text())[
        "credentialSubject"
    ]["encodedList"]
    code, lines = run(files["credential"], "--key", files["jwks"], "--status", write(path, forged))
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith("Không hợp lệ: danh sách trạng thái không hợp lệ: chữ ký không đúng")


def _one_line(files: dict[str, Any], credential: Any, *more: str) -> str:
    path = files["tmp"] / "sua.json"
    if isinstance(credential, bytes):
        path.write_bytes(credential)
    else:
        write(path, credential)
    code, lines = run(path, "--key", files["jwks"], *more)
    assert code == 1 and len(lines) == 1, lines
    assert lines[0].startswith("Không hợp lệ: ")
    return lines[0]


def test_tampered_forged_and_hostile_files_get_one_plain_line(files):
    raw = files["raw"]
    later = copy.deepcopy(raw) | {"validUntil": "2099-12-31T23:59:59+07:00"}
    assert "chữ ký không đúng" in _one_line(files, later)
    renamed = copy.deepcopy(raw)
    renamed["credentialSubject"]["achievement"]["name"] = "Đơn vị học tập"
    assert "chữ ký không đúng" in _one_line(files, renamed)
    swapped = copy.deepcopy(raw) | {"proof": json.loads(files["status"].read_text())["proof"]}
    assert "chữ ký không đúng" in _one_line(files, swapped)
    unsigned = {k: v for k, v in raw.items() if k != "proof"}
    assert "không có chữ ký" in _one_line(files, unsigned)
    assert "JSON" in _one_line(files, b"{not json")
    assert "JSON" in _one_line(files, b"\xff\xfe garbage")
    assert "JSON" in _one_line(files, b"[" * 100_000 + b"]" * 100_000)
    assert "quá lớn" in _one_line(files, b" " * (2 << 20))
    assert "một đối tượng JSON" in _one_line(files, [raw])
    status_for_another = copy.deepcopy(raw)
    assert "--today" in _one_line(files, status_for_another, "--today", "31/12/2026")


def test_a_key_that_is_not_the_ledgers_is_refused(files):
    other = files["tmp"] / "other.txt"
    other.write_text("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")  # the spec's key
    code, lines = run(files["credential"], "--key", other)
    assert (code, lines) == (
        1,
        ["Không hợp lệ: chứng chỉ được ký bằng một khóa không phải khóa của sổ cái"],
    )
    empty = write(files["tmp"] / "empty.json", {"keys": []})
    code, lines = run(files["credential"], "--key", empty)
    assert code == 1 and lines[0].startswith("Không hợp lệ: tệp khóa") and len(lines) == 1
    code, lines = run(files["credential"])
    assert code == 1 and "--key" in lines[0]
    assert HOLDER not in files["credential"].read_text("utf-8")


def test_with_the_titles_bundle_the_grant_is_shown_in_a_signed_checkpoint(files):
    """With the inspector bundle (hoctap bundle), the offline check finds the grant this
    credential was issued for and checks its inclusion proof; a bundle rewritten, of another
    title, signed by another key or not a bundle at all is refused in one line."""
    ledger = files["api"].ledger
    bundle = make_bundle(ledger, files["case"])
    good = files["tmp"] / "bundle.json"
    good.write_text(dumps(bundle), "utf-8")
    args = [files["credential"], "--key", files["jwks"], "--today", files["today"]]
    code, lines = run(*args, "--bundle", good)
    assert code == 0, lines
    assert any(
        line.startswith("Sự kiện công nhận") and "bằng chứng bao hàm khớp" in line for line in lines
    )

    rewritten = copy.deepcopy(json.loads(dumps(bundle)))
    [grant] = [e for e in rewritten["events"] if e["topic"].endswith(".TitleGranted")]
    state = json.loads(base64.b64decode(grant["state"]))
    state["valid_until"] = "2099-12-31"
    grant["state"] = base64.b64encode(json.dumps(state).encode()).decode()
    code, lines = run(*args, "--bundle", write(files["tmp"] / "rewritten.json", rewritten))
    assert code == 1 and lines[0].startswith("Không hợp lệ: gói kiểm tra không đạt"), lines

    other = copy.deepcopy(json.loads(dumps(bundle)))
    other["events"] = [e for e in other["events"] if not e["topic"].endswith(".TitleGranted")]
    code, lines = run(*args, "--bundle", write(files["tmp"] / "other.json", other))
    assert (code, lines) == (
        1,
        ["Không hợp lệ: gói kiểm tra không chứa sự kiện công nhận của chứng chỉ này"],
    )

    foreign = copy.deepcopy(json.loads(dumps(bundle)))
    foreign["public_key"] = base64.b64encode(bytes(32)).decode()
    code, lines = run(*args, "--bundle", write(files["tmp"] / "foreign.json", foreign))
    assert code == 1 and len(lines) == 1 and lines[0].startswith("Không hợp lệ:"), lines

    for junk in ([1, 2], {"events": "x"}, {"public_key": "%%%"}):
        code, lines = run(*args, "--bundle", write(files["tmp"] / "junk.json", junk))
        assert code == 1 and len(lines) == 1 and "gói kiểm tra hỏng" in lines[0], lines
