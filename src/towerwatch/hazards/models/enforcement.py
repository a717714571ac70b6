"""Joint enforcement: a case with its legal basis from the rule set, the order, the fine, follow-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from towerwatch.core.models import ChangeLoggedModel
from towerwatch.core.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from towerwatch.accounts.scope import Scope


class PartyKind(models.TextChoices):
    """Who is sanctioned; selects the fine range of the legal basis."""

    BUSINESS = "business", _("business unit or person (经营性)")
    NON_BUSINESS = "non_business", _("non-business unit or person (非经营性)")
    INDIVIDUAL = "individual", _("individual")


class EnforcementState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class EnforcementQuerySet(ScopedQuerySet):
    """Seen by whoever sees the building, and by every participating department."""

    def restrict(self, scope: Scope) -> EnforcementQuerySet:
        q = Q(building__in=scope.buildings())
        if scope.organization_id:
            q |= Q(
                pk__in=EnforcementCase.departments.through.objects.filter(
                    organization_id=scope.organization_id
                ).values("enforcementcase_id")
            )
        return self.filter(q)


class EnforcementCase(ChangeLoggedModel):
    """An enforcement case (执法案件) on a building, usually from a hazard."""

    code = models.CharField(_("case number"), max_length=24, unique=True, editable=False)
    building = models.ForeignKey(
        "buildings.Building",
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        related_name="enforcement_cases",
    )
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enforcement_cases",
    )
    party = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("party"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The unit sanctioned; leave empty for an individual."),
    )
    party_name = models.CharField(_("party name"), max_length=200, blank=True)
    party_kind = models.CharField(_("kind of party"), max_length=14, choices=PartyKind.choices)
    legal_basis_rule = models.CharField(
        _("legal basis"), max_length=80, help_text=_("A rule-set entry (standard and clause).")
    )
    legal_basis_citation = models.CharField(_("citation"), max_length=200)
    legal_basis_confidence = models.CharField(_("confidence"), max_length=12)
    order_text = models.TextField(_("order"))
    fine_yuan = models.PositiveIntegerField(_("fine (yuan)"), null=True, blank=True)
    fine_min_yuan = models.PositiveIntegerField(_("lowest legal fine"), null=True, blank=True)
    fine_max_yuan = models.PositiveIntegerField(_("highest legal fine"), null=True, blank=True)
    departments = models.ManyToManyField(
        "organizations.Organization",
        verbose_name=_("participating departments"),
        blank=True,
        related_name="enforcement_cases",
    )
    state = models.CharField(
        _("workflow state"),
        max_length=8,
        choices=EnforcementState.choices,
        default=EnforcementState.OPEN,
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = EnforcementQuerySet.as_manager()

    class Meta:
        verbose_name = _("enforcement case")
        verbose_name_plural = _("enforcement cases")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("hazards:enforcement", args=[self.pk])


class EnforcementStep(models.Model):
    """One follow-up step of an enforcement case (order served, re-check, fine paid, ...)."""

    case = models.ForeignKey(
        EnforcementCase,
        verbose_name=_("enforcement case"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"))
    due = models.DateField(_("due"), null=True, blank=True)

    class Meta:
        verbose_name = _("enforcement step")
        verbose_name_plural = _("enforcement steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d}"
