"""The paper certificate (giấy chứng nhận) as a PDF: A4 landscape, or A5 landscape on request.

:func:`certificate_pdf` draws the same content as the HTML certificate (the holder's name as
the reader may see it, the title, the cycle, the decision's number, date, authority and
signer, the validity, the serial) and a QR code holding the same address of the public
check. Text is NFC, in DejaVu Sans (a Unicode TrueType font with every Vietnamese letter,
embedded as a subset). The font is not in the repository: Debian's ``fonts-dejavu-core``
provides it (``make fonts``); without it :class:`FontMissing` says so in Vietnamese.

Every text sits in a box of its own: a long value (a name of 500 characters, an authority
with a long name) is wrapped and, if it still does not fit, set smaller down to a floor;
at the floor, lines past the box are cut and the last one ends in "…". Nothing overflows
into the next box or off the page, and the PDF is always one page.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from domain.errors import DomainError

#: Paper sizes in millimetres, landscape (width, height).
PAPER = {"a4": (297.0, 210.0), "a5": (210.0, 148.0)}
#: Where distributions put DejaVu: Debian/Ubuntu, Fedora, Arch.
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)
FONT_FILES = {
    ("sans", ""): "DejaVuSans.ttf",
    ("sans", "B"): "DejaVuSans-Bold.ttf",
}
MEDIA_TYPE = "application/pdf"

_RED = (122, 31, 31)
_BLACK = (0, 0, 0)
_PT = 25.4 / 72  # millimetres per point
_LEADING = 1.25  # line height / font size


class FontMissing(DomainError):
    """The server has no DejaVu font to draw Vietnamese text with (a setup fault)."""

    code = "certificate-font-missing"


@dataclass(frozen=True)
class CertificateSheet:
    """What a certificate says; every text exactly as the HTML certificate shows it."""

    authority_name: str
    title: str
    cycle_year: int
    holder: str
    decision_number: str
    decided_on: date
    signer_title: str
    valid_from: date
    valid_until: date
    serial: str
    check_url: str


def font_dir(candidates: Sequence[Path] = FONT_DIRS) -> Path:
    """The first folder holding every DejaVu file the certificate uses."""
    for folder in candidates:
        if all((folder / name).is_file() for name in FONT_FILES.values()):
            return folder
    raise FontMissing(
        "máy chủ thiếu phông chữ DejaVu (gói fonts-dejavu-core) để in giấy chứng nhận PDF; "
        "quản trị viên cần chạy 'make fonts' với quyền root",
        searched=[str(folder) for folder in candidates],
        files=sorted(FONT_FILES.values()),
    )


def qr_png(url: str) -> bytes:
    """The QR code of ``url`` as a PNG (error correction M, as on the HTML certificate)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def _date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def certificate_pdf(
    sheet: CertificateSheet, paper: str = "a4", fonts: Sequence[Path] = FONT_DIRS
) -> bytes:
    """The certificate as a one-page PDF on ``paper`` ("a4" or "a5", landscape).

    Drawn anew each time (about half a second, mostly reading the font): a cache of drawn
    certificates would keep holders' names in memory after their data is erased."""
    folder = font_dir(fonts)
    width, height = PAPER[paper]
    pdf = FPDF(orientation="L", unit="mm", format=(height, width))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    for (family, style), name in FONT_FILES.items():
        pdf.add_font(family, style, str(folder / name))
    pdf.set_lang("vi")
    pdf.set_title(_nfc(f"Giấy chứng nhận {sheet.title} {sheet.cycle_year} - số {sheet.serial}"))
    pdf.set_creator("Hoctap Ledger")
    pdf.add_page()
    _Page(pdf, width / PAPER["a4"][0]).draw(sheet)
    return bytes(pdf.output())


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class _Page:
    """The layout, drawn in A4 millimetres and points scaled by ``k`` for smaller paper."""

    def __init__(self, pdf: FPDF, k: float) -> None:
        self.pdf = pdf
        self.k = k

    def draw(self, s: CertificateSheet) -> None:
        self.frame()
        self.text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 20, 7, 13, style="B")
        self.text("Độc lập - Tự do - Hạnh phúc", 27, 6, 12)
        self.rule(33.5, 60)
        self.text(s.authority_name, 36, 12, 13, floor=7)
        self.text("GIẤY CHỨNG NHẬN", 50, 14, 30, style="B", color=_RED, floor=12)
        self.text("Công nhận danh hiệu", 66, 8, 14)
        self.text(f"{s.title} năm {s.cycle_year}", 74, 10, 18, style="B", color=_RED, floor=8)
        self.text(s.holder, 86, 26, 26, style="B", floor=7)
        decision = f"Quyết định số {s.decision_number} ngày {_date(s.decided_on)}"
        self.text(decision, 114, 12, 12, floor=6)
        validity = f"Hiệu lực: từ {_date(s.valid_from)} đến hết {_date(s.valid_until)}"
        self.text(validity, 126, 7, 12, floor=6)
        x, y, w, h = self.mm(24, 140, 40, 40)
        self.pdf.image(io.BytesIO(qr_png(s.check_url)), x, y, w, h)
        self.text(f"Số: {s.serial}", 146, 7, 11, x=68, w=92, align="L")
        check = f"Quét mã để kiểm tra:\n{s.check_url}"
        self.text(check, 155, 24, 8, x=68, w=92, floor=5, align="L")
        self.text(s.signer_title.upper(), 142, 16, 13, x=165, w=105, style="B", floor=6)
        signed = f"(đã ký theo quyết định {s.decision_number})"
        self.text(signed, 160, 14, 10, x=165, w=105, floor=5)

    def mm(self, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        """A box in A4 millimetres, on this paper."""
        return x * self.k, y * self.k, w * self.k, h * self.k

    def frame(self) -> None:
        pdf = self.pdf
        pdf.set_draw_color(*_RED)
        for (x, y, w, h), line in (
            (self.mm(10, 10, 277, 190), 1.2),
            (self.mm(12.5, 12.5, 272, 185), 0.4),
        ):
            pdf.set_line_width(line * self.k)
            pdf.rect(x, y, w, h)

    def rule(self, y: float, length: float) -> None:
        self.pdf.set_draw_color(*_BLACK)
        self.pdf.set_line_width(0.3 * self.k)
        x, y, w, _ = self.mm((297 - length) / 2, y, length, 0)
        self.pdf.line(x, y, x + w, y)

    def text(
        self,
        text: str,
        y: float,
        h: float,
        size: float,
        *,
        x: float = 22,
        w: float = 253,
        style: str = "",
        color: tuple[int, int, int] = _BLACK,
        floor: float | None = None,
        align: str = "C",
    ) -> None:
        """``text`` in the box (x, y, w, h): the largest size from ``size`` down to ``floor``
        at which its wrapped lines fit; at the floor, what does not fit is cut with "…"."""
        pdf = self.pdf
        x, y, w, h = self.mm(x, y, w, h)
        size, smallest = size * self.k, (floor or size) * self.k
        text = _nfc(text)
        while True:
            pdf.set_font("sans", style, size)
            lead = size * _LEADING * _PT
            lines = self.lines(text, w, lead, align)
            if len(lines) * lead <= h or size <= smallest:
                break
            size = max(smallest, size * 0.9)
        room = max(1, int(h // lead))
        if len(lines) > room:
            lines = [*lines[: room - 1], self.cut(lines[room - 1], w)]
        pdf.set_text_color(*color)
        pdf.set_xy(x, y + max(0.0, h - len(lines) * lead) / 2)
        for line in lines:
            pdf.set_x(x)
            pdf.cell(w, lead, line, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT)

    def lines(self, text: str, w: float, lead: float, align: str) -> list[str]:
        wrapped: list[str] = []
        for paragraph in text.split("\n"):
            found: list[str] = self.pdf.multi_cell(  # type: ignore[assignment]
                w, lead, paragraph, align=align, dry_run=True, output="LINES"
            )
            wrapped.extend(found or [""])
        return wrapped

    def cut(self, line: str, w: float) -> str:
        room = w - 2 * self.pdf.c_margin
        while line and self.pdf.get_string_width(line + "…") > room:
            line = line[:-1]
        return line.rstrip() + "…"
