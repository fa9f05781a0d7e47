"""The paper certificate as a PDF: it opens, says what the HTML certificate says, its QR
code (the image taken out of the PDF, decoded from pixels) leads to the public check, it
is refused to the same readers, and hostile names neither break it nor overflow its boxes.
HTTP tests run on every backend; the drawing tests on the renderer alone."""

from __future__ import annotations

import io
import re
import tempfile
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fontTools.ttLib import TTFont
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from application.clients.certificate_pdf import (
    VIETNAMESE,
    CertificateFonts,
    CertificateSheet,
    FontMissing,
    font_dir,
)
from application.clients.certificate_pdf import certificate_pdf as drawn
from domain.registry import AdministrativeUnit
from tests.api.helpers import Api, revoke_by_amending_decision
from tests.api.pages import Visitor, give_password
from tests.api.test_certificates import HOLDER, folded, world_with_certificate
from tests.api.test_scenario import second_commune

MM = 72 / 25.4  # points per millimetre
A4 = (297 * MM, 210 * MM)
A5 = (210 * MM, 148 * MM)


def pdf_path(world: dict[str, Any], query: str = "") -> str:
    return f"/trang/ho-so/{world['case']}/giay-chung-nhan.pdf{query}"


def holder_visitor(api: Api) -> Visitor:
    visitor = Visitor(api.client.app)
    assert visitor.sign_in("lan").status_code == 303
    return visitor


def page_of(content: bytes):
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    return reader.pages[0]


def text_of(content: bytes) -> str:
    return unicodedata.normalize("NFC", page_of(content).extract_text())


def qr_of(content: bytes) -> str:
    """What a phone reads from the QR image embedded in the PDF (taken out of the PDF's
    page, decoded from its pixels; a few sizes and both OpenCV detectors, as in
    tests/api/test_certificates.py)."""
    images = page_of(content).images
    assert len(images) == 1
    pixels = np.array(images[0].image.convert("L"))
    for size in (pixels.shape[0], 300, 600):
        scaled = cv2.resize(pixels, (size, size), interpolation=cv2.INTER_NEAREST)
        for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
            text = detector.detectAndDecode(scaled)[0]
            if text:
                return str(text)
    return ""


def size_of(content: bytes) -> tuple[float, float]:
    box = page_of(content).mediabox
    return float(box.width), float(box.height)


# ---------------------------------------------------------------- over HTTP, every backend


def test_the_holder_downloads_a_pdf_that_says_what_the_html_says_and_scans(api: Api):
    world = world_with_certificate(api)
    assert pdf_path(world) in world["page"] and pdf_path(world, "?kho=a5") in world["page"]
    answer = holder_visitor(api).get(pdf_path(world))
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["cache-control"] == "no-store"
    disposition = answer.headers["content-disposition"]
    assert disposition == f'attachment; filename="giay-chung-nhan-{world["serial"]}-a4.pdf"'
    assert answer.content.startswith(b"%PDF-")
    assert size_of(answer.content) == pytest.approx(A4, abs=0.5)
    text = text_of(answer.content)
    for said in (
        HOLDER,
        "Công dân học tập năm 2026",
        "UBND xã Hòa Bình",
        "Quyết định số 15/QĐ-UBND ngày 01/03/2026",
        "CHỦ TỊCH UBND XÃ",
        f"Số: {world['serial']}",
        "GIẤY CHỨNG NHẬN",
    ):
        assert said in text, (said, text)
    for validity in ("Hiệu lực: từ", "đến hết"):
        assert validity in text
    url = f"http://testserver/xac-minh/{world['serial']}"
    assert qr_of(answer.content) == url
    assert url in text.replace("\n", "")


