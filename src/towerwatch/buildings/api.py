"""REST API for building files: same filters and scope as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from towerwatch.accounts.scope import scope_for
from towerwatch.core.api import ScopedModelViewSet, StrictModelSerializer
from towerwatch.organizations.choices import COMMUNITY_LEVEL, TOWN_LEVEL, RegionKind
from towerwatch.organizations.models import Region, Sector

from . import actions
from .choices import PARTY_ROLES, ResponsibilityRole
from .filtersets import BuildingFilterSet
from .models import Building, FireSystem, Responsibility


class RegionPathSerializer(serializers.Serializer):
    town = serializers.CharField(allow_null=True, help_text="Code of the town, street or platform")
    community = serializers.CharField(allow_null=True)
    grid = serializers.CharField(allow_null=True)


class FalseAlarmSerializer(serializers.Serializer):
    window_days = serializers.IntegerField()
    fire_alarm_cases = serializers.IntegerField(help_text="Decided fire-alarm cases in the window")
    false_alarms = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="false_alarms / fire_alarm_cases")


class FireSystemSerializer(serializers.ModelSerializer):
    class Meta:
        model = FireSystem
        fields = ["kind", "present", "state", "last_tested", "note"]


class ScopedRegionField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return Region.objects.visible_to(request.user if request else None).filter(
            kind__in=[*TOWN_LEVEL, *COMMUNITY_LEVEL, RegionKind.GRID]
        )


class BuildingSerializer(StrictModelSerializer):
    region = ScopedRegionField()
    region_path = serializers.SerializerMethodField()
    sectors = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Sector.objects.all(), required=False
    )
    managing_organization_ids = serializers.SerializerMethodField()
    owner_organization_ids = serializers.SerializerMethodField()
    occupant_organization_ids = serializers.SerializerMethodField()
    classification_reasons = serializers.JSONField(read_only=True)
    missing_roles = serializers.JSONField(read_only=True)
    fire_systems = FireSystemSerializer(many=True, read_only=True)
    false_alarms = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(view_name="api:building-detail")

    class Meta:
        model = Building
        fields = [
            "id",
            "url",
            "code",
            "name",
            "address",
            "region",
            "region_path",
            "lon",
            "lat",
            "height_m",
            "storeys_above",
            "storeys_below",
            "use",
            "sectors",
            "important_public",
            "library_volumes",
            "total_area_m2",
            "largest_storey_area_m2",
            "year_completed",
            "stage",
            "is_old_residential",
            "managing_arrangement",
            "category",
            "is_high_rise",
            "fire_class",
            "is_super_high_rise",
            "classification_reasons",
            "completeness",
            "missing_roles",
            "managing_organization_ids",
            "owner_organization_ids",
            "occupant_organization_ids",
            "fire_systems",
            "false_alarms",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "code",
            "category",
            "is_high_rise",
            "fire_class",
            "is_super_high_rise",
            "completeness",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(RegionPathSerializer)
    def get_region_path(self, b: Building) -> dict[str, str | None]:
        r = b.region
        return {
            "town": r.town.code if r.town_id else None,
            "community": r.community.code if r.community_id else None,
            "grid": r.code if r.kind == RegionKind.GRID else None,
        }

    def _party(self, b: Building, role: str) -> list[int]:
        return sorted({link.organization_id for link in b.party_links if link.role == role})

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_managing_organization_ids(self, b: Building) -> list[int]:
        return self._party(b, ResponsibilityRole.MANAGER)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_owner_organization_ids(self, b: Building) -> list[int]:
        return self._party(b, ResponsibilityRole.OWNER)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_occupant_organization_ids(self, b: Building) -> list[int]:
        return self._party(b, ResponsibilityRole.OCCUPANT)

    @extend_schema_field(FalseAlarmSerializer)
    def get_false_alarms(self, b: Building) -> dict[str, Any]:
        from towerwatch.monitoring import stats

        days = stats.window_days()
        if hasattr(b, "fa_cases"):  # annotated by the viewset's query
            return stats.FalseAlarms(days, b.fa_cases, b.fa_false).as_dict()
        return stats.for_building(b, days).as_dict()

    def create(self, validated: dict[str, Any]) -> Building:
        sectors = validated.pop("sectors", None)
        building = actions.save_building(
            Building(**validated), sectors=sectors, acting_user=self._user()
        )
        return self._reload(building)

    def update(self, building: Building, validated: dict[str, Any]) -> Building:
        sectors = validated.pop("sectors", None)
        for key, value in validated.items():
            setattr(building, key, value)
        actions.save_building(building, sectors=sectors, acting_user=self._user())
        return self._reload(building)

    def _user(self) -> Any:
        return self.context["request"].user

    def _reload(self, building: Building) -> Building:
        return building_queryset(Building.objects.filter(pk=building.pk)).get()


class BuildingListSerializer(BuildingSerializer):
    """Lists leave out the fire systems (nine rows a building); the detail has them."""

    class Meta(BuildingSerializer.Meta):
        fields = [f for f in BuildingSerializer.Meta.fields if f != "fire_systems"]


def building_queryset(qs: Any, *, with_systems: bool = True) -> Any:
    parties = Responsibility.objects.filter(role__in=PARTY_ROLES).only(
        "building_id", "role", "organization_id"
    )
    related: list[Any] = [
        "sectors",
        Prefetch("responsibilities", queryset=parties, to_attr="party_links"),
    ]
    if with_systems:
        related.append("fire_systems")
    return qs.select_related("region", "region__town", "region__community").prefetch_related(
        *related
    )


class BuildingViewSet(ScopedModelViewSet):
    """Building files visible to the caller's organization (404 outside it)."""

    queryset = Building.objects.order_by("code")
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilterSet
    ordering_fields = ["code", "name", "height_m", "completeness", "storeys_above"]

    def get_queryset(self) -> Any:
        from towerwatch.monitoring import stats

        visible = Building.objects.visible_to(self.request.user)
        qs = building_queryset(visible, with_systems=self.action != "list").order_by("code")
        if self.request.method == "GET":  # false-alarm counts in the same query
            qs = stats.with_rates(qs, stats.since(stats.window_days()))
        return qs

    def get_serializer_class(self) -> Any:
        return BuildingListSerializer if self.action == "list" else BuildingSerializer

    def perform_create(self, serializer: Any) -> None:
        scope = scope_for(self.request.user)
        if scope is None or not scope.can_register_buildings:
            raise PermissionDenied("Your organization or role may not register buildings.")
        super().perform_create(serializer)

    def perform_destroy(self, instance: Building) -> None:
        scope = scope_for(self.request.user)
        if scope is None or not scope.can_delete:
            raise PermissionDenied("Your role may not delete building files.")
        actions.delete_building(instance, acting_user=self.request.user)
