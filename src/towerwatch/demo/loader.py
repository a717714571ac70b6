"""Load the demo district: Jiangjin's real territory, its public bodies and synthetic buildings.

Deterministic: everything random comes from one `random.Random(seed)`, dates are relative to
:data:`REFERENCE_DATE`, and on SQLite the wiped tables' id sequences restart, so the same seed
gives the same rows (ids included). Only `created_at` / `updated_at` and the password salt vary.

The territory (district, 5 streets, 25 towns, 6 platforms, their codes and centres) comes from
`organizations/data/jiangjin.yaml`. Communities/villages named there are real; elsewhere 3 to 5 are
generated ("几江一社区", "黄桷村", "滨江新城一片区"; `Community.generated`, counted in the summary:
the Region model has no field to flag them). Grids, boundaries (16-sided circles marked
approximate), organizations other than the public bodies, people and buildings are synthetic.

Speed: rows are written with `bulk_create`, which skips the change-log signals on purpose (the
demo seeding is not a change anyone made), and the derived fields that `save()` would compute
(`Region.path`…, `Building.search_text`, classification, completeness) are set here.
"""

from __future__ import annotations

import time
from collections import Counter as Tally
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from towerwatch.accounts.choices import Role
from towerwatch.accounts.models import Membership
from towerwatch.buildings.choices import Category, FireSystemKind
from towerwatch.core.db import refresh_statistics
from towerwatch.organizations.actions import sync_sectors
from towerwatch.organizations.models import Organization, Region

from .buildings import BuildingLoader
from .hazards import HazardLoader
from .inspections import write_inspections
from .personas import DEMO_PASSWORD, PERSONAS
from .reports import load_reports_and_campaign
from .territory import TerritoryLoader
from .wipe import wipe_demo_data


class DemoLoader(TerritoryLoader, BuildingLoader, HazardLoader):
    """Builds the demo district in memory, then writes it table by table."""

    def load_users(self) -> None:
        jijiang = [g for g in self.grids if g.unit.name == "几江街道"]
        self.grid_persona = max(jijiang, key=lambda g: g.buildings) if jijiang else self.grids[0]
        password = make_password(DEMO_PASSWORD)  # one hash for all: hashing is the slow part
        user_model = get_user_model()
        users, memberships = [], []
        for persona in PERSONAS:
            org = self.orgs[persona.org_key]
            grid = self.grid_persona if persona.role == Role.GRID_OFFICER else None
            name = grid.officer.name if grid else self.person_name()
            user = user_model(username=persona.username, first_name=name, password=password)
            users.append(user)
            memberships.append(
                Membership(
                    user=user,
                    organization=org,
                    role=persona.role,
                    grid=grid.region if grid else None,
                )
            )
        user_model.objects.bulk_create(users)
        Membership.objects.bulk_create(memberships)
        for user, membership in zip(users, memberships, strict=True):
            user.active_membership = membership
        user_model.objects.bulk_update(users, ["active_membership"])

    def run(self) -> dict[str, Any]:
        start = time.perf_counter()
        self.say(f"Loading the demo district: {self.n} buildings, seed {self.seed}")
        with transaction.atomic():
            self.step("wipe", wipe_demo_data)
            self.step("sectors", sync_sectors)
            self.step("regions", self.load_regions)
            self.step("organizations", self.load_organizations)
            self.step("people", self.load_people)
            self.step("plan buildings", self.plan_buildings)
            self.step("classification", self.classify)
            self.step("parties", self.assign_parties)
            self.step("responsibility", self.plan_responsibilities)
            self.step("write buildings", self.write_buildings)
            self.step("fire systems", self.write_fire_systems)
            self.step("contracts", self.write_contracts)
            self.step("users", self.load_users)
            self.step("hazards", self.load_hazards)
            self.step("public reports", lambda: load_reports_and_campaign(self.rng))
            self.step("inspections", lambda: write_inspections(self))
        if not connection.in_atomic_block:  # VACUUM cannot run inside a caller's transaction
            self.step("statistics", refresh_statistics)
        return self.summary(time.perf_counter() - start)

    def summary(self, seconds: float) -> dict[str, Any]:
        buildings = [p.building for p in self.plans]
        return {
            "seed": self.seed,
            "seconds": round(seconds, 2),
            "timings": self.timings,
            "regions": dict(Tally(Region.objects.values_list("kind", flat=True))),
            "generated_communities": sum(c.generated for u in self.units for c in u.communities),
            "organizations": dict(Tally(Organization.objects.values_list("kind", flat=True))),
            "people": self.counts["people"],
            "certificates": self.counts["certificates"],
            "buildings": len(buildings),
            "fire_classes": dict(Tally(b.fire_class for b in buildings)),
            "residential": sum(b.category == Category.RESIDENTIAL for b in buildings),
            "complete": sum(b.completeness == 100 for b in buildings),
            "responsibilities": sum(len(p.links) for p in self.plans),
            "fire_systems": len(buildings) * len(FireSystemKind.values),
            "service_contracts": self.counts["service_contracts"],
            "users": len(PERSONAS),
            "hazards": self.counts.get("hazards", 0),
            "grid_persona": self.grid_persona.region.name if self.grid_persona else None,
        }


def load_demo(
    buildings: int = 1500, seed: int = 20200424, stdout: TextIO | None = None
) -> dict[str, Any]:
    """Wipe the demo-able data and load the demo district (one transaction); returns a summary."""
    if buildings < 0:
        raise ValueError("buildings must be 0 or more")
    return DemoLoader(buildings, seed, stdout).run()
