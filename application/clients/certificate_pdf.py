"""The paper certificate (giấy chứng nhận) as a PDF: A4 landscape, or A5 landscape on request.

:func:`certificate_pdf` draws the same content as the HTML certificate (the holder's name as
the reader may see it, the title, the cycle, the decision's number, date, authority and
signer, the validity, the serial) and a QR code holding the same address of the public
check. Text is NFC, in DejaVu Sans (a Unicode TrueType font with every Vietnamese letter,
embedded as a subset). The font is not in the repository: Debian's ``fonts-dejavu-core``
provides it (``make fonts``); without it :class:`FontMissing` says so in Vietnamese.

Reading the whole font (~6,000 glyphs) took half of each PDF's time, so
:class:`CertificateFonts` makes, once per process, a copy of each DejaVu file with only the
letters Vietnamese text uses (Latin with its Vietnamese letters, combining marks,
punctuation: ~700 glyphs) and draws with it; a certificate with any character that the
whole font has and that copy lacks (a Greek or Cyrillic letter in a name) is drawn with the
whole font, so it prints exactly as before. A drawn font is never reused between PDFs:
fpdf2 subsets a font in place, so a second certificate would lack the first one's glyphs.

Every text sits in a box of its own: a long value (a name of 500 characters, an authority
with a long name) is wrapped and, if it still does not fit, set smaller down to a floor;
at the floor, lines past the box are cut and the last one ends in "…". Nothing overflows
into the next box or off the page, and the PDF is always one page.
"""

from __future__ import annotations

import atexit
import io
import logging
import os
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from fontTools import subset
from fontTools.ttLib import TTFont
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
log = logging.getLogger("hoctap.certificates")
#: What the Vietnamese copy of each font keeps: ASCII, Latin-1, Latin Extended-A and -B
#: (Ơ ơ Ư ư), combining marks, Latin Extended Additional (ạ ả ấ … ỹ), general punctuation
#: (… – “ ”), the đồng sign and the numero sign.
VIETNAMESE = frozenset(
    code
    for first, last in (
        (0x20, 0x7E),
        (0xA0, 0x24F),
        (0x300, 0x36F),
        (0x1E00, 0x1EFF),
        (0x2000, 0x206F),
        (0x20AB, 0x20AB),
        (0x2116, 0x2116),
    )
    for code in range(first, last + 1)
)

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


class CertificateFonts:
    """The DejaVu files a certificate is drawn with, found in the first of ``folders`` that
    holds them all: the Vietnamese copies (made at first use, in a folder of this process's
    own, removed when it exits) for text they cover, the whole files otherwise.

    Built once where the app is built and shared by its threads: a lock keeps the copies
    made once; each PDF still reads its font files anew (see the module's docstring)."""

    def __init__(self, folders: Sequence[Path] = FONT_DIRS) -> None:
        self.folders = tuple(folders)
        self._lock = threading.Lock()
        #: (the whole fonts' folder, the copies' folder, what only the whole fonts draw)
        self._copies: tuple[Path, Path, frozenset[int]] | None = None

    def files(self, texts: Iterable[str]) -> dict[tuple[str, str], Path]:
        """Each (family, style)'s file for a certificate showing ``texts``."""
        whole = font_dir(self.folders)
        folder, only_whole = self._vietnamese(whole)
        if any(ord(char) in only_whole for text in texts for char in text):
            folder = whole
        return {key: folder / name for key, name in FONT_FILES.items()}

    def _vietnamese(self, whole: Path) -> tuple[Path, frozenset[int]]:
        with self._lock:
            copies = self._copies
            if copies is None or copies[0] != whole or not _all_there(copies[1]):
                try:
                    copies = (whole, *_vietnamese_copies(whole))
                except OSError as error:  # no writable temporary folder: the whole fonts
                    log.warning("certificate fonts: no Vietnamese copies, whole fonts: %s", error)
                    copies = (whole, whole, frozenset())
                self._copies = copies
            return copies[1], copies[2]


def _all_there(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FONT_FILES.values())


def _vietnamese_copies(whole: Path) -> tuple[Path, frozenset[int]]:
    """Copies of the fonts in ``whole`` with only :data:`VIETNAMESE`, in a new private
    folder (0700) removed at this process's exit; and the characters any of the whole
    fonts draws that a copy does not."""
    folder = Path(tempfile.mkdtemp(prefix="hoctap-phong-chu-"))
    owner = os.getpid()
    atexit.register(_remove_if_ours, folder, owner)  # not a forked child's to remove
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables = [*options.drop_tables, "FFTM"]  # FontForge's timestamps
    only_whole: set[int] = set()
    for name in FONT_FILES.values():
        font = subset.load_font(str(whole / name), options)
        drawn = set(font.getBestCmap())
        cutter = subset.Subsetter(options)
        cutter.populate(unicodes=VIETNAMESE & drawn)
        cutter.subset(font)
        subset.save_font(font, str(folder / name), options)
        with TTFont(folder / name, lazy=True) as kept:
            only_whole |= drawn - set(kept.getBestCmap())
    return folder, frozenset(only_whole)


def _remove_if_ours(folder: Path, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


def qr_png(url: str) -> bytes:
    """The QR code of ``url`` as a PNG (error correction M, as on the HTML certificate)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def _date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def certificate_pdf(sheet: CertificateSheet, paper: str, fonts: CertificateFonts) -> bytes:
    """The certificate as a one-page PDF on ``paper`` ("a4" or "a5", landscape).

    Drawn anew each time (about a tenth of a second, half of it reading the fonts): a cache
    of drawn certificates would keep holders' names in memory after their data is erased."""
    files = fonts.files(_nfc(value) for value in vars(sheet).values() if isinstance(value, str))
    width, height = PAPER[paper]
    pdf = FPDF(orientation="L", unit="mm", format=(height, width))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    for (family, style), path in files.items():
        pdf.add_font(family, style, str(path))
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
