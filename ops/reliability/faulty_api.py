"""The API with one fault injected, for the idempotency check:

    python -m ops.reliability.faulty_api <port>

The process kills itself (SIGKILL) at the moment it would complete an ``Idempotency-Key``
record, i.e. after the command's events were committed and before the key remembers the
answer. Nothing else differs from ``hoctap serve``: same settings from the environment, same
``create_app``. The patch lives only in this process; the API code is untouched.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

import uvicorn

from api.app import create_app
from application.adapters import idempotency
from application.settings import Settings


def _die(*_: Any, **__: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(port: int) -> None:
    idempotency.PostgresIdempotencyStore.complete = _die  # type: ignore[method-assign]
    idempotency.SQLiteIdempotencyStore.complete = _die  # type: ignore[method-assign]
    uvicorn.run(create_app(Settings()), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(int(sys.argv[1]))
