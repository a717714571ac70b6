"""The demo district loader: deterministic, valid, and every persona sees some buildings."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from towerwatch.buildings.actions import completeness_of, next_building_code
from towerwatch.buildings.models import Building, FireSystem, Responsibility, ServiceContract
from towerwatch.demo import DEMO_PASSWORD, PERSONAS, load_demo, personas_info
from towerwatch.organizations.models import (
    Certificate,
    Organization,
    Person,
    Region,
    validate_geometry,
)
from towerwatch.organizations.validators import normalize_phone, validate_credit_code

SMALL = 60
#: Personas whose organization sees the whole district (detachment, leadership, and the
#: power utility, whose region is the district: scope gives utilities their region subtree).
SEE_EVERYTHING = {"detachment", "operator", "leadership", "utility"}


@pytest.fixture
def demo():
    return load_demo(buildings=SMALL, seed=7)


def building_facts():
    return list(
        Building.objects.order_by("code").values_list(
            "code", "name", "height_m", "fire_class", "lon", "lat"
        )
    )


@pytest.mark.django_db
def test_same_seed_loads_the_same_buildings():
    load_demo(buildings=SMALL, seed=7)
    first = building_facts()
    load_demo(buildings=SMALL, seed=7)
    assert building_facts() == first
    assert len(first) == SMALL
    assert first[0][0] == "500116-000001"
    load_demo(buildings=SMALL, seed=8)
    assert building_facts() != first


@pytest.mark.django_db
def test_every_persona_logs_in_and_sees_part_of_the_district(demo, client):
    total = Building.objects.count()
    assert total == SMALL
    for persona in PERSONAS:
        assert client.login(username=persona.username, password=DEMO_PASSWORD), persona.username
        client.logout()
        user = get_user_model().objects.get(username=persona.username)
        visible = Building.objects.visible_to(user).count()
        assert visible > 0, persona.username
        if persona.username in SEE_EVERYTHING:
            assert visible == total, persona.username
        else:
            assert visible < total, persona.username


@pytest.mark.django_db
def test_service_persona_does_not_see_its_expired_contract(demo):
    user = get_user_model().objects.get(username="service")
    company = user.active_membership.organization
    expired = ServiceContract.objects.filter(company=company, end_date__year=2025).get()
    assert not Building.objects.visible_to(user).filter(pk=expired.building_id).exists()


@pytest.mark.django_db
def test_credit_codes_and_phones_are_valid(demo):
    orgs = list(Organization.objects.all())
    assert orgs
    for org in orgs:
        assert org.credit_code, org.name
        validate_credit_code(org.credit_code)
        assert normalize_phone(org.phone) == org.phone
    for phone in Person.objects.values_list("phone", flat=True):
        assert normalize_phone(phone) == phone


@pytest.mark.django_db
def test_every_town_level_region_has_a_boundary(demo):
    towns = list(Region.objects.towns())
    assert len(towns) == 36  # 5 streets, 25 towns, 6 platforms
    district = Region.objects.get(kind="district")
    for region in [*towns, district]:
        assert region.boundary is not None, region.name
        assert region.boundary_approximate
        assert region.centre_lon is not None and region.centre_lat is not None
        validate_geometry(region.boundary)


@pytest.mark.django_db
def test_region_tree_fields_are_what_save_would_compute(demo):
    for region in Region.objects.select_related("parent"):
        derived = region.tree_fields()
        assert {k: getattr(region, k) for k in derived} == derived, region.code


@pytest.mark.django_db
def test_completeness_follows_the_responsibility_links(demo):
    incomplete = 0
    for building in Building.objects.prefetch_related("responsibilities"):
        score, missing = completeness_of(r.role for r in building.responsibilities.all())
        assert (building.completeness, building.missing_roles) == (score, missing)
        assert building.sectors.exists()
        incomplete += score < 100
    assert 0 < incomplete < SMALL


@pytest.mark.django_db
def test_building_codes_continue_after_the_demo(demo):
    assert next_building_code() == f"500116-{SMALL + 1:06d}"


@pytest.mark.django_db
def test_personas_json_lists_every_login(demo):
    out = StringIO()
    call_command("personas", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert [p["username"] for p in data] == [p.username for p in PERSONAS]
    keys = {
        "username",
        "password",
        "organization_id",
        "organization_name",
        "organization_kind",
        "role",
    }
    for entry in data:
        assert set(entry) == keys
        assert entry["password"] == DEMO_PASSWORD
    assert data == personas_info()


@pytest.mark.django_db
def test_personas_table_has_a_header_and_a_line_per_login(demo):
    out = StringIO()
    call_command("personas", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Demo logins (password: towerwatch) — http://127.0.0.1:8000/"
    assert len(lines) == 1 + len(PERSONAS)


@pytest.mark.django_db
def test_demo_if_empty_keeps_existing_buildings(demo):
    first = building_facts()
    call_command("demo", "--buildings", "5", "--if-empty", stdout=StringIO())
    assert building_facts() == first


@pytest.mark.django_db
def test_demo_rows_pass_model_validation(demo):
    for model in [Region, Organization, Person, Certificate, Building, Responsibility, FireSystem]:
        for obj in model.objects.all():
            obj.full_clean()
