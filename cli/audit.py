"""``hoctap verify`` and checkpoints: prove that nothing in the log was rewritten."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from application.adapters.audit import KeptCheckpoints
from application.adapters.witness_http import add_checkpoint_at
from application.clients.bundle import dumps, make_bundle
from application.ledger import Ledger
from application.services.records import VIETNAM
from cli.errors import fail
from cli.progress import progress_bar
from cli.session import current_settings

out = Console()
err = Console(stderr=True)
checkpoints_app = typer.Typer(help="Điểm kiểm (checkpoint) có chữ ký.", no_args_is_help=True)


def verify(
    trusted: Annotated[
        list[Path] | None,
        typer.Option(
            "--trusted",
            help="Tệp điểm kiểm do bên ngoài giữ (bản `hoctap checkpoints export` trước đó,"
            " hoặc ghi chú của `hoctap checkpoints note` / GET /audit/checkpoint);"
            " nhật ký phải khớp từng điểm kiểm trong đó. Có thể lặp lại.",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Coi việc chưa có điểm kiểm nào là lỗi, không chỉ cảnh báo")
    ] = False,
) -> None:
    """Kiểm tra toàn bộ nhật ký theo chuỗi băm, các điểm kiểm đã ký và điểm kiểm giữ bên ngoài."""
    kept = [
        KeptCheckpoints.parse(path.read_text(encoding="utf-8"), str(path)) for path in trusted or []
    ]
    ledger = Ledger(current_settings(), initialise=False)
    try:
        with progress_bar(out) as progress:
            task = progress.add_task("Kiểm tra chuỗi băm", total=None)
            report = ledger.auditor.verify(
                lambda done, total: progress.update(task, completed=done, total=total),
                kept,
                parallel=True,
            )
        if not report.ok:
            fail(f"nhật ký không toàn vẹn — {report.problem}")
        outside = sum(k.count for k in kept)
        if report.checkpoints + outside == 0:
            unproven = (
                "chưa có điểm kiểm nào: chuỗi băm khớp, nhưng không có chữ ký nào chứng minh"
                " nhật ký không bị viết lại toàn bộ (`hoctap checkpoints make`, rồi giữ bản"
                " `hoctap checkpoints export` ở nơi khác)"
            )
            if strict:
                fail(unproven)
            err.print(f"Cảnh báo: {unproven}", markup=False)
        also = f", {outside} điểm kiểm giữ bên ngoài" if kept else ""
        out.print(f"Toàn vẹn: {report.events} sự kiện, {report.checkpoints} điểm kiểm khớp{also}.")
    finally:
        ledger.close()


@checkpoints_app.command("make")
def make() -> None:
    """Ký một điểm kiểm mới trên toàn bộ nhật ký hiện có."""
    ledger = Ledger(current_settings(), initialise=False)
    try:
        checkpoint = ledger.auditor.make_checkpoint(datetime.now(VIETNAM))
        out.print(f"Điểm kiểm: {checkpoint.tree_size} sự kiện, gốc {checkpoint.root_hash.hex()}")
    finally:
        ledger.close()


@checkpoints_app.command("witness")
def witness(
    urls: Annotated[
        list[str], typer.Argument(help="Tiền tố gửi của từng nhân chứng, ví dụ http://host:8100")
    ],
) -> None:
    """Xin nhân chứng đồng ký điểm kiểm mới nhất (giao thức tlog-witness) và lưu đồng ký."""
    ledger = Ledger(current_settings(), initialise=False)
    try:
        for url in urls:
            names = ledger.cosignatures.request_cosignature(add_checkpoint_at(url))
            out.print(f"{url}: đã lưu đồng ký của {', '.join(names)}", markup=False)
    finally:
        ledger.close()


@checkpoints_app.command("note")
def note() -> None:
    """In điểm kiểm mới nhất dạng ghi chú ký C2SP, kèm mọi đồng ký (để giữ ở nơi khác)."""
    ledger = Ledger(current_settings(), initialise=False)
    try:
        text = str(ledger.cosignatures.latest())
    finally:
        ledger.close()
    out.print(text, markup=False, highlight=False, end="", soft_wrap=True)


@checkpoints_app.command("export")
def export(
    path: Annotated[Path | None, typer.Argument(help="Tệp JSON (mặc định: in ra)")] = None,
) -> None:
    """Xuất khóa công khai và mọi điểm kiểm, để bên ngoài giữ bản sao."""
    ledger = Ledger(current_settings(), initialise=False)
    try:
        text = ledger.auditor.export_checkpoints()
    finally:
        ledger.close()
    if path is None:
        out.print(text, markup=False, highlight=False, soft_wrap=True)
    else:
        path.write_text(text, encoding="utf-8")
        out.print(f"Đã ghi {path}")


def bundle(
    case_id: uuid.UUID,
    path: Annotated[Path, typer.Option("--output", "-o", help="Tệp JSON để ghi")],
    files: Annotated[bool, typer.Option(help="Kèm cả tệp minh chứng")] = False,
) -> None:
    """Xuất gói kiểm tra của một danh hiệu (kiểm tra ngoại tuyến bằng verify_bundle.py)."""
    ledger = Ledger(current_settings(), initialise=False)
    try:
        path.write_text(dumps(make_bundle(ledger, case_id, include_files=files)), encoding="utf-8")
    finally:
        ledger.close()
    out.print(f"Đã ghi {path}. Kiểm tra: python3 ops/verifier/verify_bundle.py {path}")
