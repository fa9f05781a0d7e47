"""The ``hoctap`` command: set up the store, load data, manage users, serve the API.

Errors are one plain line on stderr (Vietnamese first), exit code 1; nothing half-written
(``cli/errors.py`` is the one boundary that says them).
"""

from __future__ import annotations

import getpass
import json
import sys
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from application.clients.demo import demo_loaded, demo_passwords, load_demo
from application.ledger import Ledger
from application.settings import Settings
from cli.audit import bundle, checkpoints_app, verify
from cli.backup import backup
from cli.errors import fail, guarded, options
from cli.imports import import_file, import_template
from cli.keys import keys_app
from cli.projections import app as projections_app
from cli.provinces import provinces_app
from cli.rules import rules_app
from cli.session import base_settings, current_settings, open_ledger, operator_context
from cli.tiles import catch_up_tiles, tiles_app
from cli.witness import witness_app
from domain.glossary import Role, label
from domain.text import check_json_text, clean_text

app = typer.Typer(help="Hoctap Ledger: sổ cái các danh hiệu học tập.", no_args_is_help=True)
db_app = typer.Typer(help="Kho sự kiện.", no_args_is_help=True)
criteria_app = typer.Typer(help="Bộ tiêu chí.", no_args_is_help=True)
users_app = typer.Typer(help="Người dùng và mã truy cập.", no_args_is_help=True)
demo_app = typer.Typer(help="Dữ liệu minh họa.", no_args_is_help=True)
app.add_typer(db_app, name="db")
db_app.command("backup")(backup)
app.add_typer(criteria_app, name="criteria")
app.add_typer(users_app, name="users")
app.add_typer(demo_app, name="demo")
app.add_typer(projections_app, name="projections")
app.add_typer(checkpoints_app, name="checkpoints")
app.add_typer(witness_app, name="witness")
app.add_typer(tiles_app, name="tiles")
app.command("verify")(verify)
reports_app = typer.Typer(help="Báo cáo thống kê đã gửi cấp trên.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")
titles_app = typer.Typer(help="Danh hiệu đã công nhận.", no_args_is_help=True)
app.add_typer(titles_app, name="titles")
app.command("bundle")(bundle)
app.add_typer(keys_app, name="keys")
app.add_typer(rules_app, name="rules")
app.command("import")(import_file)
app.command("import-template")(import_template)
app.add_typer(provinces_app, name="tinh")

out = Console()


@app.callback()
def console_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Lỗi không mong đợi: in đầy đủ (traceback)")
    ] = False,
    tinh: Annotated[
        str | None,
        typer.Option(
            "--tinh",
            envvar="HOCTAP_PROVINCE",
            help="Mã tỉnh có kho mà lệnh làm việc (khi đặt HOCTAP_PROVINCES_FILE)",
        ),
    ] = None,
) -> None:
    """Hoctap Ledger: sổ cái các danh hiệu học tập."""
    options.debug = debug
    options.province = tinh


@db_app.command("init")
def db_init() -> None:
    """Tạo bảng (một lần, an toàn khi nhiều tiến trình cùng khởi động)."""
    with open_ledger(initialise=True) as ledger:
        if ledger.auditor.tiles.size() < ledger.auditor.tiles.chain_size():
            catch_up_tiles(ledger)  # a log written before tiles: build them once
        out.print(f"Kho sự kiện sẵn sàng ({ledger.settings.backend}).")


@criteria_app.command("load-seed")
def criteria_load_seed() -> None:
    """Công bố các bộ tiêu chí mẫu chưa có trong danh mục."""
    with open_ledger() as ledger:
        published = ledger.criteria.load_seed_criteria(operator_context())
        out.print(f"Đã công bố {len(published)} bộ tiêu chí: {', '.join(published) or '-'}")


@criteria_app.command("publish")
def criteria_publish(path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Công bố một bộ tiêu chí (tệp JSON); nếu mã đã có, tạo phiên bản mới thay thế."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{path}: không đọc được JSON ({exc})")
    with open_ledger() as ledger:
        check_json_text(content, field=path.name)
        result = ledger.criteria.publish_criteria_set(operator_context(), content)
        out.print(f"Đã công bố {content.get('code')} (id {result.id}).")


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[list[Role], typer.Option("--role", "-r", help="Vai trò (lặp lại được)")],
    unit: Annotated[uuid.UUID | None, typer.Option(help="Đơn vị hành chính phụ trách")] = None,
    person: Annotated[uuid.UUID | None, typer.Option(help="Công dân ứng với tài khoản")] = None,
) -> None:
    """Tạo người dùng với các vai trò."""
    with open_ledger() as ledger:
        username = clean_text(username, field="username")
        result = ledger.access.create_user(operator_context(), username, role, unit, person)
        out.print(f"Đã tạo người dùng {username} ({result.id}).")


