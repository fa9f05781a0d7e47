"""``hoctap tinh``: the provinces of a deployment with ``HOCTAP_PROVINCES_FILE``, and what
is done to all of them at once (national rules, the national report)."""

from __future__ import annotations

import json
import signal
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from application.clients.provinces import Provinces, read_provinces
from application.settings import Settings, SettingsError
from cli.errors import fail
from cli.session import base_settings, operator_context
from domain.glossary import Role, TitleModel, label
from domain.text import check_json_text, clean_text

provinces_app = typer.Typer(
    help="Các tỉnh của triển khai nhiều tỉnh (HOCTAP_PROVINCES_FILE).", no_args_is_help=True
)
out = Console()


def _settings() -> Settings:
    settings = base_settings()
    if settings.provinces_file is None:
        fail("chưa đặt HOCTAP_PROVINCES_FILE: triển khai này chỉ có một kho")
    return settings


@contextmanager
def _provinces(*, initialise: bool = True) -> Iterator[Provinces]:
    try:
        provinces = Provinces(_settings(), initialise=initialise)
    except SettingsError as exc:
        fail(f"cấu hình không hợp lệ: {exc}")
    try:
        yield provinces
    finally:
        provinces.close()


@provinces_app.command("list")
def list_provinces() -> None:
    """Liệt kê các tỉnh: mã, tên, kho, tên nhật ký."""
    try:
        provinces = read_provinces(_settings())
    except SettingsError as exc:
        fail(f"cấu hình không hợp lệ: {exc}")
    table = Table(title=f"{len(provinces)} tỉnh")
    for column in ("Mã", "Tên", "Kho", "Tên nhật ký"):
        table.add_column(column)
    for p in provinces:
        table.add_row(p.code, p.name, p.store, p.settings.log_origin)
    out.print(table)


@provinces_app.command("init")
def init_all() -> None:
    """Tạo bảng ở kho của mọi tỉnh."""
    with _provinces() as provinces:
        out.print(f"Kho của {len(provinces.ledgers)} tỉnh sẵn sàng.")


@provinces_app.command("nap-tieu-chi")
def load_seed_everywhere() -> None:
    """Công bố các bộ tiêu chí và quy định mẫu ở kho của mọi tỉnh (bỏ qua cái đã có)."""
    with _provinces() as provinces:
        published = provinces.load_seed_criteria(operator_context())
    for code, codes in published.items():
        out.print(f"Tỉnh {code}: đã công bố {len(codes)} bộ tiêu chí, quy định", highlight=False)


@provinces_app.command("cong-bo")
def publish_everywhere(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
) -> None:
    """Công bố một bộ tiêu chí (tệp JSON) ở kho của mọi tỉnh: quy định toàn quốc."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{path}: không đọc được JSON ({exc})")
    check_json_text(content, field=path.name)
    with _provinces() as provinces:
        results = provinces.publish_criteria_set(operator_context(), content)
    for code, result in results.items():
        if result is None:
            out.print(f"Tỉnh {code}: {content.get('code')} đã có, không công bố lại.")
        else:
            out.print(f"Tỉnh {code}: đã công bố {content.get('code')} (id {result.id}).")


@provinces_app.command("tai-khoan")
def national_account(
    username: str,
    role: Annotated[list[Role], typer.Option("--role", "-r", help="Vai trò (lặp lại được)")],
) -> None:
    """Tạo tài khoản cấp toàn quốc (không gắn đơn vị) ở kho mọi tỉnh: cùng một tài khoản."""
    username = clean_text(username, field="username")
    with _provinces() as provinces:
        made = provinces.create_national_account(operator_context(), username, role)
    for code, result in made.items():
        said = "đã có, giữ nguyên" if result is None else f"đã tạo ({result.id})"
        out.print(f"Tỉnh {code}: {username} {said}.", highlight=False)


@provinces_app.command("ma-truy-cap")
def national_token(
    username: str,
    ttl_hours: Annotated[int | None, typer.Option(help="Thời hạn (giờ)")] = None,
    label: Annotated[str | None, typer.Option(help="Ghi chú")] = None,
) -> None:
    """Cấp một mã truy cập cho tài khoản toàn quốc, dùng được ở mọi tỉnh (chỉ hiện một lần)."""
    username = clean_text(username, field="username")
    label = label and clean_text(label, field="label")
    with _provinces() as provinces:
        issued = provinces.issue_national_token(operator_context(), username, ttl_hours, label)
        count = len(provinces.ledgers)
    out.print(issued.token, markup=False, highlight=False, soft_wrap=True)
    Console(stderr=True).print(
        f"Dùng được ở {count} tỉnh. Mã số để thu hồi: {issued.token_id}"
        f" (hoctap tinh thu-hoi {issued.token_id} --reason …)",
        markup=False,
        highlight=False,
    )


@provinces_app.command("thu-hoi")
def revoke_national_token(
    token_id: uuid.UUID, reason: Annotated[str, typer.Option(help="Lý do thu hồi")]
) -> None:
    """Thu hồi một mã truy cập ở kho mọi tỉnh giữ nó."""
    reason = clean_text(reason, field="reason", multiline=True)
    with _provinces() as provinces:
        revoked = provinces.revoke_national_token(operator_context(), token_id, reason)
    for code, result in revoked.items():
        said = "không có hoặc đã thu hồi" if result is None else "đã thu hồi"
        out.print(f"Tỉnh {code}: {said}.", highlight=False)


@provinces_app.command("mo-hinh-doc")
def run_read_models() -> None:
    """Giữ mô hình đọc của mọi tỉnh luôn cập nhật: một vòng cho mỗi tỉnh, trong một tiến
    trình (dừng bằng Ctrl+C hoặc SIGTERM)."""
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with _provinces() as provinces:
        loops = provinces.start_read_models()
        try:
            out.print(f"Đang cập nhật mô hình đọc của {len(loops)} tỉnh...", highlight=False)
            while not stopped.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            for models in loops.values():
                models.close()
    out.print("Đã dừng.")


@provinces_app.command("bao-cao")
def national_report(
    nam: Annotated[int, typer.Option(min=2000, max=2100, help="Năm xét")],
    danh_hieu: Annotated[TitleModel | None, typer.Option(help="Chỉ một danh hiệu")] = None,
) -> None:
    """Thống kê toàn quốc: đọc kho mọi tỉnh song song và cộng lại."""
    with _provinces(initialise=False) as provinces:
        models = provinces.open_read_models(catch_up=True)
        try:
            result = provinces.national_report(
                models, cycle_year=nam, model=danh_hieu.value if danh_hieu else None
            )
        finally:
            for views in models.values():
                views.close()
    title = f"Thống kê toàn quốc năm {nam}" + (f" — {label(danh_hieu)}" if danh_hieu else "")
    table = Table(title=title)
    for column in ("Mã", "Tỉnh", "Đăng ký", "Đã đánh giá", "Công nhận", "Đối tượng"):
        table.add_column(column, justify="right" if column not in ("Mã", "Tỉnh") else "left")

    def number(value: int) -> str:
        return f"{value:,}".replace(",", ".")

    for province in result.provinces:
        figures = [sum(getattr(line, key) for line in province.lines) for key in _COLUMNS]
        table.add_row(province.code, province.name, *map(number, figures))
    total = result.total
    table.add_row("VN", total.name, *(number(getattr(total, key)) for key in _COLUMNS))
    out.print(table)


_COLUMNS = ("registered", "assessed", "recognised", "subjects")
