"""REST API for regions, organizations and people."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from towerwatch.accounts.scope import scope_for
from towerwatch.core.api import ScopedModelViewSet, StrictModelSerializer

from . import actions
from .filtersets import OrganizationFilterSet, PersonFilterSet, RegionFilterSet
from .models import Organization, Person, Region, Sector


class RegionSerializer(StrictModelSerializer):
    class Meta:
        model = Region
        fields = [
            "id",
            "name",
            "code",
            "kind",
            "parent",
            "path",
            "depth",
            "town",
            "community",
            "centre_lon",
            "centre_lat",
            "boundary",
            "boundary_approximate",
        ]
        read_only_fields = ["path", "depth", "town", "community"]

    def create(self, validated: dict[str, Any]) -> Region:
        return actions.save_region(Region(**validated), acting_user=self.context["request"].user)

    def update(self, region: Region, validated: dict[str, Any]) -> Region:
        for k, v in validated.items():
            setattr(region, k, v)
        return actions.save_region(region, acting_user=self.context["request"].user)


class OrganizationSerializer(StrictModelSerializer):
    sectors = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Sector.objects.all(), required=False
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "credit_code",
            "region",
            "parent",
            "sectors",
            "service_kinds",
            "utility_kind",
            "is_business",
            "address",
            "phone",
        ]

    def create(self, validated: dict[str, Any]) -> Organization:
        sectors = validated.pop("sectors", None)
        org = Organization(
            **validated, registered_by_id=scope_for(self.context["request"].user).organization_id
        )
        return actions.save_organization(
            org, sectors=sectors, acting_user=self.context["request"].user
        )

    def update(self, org: Organization, validated: dict[str, Any]) -> Organization:
        sectors = validated.pop("sectors", None)
        for k, v in validated.items():
            setattr(org, k, v)
        return actions.save_organization(
            org, sectors=sectors, acting_user=self.context["request"].user
        )


class PersonSerializer(StrictModelSerializer):
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "name", "organization", "title", "phone"]

    def get_phone(self, person: Person) -> str:
        scope = scope_for(self.context["request"].user)
        if scope and (scope.sees_phones or person.organization_id == scope.organization_id):
            return person.phone
        return person.masked_phone


class RegionViewSet(ScopedModelViewSet):
    queryset = Region.objects.order_by("path")
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet

    def perform_save(self, serializer: Any) -> None:
        scope = scope_for(self.request.user)
        if not scope or not scope.can_register_buildings:
            raise PermissionDenied("Your organization may not change the territory.")
        serializer.save()

    def perform_destroy(self, instance: Region) -> None:
        raise PermissionDenied("Regions are retired by editing, not deleted through the API.")


class OrganizationViewSet(ScopedModelViewSet):
    queryset = Organization.objects.order_by("kind", "name")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    prefetch_related = ("sectors",)

    def perform_destroy(self, instance: Organization) -> None:
        raise PermissionDenied("Organizations are not deleted through the API.")


class PersonViewSet(ScopedModelViewSet):
    queryset = Person.objects.order_by("name", "id")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    http_method_names = ["get", "head", "options"]