@users_app.command("token")
def users_token(
    username: str,
    ttl_hours: Annotated[int | None, typer.Option(help="Thời hạn (giờ)")] = None,
    label: Annotated[str | None, typer.Option(help="Ghi chú")] = None,
) -> None:
    """Cấp mã truy cập mới cho người dùng (chỉ hiện một lần)."""
    with open_ledger() as ledger:
        user = ledger.access.user_by_name(username)
        label = label and clean_text(label, field="label")
        issued = ledger.access.issue_token(operator_context(), user.id, ttl_hours, label)
        out.print(issued.token, markup=False, highlight=False, soft_wrap=True)
        Console(stderr=True).print(
            f"Mã số để thu hồi: {issued.token_id} (hoctap users revoke {issued.token_id}"
            " --reason …; danh sách mã: GET /users/me/tokens)",
            markup=False,
            highlight=False,
        )


@users_app.command("password")
def users_password(
    username: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Đọc mật khẩu từ dòng đầu của stdin")
    ] = False,
) -> None:
    """Đặt mật khẩu đăng nhập trang web; người dùng phải đổi ở lần đăng nhập tới."""
    if password_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    else:
        password = getpass.getpass("Mật khẩu mới: ")
        if getpass.getpass("Nhập lại: ") != password:
            fail("hai lần nhập mật khẩu không khớp")
    with open_ledger() as ledger:
        user = ledger.access.user_by_name(clean_text(username, field="username"))
        ledger.signin.set_password(operator_context(), user.id, password)
        out.print(f"Đã đặt mật khẩu cho {user.username}; phải đổi ở lần đăng nhập tới.")


@users_app.command("revoke")
def users_revoke(
    token_id: uuid.UUID, reason: Annotated[str, typer.Option(help="Lý do thu hồi")]
) -> None:
    """Thu hồi một mã truy cập."""
    with open_ledger() as ledger:
        reason = clean_text(reason, field="reason", multiline=True)
        ledger.access.revoke_token(operator_context(), token_id, reason)
        out.print("Đã thu hồi.")


@demo_app.command("load")
def demo_load() -> None:
    """Nạp dữ liệu minh họa (bỏ qua nếu đã có)."""
    with open_ledger() as ledger:
        with out.status("Đang nạp dữ liệu minh họa..."):
            created = load_demo(ledger)
        out.print(f"Dữ liệu minh họa: {'đã nạp' if created else 'đã có sẵn'}.")


@demo_app.command("generate")
def demo_generate(
    scale: Annotated[int, typer.Option(min=1, help="Số hồ sơ đánh giá (xấp xỉ)")],
    seed: Annotated[int, typer.Option(help="Hạt giống: cùng hạt giống, cùng dữ liệu")] = 2025,
    profile: Annotated[
        str | None,
        typer.Option(
            help="Hồ sơ năm công bố của một tỉnh (vd. hai-duong-2023): số đăng ký và tỷ lệ"
            " công nhận Công dân học tập theo nhóm đối tượng"
        ),
    ] = None,
) -> None:
    """Sinh bộ dữ liệu mô phỏng cấp tỉnh (tất định theo hạt giống và quy mô)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from application.clients.generator import generate
    from application.clients.generator.profile import load_profile
    from domain.glossary import CaseStatus, ComplaintStatus, label

    shaped_by = load_profile(profile) if profile else None
    with open_ledger() as ledger:
        columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress("[progress.description]{task.description}", *columns, console=out) as bar:
            task = bar.add_task("Đang sinh dữ liệu", total=None)
            summary = generate(
                ledger,
                scale,
                seed,
                lambda done, total: bar.update(task, completed=done, total=total),
                shaped_by,
                # a province's own store: one province, numbered by its code (MP01 for 01)
                province=int(options.province) if options.province else None,
            )
    table = Table(title=f"Dữ liệu mô phỏng (hạt giống {summary.seed}, quy mô {summary.scale})")
    table.add_column("Mục")
    table.add_column("Số lượng", justify="right")
    rows = [
        ("Tỉnh", summary.provinces),
        ("Huyện (đến 30/06/2025)", summary.districts),
        ("Xã trước sắp xếp", summary.communes),
        ("Xã mới sau sáp nhập (từ 01/07/2025)", summary.new_communes),
        ("Thôn, tổ dân phố", summary.villages),
        ("Công dân", summary.persons),
        ("Hộ gia đình", summary.households),
        ("Dòng họ", summary.clans),
        ("Cơ quan, đơn vị", summary.organisations),
        ("Người dùng", summary.users),
        *((f"Hồ sơ: {label(s)}", summary.cases_by_status[s.value]) for s in CaseStatus),
        ("Tổng số hồ sơ", summary.cases),
        ("Quyết định công nhận", summary.decisions),
        ("  trong đó sửa đổi, thu hồi", summary.amending_decisions),
        *(
            (f"Khiếu nại: {label(s)}", summary.complaints_by_status[s.value])
            for s in ComplaintStatus
        ),
        ("Khiếu nại lần hai", summary.second_complaints),
        ("Khởi kiện", summary.lawsuits),
        ("Tệp minh chứng", summary.evidence_files),
        ("Sự kiện trong kho", summary.events),
    ]
    for name, count in rows:
        table.add_row(name, f"{count:,}".replace(",", "."))
    out.print(table)
    if summary.sample_users:
        out.print(
            "Tài khoản (tên theo mẫu <mã đơn vị>.<việc>); đặt mật khẩu để đăng nhập trang:"
            " hoctap users password TÊN, mã truy cập API: hoctap users token TÊN",
            markup=False,
            highlight=False,
        )
        for role, username in summary.sample_users:
            out.print(f"  {label(role):<32} {username}", markup=False, highlight=False)


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Chạy API HTTP (uvicorn); nhiều tỉnh mà không chọn --tinh: mọi tỉnh dưới /tinh/<mã>."""
    settings = base_settings()
    if settings.provinces_file is not None and options.province is None:
        _serve_national(settings, host, port)
        return
    _serve(current_settings(), host, port)


