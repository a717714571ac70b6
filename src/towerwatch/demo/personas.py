"""Demo logins: one persona per organization kind, plus the grid officer and the control room.

Every persona logs in with the same password, :data:`DEMO_PASSWORD` ("towerwatch"). The
organization behind each persona is named by an ``org_key`` that the loader resolves
(`towerwatch.demo.loader`); the loader also gives each persona's organization enough
buildings that the persona sees some of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from towerwatch.accounts.choices import Role

#: The one password of every demo login (printed by `towerwatch personas`).
DEMO_PASSWORD = "towerwatch"  # noqa: S105  (a published demo password, not a secret)


@dataclass(frozen=True)
class Persona:
    """A demo login: who it is, how it acts and what it is meant to show."""

    username: str
    password: str
    role: str
    org_key: str
    description: str


PERSONAS: list[Persona] = [
    Persona(
        "detachment",
        DEMO_PASSWORD,
        Role.ADMIN.value,
        "detachment",
        "江津消防救援支队 administrator: sees every building in the district",
    ),
    Persona(
        "operator",
        DEMO_PASSWORD,
        Role.OPERATOR.value,
        "detachment",
        "江津消防救援支队 control-room operator (alarm console)",
    ),
    Persona(
        "leadership",
        DEMO_PASSWORD,
        Role.VIEWER.value,
        "leadership",
        "江津区人民政府: the district leadership, read-only, sees everything",
    ),
    Persona(
        "housing",
        DEMO_PASSWORD,
        Role.STAFF.value,
        "dept:housing",
        "区住房城乡建委: residential, construction, commercial, office and hotel buildings",
    ),
    Persona(
        "education",
        DEMO_PASSWORD,
        Role.STAFF.value,
        "dept:education",
        "区教委: school and college buildings",
    ),
    Persona(
        "town",
        DEMO_PASSWORD,
        Role.ADMIN.value,
        "gov:几江街道",
        "几江街道办事处 administrator: every building in 几江街道",
    ),
    Persona(
        "platform",
        DEMO_PASSWORD,
        Role.STAFF.value,
        "gov:滨江新城",
        "滨江新城建设管理中心: every building in the 滨江新城 platform",
    ),
    Persona(
        "grid",
        DEMO_PASSWORD,
        Role.GRID_OFFICER.value,
        "gov:几江街道",
        "几江街道 grid officer: the buildings of one grid",
    ),
    Persona(
        "property",
        DEMO_PASSWORD,
        Role.STAFF.value,
        "property:persona",
        "a property company managing about 40 buildings in a few streets",
    ),
    Persona(
        "owner",
        DEMO_PASSWORD,
        Role.STAFF.value,
        "owner:persona",
        "an owner unit owning about 5 public buildings",
    ),
    Persona(
        "service",
        DEMO_PASSWORD,
        Role.STAFF.value,
        "service:persona",
        "a fire maintenance company: live contracts on about 25 buildings, one expired",
    ),
    Persona(
        "utility",
        DEMO_PASSWORD,
        Role.VIEWER.value,
        "utility:power",
        "国网重庆市电力公司江津供电分公司: the power utility of the whole district",
    ),
]


def personas_info() -> list[dict[str, Any]]:
    """The loaded personas as the database holds them (those without a user are left out)."""
    from django.contrib.auth import get_user_model

    users = {
        u.username: u
        for u in get_user_model()
        .objects.filter(username__in=[p.username for p in PERSONAS])
        .select_related("active_membership__organization")
    }
    info = []
    for persona in PERSONAS:
        user = users.get(persona.username)
        membership = user.active_membership if user else None
        if membership is None:
            continue
        info.append(
            {
                "username": persona.username,
                "password": persona.password,
                "organization_id": membership.organization_id,
                "organization_name": membership.organization.name,
                "organization_kind": membership.organization.kind,
                "role": membership.role,
            }
        )
    return info