def test_a5_on_request_and_any_other_paper_refused(api: Api):
    world = world_with_certificate(api)
    holder = holder_visitor(api)
    small = holder.get(pdf_path(world, "?kho=A5"))
    assert size_of(small.content) == pytest.approx(A5, abs=0.5)
    assert small.headers["content-disposition"].endswith('-a5.pdf"')
    assert f"Số: {world['serial']}" in text_of(small.content)
    assert qr_of(small.content) == f"http://testserver/xac-minh/{world['serial']}"
    for paper in ("a3", "letter", "a4%00", "ａ５"):
        refused = holder.get(pdf_path(world, f"?kho={paper}"), status=422)
        assert "khổ giấy phải là a4 hoặc a5" in refused.text


def test_a_reader_of_no_personal_data_sees_the_holder_on_the_pdf_as_on_the_html(api: Api):
    world = world_with_certificate(api)
    give_password(api.ledger, "signer")
    signer = Visitor(api.client.app)
    assert signer.sign_in("signer").status_code == 303
    html = signer.get(f"/trang/ho-so/{world['case']}/giay-chung-nhan").text
    shown = re.search(r'<p class="holder">([^<]*)</p>', html)
    assert shown is not None and shown.group(1).strip() not in ("", HOLDER)
    text = text_of(signer.get(pdf_path(world)).content)
    assert shown.group(1).strip() in text and HOLDER not in text


def test_whoever_cannot_read_the_case_is_refused_the_pdf_as_the_html(api: Api):
    world = world_with_certificate(api)
    commune = api.ledger.records.get(AdministrativeUnit, world["commune"])
    elsewhere = second_commune(api, commune.parents[-1][0])  # same province, other commune
    api.user("far", ["commune_officer"], unit_id=elsewhere)
    give_password(api.ledger, "far")
    far = Visitor(api.client.app)
    assert far.sign_in("far").status_code == 303
    html = far.get(f"/trang/ho-so/{world['case']}/giay-chung-nhan", status=None)
    pdf = far.get(pdf_path(world), status=None)
    assert html.status_code == pdf.status_code == 403
    assert pdf.headers["content-type"].startswith("text/html")
    assert HOLDER not in pdf.text and world["serial"] not in pdf.text
    signed_out = Visitor(api.client.app).get(pdf_path(world), status=303)
    assert signed_out.headers["location"] == f"/trang/dang-nhap?next={pdf_path(world)}"


def test_a_revoked_title_has_no_pdf_as_it_has_no_html(api: Api):
    world = world_with_certificate(api)
    revoke_by_amending_decision(api, world, "Minh chứng sai")
    folded(api)
    holder = holder_visitor(api)
    html = holder.get(f"/trang/ho-so/{world['case']}/giay-chung-nhan", status=404)
    pdf = holder.get(pdf_path(world), status=404)
    message = "hồ sơ chưa được công nhận danh hiệu: chưa có giấy chứng nhận"
    assert message in html.text and message in pdf.text


def test_a_corrected_hostile_name_prints_on_one_page_in_nfc(api: Api):
    world = world_with_certificate(api)
    person = api.get("lan", f"/cases/{world['case']}").json()["subject_id"]
    hostile = "<script>alert(1)</script> Nguye\u0302\u0303n " + "Thị Hoa " * 55
    api.post(
        "admin",
        f"/persons/{person}/corrections",
        {"changes": {"full_name": hostile}, "reason": "Sửa tên theo CCCD"},
        status=200,
    )
    content = holder_visitor(api).get(pdf_path(world)).content
    text = text_of(content)
    assert "<script>alert(1)</script> Nguyễn" in text  # stored NFC, drawn as text
    assert " ".join(text.split()).count("Thị Hoa") == 55
    assert qr_of(content) == f"http://testserver/xac-minh/{world['serial']}"


def test_a_server_without_the_font_answers_503_in_vietnamese(api: Api, tmp_path: Path):
    world = world_with_certificate(api)
    api.client.app.state.certificate_fonts = CertificateFonts([tmp_path])
    refused = holder_visitor(api).get(pdf_path(world), status=503)
    assert refused.headers["content-type"].startswith("text/html")
    assert "fonts-dejavu-core" in refused.text and "make fonts" in refused.text
    assert HOLDER not in refused.text