def _serve_national(settings: Settings, host: str | None, port: int | None) -> None:
    import uvicorn

    from api.provinces import create_national_app

    app = create_national_app(settings)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port)


def _serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    import uvicorn

    from api.app import create_app

    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


@app.command("run")
def run() -> None:
    """Khởi tạo kho, nạp bộ tiêu chí và dữ liệu minh họa lần đầu, in cách đăng nhập, chạy API."""
    with open_ledger() as ledger:
        ledger.criteria.load_seed_criteria(operator_context())
        if not demo_loaded(ledger):
            with out.status("Lần chạy đầu: đang nạp dữ liệu minh họa..."):
                load_demo(ledger)
        _print_demo_sign_ins(ledger)
        settings = ledger.settings
    if not settings.runs_projections_in_api:
        # PostgreSQL's default is a separate `hoctap projections run`; one command for a
        # newcomer folds the views in this process, else every list stays empty.
        settings = settings.model_copy(update={"projections_in_api": True})
        out.print(
            "Mô hình đọc: cập nhật ngay trong tiến trình này (khi chạy nhiều tiến trình API,"
            " dùng `hoctap serve` và một tiến trình `hoctap projections run` riêng)",
            markup=False,
            highlight=False,
        )
    _serve(settings)


def _print_demo_sign_ins(ledger: Ledger) -> None:
    """One line per demo role, nothing folded: copy the password as it is printed."""
    out.print("Đăng nhập minh họa (mật khẩu mới mỗi lần chạy):", highlight=False)
    for role, username, password in demo_passwords(ledger):
        out.print(f"  {label(role):<32} {username:<16} {password}", markup=False, highlight=False)
    settings = ledger.settings
    base = f"http://{settings.host}:{settings.port}"
    out.print(f"Trang: {base}/trang", markup=False, highlight=False)
    out.print(f"API: {base}/docs (mã truy cập: hoctap users token TÊN)", markup=False)


def main() -> None:
    guarded(app)


@reports_app.command("reproduce")
def reproduce_report(report_id: Annotated[str, typer.Argument(help="Mã báo cáo")]) -> None:
    """Tính lại số liệu của báo cáo từ nhật ký tới vị trí chốt và so mã băm."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from application.adapters.read_models import ReadModels

    try:
        wanted = uuid.UUID(report_id)
    except ValueError:
        fail(f"mã báo cáo không hợp lệ: {report_id}")
    with open_ledger(initialise=False) as ledger:
        models = ReadModels(ledger.settings, ledger.store)
        try:
            columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress("[progress.description]{task.description}", *columns, console=out) as bar:
                task = bar.add_task("Dựng lại số liệu tới vị trí chốt", total=None)
                result = ledger.reports.reproduce_report(
                    operator_context(),
                    models,
                    wanted,
                    lambda done, total: bar.update(task, completed=done, total=total),
                )
        finally:
            models.close()
    if not result.matches:
        fail(
            f"số liệu không khớp: báo cáo ghi {result.stored_digest},"
            f" dựng lại từ nhật ký được {result.recomputed_digest}"
        )
    out.print(
        f"Khớp: số liệu dựng lại từ nhật ký tới vị trí {result.cut_off}"
        f" có đúng mã băm {result.stored_digest}."
    )


@titles_app.command("expire")
def expire_titles() -> None:
    """Ghi nhận hết hiệu lực cho mọi danh hiệu đã quá hạn (việc định kỳ của tiến trình mô hình
    đọc; chạy tay được, chạy lại không ghi gì thêm)."""
    from application.adapters.read_models import ReadModels
    from application.clients.housekeeping import expire_lapsed_titles

    with open_ledger(initialise=False) as ledger:
        models = ReadModels(ledger.settings, ledger.store)
        try:
            models.initialise()
            models.catch_up()
            count = expire_lapsed_titles(ledger, models)
        finally:
            models.close()
    out.print(f"Đã ghi nhận hết hiệu lực: {count} danh hiệu.")
