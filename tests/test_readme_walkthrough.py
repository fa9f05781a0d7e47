"""The README's walk-through, run as written: its shell block, against a live server on a
fresh store loaded with the demo, must take a new citizen to a granted title and print the
explanation. When a command in the README stops working, this fails."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import IN_CI
from tests.test_cli import free_port

REPO = Path(__file__).resolve().parents[1]
HOCTAP = [sys.executable, "-m", "cli"]


def walkthrough() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(
        r"<!-- walkthrough:start -->\s*```sh\n(.*?)```\s*<!-- walkthrough:end -->", readme, re.S
    )
    assert found, "README.md lost its walk-through block"
    return found.group(1)


def test_the_readme_walkthrough_grants_a_title_as_written(tmp_path: Path):
    missing = [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]
    if missing:
        reason = f"the walk-through needs {', '.join(missing)} (.ci/run installs them)"
        if IN_CI:
            pytest.fail(f"CI=true requires the README walk-through: {reason}")
        pytest.skip(reason)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCTAP_")}
    env |= {"HOCTAP_VAR_DIR": str(tmp_path / "var"), "HOCTAP_PORT": str(port)}
    loaded = subprocess.run(
        [*HOCTAP, "demo", "load"], env=env, cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert loaded.returncode == 0, loaded.stderr
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([*HOCTAP, "serve"], env=env, cwd=REPO, stdout=log, stderr=log)
    try:
        for _ in range(120):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", walkthrough()],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert "granted" in lines
    assert any("được công nhận danh hiệu Công dân học tập" in line for line in lines), lines
