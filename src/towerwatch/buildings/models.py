"""The building file (一楼一档): one record and one code (一楼一码) per high-rise building."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from towerwatch.core.models import ChangeLoggedModel
from towerwatch.organizations.choices import ServiceKind
from towerwatch.organizations.models import Organization, Person, Region, Sector, validate_in_china

from .choices import (
    ORGANIZATION_ROLES,
    BuildingUse,
    Category,
    FireClass,
    FireSystemKind,
    FireSystemState,
    ManagingArrangement,
    ResponsibilityRole,
    Stage,
)
from .querysets import BuildingQuerySet, BuildingRelatedQuerySet

#: Plausible average storey height (m) for a building of two or more storeys. Not a rule of any
#: standard: a sanity check that catches a height typed in the storeys box, or the reverse.
STOREY_HEIGHT_M = (2.2, 10.0)
MAX_HEIGHT_M = 1000


def new_public_token() -> str:
    return secrets.token_urlsafe(9)


class Building(ChangeLoggedModel):
    """A building's file: facts, computed classification, responsibility chain and fire systems.

    `category`, `is_high_rise`, `fire_class`, `is_super_high_rise` and the reasons are computed
    from the rule set on every save (`buildings.actions`); `completeness` follows the
    responsibility chain. Both are stored so that lists filter and sort on them at city scale.
    """

    code = models.CharField(_("building code"), max_length=24, unique=True)
    public_token = models.CharField(
        _("public QR token"), max_length=16, unique=True, default=new_public_token, editable=False
    )
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="buildings",
        help_text=_("The grid (or community) the building lies in."),
    )
    lon = models.DecimalField(
        _("longitude (WGS84)"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    lat = models.DecimalField(
        _("latitude (WGS84)"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    height_m = models.DecimalField(
        _("height (m)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_HEIGHT_M)],
        help_text=_("Building height as GB 50016 Appendix A measures it."),
    )
    storeys_above = models.PositiveSmallIntegerField(
        _("storeys above ground"), validators=[MinValueValidator(1), MaxValueValidator(250)]
    )
    storeys_below = models.PositiveSmallIntegerField(
        _("storeys below ground"), default=0, validators=[MaxValueValidator(20)]
    )
    use = models.CharField(_("main use"), max_length=24, choices=BuildingUse.choices)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("occupancy sectors"), blank=True, related_name="buildings"
    )
    important_public = models.BooleanField(
        _("important public building (重要公共建筑)"), default=False
    )
    library_volumes = models.PositiveIntegerField(_("library volumes"), null=True, blank=True)
    total_area_m2 = models.DecimalField(
        _("total floor area (m²)"),
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    largest_storey_area_m2 = models.DecimalField(
        _("largest storey area above 24 m (m²)"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    year_completed = models.PositiveSmallIntegerField(
        _("year completed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    stage = models.CharField(_("stage"), max_length=14, choices=Stage.choices, default=Stage.IN_USE)
    is_old_residential = models.BooleanField(_("old residential building"), default=False)
    managing_arrangement = models.CharField(
        _("managing arrangement"),
        max_length=20,
        choices=ManagingArrangement.choices,
        default=ManagingArrangement.NONE,
    )

    # Computed from the rule set (never typed in).
    category = models.CharField(
        _("category"), max_length=12, choices=Category.choices, editable=False
    )
    is_high_rise = models.BooleanField(_("high-rise"), default=False, editable=False)
    fire_class = models.CharField(
        _("class"),
        max_length=8,
        choices=FireClass.choices,
        default=FireClass.NONE,
        editable=False,
        db_index=True,
    )
    is_super_high_rise = models.BooleanField(_("super high-rise"), default=False, editable=False)
    classification_reasons = models.JSONField(
        _("classification reasons"), default=list, editable=False
    )
    # Registration completeness (0–100) and the links it misses.
    completeness = models.PositiveSmallIntegerField(
        _("registration completeness (%)"), default=0, editable=False
    )
    missing_roles = models.JSONField(_("missing links"), default=list, editable=False)
    search_text = models.CharField(max_length=400, editable=False, default="")

    objects = BuildingQuerySet.as_manager()

    changelog_exclude = (
        "created_at",
        "updated_at",
        "search_text",
        "classification_reasons",
        "public_token",
    )

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["region", "fire_class"]),
            models.Index(fields=["completeness"]),
            models.Index(fields=["height_m"]),
            models.Index(fields=["name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(height_m__gt=0) & models.Q(height_m__lte=MAX_HEIGHT_M),
                name="building_height_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from .search import index_buildings

        self.refresh_search_text()
        super().save(*args, **kwargs)
        index_buildings([self])

    def refresh_search_text(self) -> None:
        """What full-text search matches: code, name and address, lower-cased."""
        self.search_text = " ".join([self.code, self.name, self.address]).lower()[:400]

    def get_absolute_url(self) -> str:
        return reverse("buildings:building_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if (self.lon is None) != (self.lat is None):
            errors["lat" if self.lat is None else "lon"] = _(
                "Give both longitude and latitude, or neither."
            )
        elif self.lon is not None:
            try:
                validate_in_china(float(self.lon), float(self.lat))
            except ValidationError as exc:
                errors["lon"] = exc.messages
        if self.height_m is not None and self.storeys_above and self.storeys_above >= 2:
            per_storey = float(self.height_m) / self.storeys_above
            low, high = STOREY_HEIGHT_M
            if not low <= per_storey <= high:
                errors["storeys_above"] = _(
                    "%(n)s storeys do not fit a height of %(h)s m (%(per).1f m a storey; expected %(low)s–%(high)s m)."
                ) % {
                    "n": self.storeys_above,
                    "h": self.height_m,
                    "per": per_storey,
                    "low": low,
                    "high": high,
                }
        if (
            self.total_area_m2
            and self.largest_storey_area_m2
            and self.largest_storey_area_m2 > self.total_area_m2
        ):
            errors["largest_storey_area_m2"] = _(
                "The largest storey cannot exceed the total floor area."
            )
        if self.library_volumes and self.use != BuildingUse.LIBRARY:
            errors["library_volumes"] = _(
                "Library volumes apply to libraries and book stores only."
            )
        if self.region_id and self.region.kind in {"district"}:
            errors["region"] = _(
                "Place the building in a town, community or grid, not the whole district."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def public_url(self) -> str:
        return reverse("public:public_building", args=[self.public_token])


class FireSystem(ChangeLoggedModel):
    """One fire system of a building and its state."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="fire_systems"
    )
    kind = models.CharField(_("system"), max_length=24, choices=FireSystemKind.choices)
    present = models.BooleanField(_("present"), default=True)
    state = models.CharField(
        _("state"), max_length=10, choices=FireSystemState.choices, default=FireSystemState.UNKNOWN
    )
    last_tested = models.DateField(_("last tested"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = BuildingRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("fire system")
        verbose_name_plural = _("fire systems")
        ordering = ["building", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["building", "kind"], name="firesystem_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.building.name} · {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("buildings:building_detail", args=[self.building_id]) + "?tab=systems"


class Responsibility(ChangeLoggedModel):
    """One link of a building's responsibility chain: an organization or a person in a role."""

    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    role = models.CharField(_("role"), max_length=24, choices=ResponsibilityRole.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsibilities",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsibilities",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = BuildingRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        ordering = ["building", "role"]
        indexes = [
            models.Index(fields=["organization", "role"]),
            models.Index(fields=["building", "role"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False) | models.Q(person__isnull=False),
                name="responsibility_has_party",
            ),
            models.UniqueConstraint(
                fields=["building", "role", "organization"],
                condition=models.Q(person__isnull=True),
                name="responsibility_unique_org",
            ),
            models.UniqueConstraint(
                fields=["building", "role", "person"],
                condition=models.Q(person__isnull=False),
                name="responsibility_unique_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.organization or self.person}"

    def get_absolute_url(self) -> str:
        return reverse("buildings:building_detail", args=[self.building_id]) + "?tab=responsibility"

    def clean(self) -> None:
        if self.role in ORGANIZATION_ROLES and self.organization_id is None:
            raise ValidationError({"organization": _("This role is filled by an organization.")})
        if self.role not in ORGANIZATION_ROLES and self.person_id is None:
            raise ValidationError({"person": _("This role is filled by a person.")})


class ServiceContract(ChangeLoggedModel):
    """A fire service company's contract on a building (maintenance, testing or assessment)."""

    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        on_delete=models.CASCADE,
        related_name="service_contracts",
    )
    company = models.ForeignKey(
        Organization,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="service_contracts",
    )
    service = models.CharField(_("service"), max_length=12, choices=ServiceKind.choices)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)

    objects = BuildingRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["company", "end_date"])]

    def __str__(self) -> str:
        return f"{self.company} · {self.get_service_display()}"

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("A contract cannot end before it starts.")})


class SearchToken(models.Model):
    """One two-character window of a building's search text (see `buildings.search`)."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=2)

    class Meta:
        verbose_name = _("search token")
        verbose_name_plural = _("search tokens")
        indexes = [models.Index(fields=["token", "building"])]

    def __str__(self) -> str:
        return self.token
