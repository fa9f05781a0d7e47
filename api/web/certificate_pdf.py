"""The paper certificate as a PDF (A5 landscape, or A4 landscape), drawn with ``fpdf2``.

The same facts as the printable page (api/web/templates/giay_chung_nhan.html), in DejaVu
Serif (Vietnamese needs its Latin Extended Additional letters, which the PDF core fonts
lack), with the QR code drawn module by module as filled squares: vector, sharp at any
print size, and exactly the payload of the page's SVG code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf"}  # both in fonts-dejavu-core
#: Paper (portrait width, height in mm) and the scale of the drawing on it: A4 is A5 × √2.
SIZES = {"A5": ((148.0, 210.0), 1.0), "A4": ((210.0, 297.0), 297 / 210)}
MAROON = (122, 31, 31)


class FontsMissing(RuntimeError):
    """The machine has no DejaVu fonts (Debian's fonts-dejavu-core)."""


@dataclass(frozen=True)
class CertificateFacts:
    authority_name: str
    title: str
    cycle_year: int
    holder: str
    decision_number: str
    decided_on: date
    valid_from: date
    valid_until: date
    signer_title: str
    serial: str
    url: str


def fonts_available() -> bool:
    return all((FONT_DIR / name).is_file() for name in FONTS.values())


def certificate_pdf(facts: CertificateFacts, size: str = "A5") -> bytes:
    if not fonts_available():
        raise FontsMissing(f"thiếu phông chữ DejaVu trong {FONT_DIR}")
    paper, k = SIZES[size]
    pdf = FPDF(orientation="L", unit="mm", format=paper)
    pdf.set_title(f"Giấy chứng nhận {facts.title} {facts.cycle_year} số {facts.serial}")
    pdf.set_creator("Hoctap Ledger")
    pdf.set_auto_page_break(False)
    pdf.set_margins(10 * k, 8 * k, 10 * k)
    for style, name in FONTS.items():
        pdf.add_font("DejaVu", style, str(FONT_DIR / name))
    pdf.add_page()
    width = pdf.w - 20 * k

    pdf.set_draw_color(*MAROON)
    pdf.set_line_width(0.8 * k)
    pdf.rect(5 * k, 5 * k, pdf.w - 10 * k, pdf.h - 10 * k)
    pdf.set_line_width(0.3 * k)
    pdf.rect(6.5 * k, 6.5 * k, pdf.w - 13 * k, pdf.h - 13 * k)

    def line(
        text: str,
        size_pt: float,
        style: str = "",
        height: float = 6,
        color: tuple[int, int, int] = (0, 0, 0),
    ) -> None:
        pdf.set_font("DejaVu", style, size_pt * k)
        pdf.set_text_color(*color)
        pdf.set_x(10 * k)
        pdf.multi_cell(width, height * k, text, align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(10 * k)
    line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 10, "B", 5)
    line("Độc lập - Tự do - Hạnh phúc", 10, "B", 5)
    line(facts.authority_name, 10, "", 7)
    line("GIẤY CHỨNG NHẬN", 20, "B", 10, MAROON)
    line(f"Công nhận danh hiệu {facts.title} năm {facts.cycle_year}", 12, "", 7)
    line(facts.holder, 16, "B", 9)
    line(
        f"Quyết định số {facts.decision_number} ngày {facts.decided_on:%d/%m/%Y}"
        f" · Hiệu lực từ {facts.valid_from:%d/%m/%Y} đến hết {facts.valid_until:%d/%m/%Y}",
        9,
        "",
        5,
    )

    side = 30 * k
    left, top = 14 * k, pdf.h - 14 * k - side - 10 * k
    _draw_qr(pdf, facts.url, left, top, side)
    pdf.set_font("DejaVu", "", 8 * k)
    pdf.set_xy(left - 2 * k, top + side + 1 * k)
    pdf.cell(side + 60 * k, 4 * k, f"Số: {facts.serial}")
    pdf.set_xy(left - 2 * k, top + side + 5 * k)
    pdf.set_font("DejaVu", "", 7 * k)
    pdf.cell(side + 60 * k, 4 * k, f"Quét mã để kiểm tra: {facts.url}")

    pdf.set_font("DejaVu", "B", 10 * k)
    pdf.set_xy(pdf.w / 2, top + 6 * k)
    pdf.multi_cell(pdf.w / 2 - 12 * k, 5 * k, facts.signer_title.upper(), align="C")
    pdf.set_font("DejaVu", "", 8 * k)
    pdf.set_x(pdf.w / 2)
    pdf.multi_cell(
        pdf.w / 2 - 12 * k, 5 * k, f"(đã ký theo quyết định {facts.decision_number})", align="C"
    )
    return bytes(pdf.output())


def _draw_qr(pdf: FPDF, payload: str, left: float, top: float, side: float) -> None:
    """The QR code of ``payload`` (error correction M, as on the page) with its quiet zone."""
    qr = segno.make(payload, error="m", micro=False)
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=4)]
    module = side / len(rows)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(left, top, side, side, style="F")
    pdf.set_fill_color(0, 0, 0)
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):  # one rectangle per run of dark modules
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                pdf.rect(left + start * module, top + y * module, (x - start) * module, module, "F")
            else:
                x += 1
