"""Full-text search: the bigram index narrows, the substring decides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from towerwatch.buildings.actions import save_building
from towerwatch.buildings.models import Building, SearchToken
from towerwatch.buildings.search import bigrams, search
from towerwatch.core.testing.world import World

pytestmark = pytest.mark.django_db


def make(world: World, name: str, address: str = "几江街道1号") -> Building:
    return save_building(
        Building(
            name=name,
            address=address,
            region=world.regions["grid_a1"],
            height_m=Decimal(60),
            storeys_above=20,
            use="residential",
        ),
        acting_user=None,
    )


def names(qs: object) -> set[str]:
    return set(qs.values_list("name", flat=True))  # type: ignore[attr-defined]


def test_bigrams() -> None:
    assert bigrams("滨江花园 A座") == {"滨江", "江花", "花园", "a座"}


def test_terms_must_be_contiguous_and_all_present(world: World) -> None:
    make(world, "滨江花园1栋")
    make(world, "花园滨江2栋")  # has the same bigrams 滨江 and 花园, not "江花"
    make(world, "锦绣江山3栋")
    base = Building.objects.all()
    assert names(search(base, "江花")) == {"滨江花园1栋"}
    assert names(search(base, "滨江 花园")) == {"滨江花园1栋", "花园滨江2栋"}
    assert names(search(base, "江")) >= {
        "滨江花园1栋",
        "锦绣江山3栋",
    }  # one character: substring only
    code = Building.objects.get(name="锦绣江山3栋").code
    assert names(search(base, code)) == {"锦绣江山3栋"}  # codes are ASCII: substring only


def test_renaming_reindexes(world: World) -> None:
    b = make(world, "旧名大厦")
    b.name = "新名广场"
    save_building(b, acting_user=None)
    assert names(search(Building.objects.all(), "旧名")) == set()
    assert names(search(Building.objects.all(), "新名")) == {"新名广场"}
    assert not SearchToken.objects.filter(building=b, token="旧名").exists()
