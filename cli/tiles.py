"""``hoctap tiles``: the Merkle tree's tiles, built for a log written before they existed."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from application.ledger import Ledger
from cli.progress import progress_bar
from cli.session import current_settings

tiles_app = typer.Typer(help="Ô cây Merkle (tlog-tiles) dùng cho bằng chứng.", no_args_is_help=True)
out = Console()


def catch_up_tiles(ledger: Ledger, *, rebuild: bool = False) -> int:
    """Build the tiles the log lacks, with a progress bar; returns the tree size."""
    with progress_bar(out) as progress:
        task = progress.add_task("Dựng ô cây Merkle", total=None)
        return ledger.auditor.catch_up_tiles(
            lambda done, total: progress.update(task, completed=done, total=total),
            rebuild=rebuild,
        )


@tiles_app.command("catch-up")
def catch_up(
    rebuild: Annotated[
        bool, typer.Option(help="Xóa và dựng lại mọi ô từ nhật ký (sau khi khôi phục bản sao)")
    ] = False,
) -> None:
    """Dựng các ô còn thiếu từ nhật ký (kho có từ trước khi có ô)."""
    ledger = Ledger(current_settings(), initialise=False)
    try:
        size = catch_up_tiles(ledger, rebuild=rebuild)
    finally:
        ledger.close()
    out.print(f"Ô cây Merkle đã khớp nhật ký: {size} sự kiện.")
