"""Mutation score per module: run mutmut over the rules that matter, then count.

    .venv/bin/python -m ops.mutants            # run (long: tens of minutes) and report
    .venv/bin/python -m ops.mutants --report   # report on the last run only
    .venv/bin/python -m ops.mutants 'domain.integrity*' 'api.idempotency*'   # some modules

What is mutated and which tests run is in ``[tool.mutmut]`` of pyproject.toml. A mutant
listed in ops/mutants-equivalent.txt (one name per line, ``#`` for the reason) changes no
behaviour and is left out of the score; every other mutant that no test kills, including one
that no selected test reaches, counts against it.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "ops" / "mutants-equivalent.txt"
MUTMUT = Path(sys.executable).parent / "mutmut"
#: "    domain.integrity.x_leaf_bytes__mutmut_3: killed"
_LINE = re.compile(r"^\s*(?P<name>\S+__mutmut_\d+): (?P<status>.+)$")
_MODULE = re.compile(r"^(?P<module>.+?)\.x[_ǁ]")
KILLED = {"killed", "timeout", "segfault"}


@dataclass
class Score:
    statuses: Counter[str] = field(default_factory=Counter)
    survivors: list[str] = field(default_factory=list)
    equivalent: int = 0

    @property
    def counted(self) -> int:
        return sum(self.statuses.values()) - self.equivalent

    @property
    def killed(self) -> int:
        return sum(n for status, n in self.statuses.items() if status in KILLED)

    @property
    def percent(self) -> float:
        return 100.0 * self.killed / self.counted if self.counted else 100.0


def equivalent_mutants(path: Path = EQUIVALENT) -> set[str]:
    if not path.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return {line for line in lines if line}


def scores(results: str, equivalent: set[str]) -> dict[str, Score]:
    """Per module, from ``mutmut results --all true``."""
    by_module: dict[str, Score] = defaultdict(Score)
    for line in results.splitlines():
        match = _LINE.match(line)
        if match is None:
            continue
        name, status = match["name"], match["status"].strip()
        if status == "not checked":  # not part of this run
            continue
        module = _MODULE.match(name)
        score = by_module[module["module"] if module else name]
        score.statuses[status] += 1
        if name in equivalent:
            score.equivalent += 1
        elif status not in KILLED:
            score.survivors.append(f"{name}: {status}")
    return dict(sorted(by_module.items()))


def report(console: Console, by_module: dict[str, Score]) -> None:
    table = Table(title="Điểm đột biến (mutation score) theo mô-đun")
    for column in ("mô-đun", "bị diệt", "sống sót", "không test", "tương đương", "điểm"):
        table.add_column(column, justify="left" if column == "mô-đun" else "right", no_wrap=True)
    for module, score in by_module.items():
        table.add_row(
            module,
            str(score.killed),
            str(score.statuses["survived"]),
            str(score.statuses["no tests"]),
            str(score.equivalent),
            f"{score.percent:.1f}%",
        )
    console.print(table)
    for score in by_module.values():
        for survivor in score.survivors:
            console.print(f"  [yellow]sống sót[/] {survivor}", highlight=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="chỉ báo cáo lần chạy trước")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("mutants", nargs="*", help="mẫu tên đột biến, ví dụ 'domain.integrity*'")
    args = parser.parse_args(argv)
    console = Console()
    if not args.report:
        run = [str(MUTMUT), "run", "--max-children", str(args.max_children), *args.mutants]
        subprocess.run(run, cwd=ROOT, check=False)
    results = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    by_module = scores(results.stdout, equivalent_mutants())
    if not by_module:
        console.print("Chưa có kết quả: chạy `make mutants` trước.", highlight=False)
        return 1
    report(console, by_module)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
