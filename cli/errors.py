"""The console's one error boundary: every failure is one plain line on stderr.

A refusal (any domain error), a damaged log, a bad id, a missing file or an unreachable or
damaged database is said in one Vietnamese line, with exit code 1 (2 for a mistyped
command). Anything else is a bug: one line as well, unless ``--debug`` or ``HOCTAP_DEBUG``
asks for the traceback.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import psycopg
import typer
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import OriginatorIDError, OriginatorVersionError
from eventsourcing.persistence import (
    MapperDeserialisationError,
    PersistenceError,
)
from eventsourcing.persistence import OperationalError as StoreUnreachable
from eventsourcing.utils import TopicError
from rich.console import Console
from typer import rich_utils
from typer._click.exceptions import ClickException  # typer's own click, as its _main catches

from application.settings import SettingsError
from domain.errors import DomainError
from domain.notes import MalformedNote

EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
err = Console(stderr=True)


class ConsoleOptions:
    """Options of the ``hoctap`` command itself, set before any subcommand runs."""

    debug = False
    #: The province whose store every command works on (``--tinh``; with a provinces file).
    province: str | None = None


options = ConsoleOptions()


def debugging() -> bool:
    flag = os.environ.get("HOCTAP_DEBUG", "").strip().lower()
    return options.debug or flag not in ("", "0", "false", "no")


def say(message: str) -> None:
    """One plain line on stderr: no markup, never wrapped."""
    err.print(f"Lỗi: {message}", markup=False, highlight=False, soft_wrap=True)


def fail(message: str) -> NoReturn:
    say(message)
    raise typer.Exit(code=EXIT_FAILED)


def details(found: dict[str, object]) -> str:
    shown = {k: v for k, v in found.items() if k not in ("kind", "id")}
    return f" ({json.dumps(shown, ensure_ascii=False, default=str)})" if shown else ""


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def explain(error: BaseException) -> str | None:
    """The line for a failure the console expects; ``None`` for a bug."""
    where = f" {error.filename}" if isinstance(error, OSError) and error.filename else ""
    match error:
        case DomainError():
            return error.message + details(error.details)
        case SettingsError():
            return f"cấu hình không hợp lệ: {error}"
        case MalformedNote():
            return f"ghi chú ký, khóa hoặc tệp khóa không hợp lệ: {error}"
        case typer.BadParameter() if type(error) is typer.BadParameter:  # not a missing one
            name = getattr(error.param, "name", None) or "tham số"
            return f"giá trị không hợp lệ cho {name}: {error.message}"
        case (
            MapperDeserialisationError()
            | TopicError()
            | OriginatorVersionError()
            | OriginatorIDError()
        ):
            return (
                f"nhật ký bị hỏng ({type(error).__name__}: {_first_line(error)});"
                " `hoctap verify` chỉ ra vị trí sai đầu tiên"
            )
        case AggregateNotFoundError():
            return f"không tìm thấy bản ghi {_first_line(error)}"
        case FileNotFoundError():
            return f"không tìm thấy tệp hoặc thư mục{where}"
        case PermissionError():
            return f"không có quyền đọc hoặc ghi{where}"
        case OSError():
            return f"lỗi tệp hoặc hệ thống{where}: {error.strerror or _first_line(error)}"
        case psycopg.OperationalError() | sqlite3.OperationalError() | StoreUnreachable():
            return f"không mở được cơ sở dữ liệu: {_first_line(error)}"
        case psycopg.Error() | sqlite3.Error() | PersistenceError():
            return f"lỗi cơ sở dữ liệu (tệp hoặc bảng có thể đã hỏng): {_first_line(error)}"
    return None


def guarded(command: Callable[..., Any]) -> NoReturn:
    """Run the typer app ``command`` and exit with its code, every failure one line."""
    try:
        result = command(standalone_mode=False)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(EXIT_INTERRUPTED)
    except ClickException as error:
        if (line := explain(error)) is not None:
            say(line)
        else:  # a mistyped command: usage and help, as typer shows them
            rich_utils.rich_format_error(error)
        sys.exit(EXIT_USAGE)
    except Exception as error:
        line = explain(error)
        if line is None and debugging():
            raise
        say(
            line
            or f"lỗi không mong đợi ({type(error).__name__}: {_first_line(error)});"
            " nếu nhật ký bị hỏng, `hoctap verify` chỉ ra vị trí sai; thêm --debug để xem chi tiết"
        )
        sys.exit(EXIT_FAILED)
    sys.exit(result if isinstance(result, int) else 0)
