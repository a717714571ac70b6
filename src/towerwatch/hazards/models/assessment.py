"""Major fire hazard assessment (重大火灾隐患判定) per GB 35181, with the collective decision."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from towerwatch.core.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from towerwatch.accounts.scope import Scope


class AssessmentQuerySet(ScopedQuerySet):
    """Seen by whoever sees the hazard."""

    def restrict(self, scope: Scope) -> AssessmentQuerySet:
        from .hazard import Hazard

        return self.filter(hazard__in=Hazard.objects.all().restrict(scope).values("pk"))


class Verdict(models.TextChoices):
    """What the rule set's counting rules say, before the collective decides."""

    MAJOR = "major", _("major hazard by the rules")
    NOT_MAJOR = "not_major", _("not a major hazard by the rules")
    UNDETERMINED = "undetermined", _("rules do not decide (threshold unconfirmed)")


class MajorAssessment(models.Model):
    """One assessment of one hazard: elements found, the rule verdict, the collective decision."""

    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    standard = models.CharField(_("standard"), max_length=40)
    edition = models.CharField(_("edition"), max_length=10)
    rule_key = models.CharField(_("rule"), max_length=80)
    confidence = models.CharField(_("confidence"), max_length=12)
    site_type = models.CharField(_("site type"), max_length=40)
    elements = models.JSONField(_("elements found"), default=list)
    direct_elements = models.JSONField(_("direct elements found"), default=list)
    comprehensive_count = models.PositiveSmallIntegerField(_("comprehensive elements counted"))
    threshold = models.PositiveSmallIntegerField(_("counting threshold"), null=True, blank=True)
    verdict = models.CharField(_("rule verdict"), max_length=12, choices=Verdict.choices)
    is_major = models.BooleanField(_("judged a major hazard"))
    conclusion = models.TextField(_("conclusion"))
    participants = models.JSONField(
        _("participants"), default=list, help_text=_("Names and roles (at least three).")
    )
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("major hazard assessment")
        verbose_name_plural = _("major hazard assessments")
        ordering = ["-assessed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.standard}-{self.edition}"
