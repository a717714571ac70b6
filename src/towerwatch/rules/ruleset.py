"""Reading the rule set: `RuleSet.current()` gives the editions in force on a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from .models import Rule


class MissingRule(LookupError):
    """A rule the code asks for is not in the rule set (run `towerwatch migrate`)."""


class RuleSet:
    """The rules in force on one date, for one jurisdiction layered over the national rules.

    Load it once per unit of work (a request, an import, a demo load) and pass it along:
    it holds a few dozen rows.
    """

    def __init__(self, rules: list[Rule], on: dt.date, jurisdiction: str = "national") -> None:
        self.on = on
        chosen: dict[str, Rule] = {}
        for rule in rules:
            if not rule.in_force(on) or rule.jurisdiction not in {"national", jurisdiction}:
                continue
            current = chosen.get(rule.key)
            # A local rule is layered over the national one; otherwise the newer edition wins.
            if current is None or _rank(rule, jurisdiction) > _rank(current, jurisdiction):
                chosen[rule.key] = rule
        self._rules = chosen

    @classmethod
    def current(cls, on: dt.date | None = None, jurisdiction: str = "national") -> RuleSet:
        return cls(list(Rule.objects.all()), on or timezone.localdate(), jurisdiction)

    def rule(self, key: str) -> Rule:
        try:
            return self._rules[key]
        except KeyError:
            raise MissingRule(key) from None

    def value(self, key: str) -> Any:
        return self.rule(key).value


def _rank(rule: Rule, jurisdiction: str) -> tuple[int, dt.date]:
    local = 1 if rule.jurisdiction == jurisdiction and jurisdiction != "national" else 0
    return (local, rule.effective_from or dt.date.min)
