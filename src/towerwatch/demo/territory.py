"""The demo district's territory, organizations and people."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from towerwatch.organizations.choices import CertificateKind, RegionKind, ServiceKind, UtilityKind
from towerwatch.organizations.choices import OrganizationKind as K
from towerwatch.organizations.models import Certificate, Organization, Person, Region

from .plan import Community, Grid, LoaderBase, Staff, Unit, circle, dec, hull, jitter
from .tables import (
    BATCH,
    DEPARTMENTS,
    ESTATE_WORDS,
    ORDINALS,
    PLATFORM_GOVERNMENTS,
    PUBLIC_WORDS,
    REFERENCE_DATE,
    ROADS,
    TERRITORY,
    VILLAGE_WORDS,
)


class TerritoryLoader(LoaderBase):
    """Regions from the territory file, the public bodies, companies and their people."""

    def load_regions(self) -> None:
        data = yaml.safe_load(TERRITORY.read_text(encoding="utf-8"))
        rng = self.rng
        self.units = [
            Unit(
                u["name"],
                u["kind"],
                str(u["code"]),
                float(u["centre"][0]),
                float(u["centre"][1]),
                list(u.get("communities") or []),
            )
            for u in data["units"]
        ]
        radius = {
            RegionKind.STREET: (1.8, 3.0),
            RegionKind.TOWN: (2.0, 4.0),
            RegionKind.PLATFORM: (1.6, 3.0),
        }
        rings = {u.code: circle(u.lon, u.lat, rng.uniform(*radius[u.kind])) for u in self.units}
        d = data["district"]
        district = Region(
            name=d["name"],
            code=str(d["code"]),
            kind=RegionKind.DISTRICT,
            centre_lon=dec(d["centre"][0], 6),
            centre_lat=dec(d["centre"][1], 6),
            boundary={
                "type": "Polygon",
                "coordinates": [hull([p for r in rings.values() for p in r])],
            },
            boundary_approximate=True,
        )
        self._insert_regions([district])
        for unit in self.units:
            unit.region = Region(
                name=unit.name,
                code=unit.code,
                kind=unit.kind,
                parent=district,
                centre_lon=dec(unit.lon, 6),
                centre_lat=dec(unit.lat, 6),
                boundary={"type": "Polygon", "coordinates": [rings[unit.code]]},
                boundary_approximate=True,
            )
            short = unit.short
            unit.roads = [f"{short}大道", f"{short}路", *rng.sample(ROADS, 4)]
        self._insert_regions([u.region for u in self.units])
        for unit in self.units:
            unit.communities = self._plan_communities(unit)
        self._insert_regions([c.region for u in self.units for c in u.communities])
        for unit in self.units:
            for community in unit.communities:
                community.grids = self._plan_grids(community)
                self.grids.extend(community.grids)
        self._insert_regions([g.region for g in self.grids])

    def _plan_communities(self, unit: Unit) -> list[Community]:
        rng = self.rng
        if unit.listed:
            named = [
                (n, RegionKind.VILLAGE if n.endswith("村") else RegionKind.COMMUNITY, False)
                for n in unit.listed
            ]
        else:
            k = rng.randint(3, 5)
            if unit.kind == RegionKind.PLATFORM:
                named = [
                    (f"{unit.name}{ORDINALS[i]}片区", RegionKind.COMMUNITY, True) for i in range(k)
                ]
            elif unit.kind == RegionKind.STREET:
                named = [
                    (f"{unit.short}{ORDINALS[i]}社区", RegionKind.COMMUNITY, True) for i in range(k)
                ]
            else:
                towns = rng.randint(1, 2)
                named = [
                    (f"{unit.short}{ORDINALS[i]}社区", RegionKind.COMMUNITY, True)
                    for i in range(towns)
                ]
                named += [
                    (f"{w}村", RegionKind.VILLAGE, True)
                    for w in rng.sample(VILLAGE_WORDS, k - towns)
                ]
        communities, serial = [], {RegionKind.COMMUNITY: 0, RegionKind.VILLAGE: 200}
        for name, kind, generated in named:
            # NBS numbering: residents' committees 001–199, villagers' committees 200 and up.
            serial[kind] += 1
            lon, lat = jitter(rng, unit.lon, unit.lat, 0.9)
            region = Region(
                name=name,
                code=f"{unit.code}{serial[kind]:03d}",
                kind=kind,
                parent=unit.region,
                centre_lon=dec(lon, 6),
                centre_lat=dec(lat, 6),
            )
            communities.append(Community(unit, region, lon, lat, generated))
        return communities

    def _plan_grids(self, community: Community) -> list[Grid]:
        grids = []
        for i in range(1, self.rng.randint(2, 4) + 1):
            lon, lat = jitter(self.rng, community.lon, community.lat, 0.3)
            region = Region(
                name=f"{community.region.name}第{i}网格",
                code=f"{community.region.code}{i:02d}",
                kind=RegionKind.GRID,
                parent=community.region,
                centre_lon=dec(lon, 6),
                centre_lat=dec(lat, 6),
            )
            grids.append(Grid(community.unit, region, lon, lat))
        return grids

    @staticmethod
    def _insert_regions(regions: list[Region]) -> None:
        """Insert one level of the tree, then set what `Region.save()` would derive."""
        Region.objects.bulk_create(regions, batch_size=BATCH)
        for region in regions:
            for name, value in region.tree_fields().items():
                setattr(region, name, value)
        Region.objects.bulk_update(
            regions, ["path", "depth", "town", "community"], batch_size=BATCH
        )

    def org(
        self, key: str | None, name: str, kind: str, credit: str, **fields: Any
    ) -> Organization:
        unit = fields.pop("unit", None) or self.rng.choice(self.main_units())
        sectors = fields.pop("sectors", [])
        organization = Organization(
            name=name,
            kind=kind,
            credit_code=self.credit_code(credit),
            phone=self.landline(),
            address=self.address(unit),
            **fields,
        )
        organization._demo_sectors = sectors  # type: ignore[attr-defined]  # set on insert
        if key:
            self.orgs[key] = organization
        return organization

    def load_organizations(self) -> None:
        district = self.units[0].region.parent
        public_bodies = self._public_bodies(district)
        Organization.objects.bulk_create(public_bodies, batch_size=BATCH)
        brigades = [
            self.org(
                f"brigade:{i}",
                f"{n}消防救援大队",
                K.FIRE_BRIGADE,
                "11",
                short_name=f"{n}大队",
                parent=self.orgs["detachment"],
                is_business=False,
            )
            for i, n in enumerate(["几江", "双福", "白沙"])
        ]
        Organization.objects.bulk_create(brigades)
        stations = [
            self.org(
                None,
                f"{n}消防救援站",
                K.FIRE_STATION,
                "11",
                short_name=f"{n}站",
                parent=brigades[b],
                is_business=False,
            )
            for n, b in [("滨江新城", 0), ("鼎山", 0), ("双福", 1), ("白沙", 2)]
        ]
        companies = self._companies(district)
        Organization.objects.bulk_create(stations + companies, batch_size=BATCH)
        through = Organization.sectors.through
        through.objects.bulk_create(
            [
                through(organization_id=o.pk, sector_id=code)
                for o in [*public_bodies, *brigades, *stations, *companies]
                for code in o._demo_sectors  # type: ignore[attr-defined]
            ],
            batch_size=BATCH,
        )
        for alias, key in [
            ("property:persona", "property:0"),
            ("owner:persona", "owner:company:0"),
            ("service:persona", "service:0"),
        ]:
            self.orgs[alias] = self.orgs[key]

    def _public_bodies(self, district: Region) -> list[Organization]:
        by_name = {u.name: u for u in self.units}
        bodies = [
            self.org(
                "detachment",
                "江津消防救援支队",
                K.FIRE_DETACHMENT,
                "11",
                short_name="江津支队",
                region=district,
                is_business=False,
                unit=by_name["几江街道"],
            ),
            self.org(
                "leadership",
                "江津区人民政府",
                K.LEADERSHIP,
                "11",
                short_name="区政府",
                region=district,
                is_business=False,
                unit=by_name["圣泉街道"],
            ),
        ]
        for key, name, short, sectors in DEPARTMENTS:
            bodies.append(
                self.org(
                    f"dept:{key}",
                    name,
                    K.DEPARTMENT,
                    "11",
                    short_name=short,
                    region=district,
                    sectors=sectors,
                    is_business=False,
                )
            )
        for unit in self.units:
            if unit.kind == RegionKind.PLATFORM:
                name, kind = (
                    PLATFORM_GOVERNMENTS.get(unit.name, f"{unit.name}管理委员会"),
                    K.PLATFORM_GOVERNMENT,
                )
            else:
                name = (
                    f"{unit.name}办事处"
                    if unit.kind == RegionKind.STREET
                    else f"{unit.name}人民政府"
                )
                kind = K.TOWN_GOVERNMENT
            unit.government = self.org(
                f"gov:{unit.name}",
                name,
                kind,
                "11",
                short_name=unit.name,
                region=unit.region,
                is_business=False,
                unit=unit,
            )
            bodies.append(unit.government)
        return bodies

    def _companies(self, district: Region) -> list[Organization]:
        words = self.rng.sample(PUBLIC_WORDS, len(PUBLIC_WORDS))
        orgs: list[Organization] = []

        def add(pool: str, key: str, name: str, kind: str, credit: str = "91", **kw: Any) -> None:
            o = self.org(key, name, kind, credit, **kw)
            self._pool.setdefault(pool, []).append(o)
            orgs.append(o)

        big = self.main_units()
        for i in range(25):
            form = "重庆{w}物业服务有限公司" if i % 3 else "重庆市江津区{w}物业管理有限公司"
            add(
                "property",
                f"property:{i}",
                form.format(w=words[i % len(words)]),
                K.PROPERTY_COMPANY,
                region=self.rng.choice(big).region,
            )
        estate_words = self.rng.sample(ESTATE_WORDS, 14)
        for i, w in enumerate(estate_words):
            form = "重庆{w}置业有限公司" if i % 2 else "重庆{w}房地产开发有限公司"
            add("developer", f"owner:developer:{i}", form.format(w=w), K.OWNER_UNIT)
        for i, name in enumerate(
            [
                "重庆市江津第一中学校",
                "重庆市江津第二中学校",
                "重庆市江津实验中学校",
                "重庆市江津区职业教育中心",
                "重庆市江津区几江初级中学校",
                "重庆市江津区滨江学校",
            ]
        ):
            add("school", f"owner:school:{i}", name, K.OWNER_UNIT, "12", is_business=False)
        for i, name in enumerate(
            [
                "重庆市江津区中心医院",
                "重庆市江津区中医院",
                "重庆市江津区妇幼保健院",
                "重庆市江津区第二人民医院",
            ]
        ):
            add("hospital", f"owner:hospital:{i}", name, K.OWNER_UNIT, "12", is_business=False)
        for i, name in enumerate(["重庆市江津区社会福利院", "江津区康乐养老服务中心"]):
            add("elderly", f"owner:elderly:{i}", name, K.OWNER_UNIT, "12", is_business=False)
        for i, name in enumerate(["江津区文化馆", "江津区图书馆"]):
            add("culture", f"owner:culture:{i}", name, K.OWNER_UNIT, "12", is_business=False)
        add(
            "government",
            "owner:government:0",
            "江津区机关事务服务中心",
            K.OWNER_UNIT,
            "12",
            is_business=False,
        )
        forms = [
            "重庆{w}实业有限公司",
            "重庆{w}商业管理有限公司",
            "重庆{w}酒店管理有限公司",
            "重庆{w}投资集团有限公司",
        ]
        for i in range(11):
            name = "重庆津鼎实业有限公司" if i == 0 else forms[i % 4].format(w=words[25 + i])
            add("company", f"owner:company:{i}", name, K.OWNER_UNIT)
        services = [
            ("重庆安泰消防设施维护有限公司", [ServiceKind.MAINTENANCE, ServiceKind.TESTING]),
            ("重庆江津消防工程有限公司", [ServiceKind.MAINTENANCE]),
            ("重庆消安消防技术服务有限公司", [ServiceKind.TESTING, ServiceKind.ASSESSMENT]),
            ("重庆渝津消防检测有限公司", [ServiceKind.TESTING]),
            ("重庆卫士消防安全评估有限公司", [ServiceKind.ASSESSMENT]),
            (
                "重庆津鑫消防设备维保有限公司",
                [ServiceKind.MAINTENANCE, ServiceKind.TESTING, ServiceKind.ASSESSMENT],
            ),
        ]
        for i, (name, kinds) in enumerate(services):
            add(
                "service",
                f"service:{i}",
                name,
                K.SERVICE_COMPANY,
                service_kinds=[str(k) for k in kinds],
            )
        for kind, name in [
            (UtilityKind.WATER, "重庆市江津区供排水有限责任公司"),
            (UtilityKind.POWER, "国网重庆市电力公司江津供电分公司"),
            (UtilityKind.GAS, "重庆市江津区燃气有限责任公司"),
        ]:
            add("utility", f"utility:{kind}", name, K.UTILITY, utility_kind=kind, region=district)
        return orgs

    def load_people(self) -> None:
        people: list[Person] = []
        certificates: list[tuple[Person, str, str, int | None]] = []

        def person(org: Organization, title: str, part: str) -> Person:
            p = Person(name=self.person_name(), organization=org, title=title, phone=self.mobile())
            staff = self.staff.setdefault(id(org), Staff())
            if part == "responsible":
                staff.responsible = p
            elif part == "manager":
                staff.managers.append(p)
            elif part == "leader":
                staff.leader = p
            elif part == "other":
                staff.others.append(p)
            people.append(p)
            return p

        for title in ["支队长", "防火监督处处长", "指挥中心值班长"]:
            person(self.orgs["detachment"], title, "other")
        person(self.orgs["leadership"], "分管副区长", "leader")
        for key, name, _short, _sectors in DEPARTMENTS:
            dept = self.orgs[f"dept:{key}"]
            person(
                dept,
                "分管副主任" if name.endswith(("委员会", "办公室")) else "分管副局长",
                "leader",
            )
            person(dept, "消防安全联络员", "other")
        for unit in self.units:
            gov = unit.government
            person(gov, {RegionKind.TOWN: "分管副镇长"}.get(unit.kind, "分管副主任"), "leader")
            person(gov, "安全办主任", "other")
            person(gov, "安全办工作人员", "other")
        for pool in [
            "property",
            "developer",
            "school",
            "hospital",
            "elderly",
            "culture",
            "government",
            "company",
        ]:
            for org in self._pool[pool]:
                person(org, "消防安全责任人", "responsible")
                for _ in range(self.rng.randint(2, 4)):
                    manager = person(org, "消防安全管理人", "manager")
                    if self.rng.random() < 0.6:
                        certificates.append(
                            (manager, CertificateKind.OPERATOR, self.rng.choice("45"), None)
                        )
                    if self.rng.random() < 0.25:
                        certificates.append((manager, CertificateKind.SAFETY_MANAGER, "", 365 * 3))
        for org in self._pool["service"]:
            lead = person(org, "项目负责人", "responsible")
            certificates.append(
                (
                    lead,
                    self.rng.choice([CertificateKind.ENGINEER_1, CertificateKind.ENGINEER_2]),
                    "",
                    None,
                )
            )
            for _ in range(3):
                certificates.append(
                    (
                        person(org, "消防设施操作员", "manager"),
                        CertificateKind.OPERATOR,
                        self.rng.choice("34"),
                        None,
                    )
                )
        for org in self._pool["utility"]:
            person(org, "安全生产负责人", "responsible")
        for grid in self.grids:
            grid.officer = person(grid.unit.government, "网格员", "grid")
        Person.objects.bulk_create(people, batch_size=BATCH)
        Certificate.objects.bulk_create(
            [self._certificate(p, kind, level, days) for p, kind, level, days in certificates],
            batch_size=BATCH,
        )
        self.counts.update(people=len(people), certificates=len(certificates))

    def _certificate(
        self, person: Person, kind: str, level: str, valid_days: int | None
    ) -> Certificate:
        issued = REFERENCE_DATE - dt.timedelta(days=self.rng.randint(30, 3000))
        prefix = {CertificateKind.OPERATOR: "5000", CertificateKind.SAFETY_MANAGER: "XF"}.get(
            kind, "CQ"
        )
        return Certificate(
            person=person,
            kind=kind,
            level=level,
            number=f"{prefix}{issued.year}{self.rng.randrange(10**8):08d}",
            valid_until=issued + dt.timedelta(days=valid_days) if valid_days else None,
        )
