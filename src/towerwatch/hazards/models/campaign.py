"""Rectification campaigns (专项整治, plan task 15): scope, start date and milestones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from towerwatch.core.models import ChangeLoggedModel
from towerwatch.core.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from towerwatch.accounts.scope import Scope


class CampaignQuerySet(ScopedQuerySet):
    """A campaign is visible where it reaches: district-wide ones to every member, the others
    to whoever sees one of its towns (its territory, or a building in it) or organized it."""

    def restrict(self, scope: Scope) -> CampaignQuerySet:
        from towerwatch.accounts.scope import TERRITORIAL
        from towerwatch.buildings.models import Building

        towns = Building.objects.filter(scope.building_filter()).values("region__town")
        seen = Q(towns__isnull=True) | Q(towns__in=towns) | Q(organization_id=scope.organization_id)
        if scope.region_path and scope.kind in TERRITORIAL:
            seen |= Q(towns__path__startswith=scope.region_path)
        return self.filter(pk__in=self.model.objects.filter(seen).values("pk"))


class Campaign(ChangeLoggedModel):
    """A rectification campaign: hazards of its categories found in its towns since its start.

    Progress is computed live from the hazards (`hazards.campaigns.progress`); nothing is
    copied, so a hazard closed today shows in today's figures.
    """

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    towns = models.ManyToManyField(
        "organizations.Region",
        verbose_name=_("towns/streets/platforms"),
        blank=True,
        related_name="+",
        help_text=_("None: the whole district."),
    )
    categories = models.JSONField(
        _("hazard categories"),
        default=list,
        blank=True,
        help_text=_("None: every category."),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organized by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign", args=[self.pk])


class Milestone(models.Model):
    """A date by which the campaign's hazards found so far must be closed.

    `major_only`: only major hazards count ("key hazards cleared in 3 months").
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("name"), max_length=120)
    due_on = models.DateField(_("due"))
    major_only = models.BooleanField(_("major hazards only"), default=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.due_on:%Y-%m-%d})"
