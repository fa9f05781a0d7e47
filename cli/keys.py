"""``hoctap keys``: key-encryption keys and the scrub after erasures (docs/privacy.md).

The operator's procedure for backups taken before an erasure: add a new key-encryption key
and make it the active one, ``hoctap keys rotate`` (every remaining data key re-wrapped
under it), then destroy the old one (``hoctap keys retire``). A backup from before the
erasure still holds the erased person's key, but wrapped under a key that no longer exists.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from application.ledger import Ledger
from cli.errors import fail
from cli.progress import progress_bar
from cli.session import current_settings

out = Console()
keys_app = typer.Typer(help="Khóa bọc (KEK) và dọn dẹp sau khi xóa dữ liệu.", no_args_is_help=True)


@keys_app.command("status")
def status() -> None:
    """Số khóa dữ liệu theo từng khóa bọc; khóa bọc đang dùng."""
    settings = current_settings()
    ledger = Ledger(settings, initialise=False)
    try:
        counts = ledger.vault.keys_by_kek()
    finally:
        ledger.close()
    ring = settings.key_ring()
    for kek_id in sorted(set(counts) | set(ring.keys)):
        mark = " (đang dùng)" if kek_id == ring.active else ""
        known = "" if kek_id in ring.keys else " — KHÔNG có khóa bọc này"
        out.print(f"Khóa bọc {kek_id}{mark}: {counts.get(kek_id, 0)} khóa dữ liệu{known}")


@keys_app.command("rotate")
def rotate(
    new_kek: Annotated[
        bool,
        typer.Option(
            "--new-kek",
            help="Chỉ khi phát triển: tạo khóa bọc mới trong var/secrets.json và dùng nó",
        ),
    ] = False,
) -> None:
    """Bọc lại mọi khóa dữ liệu bằng khóa bọc đang dùng; chạy lại được nếu bị ngắt."""
    settings = current_settings()
    if new_kek:
        out.print(f"Khóa bọc mới: {settings.add_development_kek()}")
    ledger = Ledger(settings)
    try:
        with progress_bar(out) as progress:
            task = progress.add_task("Bọc lại khóa dữ liệu", total=ledger.vault.keys_to_rewrap())
            done = ledger.vault.rewrap(progress=lambda n: progress.advance(task, n))
        left = ledger.vault.keys_by_kek()
    finally:
        ledger.close()
    active = settings.key_ring().active
    out.print(f"Đã bọc lại {done} khóa dữ liệu bằng khóa bọc {active}.")
    old = sorted(k for k in settings.key_ring().keys if k != active and not left.get(k))
    if old:
        out.print(f"Khóa bọc không còn dùng: {', '.join(old)} — hủy bằng `hoctap keys retire`.")


@keys_app.command("retire")
def retire(kek_id: Annotated[str, typer.Argument(help="Mã khóa bọc cần hủy")]) -> None:
    """Hủy một khóa bọc không còn bọc khóa dữ liệu nào."""
    settings = current_settings()
    ledger = Ledger(settings, initialise=False)
    try:
        still = ledger.vault.keys_by_kek().get(kek_id, 0)
    finally:
        ledger.close()
    if kek_id == settings.key_ring().active:
        fail(f"khóa bọc {kek_id} đang được dùng: đặt khóa bọc khác rồi chạy `hoctap keys rotate`")
    if still:
        fail(f"khóa bọc {kek_id} còn bọc {still} khóa dữ liệu: chạy `hoctap keys rotate` trước")
    settings.retire_development_kek(kek_id)
    out.print(f"Đã hủy khóa bọc {kek_id} trong var/secrets.json.")


@keys_app.command("scrub")
def scrub(
    wait_seconds: Annotated[
        float, typer.Option(help="Chờ tối đa bao nhiêu giây các giao dịch cũ kết thúc")
    ] = 60.0,
) -> None:
    """Xóa hẳn bản sao khóa đã hủy (SQLite: WAL; PostgreSQL: VACUUM FULL bảng khóa)."""
    ledger = Ledger(current_settings(), initialise=False)
    try:
        clean = ledger.vault.scrub(wait_seconds)
    finally:
        ledger.close()
    if not clean:
        fail(
            "còn giao dịch cũ có thể thấy khóa đã hủy: bảng đã được dọn, hãy chạy lại"
            " `hoctap keys scrub` khi các giao dịch đó kết thúc"
        )
    out.print("Đã dọn: không còn bản sao nào của khóa đã hủy trong cơ sở dữ liệu.")
