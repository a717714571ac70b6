"""How people and regions are named in pickers and suggestion lists (one place, so they match)."""

from __future__ import annotations

from .models import Person, Region


def person_label(p: Person) -> str:
    return f"{p.name}（{p.organization}）" if p.organization_id else p.name


def region_label(r: Region) -> str:
    return f"{r.town.name} › {r.name}" if r.town_id and r.town_id != r.pk else r.name
