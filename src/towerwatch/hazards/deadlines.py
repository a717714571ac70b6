"""Default rectification deadlines from the rule set (rules/data/hazards.yaml)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from towerwatch.rules.ruleset import RuleSet

from .choices import HazardCategory, Severity


@dataclass(frozen=True)
class DefaultDeadline:
    date: dt.date
    rule_key: str
    citation: str


def default_deadline(
    category: str, severity: str, found_on: dt.date, rules: RuleSet | None = None
) -> DefaultDeadline:
    """The deadline the rule set gives a hazard of this category and severity found on a day."""
    rules = rules or RuleSet.current(found_on)
    if severity != Severity.MAJOR and category == HazardCategory.FIRE_SYSTEM:
        rule = rules.rule("hazards.fault_repair_h")
        days = max(1, math.ceil(float(rule.value) / 24))
    else:
        rule = rules.rule("hazards.rectification_days")
        value = rule.value
        if severity == Severity.MAJOR:
            days = int(value["major"])
        elif category in value.get("immediate_categories", []):
            days = int(value["immediate"])
        else:
            days = int(value["default"])
    return DefaultDeadline(found_on + dt.timedelta(days=days), rule.key, rule.citation)
