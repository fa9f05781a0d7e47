"""``hoctap verify`` and checkpoints: prove that nothing in the log was rewritten."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from application.clients.bundle import dumps, make_bundle
from application.ledger import Ledger
from application.services.records import VIETNAM
from application.settings import Settings
from cli.errors import fail

out = Console()
checkpoints_app = typer.Typer(help="Điểm kiểm (checkpoint) có chữ ký.", no_args_is_help=True)


def verify() -> None:
    """Kiểm tra toàn bộ nhật ký theo chuỗi băm và các điểm kiểm đã ký."""
    ledger = Ledger(Settings(), initialise=False)
    try:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=out) as progress:
            task = progress.add_task("Kiểm tra chuỗi băm", total=None)
            report = ledger.auditor.verify(
                lambda done, total: progress.update(task, completed=done, total=total)
            )
        if report.ok:
            out.print(f"Toàn vẹn: {report.events} sự kiện, {report.checkpoints} điểm kiểm khớp.")
            return
        fail(f"nhật ký không toàn vẹn — {report.problem}")
    finally:
        ledger.close()


@checkpoints_app.command("make")
def make() -> None:
    """Ký một điểm kiểm mới trên toàn bộ nhật ký hiện có."""
    ledger = Ledger(Settings(), initialise=False)
    try:
        checkpoint = ledger.auditor.make_checkpoint(datetime.now(VIETNAM))
        out.print(f"Điểm kiểm: {checkpoint.tree_size} sự kiện, gốc {checkpoint.root_hash.hex()}")
    finally:
        ledger.close()


@checkpoints_app.command("export")
def export(
    path: Annotated[Path | None, typer.Argument(help="Tệp JSON (mặc định: in ra)")] = None,
) -> None:
    """Xuất khóa công khai và mọi điểm kiểm, để bên ngoài giữ bản sao."""
    ledger = Ledger(Settings(), initialise=False)
    try:
        text = ledger.auditor.export_checkpoints()
    finally:
        ledger.close()
    if path is None:
        out.print(text, markup=False, highlight=False)
    else:
        path.write_text(text, encoding="utf-8")
        out.print(f"Đã ghi {path}")


def bundle(
    case_id: uuid.UUID,
    path: Annotated[Path, typer.Option("--output", "-o", help="Tệp JSON để ghi")],
    files: Annotated[bool, typer.Option(help="Kèm cả tệp minh chứng")] = False,
) -> None:
    """Xuất gói kiểm tra của một danh hiệu (kiểm tra ngoại tuyến bằng verify_bundle.py)."""
    ledger = Ledger(Settings(), initialise=False)
    try:
        path.write_text(dumps(make_bundle(ledger, case_id, include_files=files)), encoding="utf-8")
    finally:
        ledger.close()
    out.print(f"Đã ghi {path}. Kiểm tra: python3 ops/verifier/verify_bundle.py {path}")
