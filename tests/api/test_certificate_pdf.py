"""The certificate as a PDF: its pages rendered to pixels (PDFium) and its QR code decoded
as a phone would; its text holds the facts of the printable page."""

from __future__ import annotations

import cv2
import numpy as np
import pypdfium2
import pytest

from api.web import certificate_pdf
from tests.api.helpers import Api
from tests.api.pages import Visitor
from tests.api.test_certificates import HOLDER, world_with_certificate


def _pages(pdf: bytes) -> list[tuple[tuple[float, float], str, np.ndarray]]:
    document = pypdfium2.PdfDocument(pdf)
    pages = []
    for page in document:
        text = page.get_textpage().get_text_range()
        image = page.render(scale=300 / 72).to_pil().convert("RGB")
        pages.append((page.get_size(), text, cv2.cvtColor(np.array(image), cv2.COLOR_RGB2BGR)))
    return pages


def _decoded(image: np.ndarray) -> str:
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        for scale in (1.0, 0.5, 0.25):
            resized = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            text = detector.detectAndDecode(resized)[0]
            if text:
                return str(text)
    return ""


@pytest.mark.parametrize(("paper", "points"), [("A5", (595.3, 419.5)), ("A4", (841.9, 595.3))])
def test_the_holder_downloads_a_pdf_whose_qr_code_leads_to_the_public_check(
    api: Api, paper: str, points: tuple[float, float]
):
    world = world_with_certificate(api)
    assert f"/trang/ho-so/{world['case']}/giay-chung-nhan.pdf" in world["page"]
    holder = Visitor(api.client.app)
    assert holder.sign_in("lan").status_code == 303
    answer = holder.get(f"/trang/ho-so/{world['case']}/giay-chung-nhan.pdf?kho={paper}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    ((size, text, image),) = _pages(answer.content)
    assert size == pytest.approx(points, abs=1)  # landscape, that paper
    url = f"http://testserver/xac-minh/{world['serial']}"
    assert _decoded(image) == url
    flat = " ".join(text.split())
    for fact in (HOLDER, "15/QĐ-UBND", "01/03/2026", "UBND xã Hòa Bình", world["serial"]):
        assert fact in flat, (fact, flat)
    assert "CHỦ TỊCH UBND XÃ" in flat and "GIẤY CHỨNG NHẬN" in flat


def test_an_unknown_paper_size_or_missing_fonts_are_said_plainly_never_500(
    api: Api, monkeypatch: pytest.MonkeyPatch
):
    world = world_with_certificate(api)
    holder = Visitor(api.client.app)
    assert holder.sign_in("lan").status_code == 303
    path = f"/trang/ho-so/{world['case']}/giay-chung-nhan.pdf"
    for paper in ("A3", "a5", "A5%00", "Ａ4"):
        assert holder.get(f"{path}?kho={paper}", status=422).text.count("A5 hoặc A4") == 1
    monkeypatch.setattr(certificate_pdf, "FONT_DIR", certificate_pdf.Path("/nonexistent"))
    missing = holder.get(path, status=503)
    assert "DejaVu" in missing.text and "in trang giấy chứng nhận từ trình duyệt" in missing.text
