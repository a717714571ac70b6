"""Territory (the region tree), organizations and the people who act for them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from towerwatch.core.models import ChangeLoggedModel

from .choices import (
    ALLOWED_PARENTS,
    COMMUNITY_LEVEL,
    TOWN_LEVEL,
    CertificateKind,
    CertificateLevel,
    OrganizationKind,
    RegionKind,
    SectorCode,
    ServiceKind,
    UtilityKind,
)
from .querysets import OrganizationQuerySet, PersonQuerySet, RegionQuerySet
from .validators import mask_phone, normalize_phone, validate_credit_code


class Region(ChangeLoggedModel):
    """A node of the territory: district → town/street/platform → community/village → grid.

    `path` is the materialized chain of ids ("/1/4/27/"), so a subtree is one indexed prefix
    match; `town` and `community` point at this node's ancestors at those levels (or itself).
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=200, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    town = models.ForeignKey(
        "self",
        verbose_name=_("town/street/platform"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    community = models.ForeignKey(
        "self",
        verbose_name=_("community/village"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    centre_lon = models.DecimalField(
        _("centre longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    centre_lat = models.DecimalField(
        _("centre latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    boundary = models.JSONField(_("boundary (GeoJSON geometry, WGS84)"), null=True, blank=True)
    boundary_approximate = models.BooleanField(
        _("boundary is approximate"),
        default=False,
        help_text=_("Drawn around the centre for orientation, not surveyed."),
    )

    objects = RegionQuerySet.as_manager()

    changelog_exclude = ("created_at", "updated_at", "path", "depth", "town", "community")

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:region_detail", args=[self.pk])

    def clean(self) -> None:
        allowed = ALLOWED_PARENTS.get(self.kind, ())
        parent_kind = self.parent.kind if self.parent_id else None
        if allowed and parent_kind not in allowed:
            raise ValidationError(
                {
                    "parent": _("A %(kind)s must sit under a %(allowed)s.")
                    % {
                        "kind": self.get_kind_display(),
                        "allowed": " / ".join(str(RegionKind(k).label) for k in allowed),
                    }
                }
            )
        if not allowed and self.parent_id:
            raise ValidationError({"parent": _("A district has no parent region.")})
        if self.boundary is not None:
            validate_geometry(self.boundary)

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        derived = self.tree_fields()
        if any(getattr(self, k) != v for k, v in derived.items()):
            old_path = self.path
            for k, v in derived.items():
                setattr(self, k, v)
            type(self).objects.filter(pk=self.pk).update(**derived)
            if old_path:  # moved: the subtree follows
                for child in self.children.all():
                    child.save()

    def tree_fields(self) -> dict[str, Any]:
        """path, depth, town and community as they follow from the parent chain."""
        parent = self.parent
        town_id = self.pk if self.kind in TOWN_LEVEL else (parent.town_id if parent else None)
        if self.kind in COMMUNITY_LEVEL:
            community_id = self.pk
        else:
            community_id = parent.community_id if parent and self.kind == RegionKind.GRID else None
        return {
            "path": f"{parent.path if parent else '/'}{self.pk}/",
            "depth": parent.depth + 1 if parent else 0,
            "town_id": town_id,
            "community_id": community_id,
        }

    @property
    def is_town_level(self) -> bool:
        return self.kind in TOWN_LEVEL


def validate_geometry(geometry: Any) -> None:
    """A GeoJSON Polygon or MultiPolygon with coordinates inside China."""
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError(_("A boundary must be a GeoJSON Polygon or MultiPolygon."))
    polygons = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    try:
        for polygon in polygons:
            for ring in polygon:
                if len(ring) < 4:
                    raise ValidationError(_("A boundary ring needs at least 4 positions."))
                for lon, lat, *_rest in ring:
                    validate_in_china(float(lon), float(lat))
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            _("The boundary's coordinates are not [longitude, latitude] pairs.")
        ) from exc


# Bounding box of the People's Republic of China (WGS84), the coordinate sanity check.
CHINA_LON = (73.4, 135.1)
CHINA_LAT = (3.8, 53.6)


def validate_in_china(lon: float, lat: float) -> None:
    if not (CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]):
        raise ValidationError(
            _(
                "The position %(lon)s, %(lat)s is outside China (longitude 73.4–135.1, latitude 3.8–53.6, WGS84)."
            )
            % {"lon": lon, "lat": lat},
            code="outside_china",
        )


class Sector(models.Model):
    """An occupancy sector (教育, 医疗, 住宅 …): what buildings hold and departments supervise."""

    code = models.CharField(_("code"), max_length=30, primary_key=True, choices=SectorCode.choices)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(SectorCode(self.code).label)


class RegisteredModel(ChangeLoggedModel):
    """A party record that remembers which organization registered it.

    A company registered by a town stays visible to that town before it is linked to any
    building (`OrganizationQuerySet.restrict`).
    """

    registered_by = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True


class Organization(RegisteredModel):
    """A party in the plan: fire rescue, government, department, company, owner or utility."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(
        _("kind"), max_length=24, choices=OrganizationKind.choices, db_index=True
    )
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        help_text=_(
            "The territory a government, fire or utility body covers; else where the organization sits."
        ),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    sectors = models.ManyToManyField(
        Sector,
        verbose_name=_("supervised sectors"),
        blank=True,
        related_name="departments",
        help_text=_("For industry departments: the sectors whose buildings it supervises."),
    )
    service_kinds = models.JSONField(
        _("services offered"),
        default=list,
        blank=True,
        help_text=_("For fire service companies: maintenance, testing, assessment."),
    )
    utility_kind = models.CharField(
        _("utility"), max_length=10, choices=UtilityKind.choices, blank=True
    )
    is_business = models.BooleanField(
        _("business (经营性) unit"),
        default=True,
        help_text=_("Fines differ for business and non-business units (高层规定 Art. 47)."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:organization_detail", args=[self.pk])

    def clean(self) -> None:
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if self.phone:
            self.phone = _normalized(self.phone, "phone")
        bad = [k for k in self.service_kinds or [] if k not in ServiceKind.values]
        if bad:
            raise ValidationError({"service_kinds": _("Unknown service: %s") % ", ".join(bad)})
        territorial = {OrganizationKind.TOWN_GOVERNMENT, OrganizationKind.PLATFORM_GOVERNMENT}
        if self.kind in territorial and (self.region is None or not self.region.is_town_level):
            raise ValidationError(
                {
                    "region": _(
                        "A town/street or platform government covers one town, street or platform."
                    )
                }
            )


def _normalized(value: str, field: str) -> str:
    try:
        return normalize_phone(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


class Person(RegisteredModel):
    """Someone named in a responsibility chain: manager, official, grid officer, operator."""

    name = models.CharField(_("name"), max_length=60)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    title = models.CharField(_("title / post"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:person_detail", args=[self.pk])

    def clean(self) -> None:
        if self.phone:
            self.phone = _normalized(self.phone, "phone")

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Certificate(ChangeLoggedModel):
    """A qualification a person holds, e.g. 消防设施操作员 level 4."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="certificates"
    )
    kind = models.CharField(_("certificate"), max_length=30, choices=CertificateKind.choices)
    level = models.CharField(_("level"), max_length=2, choices=CertificateLevel.choices, blank=True)
    number = models.CharField(_("number"), max_length=40, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["kind"]

    def __str__(self) -> str:
        level = f" {self.get_level_display()}" if self.level else ""
        return f"{self.get_kind_display()}{level}"
