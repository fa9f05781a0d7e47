"""``hoctap rules``: publish rule data that comes from law, such as the public holidays."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from application.clients.holidays import DEFAULT_YEARS, with_holidays
from cli.errors import fail
from cli.session import open_ledger, operator_context
from domain.rules import COMPLAINT_CLOCKS

out = Console()
rules_app = typer.Typer(help="Quy định công bố dưới dạng dữ liệu.", no_args_is_help=True)


@rules_app.command("holidays")
def publish_holidays(
    first: Annotated[int, typer.Option("--from", help="Năm đầu")] = DEFAULT_YEARS.start,
    last: Annotated[int, typer.Option("--to", help="Năm cuối")] = DEFAULT_YEARS.stop - 1,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ in, không công bố")] = False,
) -> None:
    """Công bố phiên bản mới của thời hạn khiếu nại có danh sách ngày nghỉ lễ (kể cả Tết âm
    lịch, ngày nghỉ bù) của các năm đã chọn; khiếu nại đã nhận vẫn tính theo phiên bản cũ."""
    if not 2000 <= first <= last <= 2100:
        fail(f"năm không hợp lệ: từ {first} đến {last} (trong khoảng 2000-2100)")
    with open_ledger() as ledger:
        latest = ledger.criteria.latest_rules(COMPLAINT_CLOCKS)
        if latest is None:
            fail("chưa công bố thời hạn khiếu nại: chạy 'hoctap criteria load-seed' trước")
        content = with_holidays(latest.content, range(first, last + 1))
        table = Table(title=f"Ngày nghỉ lễ {first}-{last}")
        table.add_column("Ngày")
        table.add_column("Tên")
        for item in content["holidays"]:
            if isinstance(item, dict) and first <= int(item["date"][:4]) <= last:
                table.add_row(item["date"], item["name"])
        out.print(table)
        if dry_run:
            out.print("Chạy thử: chưa công bố gì.")
            return
        ledger.criteria.publish_rules(operator_context(), COMPLAINT_CLOCKS, content)
        published = ledger.criteria.latest_rules(COMPLAINT_CLOCKS)
        version = published.version_number if published else "?"
        out.print(f"Đã công bố {content['code']} phiên bản {version}.")
