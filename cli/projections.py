"""``hoctap projections``: run, rebuild and check the read models."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from application.adapters.read_models import ReadModels
from application.clients.housekeeping import scheduled_jobs
from application.ledger import Ledger
from application.services.records import VIETNAM
from cli.errors import fail
from cli.progress import progress_bar
from cli.session import current_settings

app = typer.Typer(
    help="Mô hình đọc (bảng xếp hạng, sổ công nhận, thống kê, nhật ký).", no_args_is_help=True
)
out = Console()


@contextmanager
def read_models() -> Iterator[ReadModels]:
    settings = current_settings()
    ledger = Ledger(settings)
    models: ReadModels = ReadModels(
        settings, ledger.store, every=scheduled_jobs(ledger, lambda: models)
    )
    try:
        models.initialise()
        yield models
    finally:
        models.close()
        ledger.close()


def _projection(models: ReadModels, name: str) -> Any:
    projection = models.engine.projections.get(name)
    if projection is None:
        names = ", ".join(models.engine.projections)
        fail(f"không có mô hình đọc '{name}' (có: {names})")
    return projection


@app.command("run")
def run(
    poll: Annotated[float, typer.Option(help="Giây giữa hai lần đọc nhật ký")] = 0.2,
    page_size: Annotated[int, typer.Option(help="Số sự kiện mỗi giao dịch")] = 1000,
) -> None:
    """Giữ các mô hình đọc luôn cập nhật (tiến trình riêng; dừng bằng Ctrl+C hoặc SIGTERM)."""
    with read_models() as models:
        models.engine.page_size = page_size
        signal.signal(signal.SIGTERM, lambda *_: models.stop())
        out.print("Đang cập nhật mô hình đọc...")
        try:
            models.run(poll)
        except KeyboardInterrupt:
            models.stop()


@app.command("rebuild")
def rebuild(name: str) -> None:
    """Dựng lại một mô hình đọc từ đầu vào thế hệ bảng mới, rồi chuyển sang (không gián đoạn)."""
    with read_models() as models:
        projection = _projection(models, name)
        with progress_bar(out) as progress:
            task = progress.add_task(f"Dựng lại {name}", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            generation = models.engine.rebuild(projection, advance)
        out.print(f"Đã dựng lại {name}: thế hệ {generation} đang phục vụ.")


@app.command("check")
def check(name: str) -> None:
    """So sánh mô hình đọc đang phục vụ với một bản dựng lại; liệt kê mọi dòng khác nhau."""
    with read_models() as models:
        projection = _projection(models, name)
        with out.status(f"Đang dựng bản so sánh cho {name}..."):
            differences = models.engine.check(projection)
        if not differences:
            out.print(f"{name}: khớp hoàn toàn với bản dựng lại.")
            return
        table = Table(title=f"{name}: {len(differences)} dòng khác nhau")
        for column in ("Bảng", "Khóa", "Cột khác", "Đang phục vụ", "Dựng lại"):
            table.add_column(column, overflow="fold")
        for d in differences[:200]:
            columns = d.columns()
            live = {c: (d.live or {}).get(c) for c in columns}
            rebuilt = {c: (d.rebuilt or {}).get(c) for c in columns}
            table.add_row(d.table, d.key, ", ".join(columns), str(live), str(rebuilt))
        out.print(table)
        raise typer.Exit(code=1)


@app.command("status")
def status() -> None:
    """Vị trí và độ trễ của từng mô hình đọc."""
    with read_models() as models:
        table = Table(title="Mô hình đọc")
        for column in ("Tên", "Thế hệ", "Vị trí", "Trễ (sự kiện)", "Trễ (giây)"):
            table.add_column(column)
        for s in models.statuses(datetime.now(VIETNAM)):
            table.add_row(
                s.name,
                str(s.generation),
                str(s.position),
                str(s.lag_events),
                f"{s.lag_seconds:.1f}",
            )
        out.print(table)