# ---------------------------------------------------------------- the drawing alone

FONTS = CertificateFonts()  # one for the module, as one app keeps one


def certificate_pdf(sheet: CertificateSheet, paper: str = "a4") -> bytes:
    return drawn(sheet, paper, FONTS)


def sheet(**changes: Any) -> CertificateSheet:
    values: dict[str, Any] = {
        "authority_name": "UBND xã Hòa Bình",
        "title": "Công dân học tập",
        "cycle_year": 2026,
        "holder": HOLDER,
        "decision_number": "15/QĐ-UBND",
        "decided_on": date(2026, 3, 1),
        "signer_title": "Chủ tịch UBND xã",
        "valid_from": date(2026, 3, 1),
        "valid_until": date(2027, 2, 28),
        "serial": "7K2QD-M9XRA-0VB4E-TT3HN",
        "check_url": "http://testserver/xac-minh/7K2QD-M9XRA-0VB4E-TT3HN",
    }
    return CertificateSheet(**(values | changes))


def placed(content: bytes) -> list[tuple[str, float, float, float]]:
    """Every piece of text drawn: (text, x, y, font size), in points from the bottom left."""
    pieces: list[tuple[str, float, float, float]] = []

    def seen(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            pieces.append((text, float(tm[4]), float(tm[5]), float(size)))

    page_of(content).extract_text(visitor_text=seen)
    return pieces


HOSTILE_NAMES = {
    "script": "<script>alert('x')</script>",
    "combining-marks": "Nguye\u0302\u0303n Thi\u0323 a\u0301\u0300\u0303\u0309\u0323\u0302\u0306",
    "long-words": "Nguyễn " * 71 + "Hoa",
    "one-long-word": "W" * 500,
    "wide-letters": "Ữ" * 500,
    "emoji-and-rtl": "😀 Trần ‮Lan‬ עברית",
    "markdown-like": "**Lan** __Hoa__ --x-- [a](b)",
    "empty": "",
}


@pytest.mark.parametrize("paper", ["a4", "a5"])
@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=list(HOSTILE_NAMES))
def test_a_hostile_name_renders_inside_its_frame_on_one_page(paper: str, name: str):
    holder = HOSTILE_NAMES[name]
    content = certificate_pdf(sheet(holder=holder), paper)
    width, height = A4 if paper == "a4" else A5
    k = width / A4[0]
    left, right = 12.5 * MM * k, width - 12.5 * MM * k
    bottom, top = 12.5 * MM * k, height - 12.5 * MM * k
    pieces = placed(content)
    assert pieces
    for text, x, y, _ in pieces:
        assert left <= x <= right and bottom <= y <= top, (text, x, y)
    drawn = " ".join(t for t, *_ in pieces)
    assert "Quyết định số 15/QĐ-UBND" in drawn and "7K2QD-M9XRA-0VB4E-TT3HN" in drawn
    assert qr_of(content) == "http://testserver/xac-minh/7K2QD-M9XRA-0VB4E-TT3HN"


def test_a_long_name_is_wrapped_and_set_smaller_but_kept_whole():
    name = "Nguyễn Thị Hoa " * 33  # close to the 500 characters a name may hold
    short = placed(certificate_pdf(sheet(holder=HOLDER), "a5"))
    long = placed(certificate_pdf(sheet(holder=name.strip()), "a5"))
    size_short = next(size for text, _, _, size in short if HOLDER in text)
    lines = [(y, size) for text, _, y, size in long if "Hoa" in text]
    assert len({y for y, _ in lines}) > 1  # wrapped
    assert all(size < size_short for _, size in lines)  # and set smaller
    drawn = " ".join(text for text, *_ in long)
    assert " ".join(drawn.split()).count("Nguyễn Thị Hoa") == 33  # nothing cut


