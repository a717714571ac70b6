"""The demo district's synthetic buildings and what hangs off them (links, systems, contracts)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from towerwatch.buildings.actions import CODE_COUNTER, apply_classification, completeness_of
from towerwatch.buildings.choices import BuildingUse as U
from towerwatch.buildings.choices import (
    Category,
    FireClass,
    FireSystemKind,
    FireSystemState,
    ManagingArrangement,
    Stage,
)
from towerwatch.buildings.choices import ResponsibilityRole as R
from towerwatch.buildings.models import Building, FireSystem, Responsibility, ServiceContract
from towerwatch.buildings.search import index_buildings
from towerwatch.core.models import Counter
from towerwatch.organizations.choices import RegionKind, ServiceKind
from towerwatch.organizations.choices import SectorCode as S
from towerwatch.organizations.models import Organization, Person, validate_in_china
from towerwatch.rules.ruleset import RuleSet

from .plan import Estate, Grid, LoaderBase, Plan, Unit, dec, jitter
from .tables import (
    BATCH,
    ESTATE_SUFFIXES,
    ESTATE_WORDS,
    FAULT_NOTES,
    FORCED,
    LIVE_CONTRACT_END,
    MAIN_UNITS,
    OLD_ESTATE_SUFFIXES,
    OWNER_PERSONA_BUILDINGS,
    PROPERTY_PERSONA_BUILDINGS,
    PROPERTY_PERSONA_UNITS,
    PUBLIC_USES,
    PUBLIC_WORDS,
    REFERENCE_DATE,
    RESIDENTIAL_BANDS,
    SECTOR_DEPARTMENT,
    SERVICE_PERSONA_BUILDINGS,
    TOWN_WEIGHTS,
    USE_SECTORS,
)


class BuildingLoader(LoaderBase):
    """Buildings placed around the real town centres, and everything that hangs off them."""

    def plan_buildings(self) -> None:
        rng = self.rng
        by_name = {u.name: u for u in self.units}
        # The main streets and 滨江新城 take their share of 100; the other units share the rest.
        rest = 100 - sum(MAIN_UNITS[u.name] for u in self.units if u.name in MAIN_UNITS)
        others = sum(TOWN_WEIGHTS.get(u.name, 1) for u in self.units if u.name not in MAIN_UNITS)
        weights = [
            MAIN_UNITS[u.name]
            if u.name in MAIN_UNITS
            else rest * TOWN_WEIGHTS.get(u.name, 1) / others
            for u in self.units
        ]
        cum = [sum(weights[: i + 1]) for i in range(len(weights))]
        prefix = settings.TOWERWATCH_DISTRICT_CODE
        for i in range(self.n):
            if i < len(FORCED) and FORCED[i][0] in by_name:
                unit, use = by_name[FORCED[i][0]], FORCED[i][1]
            else:
                unit, use = rng.choices(self.units, cum_weights=cum)[0], None
            residential = (
                use in (U.RESIDENTIAL, U.RESIDENTIAL_WITH_OUTLETS) if use else rng.random() < 0.75
            )
            grid = self._grid_in(unit)
            estate = self._estate_for(grid) if residential else self._public_estate(grid, use)
            plan = self._residential(estate) if residential else self._public(estate)
            b = plan.building
            b.code = f"{prefix}-{i + 1:06d}"
            b.search_text = " ".join([b.code, b.name, b.address]).lower()[:400]
            estate.plans.append(plan)
            grid.buildings += 1
            self.plans.append(plan)

    def _grid_in(self, unit: Unit) -> Grid:
        community = self.rng.choices(
            unit.communities,
            weights=[
                1.0 if c.region.kind == RegionKind.COMMUNITY else 0.25 for c in unit.communities
            ],
        )[0]
        return self.rng.choice(community.grids)

    def _estate_for(self, grid: Grid) -> Estate:
        rng = self.rng
        open_estates = [e for e in grid.estates[-4:] if e.residential and len(e.plans) < 24]
        if open_estates and rng.random() < 0.7:
            return rng.choice(open_estates)
        year = self._year(0.12)
        old = year is not None and year < 2000
        word, suffix = (
            rng.choice(ESTATE_WORDS),
            rng.choice(OLD_ESTATE_SUFFIXES if old else ESTATE_SUFFIXES),
        )
        name = self.unique_name([f"{word}{suffix}", f"{grid.unit.short}{word}{suffix}"])
        bands = [b for b, _w in RESIDENTIAL_BANDS if not (old and b[0] >= 80)]
        band = rng.choices(bands, weights=[w for b, w in RESIDENTIAL_BANDS if b in bands])[0]
        estate = Estate(
            name=name,
            address=self.address(grid.unit),
            grid=grid,
            residential=True,
            year=year,
            old=old,
            outlets=rng.random() < 0.3,
            band=band,
            storey_area=rng.uniform(380, 900),
        )
        grid.estates.append(estate)
        self.estates.append(estate)
        return estate

    def _public_estate(self, grid: Grid, use: str | None) -> Estate:
        rng = self.rng
        if use is None:
            uses = list(PUBLIC_USES)
            use = rng.choices(uses, weights=[PUBLIC_USES[u][0] for u in uses])[0]
        forms = PUBLIC_USES[use][4]
        word = grid.unit.short if rng.random() < 0.2 else rng.choice(PUBLIC_WORDS)
        name = self.unique_name(
            [rng.choice(forms).format(w=word), rng.choice(forms).format(w=grid.unit.short + word)]
        )
        estate = Estate(
            name=name,
            address=self.address(grid.unit),
            grid=grid,
            residential=False,
            year=self._year(0.08),
            use=use,
        )
        self.estates.append(estate)
        grid.estates.append(estate)
        return estate

    def _year(self, old_share: float) -> int | None:
        """A completion year (None: under construction); `old_share` of them before 2000."""
        r = self.rng.random()
        if r < 0.03:
            return None
        if r < 0.03 + old_share:
            return self.rng.randint(1995, 1999)
        lo, hi = self.rng.choices([(2000, 2009), (2010, 2019), (2020, 2024)], weights=[28, 45, 15])[
            0
        ]
        return self.rng.randint(lo, hi)

    def _new_building(
        self, estate: Estate, use: str, name: str, height: float, storeys: int, area: float
    ) -> Building:
        rng = self.rng
        grid = estate.grid
        lon, lat = jitter(rng, grid.lon, grid.lat, 0.2)
        validate_in_china(lon, lat)
        if estate.old:
            below = 0
        else:
            below = rng.choice([0, 1, 1, 2] if estate.residential else [1, 1, 2, 2, 3])
        total = area * storeys * rng.uniform(0.85, 1.0) + below * area * rng.uniform(1.0, 1.6)
        return Building(
            name=name,
            address=estate.address,
            region=grid.region,
            lon=dec(lon, 6),
            lat=dec(lat, 6),
            height_m=dec(height, 1),
            storeys_above=storeys,
            storeys_below=below,
            use=use,
            total_area_m2=dec(total, 1),
            largest_storey_area_m2=dec(area, 1),
            year_completed=estate.year,
            stage=Stage.IN_USE if estate.year else Stage.CONSTRUCTION,
            is_old_residential=estate.old,
            public_token=self.token(),
        )

    def _residential(self, estate: Estate) -> Plan:
        rng = self.rng
        height = rng.uniform(*estate.band)
        storeys = max(2, round(height / 2.9))
        use = U.RESIDENTIAL_WITH_OUTLETS if estate.outlets and rng.random() < 0.5 else U.RESIDENTIAL
        name = f"{estate.name}{len(estate.plans) + 1}栋"
        b = self._new_building(
            estate, use, name, height, storeys, estate.storey_area * rng.uniform(0.9, 1.1)
        )
        sectors = list(USE_SECTORS[use])
        if b.stage == Stage.CONSTRUCTION:
            sectors.append(S.CONSTRUCTION)
        return Plan(b, estate, sectors)

    def _public(self, estate: Estate) -> Plan:
        rng = self.rng
        use = estate.use
        _w, (lo, hi), storey_h, areas, _forms = PUBLIC_USES[use]
        height = lo + (hi - lo) * rng.random() ** 1.8  # most public high-rises are the lower ones
        storeys = max(2, round(height / rng.uniform(*storey_h)))
        b = self._new_building(estate, use, estate.name, height, storeys, rng.uniform(*areas))
        sectors = list(USE_SECTORS[use])
        if use == U.OFFICE and rng.random() < 0.2:
            sectors = [S.GOVERNMENT]
            b.important_public = rng.random() < 0.3
        elif use == U.DORMITORY and rng.random() < 0.5:
            sectors = [S.EDUCATION]
        elif use in (U.CULTURE, U.TRANSPORT, U.EXHIBITION):
            b.important_public = rng.random() < 0.3
        if use == U.LIBRARY:
            b.library_volumes = rng.randint(150_000, 1_600_000)
        if b.stage == Stage.CONSTRUCTION:
            sectors.append(S.CONSTRUCTION)
        return Plan(b, estate, sectors)

    def classify(self) -> None:
        rules = RuleSet.current()
        for plan in self.plans:
            apply_classification(plan.building, rules)

    def assign_parties(self) -> None:
        rng = self.rng
        persona_property = self.orgs["property:persona"]
        persona_owner = self.orgs["owner:persona"]
        properties = [o for o in self._pool["property"] if o is not persona_property]
        companies = [o for o in self._pool["company"] if o is not persona_owner]
        for estate in self.estates:
            if estate.residential:
                estate.owner = rng.choice(self._pool["developer"])
                r = rng.random() if estate.old else 1.0
                if r < 0.05:
                    estate.arrangement, estate.manager = ManagingArrangement.NONE, None
                elif r < 0.13:
                    estate.arrangement, estate.manager = (
                        ManagingArrangement.ASSIGNED_UNIT,
                        estate.grid.unit.government,
                    )
                else:
                    unified = rng.random() < 0.05
                    estate.arrangement = (
                        ManagingArrangement.UNIFIED_MANAGER
                        if unified
                        else ManagingArrangement.PROPERTY_COMPANY
                    )
                    estate.manager = rng.choice(properties)
            else:
                estate.owner = self._public_owner(estate, companies)
                if rng.random() < 0.55:
                    estate.arrangement, estate.manager = (
                        ManagingArrangement.PROPERTY_COMPANY,
                        rng.choice(properties),
                    )
                else:
                    estate.arrangement, estate.manager = (
                        ManagingArrangement.SELF_MANAGED,
                        estate.owner,
                    )
        self._persona_property(persona_property)
        self._persona_owner(persona_owner)

    def _public_owner(self, estate: Estate, companies: list[Organization]) -> Organization:
        use, sectors = estate.use, estate.plans[0].sectors
        pool = {
            U.EDUCATION: "school",
            U.MEDICAL: "hospital",
            U.ELDERLY_CARE: "elderly",
            U.CULTURE: "culture",
            U.LIBRARY: "culture",
            U.EXHIBITION: "culture",
        }.get(use)
        if S.GOVERNMENT in sectors:
            pool = "government"
        elif use == U.DORMITORY and S.EDUCATION in sectors:
            pool = "school"
        return self.rng.choice(self._pool[pool] if pool else companies)

    def _persona_property(self, company: Organization) -> None:
        """Give the property persona whole estates in a few streets, about 40 buildings in all."""
        managed = 0
        candidates = [
            e for e in self.estates if e.residential and e.grid.unit.name in PROPERTY_PERSONA_UNITS
        ]
        candidates += [
            e
            for e in self.estates
            if e.residential and e.grid.unit.name not in PROPERTY_PERSONA_UNITS
        ]
        for estate in candidates:
            if managed >= PROPERTY_PERSONA_BUILDINGS - 2:
                break
            if estate.arrangement != ManagingArrangement.PROPERTY_COMPANY:
                continue
            if managed + len(estate.plans) <= PROPERTY_PERSONA_BUILDINGS + 5:
                estate.manager = company
                managed += len(estate.plans)

    def _persona_owner(self, owner: Organization) -> None:
        owned = 0
        for estate in self.estates:
            if owned >= OWNER_PERSONA_BUILDINGS:
                return
            if not estate.residential and estate.owner in self._pool["company"]:
                if estate.manager is estate.owner:
                    estate.manager = owner
                estate.owner = owner
                owned += 1

    def plan_responsibilities(self) -> None:
        rng = self.rng
        removable = [
            R.RESPONSIBLE_PERSON,
            R.SAFETY_MANAGER,
            R.TOWN_LEADER,
            R.GRID_OFFICER,
            R.DEPARTMENT,
            R.DEPARTMENT_OFFICIAL,
        ]
        for plan in self.plans:
            estate, unit = plan.estate, plan.estate.grid.unit
            links: list[tuple[str, Organization | None, Person | None]] = [
                (R.OWNER, estate.owner, None)
            ]
            if estate.manager is not None:
                links.append((R.MANAGER, estate.manager, None))
                staff = self.staff[id(estate.manager)]
                responsible = staff.responsible or staff.leader
                safety = rng.choice(staff.managers or staff.others)
                links += [
                    (R.RESPONSIBLE_PERSON, None, responsible),
                    (R.SAFETY_MANAGER, None, safety),
                ]
            links.append((R.TOWN_LEADER, None, self.staff[id(unit.government)].leader))
            links.append((R.GRID_OFFICER, None, estate.grid.officer))
            dept = self.orgs[f"dept:{SECTOR_DEPARTMENT[plan.sectors[0]]}"]
            links += [
                (R.DEPARTMENT, dept, None),
                (R.DEPARTMENT_OFFICIAL, None, self.staff[id(dept)].leader),
            ]
            if rng.random() < 0.15:
                present = [role for role, _o, _p in links if role in removable]
                drop = rng.sample(present, min(len(present), rng.choice([1, 1, 2, 3])))
                links = [link for link in links if link[0] not in drop]
            plan.links = links
            b = plan.building
            b.managing_arrangement = estate.arrangement
            b.completeness, b.missing_roles = completeness_of(role for role, _o, _p in links)

    def write_buildings(self) -> None:
        Building.objects.bulk_create([p.building for p in self.plans], batch_size=BATCH)
        index_buildings([p.building for p in self.plans])
        through = Building.sectors.through
        through.objects.bulk_create(
            [
                through(building_id=p.building.pk, sector_id=s)
                for p in self.plans
                for s in dict.fromkeys(p.sectors)
            ],
            batch_size=BATCH,
        )
        Responsibility.objects.bulk_create(
            [
                Responsibility(
                    building_id=p.building.pk, role=role, organization=org, person=person
                )
                for p in self.plans
                for role, org, person in p.links
            ],
            batch_size=BATCH,
        )
        prefix = settings.TOWERWATCH_DISTRICT_CODE
        Counter.objects.update_or_create(
            name=f"{CODE_COUNTER}:{prefix}", defaults={"value": self.n}
        )

    def write_fire_systems(self) -> None:
        rows: list[FireSystem] = []
        for plan in self.plans:
            rows.extend(self._systems(plan))
            if len(rows) >= BATCH * 5:
                FireSystem.objects.bulk_create(rows, batch_size=BATCH)
                rows = []
        FireSystem.objects.bulk_create(rows, batch_size=BATCH)

    def _systems(self, plan: Plan) -> list[FireSystem]:
        rng, b = self.rng, plan.building
        height, public = float(b.height_m), b.category == Category.PUBLIC
        class1, class2 = b.fire_class == FireClass.CLASS_1, b.fire_class == FireClass.CLASS_2
        data_room = b.use in (U.TELECOM, U.FINANCE, U.BROADCAST_DISPATCH, U.LIBRARY)
        chance = {
            FireSystemKind.ALARM: 1.0
            if (public and b.is_high_rise) or class1
            else 0.4
            if class2
            else 0.15,
            FireSystemKind.SPRINKLER: 1.0
            if (public and b.is_high_rise) or height > 100
            else 0.5
            if class1
            else 0.05,
            FireSystemKind.INDOOR_HYDRANT: 1.0 if b.is_high_rise or height > 21 else 0.6,
            FireSystemKind.SMOKE_CONTROL: 1.0
            if class1 or (public and b.is_high_rise)
            else 0.7
            if class2
            else 0.2,
            FireSystemKind.EMERGENCY_LIGHTING: 1.0 if b.is_high_rise else 0.8,
            FireSystemKind.FIRE_LIFT: 1.0 if class1 or height > 33 else 0.1,
            FireSystemKind.CONTROL_ROOM: 1.0
            if class1 or (public and b.is_high_rise)
            else 0.4
            if class2
            else 0.05,
            FireSystemKind.GAS_SUPPRESSION: 0.8
            if data_room
            else 0.15
            if public and class1
            else 0.0,
            FireSystemKind.ELECTRICAL_MONITORING: 0.6
            if public and class1
            else 0.35
            if public
            else 0.2,
        }
        states = [
            FireSystemState.NORMAL,
            FireSystemState.PARTIAL,
            FireSystemState.FAULT,
            FireSystemState.DISABLED,
            FireSystemState.UNKNOWN,
        ]
        weights = [50, 20, 15, 10, 5] if b.is_old_residential else [82, 8, 5, 2, 3]
        rows = []
        for kind in FireSystemKind.values:
            present = rng.random() < chance[kind]
            state, tested, note = FireSystemState.UNKNOWN, None, ""
            if present and b.stage == Stage.IN_USE:
                state = rng.choices(states, weights=weights)[0]
                if state != FireSystemState.UNKNOWN:
                    tested = REFERENCE_DATE - dt.timedelta(days=rng.randint(5, 420))
                if state in (
                    FireSystemState.FAULT,
                    FireSystemState.DISABLED,
                    FireSystemState.PARTIAL,
                ):
                    note = rng.choice(FAULT_NOTES[kind])
            rows.append(
                FireSystem(
                    building_id=b.pk,
                    kind=kind,
                    present=present,
                    state=state,
                    last_tested=tested,
                    note=note,
                )
            )
        return rows

    def write_contracts(self) -> None:
        rng = self.rng
        persona = self.orgs["service:persona"]
        others = [o for o in self._pool["service"] if o is not persona]
        maintainers = [o for o in others if ServiceKind.MAINTENANCE in o.service_kinds]
        testers = [o for o in others if ServiceKind.TESTING in o.service_kinds]
        assessors = [o for o in others if ServiceKind.ASSESSMENT in o.service_kinds]
        contracts: list[ServiceContract] = []
        persona_count, contracted, expired_done = 0, 0, False
        for plan in self.plans:
            b = plan.building
            if b.stage != Stage.IN_USE or not (
                b.fire_class == FireClass.CLASS_1 or b.category == Category.PUBLIC
            ):
                continue
            if rng.random() >= 0.6:
                if not expired_done:  # a lapsed contract: the persona must not see this building
                    contracts.append(
                        ServiceContract(
                            building_id=b.pk,
                            company=persona,
                            service=ServiceKind.MAINTENANCE,
                            start_date=dt.date(2022, 7, 1),
                            end_date=dt.date(2025, 6, 30),
                        )
                    )
                    expired_done = True
                continue
            if persona_count < SERVICE_PERSONA_BUILDINGS and contracted % 4 == 0:
                company, persona_count = persona, persona_count + 1
            else:
                company = rng.choice(maintainers)
            contracted += 1
            contracts.append(self._contract(b, company, ServiceKind.MAINTENANCE))
            if rng.random() < 0.3:
                contracts.append(self._contract(b, rng.choice(testers), ServiceKind.TESTING))
            if b.fire_class == FireClass.CLASS_1 and rng.random() < 0.1:
                contracts.append(self._contract(b, rng.choice(assessors), ServiceKind.ASSESSMENT))
        ServiceContract.objects.bulk_create(contracts, batch_size=BATCH)
        self.counts["service_contracts"] = len(contracts)

    def _contract(self, b: Building, company: Organization, service: str) -> ServiceContract:
        start = REFERENCE_DATE - dt.timedelta(days=self.rng.randint(30, 720))
        end = LIVE_CONTRACT_END - dt.timedelta(days=self.rng.randint(0, 300))
        return ServiceContract(
            building_id=b.pk, company=company, service=service, start_date=start, end_date=end
        )
