"""A small, complete world for tests: two towns, one organization per kind, one user per persona.

Built through the same actions the application uses, so tests exercise real validation,
change logging and scope. Personas follow Healthchecks' habit of naming users by role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from towerwatch.accounts.choices import Role
from towerwatch.accounts.models import Membership, User
from towerwatch.buildings.actions import assign_responsibility, save_building
from towerwatch.buildings.models import Building, Responsibility, ServiceContract
from towerwatch.core.context import change_context
from towerwatch.organizations.choices import OrganizationKind as K
from towerwatch.organizations.choices import RegionKind
from towerwatch.organizations.models import Organization, Person, Region
from towerwatch.organizations.validators import credit_code_check_char

PASSWORD = "towerwatch-test"


def credit_code(n: int) -> str:
    """A valid, unique unified social credit code for test organization number `n`."""
    first17 = f"91500116MA{n:07d}"
    return first17 + credit_code_check_char(first17)


@dataclass
class World:
    regions: dict[str, Region] = field(default_factory=dict)
    orgs: dict[str, Organization] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    buildings: dict[str, Building] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)


def _region(world: World, key: str, name: str, code: str, kind: str, parent: str | None) -> Region:
    r = Region(
        name=name, code=code, kind=kind, parent=world.regions.get(parent) if parent else None
    )
    r.save()
    world.regions[key] = r
    return r


def _org(world: World, key: str, name: str, kind: str, n: int, **kw: Any) -> Organization:
    sectors = kw.pop("sectors", None)
    org = Organization.objects.create(name=name, kind=kind, credit_code=credit_code(n), **kw)
    if sectors:
        org.sectors.set(sectors)
    world.orgs[key] = org
    return org


def _user(world: World, username: str, org: str, role: str, grid: Region | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    m = Membership.objects.create(user=user, organization=world.orgs[org], role=role, grid=grid)
    user.active_membership = m
    user.save(update_fields=["active_membership"])
    world.users[username] = user
    return user


def build_world() -> World:
    """Two towns (A with a community and two grids, B with one), one building per place."""
    w = World()
    with change_context(None):
        _region(w, "district", "江津区", "500116", RegionKind.DISTRICT, None)
        _region(w, "town_a", "几江街道", "500116001", RegionKind.STREET, "district")
        _region(w, "comm_a", "滨江社区", "500116001001", RegionKind.COMMUNITY, "town_a")
        _region(w, "grid_a1", "滨江社区第1网格", "50011600100101", RegionKind.GRID, "comm_a")
        _region(w, "grid_a2", "滨江社区第2网格", "50011600100102", RegionKind.GRID, "comm_a")
        _region(w, "town_b", "白沙镇", "500116104", RegionKind.TOWN, "district")
        _region(w, "comm_b", "朝阳社区", "500116104001", RegionKind.COMMUNITY, "town_b")
        _region(w, "grid_b1", "朝阳社区第1网格", "50011610400101", RegionKind.GRID, "comm_b")

        _org(w, "detachment", "江津消防救援支队", K.FIRE_DETACHMENT, 1, is_business=False)
        _org(w, "leadership", "江津区人民政府", K.LEADERSHIP, 2, is_business=False)
        _org(w, "education", "区教委", K.DEPARTMENT, 3, sectors=["education"], is_business=False)
        _org(
            w,
            "housing",
            "区住房城乡建委",
            K.DEPARTMENT,
            4,
            sectors=["residential"],
            is_business=False,
        )
        _org(
            w,
            "town_a",
            "几江街道办事处",
            K.TOWN_GOVERNMENT,
            5,
            region=w.regions["town_a"],
            is_business=False,
        )
        _org(
            w,
            "town_b",
            "白沙镇人民政府",
            K.TOWN_GOVERNMENT,
            6,
            region=w.regions["town_b"],
            is_business=False,
        )
        _org(w, "property", "津城物业", K.PROPERTY_COMPANY, 7)
        _org(w, "owner", "滨江置业有限公司", K.OWNER_UNIT, 8)
        _org(w, "service", "安消维保公司", K.SERVICE_COMPANY, 9, service_kinds=["maintenance"])
        _org(
            w,
            "utility",
            "江津供电分公司",
            K.UTILITY,
            10,
            region=w.regions["town_b"],
            utility_kind="power",
        )
        _org(w, "other_property", "白沙物业", K.PROPERTY_COMPANY, 11)

        _user(w, "detachment", "detachment", Role.ADMIN)
        _user(w, "operator", "detachment", Role.OPERATOR)
        _user(w, "leadership", "leadership", Role.VIEWER)
        _user(w, "education", "education", Role.STAFF)
        _user(w, "housing", "housing", Role.STAFF)
        _user(w, "town_a", "town_a", Role.ADMIN)
        _user(w, "town_b", "town_b", Role.STAFF)
        _user(w, "grid_a2", "town_a", Role.GRID_OFFICER, grid=w.regions["grid_a2"])
        _user(w, "property", "property", Role.STAFF)
        _user(w, "owner", "owner", Role.STAFF)
        _user(w, "service", "service", Role.STAFF)
        _user(w, "utility", "utility", Role.VIEWER)
        User.objects.create_user(username="nobody", password=PASSWORD)

        w.people["manager"] = Person.objects.create(
            name="张伟",
            organization=w.orgs["property"],
            title="消防安全管理人",
            phone="13812345678",
        )
        w.people["leader_a"] = Person.objects.create(
            name="李强", organization=w.orgs["town_a"], title="副主任", phone="023-47521234"
        )

        def building(
            key: str,
            name: str,
            region: str,
            height: str,
            storeys: int,
            use: str,
            sectors: list[str],
        ) -> Building:
            b = save_building(
                Building(
                    name=name,
                    address=f"{name}路1号",
                    region=w.regions[region],
                    height_m=Decimal(height),
                    storeys_above=storeys,
                    use=use,
                    lon=Decimal("106.26"),
                    lat=Decimal("29.29"),
                ),
                sectors=sectors,
                acting_user=None,
            )
            w.buildings[key] = b
            return b

        building("res_a1", "滨江花园1栋", "grid_a1", "60", 20, "residential", ["residential"])
        building("school_a2", "江津中学教学楼", "grid_a2", "30", 8, "education", ["education"])
        building("res_b1", "白沙新城3栋", "grid_b1", "45", 15, "residential", ["residential"])

        link = [
            ("res_a1", "manager", "property"),
            ("res_a1", "owner", "owner"),
            ("res_b1", "manager", "other_property"),
        ]
        for bkey, role, okey in link:
            assign_responsibility(
                Responsibility(building=w.buildings[bkey], role=role, organization=w.orgs[okey]),
                acting_user=None,
            )
        assign_responsibility(
            Responsibility(
                building=w.buildings["res_a1"], role="safety_manager", person=w.people["manager"]
            ),
            acting_user=None,
        )
        ServiceContract.objects.create(
            building=w.buildings["school_a2"],
            company=w.orgs["service"],
            service="maintenance",
            start_date="2024-01-01",
            end_date="2099-12-31",
        )
        ServiceContract.objects.create(
            building=w.buildings["res_b1"],
            company=w.orgs["service"],
            service="testing",
            start_date="2020-01-01",
            end_date="2021-12-31",
        )
    return w


#: What each persona must see of the world's three buildings (the scope matrix, architecture §4.1).
EXPECTED_VISIBLE = {
    "detachment": {"res_a1", "school_a2", "res_b1"},
    "operator": {"res_a1", "school_a2", "res_b1"},
    "leadership": {"res_a1", "school_a2", "res_b1"},
    "education": {"school_a2"},
    "housing": {"res_a1", "res_b1"},
    "town_a": {"res_a1", "school_a2"},
    "town_b": {"res_b1"},
    "grid_a2": {"school_a2"},
    "property": {"res_a1"},
    "owner": {"res_a1"},
    "service": {"school_a2"},
    "utility": {"res_b1"},
    "nobody": set(),
}
