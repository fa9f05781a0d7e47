"""``hoctap import FILE --unit …`` and ``hoctap import-template``: village lists from Excel.

The import checks every row first and prints every mistake, one line each (sheet, row,
column, what is wrong); it writes only a clean file, with a progress bar, and says what it
wrote. ``--dry-run`` checks and writes nothing.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from application.services.imports import ImportOutcome, ImportService
from cli.errors import fail
from cli.progress import progress_bar
from cli.session import open_ledger, operator_context
from domain.imports import TEMPLATES
from domain.registry import unit_id_for
from domain.text import clean_text

out = Console()


def unit_of(value: str) -> uuid.UUID:
    """A unit given by its id or by its code."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return unit_id_for(clean_text(value.strip(), field="unit"))


def import_file(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Tệp .xlsx")],
    unit: Annotated[str, typer.Option(help="Xã nhận danh sách: mã hoặc id")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi gì")] = False,
) -> int:
    """Nhập danh sách hộ và nhân khẩu từ tệp Excel theo mẫu (kiểm tra toàn bộ trước)."""
    with open_ledger() as ledger:
        content = path.read_bytes()
        if len(content) > ledger.settings.max_upload_bytes:
            fail(f"{path.name}: tệp quá lớn (tối đa {ledger.settings.max_upload_bytes:,} byte)")
        ctx = operator_context()
        unit_id = unit_of(unit)
        with out.status("Đang kiểm tra từng dòng..."):
            checked = ledger.imports.check(ctx, unit_id, content)
        report = checked.report
        for problem in report.problems:
            out.print(f"{path.name}: {problem}", markup=False, highlight=False, soft_wrap=True)
        for error in report.errors:
            out.print(str(error), markup=False, highlight=False, soft_wrap=True)
        if not report.clean:
            fail(
                f"{path.name}: {report.row_count:,} dòng, {len(report.errors)} lỗi ở "
                f"{report.rows_with_errors} dòng; chưa ghi gì: sửa tệp rồi chạy lại"
            )
        if dry_run:
            out.print(
                f"{path.name}: {report.row_count:,} dòng, không có lỗi "
                f"({len(report.households)} hộ, {len(report.persons)} nhân khẩu, "
                f"{len(report.registrations)} đăng ký danh hiệu). "
                "Chạy thử: chưa ghi gì."
            )
            return 0
        with progress_bar(out) as bar:
            task = bar.add_task("Đang ghi", total=report.row_count)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            outcome = ledger.imports.run(ctx, unit_id, content, progress=advance, checked=checked)
        out.print(summary(path.name, outcome), markup=False, highlight=False)
    return 0


def summary(name: str, outcome: ImportOutcome) -> str:
    if outcome.already_done:
        return f"{name}: tệp này đã được nhập (lần nhập {outcome.import_id}); không ghi gì thêm."
    return (
        f"{name}: đã nhập {outcome.accepted:,} dòng ({outcome.created:,} bản ghi mới), "
        f"{outcome.unchanged:,} dòng đã có; lần nhập {outcome.import_id}."
    )


def import_template(
    kind: Annotated[str, typer.Option(help=f"Loại mẫu: {', '.join(TEMPLATES)}")] = "households",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Ghi ra tệp (mặc định: stdout)")
    ] = None,
) -> None:
    """Tệp mẫu Excel để thôn điền danh sách (tiêu đề tiếng Việt, danh sách chọn, hướng dẫn)."""
    content = ImportService.template(kind)
    if output is not None:
        output.write_bytes(content)
        out.print(f"Đã ghi tệp mẫu {output}.")
        return
    if sys.stdout.isatty():
        fail("tệp mẫu là tệp nhị phân: chuyển hướng ra tệp (> mau.xlsx) hoặc dùng --output")
    sys.stdout.buffer.write(content)
    sys.stdout.flush()
