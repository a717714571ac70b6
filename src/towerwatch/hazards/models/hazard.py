from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from towerwatch.core.models import ChangeLoggedModel
from towerwatch.core.querysets import ScopedQuerySet

from ..choices import (
    OPEN_STATES,
    HazardCategory,
    HazardSource,
    HazardState,
    PhotoStage,
    Severity,
    StepKind,
)

if TYPE_CHECKING:
    from towerwatch.accounts.scope import Scope


class HazardQuerySet(ScopedQuerySet):
    scope_path = "building"

    def restrict(self, scope: Scope) -> HazardQuerySet:
        """Hazards in the scope's buildings; a department also sees every hazard referred to it."""
        from towerwatch.organizations.choices import OrganizationKind

        q = Q(building__in=scope.buildings())
        if scope.kind == OrganizationKind.DEPARTMENT and scope.organization_id:
            from .referral import Referral

            q |= Q(
                pk__in=Referral.objects.filter(department_id=scope.organization_id).values(
                    "hazard_id"
                )
            )
        return self.filter(q)

    def open(self) -> HazardQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, on: Any = None) -> HazardQuerySet:
        return self.open().filter(deadline__lt=on or timezone.localdate())


class Hazard(ChangeLoggedModel):
    """One fire hazard (隐患) found in a building, and its rectification loop.

    The state changes only through `workflow.transition`; every change, reminder, escalation
    and referral is a `HazardStep`, the hazard's timeline.
    """

    code = models.CharField(_("hazard number"), max_length=24, unique=True, editable=False)
    building = models.ForeignKey(
        "buildings.Building",
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    source = models.CharField(_("source"), max_length=16, choices=HazardSource.choices)
    category = models.CharField(_("hazard category"), max_length=20, choices=HazardCategory.choices)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.GENERAL
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    floor = models.CharField(_("floor"), max_length=20, blank=True)
    location = models.CharField(_("location in the building"), max_length=120, blank=True)
    interim_measures = models.TextField(_("interim measures"), blank=True)
    responsible_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
        help_text=_("Taken from the building's responsibility chain."),
    )
    responsible_person = models.ForeignKey(
        "organizations.Person",
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
    )
    deadline = models.DateField(_("deadline"))
    deadline_rule = models.CharField(
        _("deadline rule"),
        max_length=80,
        blank=True,
        help_text=_("The rule the deadline came from."),
    )
    deadline_reason = models.CharField(
        _("reason for the deadline"),
        max_length=200,
        blank=True,
        help_text=_("Required when the deadline differs from the rule set."),
    )
    state = models.CharField(
        _("workflow state"), max_length=12, choices=HazardState.choices, default=HazardState.OPEN
    )
    found_at = models.DateTimeField(_("found"), default=timezone.now, db_index=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("found by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    alarm_case = models.ForeignKey(
        "monitoring.AlarmCase",
        verbose_name=_("alarm case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
    )
    source_ref = models.CharField(
        _("source reference"),
        max_length=60,
        blank=True,
        help_text=_("What the hazard came from, e.g. an inspection item or a report ticket."),
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation steps taken"), default=0)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    reinspect_by = models.DateField(
        _("re-inspect by"),
        null=True,
        blank=True,
        help_text=_("Set when rectification is submitted; the acceptance is the re-inspection."),
    )

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_at", "-id"]
        indexes = [
            models.Index(fields=["state", "deadline"]),
            models.Index(fields=["building", "state"]),
            models.Index(fields=["category", "state"]),
            models.Index(fields=["responsible_org", "state"]),
            # Covering indexes of the dashboards (per town / per unit): one narrow index scan
            # instead of 500,000 table rows (measured: SQLite 3.3 s → see docs/deploy.md).
            models.Index(
                fields=["building", "category", "state", "deadline", "found_at", "closed_at"],
                name="hazard_dash_building",
            ),
            models.Index(
                fields=[
                    "responsible_org",
                    "category",
                    "state",
                    "deadline",
                    "found_at",
                    "closed_at",
                ],
                name="hazard_dash_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("hazards:hazard", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.localdate()


class HazardStep(models.Model):
    """One row of a hazard's timeline (append-only)."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="steps"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=12, choices=StepKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    old_state = models.CharField(_("from"), max_length=12, blank=True)
    new_state = models.CharField(_("to"), max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("hazard timeline step")
        verbose_name_plural = _("hazard timeline steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


def photo_path(instance: HazardPhoto, filename: str) -> str:
    return f"hazards/{instance.hazard_id}/{timezone.now():%Y%m%d%H%M%S}-{filename[-60:]}"


class HazardPhoto(models.Model):
    """A photo taken when the hazard was found, or as evidence of its rectification."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="photos"
    )
    stage = models.CharField(_("stage"), max_length=10, choices=PhotoStage.choices)
    image = models.ImageField(_("photo"), upload_to=photo_path)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.image.name
