"""``hoctap db backup <folder>``: an online copy of the embedded (SQLite) store.

Each SQLite file is copied with SQLite's online backup API (``sqlite3.Connection.backup``) in
one step, so the copy is a consistent snapshot even while the API keeps writing. The files
are separate databases, so they are copied in the order that keeps the copy coherent:

1. the read models first — a view may lag the log (it catches up) but must never be ahead;
2. idempotency records — never claim a result the copied log does not hold;
3. the event log (with its hash chain and checkpoints);
4. the per-person keys — a key is written before the event that uses it, so every person in
   the copied log has their key;
5. evidence files — written before the event that names them; finished files only.

Secrets (``secrets.json``, development only) are left out unless asked for: a copy holding
both the wrapped keys and the master key can read everyone's personal data. PostgreSQL is
backed up with ``pg_dump`` (see docs/reliability.md).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from application.settings import Settings
from cli.errors import fail
from cli.session import current_settings

out = Console()

#: In the order they must be copied (see the module docstring).
DATABASES = ("views.sqlite", "idempotency.sqlite", "hoctap.sqlite", "keys.sqlite")


def copy_database(source: Path, target: Path) -> None:
    """One consistent snapshot of ``source`` written to ``target`` (the source stays live)."""
    with sqlite3.connect(source, timeout=30) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def copy_blobs(source: Path, target: Path) -> int:
    """Copy finished evidence files (never ``.incoming-*`` temporaries nor ``.lock`` files);
    returns how many."""
    count = 0
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        count += 1
    return count


def backup_embedded(settings: Settings, target: Path, with_secrets: bool = False) -> list[str]:
    """Copy the embedded store into ``target`` (new or empty); what was copied."""
    if target.exists() and any(target.iterdir()):
        raise ValueError(f"{target} đã có dữ liệu; hãy chọn thư mục mới hoặc rỗng")
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in DATABASES:
        source = settings.var_dir / name
        if source.exists():
            copy_database(source, target / name)
            copied.append(name)
    if settings.blobs_path.exists():
        copied.append(f"blobs/ ({copy_blobs(settings.blobs_path, target / 'blobs')} tệp)")
    secrets = settings.var_dir / "secrets.json"
    if with_secrets and secrets.exists():
        shutil.copy2(secrets, target / "secrets.json")
        (target / "secrets.json").chmod(0o600)
        copied.append("secrets.json")
    return copied


def backup(
    target: Annotated[Path, typer.Argument(help="Thư mục đích (mới hoặc rỗng)")],
    with_secrets: Annotated[
        bool, typer.Option(help="Chép cả secrets.json (khóa phát triển): giữ bản sao thật kỹ")
    ] = False,
) -> None:
    """Sao lưu trực tuyến kho SQLite (API vẫn chạy) vào một thư mục."""
    settings = current_settings()
    if settings.backend != "sqlite":
        fail("kho PostgreSQL: hãy sao lưu bằng pg_dump (docs/reliability.md)")
    try:
        copied = backup_embedded(settings, target, with_secrets)
    except (ValueError, OSError, sqlite3.Error) as exc:
        fail(str(exc))
    out.print(f"Đã sao lưu vào {target}: {', '.join(copied)}", markup=False)
    if not with_secrets and (settings.var_dir / "secrets.json").exists():
        out.print(
            f"Không chép {settings.var_dir / 'secrets.json'} (khóa phát triển): bản sao chỉ mở"
            " được dữ liệu cá nhân và kiểm được chữ ký khi có tệp này. Giữ tệp ở nơi an toàn"
            f" và chép vào {target} khi khôi phục, hoặc sao lưu lại với --with-secrets.",
            markup=False,
        )
