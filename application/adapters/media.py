"""Media types of evidence, recognised from the content itself, never from the file name."""

from __future__ import annotations

from domain.errors import InvalidInput


class UnsupportedMediaType(InvalidInput):
    code = "unsupported-media-type"


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
)


def sniff(content: bytes) -> str:
    """The media type of ``content``; refuses anything that is not an accepted kind."""
    if not content:
        raise UnsupportedMediaType("tệp minh chứng rỗng")
    for signature, media_type in _SIGNATURES:
        if content.startswith(signature):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text:
        return "text/plain"
    raise UnsupportedMediaType(
        "chỉ nhận minh chứng PDF, ảnh (PNG, JPEG, GIF, WebP), tệp nén Office hoặc văn bản UTF-8"
    )
