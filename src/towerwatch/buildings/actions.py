"""Every write to a building file goes through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404

from towerwatch.core.actions import acting, delete_object, save_object
from towerwatch.core.changelog import log_creations
from towerwatch.core.models import Counter
from towerwatch.rules.ruleset import RuleSet

from .choices import REQUIRED_ROLES, FireSystemKind
from .classification import Facts, classify
from .models import Building, FireSystem, Responsibility
from .search import index_buildings

CODE_COUNTER = "building_code"


def next_building_code() -> str:
    """A new stable building code: the district's administrative code and a serial number."""
    return next_building_codes(1)[0]


def next_building_codes(count: int) -> list[str]:
    """`count` new building codes, reserved in one step (imports)."""
    prefix = settings.TOWERWATCH_DISTRICT_CODE
    first = Counter.reserve(f"{CODE_COUNTER}:{prefix}", count)
    return [f"{prefix}-{n:06d}" for n in range(first, first + count)]


def apply_classification(building: Building, rules: RuleSet | None = None) -> None:
    """Set the computed class fields of `building` from the rule set (no save)."""
    result = classify(
        Facts(
            height_m=building.height_m,
            storeys_above=building.storeys_above,
            use=building.use,
            largest_storey_area_m2=building.largest_storey_area_m2,
            important_public=building.important_public,
            library_volumes=building.library_volumes,
        ),
        rules or RuleSet.current(),
    )
    for name, value in result.as_fields().items():
        setattr(building, name, value)


def completeness_of(roles_present: Iterable[str]) -> tuple[int, list[str]]:
    """Registration completeness (0–100) and the required links that are missing."""
    present = set(roles_present)
    missing = [r.value for r in REQUIRED_ROLES if r not in present]
    return round(100 * (len(REQUIRED_ROLES) - len(missing)) / len(REQUIRED_ROLES)), missing


def refresh_completeness(building: Building) -> None:
    roles = building.responsibilities.values_list("role", flat=True)
    score, missing = completeness_of(roles)
    if (score, missing) != (building.completeness, building.missing_roles):
        Building.objects.filter(pk=building.pk).update(completeness=score, missing_roles=missing)
        building.completeness, building.missing_roles = score, missing


@transaction.atomic
def save_building(
    building: Building,
    *,
    sectors: Any = None,
    acting_user: Any,
    rules: RuleSet | None = None,
) -> Building:
    """Register or change a building: validate, classify from the rules, save, re-check scope."""
    if not building.code:
        building.code = next_building_code()
    with acting(acting_user):
        building.full_clean(exclude=["code"] if building._state.adding else None)
        apply_classification(building, rules)
        created = building._state.adding
        save_object(
            building,
            acting_user=acting_user,
            validate=False,
            m2m={"sectors": sectors} if sectors is not None else None,
        )
        if created:
            FireSystem.objects.bulk_create(
                [
                    FireSystem(building=building, kind=k, present=False)
                    for k in FireSystemKind.values
                ]
            )
            refresh_completeness(building)
    return building


@transaction.atomic
def delete_building(building: Building, *, acting_user: Any) -> None:
    """Delete a building file and what hangs off it (each deletion is change-logged)."""
    with acting(acting_user):
        for row in [
            *building.responsibilities.all(),
            *building.fire_systems.all(),
            *building.service_contracts.all(),
        ]:
            row.delete()
        delete_object(building, acting_user=acting_user)


@transaction.atomic
def assign_responsibility(responsibility: Responsibility, *, acting_user: Any) -> Responsibility:
    """Add or change one link of a building's responsibility chain."""
    save_object(responsibility, acting_user=acting_user)
    refresh_completeness(responsibility.building)
    return responsibility


@transaction.atomic
def remove_responsibility(responsibility: Responsibility, *, acting_user: Any) -> None:
    building = responsibility.building
    delete_object(responsibility, acting_user=acting_user)
    refresh_completeness(building)


@transaction.atomic
def save_fire_system(system: FireSystem, *, acting_user: Any) -> FireSystem:
    """Record whether a fire system is present and in what state."""
    return save_object(system, acting_user=acting_user)


def reclassify_all(rules: RuleSet | None = None, batch: int = 2000) -> int:
    """Recompute every building's class after the rule set changed; returns how many changed."""
    rules = rules or RuleSet.current()
    changed = 0
    fields = [
        "category",
        "is_high_rise",
        "fire_class",
        "is_super_high_rise",
        "classification_reasons",
    ]
    qs = Building.objects.order_by("pk")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return changed
        with transaction.atomic():
            for b in chunk:
                before = [getattr(b, f) for f in fields]
                apply_classification(b, rules)
                if [getattr(b, f) for f in fields] != before:
                    b.save(update_fields=[*fields, "updated_at"])
                    changed += 1
        last = chunk[-1].pk


@transaction.atomic
def register_buildings(
    entries: list[tuple[Building, list[str], list[Responsibility]]],
    *,
    acting_user: Any,
    rules: RuleSet | None = None,
) -> list[Building]:
    """Register many new, already validated buildings at once (Excel import).

    The set-based twin of `save_building`: codes reserved in one step, classification from
    the rules, buildings, sectors, fire systems and responsibility links inserted in batches,
    one change-log row per created object, and one scope check for the whole lot (an entry
    outside the user's scope rolls everything back with 404).
    """
    if not entries:
        return []
    rules = rules or RuleSet.current()
    buildings = [b for b, _sectors, _links in entries]
    for building, code in zip(buildings, next_building_codes(len(buildings)), strict=True):
        building.code = code
        apply_classification(building, rules)
        building.refresh_search_text()
    for building, _sectors, links in entries:
        building.completeness, building.missing_roles = completeness_of(link.role for link in links)
    with acting(acting_user):
        Building.objects.bulk_create(buildings, batch_size=500)
        index_buildings(buildings)
        through = Building.sectors.through
        through.objects.bulk_create(
            [
                through(building_id=b.pk, sector_id=code)
                for b, sectors, _l in entries
                for code in sectors
            ],
            batch_size=2000,
        )
        FireSystem.objects.bulk_create(
            [
                FireSystem(building=b, kind=k, present=False)
                for b in buildings
                for k in FireSystemKind.values
            ],
            batch_size=2000,
        )
        links = []
        for building, _sectors, entry_links in entries:
            for link in entry_links:
                link.building = building
                links.append(link)
        Responsibility.objects.bulk_create(links, batch_size=2000)
        log_creations(
            [(b, {**b.snapshot(), "sectors": sorted(sectors)}) for b, sectors, _l in entries]
        )
        log_creations([(link, link.snapshot()) for link in links])
    if acting_user is not None:
        ids = [b.pk for b in buildings]
        visible = Building.objects.visible_to(acting_user).filter(pk__in=ids).count()
        if visible != len(ids):
            raise Http404("outside your scope")
    return buildings
