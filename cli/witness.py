"""``hoctap witness``: run a witness with its own key, for logs it does not operate.

``init`` makes the key (a file only its operator reads) and prints the vkey to give the log;
``serve`` answers the tlog-witness protocol over HTTP; ``evidence`` lists the forks it kept.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from api.witness import create_witness_app
from application.adapters.notary import Cosigner
from application.adapters.witness_state import WitnessStateFile
from application.ledger import open_witness
from cli.errors import fail

out = Console()
witness_app = typer.Typer(
    help="Nhân chứng: đồng ký điểm kiểm của nhật ký khác (c2sp.org/tlog-witness).",
    no_args_is_help=True,
)

KeyFile = Annotated[Path, typer.Option("--key", help="Tệp khóa bí mật của nhân chứng")]
StateFile = Annotated[
    Path, typer.Option("--state", help="Tệp trạng thái: điểm kiểm đã đồng ký mới nhất mỗi nhật ký")
]


@witness_app.command("init")
def init(
    name: Annotated[str, typer.Option(help="Tên nhân chứng, ví dụ thanh-tra.example/w1")],
    key: KeyFile,
) -> None:
    """Tạo khóa Ed25519 của nhân chứng và in khóa xác minh (vkey) để đưa cho nhật ký."""
    if key.exists():
        fail(f"{key} đã có; không ghi đè khóa của nhân chứng")
    cosigner = Cosigner.generate(name)
    key.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(cosigner.skey() + "\n")
    out.print(f"Đã ghi khóa bí mật vào {key} (chỉ chủ tệp đọc được).")
    out.print("Khóa xác minh (đặt vào HOCTAP_WITNESS_KEYS của nhật ký):")
    out.print(str(cosigner.vkey), markup=False, highlight=False, soft_wrap=True)


@witness_app.command("serve")
def serve(
    key: KeyFile,
    state: StateFile,
    log: Annotated[
        list[str],
        typer.Option("--log", help="Khóa xác minh của nhật ký được theo dõi (lặp lại được)"),
    ],
    host: Annotated[str, typer.Option(help="Địa chỉ lắng nghe")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Cổng")] = 8100,
) -> None:
    """Chạy nhân chứng qua HTTP: POST /add-checkpoint, GET /<băm nguồn gốc>/checkpoint."""
    witness = open_witness(key, state, log)
    out.print(f"Nhân chứng {witness.cosigner.vkey} tại http://{host}:{port}", markup=False)
    uvicorn.run(create_witness_app(witness), host=host, port=port)


@witness_app.command("evidence")
def evidence(state: StateFile) -> None:
    """Liệt kê bằng chứng rẽ nhánh nhân chứng đã ghi (mỗi tệp: hai ghi chú và bằng chứng)."""
    folder = WitnessStateFile(state).evidence_dir
    files = sorted(folder.glob("*.json")) if folder.exists() else []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        out.print(
            f"{path}: {data['kind']} — {data['origin']}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    out.print(f"{len(files)} bằng chứng.")