def test_what_cannot_fit_even_at_the_smallest_size_is_cut_with_an_ellipsis():
    name = "Ữ" * 5000  # more than any field may hold: the box still holds it
    pieces = placed(certificate_pdf(sheet(holder=name), "a5"))
    holder = [text for text, *_ in pieces if "Ữ" in text]
    assert holder[-1].rstrip().endswith("…")
    assert sum(t.count("Ữ") for t in holder) < 5000


def test_text_is_drawn_as_nfc():
    content = certificate_pdf(sheet(holder="Pha\u0323m Thi\u0323 Lan"))
    assert "Phạm Thị Lan" in page_of(content).extract_text()


def test_without_the_dejavu_font_the_error_says_so_in_vietnamese(tmp_path: Path):
    with pytest.raises(FontMissing) as missing:
        drawn(sheet(), "a4", CertificateFonts([tmp_path / "không-có"]))
    assert "fonts-dejavu-core" in missing.value.message
    assert "make fonts" in missing.value.message
    assert missing.value.details["searched"] == [str(tmp_path / "không-có")]
    assert font_dir().is_dir()  # this machine has it: the tests above drew with it


# ------------------------------------------------- the Vietnamese copies of the fonts

#: Every Vietnamese letter: the twelve vowels under each of the six tones, and đ.
VOWELS = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
LETTERS = (
    "".join(unicodedata.normalize("NFC", vowel + tone) for vowel in VOWELS for tone in TONES) + "đ"
)
ALPHABET = LETTERS + LETTERS.upper()


def drawable(folder: Path) -> set[int]:
    """What every font in ``folder`` has a glyph for."""
    found: list[set[int]] = []
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        with TTFont(folder / name, lazy=True) as font:
            found.append(set(font.getBestCmap()))
    return set.intersection(*found)


WHOLE = drawable(font_dir())


def test_every_vietnamese_letter_prints_from_the_copies():
    files = FONTS.files([ALPHABET])
    assert {path.parent for path in files.values()} != {font_dir()}  # the copies
    assert {ord(char) for char in ALPHABET} <= drawable(next(iter(files.values())).parent)
    text = text_of(certificate_pdf(sheet(holder=ALPHABET)))
    assert ALPHABET in "".join(text.split())  # one long word: wrapped, every letter there


def test_a_letter_only_the_whole_font_has_prints_from_the_whole_font():
    name = "Nguyễn Ωμέγα Жуков"  # Greek and Cyrillic: DejaVu has them, the copies do not
    assert {path.parent for path in FONTS.files([name]).values()} == {font_dir()}
    assert name in text_of(certificate_pdf(sheet(holder=name)))


@given(st.text(max_size=40))
def test_whatever_the_text_the_chosen_fonts_draw_all_the_whole_fonts_would(text: str):
    folder = {path.parent for path in FONTS.files([text]).values()}
    [chosen] = folder
    assert {ord(char) for char in text} & WHOLE <= drawable(chosen)


def test_the_copies_are_made_once_in_a_private_folder_and_made_again_if_removed():
    fonts = CertificateFonts()
    first = fonts.files(["Lan"])
    assert fonts.files(["Hoa"]) == first
    folder = next(iter(first.values())).parent
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {ord(char) for char in ALPHABET} <= {code for code in VIETNAMESE}
    for path in first.values():
        path.unlink()
    again = fonts.files(["Lan"])
    assert all(path.is_file() for path in again.values())
    assert "Lan" in text_of(drawn(sheet(holder="Lan"), "a4", fonts))


def test_without_a_writable_temporary_folder_the_whole_fonts_draw_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "không-có"))
    fonts = CertificateFonts()
    assert {path.parent for path in fonts.files(["Lan"]).values()} == {font_dir()}
    assert "Phạm Thị Lan" in text_of(drawn(sheet(holder="Phạm Thị Lan"), "a4", fonts))
