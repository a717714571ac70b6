"""Classification of a building from the rule set, never typed in (rules.md §1.2).

`classify()` is pure: facts and a `RuleSet` in, a `Classification` out, with every reason
naming the rule, its citation and confidence so the page can show why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from towerwatch.rules.ruleset import RuleSet

from .choices import RESIDENTIAL_USES, BuildingUse, Category, FireClass


@dataclass(frozen=True)
class Facts:
    """What classification needs to know about a building."""

    height_m: Decimal | float
    storeys_above: int
    use: str
    largest_storey_area_m2: Decimal | float | None = None
    important_public: bool = False
    library_volumes: int | None = None


@dataclass
class Classification:
    category: str
    is_high_rise: bool
    fire_class: str
    is_super_high_rise: bool
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def as_fields(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "is_high_rise": self.is_high_rise,
            "fire_class": self.fire_class,
            "is_super_high_rise": self.is_super_high_rise,
            "classification_reasons": self.reasons,
        }


def classify(facts: Facts, rules: RuleSet) -> Classification:
    """Residential or public, high-rise or not, class 1 or 2, super high-rise."""
    height = float(facts.height_m)
    residential = facts.use in RESIDENTIAL_USES
    reasons: list[dict[str, Any]] = []

    def because(key: str, text: str) -> None:
        reasons.append({**rules.rule(key).as_citation(), "text": text})

    if residential:
        key = "classification.highrise.residential_height_m"
        limit = rules.value(key)
        high = height > limit
        because(
            key,
            _("Residential building, height %(h)s m %(cmp)s %(limit)s m")
            % {"h": _fmt(height), "cmp": ">" if high else "≤", "limit": limit},
        )
    else:
        key = "classification.highrise.public_height_m"
        limit = rules.value(key)
        single = facts.storeys_above <= 1
        high = height > limit and not single
        if single and height > limit:
            because(
                key,
                _("Single-storey public building: not high-rise whatever its height (%(h)s m)")
                % {"h": _fmt(height)},
            )
        else:
            because(
                key,
                _("Public building, height %(h)s m %(cmp)s %(limit)s m")
                % {"h": _fmt(height), "cmp": ">" if height > limit else "≤", "limit": limit},
            )

    fire_class = FireClass.NONE
    if high:
        class1 = _class1_reasons(facts, height, residential, rules)
        if class1:
            fire_class = FireClass.CLASS_1
            reasons.extend(class1)
        else:
            fire_class = FireClass.CLASS_2
            key = (
                "classification.class1.residential_height_m"
                if residential
                else "classification.class1.public_height_m"
            )
            because(key, _("No class 1 criterion met: class 2 high-rise"))

    key = "classification.super_highrise_height_m"
    super_limit = rules.value(key)
    is_super = height > super_limit
    if is_super:
        because(
            key,
            _("Height %(h)s m > %(limit)s m: super high-rise, stricter management")
            % {"h": _fmt(height), "limit": super_limit},
        )

    return Classification(
        category=Category.RESIDENTIAL if residential else Category.PUBLIC,
        is_high_rise=high,
        fire_class=fire_class,
        is_super_high_rise=is_super,
        reasons=reasons,
    )


def _class1_reasons(
    facts: Facts, height: float, residential: bool, rules: RuleSet
) -> list[dict[str, Any]]:
    """Every class 1 criterion of Table 5.1.1 the building meets (any one suffices)."""
    found: list[dict[str, Any]] = []

    def hit(key: str, text: str) -> None:
        found.append({**rules.rule(key).as_citation(), "text": text})

    if residential:
        key = "classification.class1.residential_height_m"
        if height > rules.value(key):
            hit(
                key,
                _("Residential height %(h)s m > %(limit)s m: class 1")
                % {"h": _fmt(height), "limit": rules.value(key)},
            )
        return found

    key = "classification.class1.public_height_m"
    if height > rules.value(key):
        hit(
            key,
            _("Public building height %(h)s m > %(limit)s m: class 1")
            % {"h": _fmt(height), "limit": rules.value(key)},
        )

    key = "classification.class1.public_storey_area_m2"
    area_rule = rules.value(key)
    area = float(facts.largest_storey_area_m2 or 0)
    if facts.use in area_rule["uses"] and area > area_rule["area_m2"]:
        hit(
            key,
            _("%(use)s with a storey above 24 m of %(a)s m² > %(limit)s m²: class 1")
            % {"use": BuildingUse(facts.use).label, "a": _fmt(area), "limit": area_rule["area_m2"]},
        )

    key = "classification.class1.public_uses"
    if facts.use in rules.value(key):
        hit(key, _("%(use)s: class 1 whatever the height") % {"use": BuildingUse(facts.use).label})
    if facts.important_public:
        hit(key, _("Important public building (重要公共建筑): class 1"))

    key = "classification.class1.library_volumes"
    volumes = facts.library_volumes or 0
    if facts.use == BuildingUse.LIBRARY and volumes > rules.value(key):
        hit(
            key,
            _("Library holding %(v)s volumes > %(limit)s: class 1")
            % {"v": f"{volumes:,}", "limit": f"{rules.value(key):,}"},
        )
    return found


def _fmt(value: float) -> str:
    return f"{value:g}"
