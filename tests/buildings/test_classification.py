"""Classification against the rule table (GB 50016 Table 5.1.1; 高层规定 Art. 50)."""

from __future__ import annotations

import pytest

from towerwatch.buildings.classification import Facts, classify
from towerwatch.rules.ruleset import RuleSet

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules() -> RuleSet:
    return RuleSet.current()


@pytest.mark.parametrize(
    ("height", "storeys", "high", "cls"),
    [
        (27, 9, False, "none"),  # exactly 27 m: not high-rise (> 27 m is)
        (27.01, 9, True, "class2"),
        (54, 18, True, "class2"),  # exactly 54 m: class 2
        (54.1, 18, True, "class1"),
        (100, 33, True, "class1"),
    ],
)
def test_residential_boundaries(
    rules: RuleSet, height: float, storeys: int, high: bool, cls: str
) -> None:
    c = classify(Facts(height_m=height, storeys_above=storeys, use="residential"), rules)
    assert (c.category, c.is_high_rise, c.fire_class) == ("residential", high, cls)


@pytest.mark.parametrize(
    ("height", "high", "cls"),
    [(24, False, "none"), (24.5, True, "class2"), (50, True, "class2"), (50.5, True, "class1")],
)
def test_public_office_boundaries(rules: RuleSet, height: float, high: bool, cls: str) -> None:
    c = classify(Facts(height_m=height, storeys_above=8, use="office"), rules)
    assert (c.category, c.is_high_rise, c.fire_class) == ("public", high, cls)


def test_single_storey_public_building_is_never_high_rise(rules: RuleSet) -> None:
    c = classify(Facts(height_m=36, storeys_above=1, use="culture"), rules)
    assert not c.is_high_rise and c.fire_class == "none"


@pytest.mark.parametrize(("area", "cls"), [(1000, "class2"), (1000.5, "class1")])
def test_storey_area_rule_for_shops(rules: RuleSet, area: float, cls: str) -> None:
    c = classify(
        Facts(height_m=40, storeys_above=10, use="commercial", largest_storey_area_m2=area), rules
    )
    assert c.fire_class == cls


def test_storey_area_rule_does_not_apply_to_offices(rules: RuleSet) -> None:
    c = classify(
        Facts(height_m=40, storeys_above=10, use="office", largest_storey_area_m2=5000), rules
    )
    assert c.fire_class == "class2"


@pytest.mark.parametrize("use", ["medical", "elderly_care", "broadcast_dispatch"])
def test_uses_that_are_always_class_1(rules: RuleSet, use: str) -> None:
    assert classify(Facts(height_m=25, storeys_above=6, use=use), rules).fire_class == "class1"


def test_important_public_building_is_class_1(rules: RuleSet) -> None:
    c = classify(Facts(height_m=30, storeys_above=7, use="office", important_public=True), rules)
    assert c.fire_class == "class1"


@pytest.mark.parametrize(("volumes", "cls"), [(1_000_000, "class2"), (1_000_001, "class1")])
def test_library_volumes(rules: RuleSet, volumes: int, cls: str) -> None:
    c = classify(Facts(height_m=30, storeys_above=7, use="library", library_volumes=volumes), rules)
    assert c.fire_class == cls


@pytest.mark.parametrize(("height", "super_"), [(100, False), (100.1, True)])
def test_super_high_rise_boundary(rules: RuleSet, height: float, super_: bool) -> None:
    assert (
        classify(Facts(height_m=height, storeys_above=30, use="office"), rules).is_super_high_rise
        is super_
    )


def test_every_reason_cites_its_rule(rules: RuleSet) -> None:
    c = classify(
        Facts(height_m=120, storeys_above=35, use="commercial", largest_storey_area_m2=2000), rules
    )
    assert c.reasons
    for reason in c.reasons:
        assert (
            reason["citation"]
            and reason["confidence"]
            and reason["rule"].startswith("classification.")
        )
    citations = " ".join(r["citation"] for r in c.reasons)
    assert "GB 50016-2014(2018) 表5.1.1" in citations


def test_a_changed_rule_value_changes_the_class(rules: RuleSet) -> None:
    from towerwatch.rules.models import Rule

    rule = Rule.objects.get(key="classification.class1.residential_height_m")
    rule.value = 40
    rule.save()
    c = classify(Facts(height_m=45, storeys_above=15, use="residential"), RuleSet.current())
    assert c.fire_class == "class1"
