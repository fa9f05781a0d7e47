"""A province's published year, as data: per target group, how many registered for Công dân
học tập and the share recognised (of those registered). With a profile, the generator gives
the cycle the profile simulates those registration shares, and grants exactly
``round(rate × registered)`` cases per group, so the published rates reproduce in the
statistics within rounding at any scale (no draw decides them).

The generator's cycles begin in 2024 (its subjects register on 2024-06-01), so a profile names
the generated cycle that stands for its published year (``simulated_cycle``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from domain.errors import InvalidInput

PROFILE_DIR = Path(__file__).parents[2] / "seed"


@dataclass(frozen=True, slots=True)
class GroupProfile:
    code: str
    registered: int
    recognised_rate: Decimal  # percent of registered


@dataclass(frozen=True, slots=True)
class Profile:
    code: str
    title: str
    published_year: int
    simulated_cycle: int
    groups: tuple[GroupProfile, ...]

    @property
    def weights(self) -> tuple[tuple[str, int], ...]:
        return tuple((g.code, g.registered) for g in self.groups)

    def rate(self, code: str | None) -> Decimal | None:
        return next((g.recognised_rate for g in self.groups if g.code == code), None)


def profile_names(directory: Path = PROFILE_DIR) -> list[str]:
    return sorted(p.stem.removeprefix("profile-") for p in directory.glob("profile-*.json"))


def load_profile(code: str, directory: Path = PROFILE_DIR) -> Profile:
    path = directory / f"profile-{code}.json"
    if code not in profile_names(directory) or not path.is_file():
        raise InvalidInput(
            "không có hồ sơ mô phỏng này",
            field="profile",
            known=", ".join(profile_names(directory)),
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    return Profile(
        code=data["code"],
        title=data["title"],
        published_year=int(data["published_year"]),
        simulated_cycle=int(data["simulated_cycle"]),
        groups=tuple(
            GroupProfile(g["code"], int(g["registered"]), Decimal(g["recognised_rate"]))
            for g in data["groups"]
        ),
    )
