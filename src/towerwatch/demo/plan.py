"""The demo loader's in-memory plan: geometry, territory and building records, random draws."""

from __future__ import annotations

import base64
import math
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from django.core.exceptions import ValidationError

from towerwatch.buildings.choices import BuildingUse as U
from towerwatch.buildings.choices import ManagingArrangement
from towerwatch.buildings.models import Building
from towerwatch.organizations.models import Organization, Person, Region
from towerwatch.organizations.validators import (
    CREDIT_CODE_CHARSET,
    credit_code_check_char,
    normalize_phone,
    validate_credit_code,
)

from .tables import GIVEN, MAIN_UNITS, MOBILE_PREFIXES, ORDINALS, SURNAMES

# --------------------------------------------------------------------------------------------
# Geometry (WGS84 degrees; distances in km, good enough at Jiangjin's latitude)


def offset(lon: float, lat: float, east_km: float, north_km: float) -> tuple[float, float]:
    return lon + east_km / (111.320 * math.cos(math.radians(lat))), lat + north_km / 110.574


def jitter(rng: random.Random, lon: float, lat: float, max_km: float) -> tuple[float, float]:
    radius, angle = max_km * math.sqrt(rng.random()), rng.random() * 2 * math.pi
    return offset(lon, lat, radius * math.cos(angle), radius * math.sin(angle))


def circle(lon: float, lat: float, radius_km: float, sides: int = 16) -> list[list[float]]:
    """A closed counter-clockwise ring approximating a circle."""
    ring = []
    for k in range(sides):
        a = 2 * math.pi * k / sides
        x, y = offset(lon, lat, radius_km * math.cos(a), radius_km * math.sin(a))
        ring.append([round(x, 6), round(y, 6)])
    return [*ring, ring[0]]


def hull(points: list[list[float]]) -> list[list[float]]:
    """The convex hull (counter-clockwise, closed) of the points: Andrew's monotone chain."""
    pts = sorted({(p[0], p[1]) for p in points})

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    ring = [list(p) for p in lower[:-1] + upper[:-1]]
    return [*ring, ring[0]]


def dec(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}")


# --------------------------------------------------------------------------------------------
# The in-memory plan


@dataclass(eq=False)
class Unit:
    """A street, town or platform, with its government and people."""

    name: str
    kind: str
    code: str
    lon: float
    lat: float
    listed: list[str]
    region: Region | None = None
    government: Organization | None = None
    roads: list[str] = field(default_factory=list)
    communities: list[Community] = field(default_factory=list)

    @property
    def short(self) -> str:
        for suffix in ("街道", "镇"):
            if self.name.endswith(suffix) and len(self.name) > len(suffix) + 1:
                return self.name[: -len(suffix)]
        return self.name


@dataclass(eq=False)
class Community:
    unit: Unit
    region: Region
    lon: float
    lat: float
    generated: bool
    grids: list[Grid] = field(default_factory=list)


@dataclass(eq=False)
class Grid:
    unit: Unit
    region: Region
    lon: float
    lat: float
    officer: Person | None = None
    estates: list[Estate] = field(default_factory=list)
    buildings: int = 0


@dataclass(eq=False)
class Estate:
    """A residential estate (several buildings) or one public building: one owner, one manager."""

    name: str
    address: str
    grid: Grid
    residential: bool
    year: int | None
    use: str = U.RESIDENTIAL
    old: bool = False
    outlets: bool = False
    band: tuple[float, float] = (28.0, 34.0)
    storey_area: float = 500.0
    plans: list[Plan] = field(default_factory=list)
    owner: Organization | None = None
    manager: Organization | None = None
    arrangement: str = ManagingArrangement.NONE


@dataclass(eq=False)
class Plan:
    """One building before it is inserted: the row and what hangs off it."""

    building: Building
    estate: Estate
    sectors: list[str]
    links: list[tuple[str, Organization | None, Person | None]] = field(default_factory=list)


@dataclass(eq=False)
class Staff:
    """The people of one organization, by the part they play."""

    responsible: Person | None = None
    managers: list[Person] = field(default_factory=list)
    leader: Person | None = None
    others: list[Person] = field(default_factory=list)


class LoaderBase:
    """State shared by the loader's parts, and the random draws they all use.

    Sets are only asked for membership, never iterated: iteration order of a set of strings
    changes from one process to the next, and the demo must not.
    """

    def __init__(self, buildings: int, seed: int, stdout: TextIO | None) -> None:
        self.n = buildings
        self.seed = seed
        self.rng = random.Random(seed)
        self.stdout = stdout
        self.timings: dict[str, float] = {}
        self.units: list[Unit] = []
        self.grids: list[Grid] = []
        self.orgs: dict[str, Organization] = {}
        self.staff: dict[int, Staff] = {}
        self.estates: list[Estate] = []
        self.plans: list[Plan] = []
        self._credit_codes: set[str] = set()
        self._names: set[str] = set()
        self._pool: dict[str, list[Organization]] = {}
        self.grid_persona: Grid | None = None
        self.counts: dict[str, int] = {}

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")

    def step(self, label: str, fn: Any) -> None:
        start = time.perf_counter()
        fn()
        self.timings[label] = round(time.perf_counter() - start, 3)
        self.say(f"  {label:<16} {self.timings[label]:7.2f} s")

    def person_name(self) -> str:
        rng = self.rng
        surname = rng.choices(SURNAMES, weights=[max(1, 40 - i) for i in range(len(SURNAMES))])[0]
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.65 else "")
        return surname + given

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            try:
                return normalize_phone(number)
            except ValidationError:  # an unassigned range: draw again
                continue

    def landline(self) -> str:
        return normalize_phone(f"023-4{self.rng.choice('5678')}{self.rng.randrange(10**6):06d}")

    def credit_code(self, prefix: str) -> str:
        """A unique, valid GB 32100 code: prefix ("91" company, "11" organ, "12" institution),
        the district's 6-digit code, a 9-character GB 11714 organization code, a check char."""
        while True:
            if prefix == "91":
                body = "MA" + "".join(self.rng.choice(CREDIT_CODE_CHARSET) for _ in range(6))
            else:
                body = "".join(self.rng.choice("0123456789") for _ in range(8))
            first17 = f"{prefix}500116{body}{_organization_code_check(body)}"
            code = first17 + credit_code_check_char(first17)
            if code not in self._credit_codes:
                validate_credit_code(code)
                self._credit_codes.add(code)
                return code

    def unique_name(self, candidates: list[str]) -> str:
        for name in candidates:
            if name not in self._names:
                self._names.add(name)
                return name
        base = candidates[-1]
        for k in range(2, 10_000):
            name = f"{base}{ORDINALS[k - 1]}期" if k <= len(ORDINALS) else f"{base}{k}期"
            if name not in self._names:
                self._names.add(name)
                return name
        raise RuntimeError("ran out of names")  # pragma: no cover

    def address(self, unit: Unit) -> str:
        return f"{unit.name}{self.rng.choice(unit.roads)}{self.rng.randint(1, 399)}号"

    def main_units(self) -> list[Unit]:
        return [u for u in self.units if u.name in MAIN_UNITS] or self.units

    def token(self) -> str:
        return base64.urlsafe_b64encode(self.rng.getrandbits(72).to_bytes(9, "big")).decode()


def _organization_code_check(body: str) -> str:
    """The GB 11714 check character of an 8-character organization code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(
        (int(c) if c.isdigit() else ord(c) - ord("A") + 10) * w
        for c, w in zip(body, weights, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))
