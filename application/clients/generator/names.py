"""Vietnamese-sounding names, places and identity numbers, drawn from a seeded generator.

Everything here is fictitious. Family names follow their rough frequency in Vietnam; CCCD
numbers use province prefixes 101-134, which no real province has, so a generated number can
never be someone's real one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from domain.text import nfc

#: (family name, relative weight): Nguyễn alone is about 38 % of the population.
FAMILY_NAMES = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 4),
    ("Huỳnh", 2),
    ("Phan", 4),
    ("Vũ", 3),
    ("Võ", 2),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 1),
    ("Ngô", 1),
    ("Dương", 1),
    ("Lý", 1),
)
MIDDLE = {
    "nam": ("Văn", "Hữu", "Đức", "Minh", "Quang", "Công"),
    "nu": ("Thị", "Ngọc", "Thu", "Thanh", "Kim"),
}
GIVEN = {
    "nam": (
        "Anh",
        "Bình",
        "Cường",
        "Dũng",
        "Hùng",
        "Hải",
        "Long",
        "Nam",
        "Phúc",
        "Quân",
        "Sơn",
        "Thắng",
        "Tuấn",
        "Việt",
        "Khoa",
        "Lâm",
    ),
    "nu": (
        "Hoa",
        "Lan",
        "Hương",
        "Mai",
        "Linh",
        "Ngọc",
        "Trang",
        "Thảo",
        "Hạnh",
        "Yến",
        "Nhung",
        "Hằng",
        "Vân",
        "Thư",
    ),
}
ETHNICITIES = (
    ("Kinh", 85),
    ("Tày", 3),
    ("Thái", 3),
    ("Mường", 2),
    ("Khmer", 2),
    ("Hoa", 1),
    ("Nùng", 2),
    ("Mông", 2),
)
PLACE_SYLLABLES = (
    "An", "Bình", "Hòa", "Phú", "Tân", "Thạnh", "Long", "Phước", "Hưng", "Thuận", "Mỹ", "Đông",
    "Tây", "Vĩnh", "Quang", "Minh", "Thanh", "Xuân", "Trung", "Hiệp", "Đức", "Lộc", "Phong",
    "Sơn", "Hải", "Lâm", "Cát", "Kim", "Ngọc", "Tiến", "Thịnh", "Khánh", "Lạc", "Nghĩa",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class FullName:
    family: str
    middle: str
    given: str

    def __str__(self) -> str:
        return f"{self.family} {self.middle} {self.given}"


class Names:
    """Names, dates and numbers from one seeded :class:`random.Random`."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._families = [f for f, _ in FAMILY_NAMES]
        self._family_weights = [w for _, w in FAMILY_NAMES]
        self._ethnicities = [e for e, _ in ETHNICITIES]
        self._ethnicity_weights = [w for _, w in ETHNICITIES]

    def family(self) -> str:
        return self.rng.choices(self._families, self._family_weights)[0]

    def person(self, gender: str, family: str | None = None) -> FullName:
        return FullName(
            nfc(family or self.family()),
            nfc(self.rng.choice(MIDDLE[gender])),
            nfc(self.rng.choice(GIVEN[gender])),
        )

    def ethnicity(self) -> str:
        return nfc(self.rng.choices(self._ethnicities, self._ethnicity_weights)[0])

    def born(self, first_year: int, last_year: int) -> date:
        start = date(first_year, 1, 1)
        return start + timedelta(days=self.rng.randrange((date(last_year, 12, 31) - start).days))

    def place(self, taken: set[str]) -> str:
        """A two-syllable place name not yet in ``taken`` (which it joins)."""
        for _ in range(50):
            name = " ".join(self.rng.sample(PLACE_SYLLABLES, 2))
            if name not in taken:
                taken.add(name)
                return nfc(name)
        name = f"{self.rng.choice(PLACE_SYLLABLES)} {len(taken) + 1}"
        taken.add(name)
        return nfc(name)


def cccd_number(province_prefix: int, gender: str, born: date, serial: int) -> str:
    """12 digits: birth province, gender-and-century, year of birth, then a serial.

    ``serial`` must be unique within the province; it is scrambled by a bijection of
    0..999999 (multiplication by a number prime to 10) so that numbers do not look sequential.
    """
    century = 0 if born.year < 2000 else 2
    digit = century + (1 if gender == "nu" else 0)
    scrambled = (serial * 7919 + 104_729) % 1_000_000
    return f"{province_prefix:03d}{digit}{born.year % 100:02d}{scrambled:06d}"
