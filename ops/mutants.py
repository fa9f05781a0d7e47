"""Mutation score per module: run mutmut over the rules that matter, then count.

    .venv/bin/python -m ops.mutants            # run (long: tens of minutes) and report
    .venv/bin/python -m ops.mutants --report   # report on the last run only
    .venv/bin/python -m ops.mutants 'domain.integrity*' 'api.idempotency*'   # some modules
    .venv/bin/python -m ops.mutants --pin      # pin what each listed equivalent changes

What is mutated and which tests run is in ``[tool.mutmut]`` of pyproject.toml. A mutant
listed in ops/mutants-equivalent.txt (one name per line, ``#`` for the reason) changes no
behaviour and is left out of the score; every other mutant that no test kills, including one
that no selected test reaches, counts against it.

mutmut numbers the mutants of a function in order, so an edit of the function can give a
listed name to another mutation. ``--pin`` writes, for every listed name, a digest of the
lines its mutation changes (ops/mutants-equivalent.pins); the report then counts a listed
mutant whose change is no longer the pinned one against the score, as "stale", to be looked
at again, and names the listed mutants not pinned yet.
"""

from __future__ import annotations

import argparse
import hashlib
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
PINS = ROOT / "ops" / "mutants-equivalent.pins"
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


def fingerprint(diff: str) -> str:
    """What a mutation changes, whatever the line numbers and context: a digest of the
    removed and added lines of its diff."""
    changed = [
        line
        for line in diff.splitlines()
        if line[:1] in ("-", "+") and not line.startswith(("---", "+++"))
    ]
    return hashlib.sha256("\n".join(changed).encode()).hexdigest()[:16]


def read_pins(path: Path = PINS) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split() for line in path.read_text("utf-8").splitlines())
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


def write_pins(pins: dict[str, str], path: Path = PINS) -> None:
    path.write_text("".join(f"{name} {pin}\n" for name, pin in sorted(pins.items())), "utf-8")


def stale_and_unpinned(
    equivalent: set[str], pins: dict[str, str], found: dict[str, str]
) -> tuple[set[str], set[str]]:
    """Of the listed equivalents whose change is known now (``found``: name -> fingerprint),
    those pinned to another change (stale), and those not pinned."""
    stale = {name for name in equivalent if name in found and name in pins}
    stale = {name for name in stale if pins[name] != found[name]}
    unpinned = {name for name in equivalent if name in found and name not in pins}
    return stale, unpinned


def current_fingerprints(names: set[str]) -> dict[str, str]:
    """The fingerprint of each of ``names`` that mutmut's last run made (its mutants folder),
    read in process (mutmut is pinned: its internals are known)."""
    from mutmut.__main__ import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.utils.file_utils import walk_mutatable_files

    paths: dict[str, Path] = {}
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        paths |= dict.fromkeys(set(data.exit_code_by_key) & names, path)
    return {name: fingerprint(get_diff_for_mutant(name, path=path)) for name, path in paths.items()}


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
        if status in KILLED:  # killed, listed or not (a listed one may time out on a busy
            continue  # machine): counted once, as killed, never also left out as equivalent
        if name in equivalent:
            score.equivalent += 1
        else:
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
    parser.add_argument(
        "--pin",
        action="store_true",
        help="ghim thay đổi của từng đột biến tương đương, rồi báo cáo",
    )
    parser.add_argument("mutants", nargs="*", help="mẫu tên đột biến, ví dụ 'domain.integrity*'")
    args = parser.parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 160)  # a log: whole names
    if not args.report and not args.pin:
        run = [str(MUTMUT), "run", "--max-children", str(args.max_children), *args.mutants]
        subprocess.run(run, cwd=ROOT, check=False)
    results = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    equivalent = equivalent_mutants()
    pins, found = read_pins(), current_fingerprints(equivalent)
    if args.pin:
        write_pins(pins | found)
        console.print(f"Đã ghim {len(found)} đột biến tương đương.", highlight=False)
        pins = read_pins()
    stale, unpinned = stale_and_unpinned(equivalent, pins, found)
    by_module = scores(results.stdout, equivalent - stale)
    if not by_module:
        console.print("Chưa có kết quả: chạy `make mutants` trước.", highlight=False)
        return 1
    report(console, by_module)
    for name in sorted(stale):
        console.print(f"  [red]tương đương cũ[/] {name}: đột biến đã đổi, xem lại", highlight=False)
    for name in sorted(equivalent - set(found) if found else ()):
        console.print(f"  [yellow]không còn[/] {name}: bỏ khỏi danh sách", highlight=False)
    if unpinned:
        console.print(
            f"  [yellow]{len(unpinned)} đột biến tương đương chưa ghim[/]"
            " (python -m ops.mutants --pin)",
            highlight=False,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
