"""Referral (抄告): a hazard sent to one or more industry departments with a reply deadline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from towerwatch.core.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from towerwatch.accounts.scope import Scope


class ReferralQuerySet(ScopedQuerySet):
    """A referral is seen by whoever sees its hazard, and always by the department it went to."""

    def restrict(self, scope: Scope) -> ReferralQuerySet:
        q = Q(hazard__building__in=scope.buildings())
        if scope.organization_id:
            q |= Q(department_id=scope.organization_id)
        return self.filter(q)

    def pending(self) -> ReferralQuerySet:
        return self.filter(answered_at__isnull=True)

    def overdue(self, on: Any = None) -> ReferralQuerySet:
        return self.pending().filter(reply_by__lt=on or timezone.localdate())


class Referral(models.Model):
    """One hazard referred to one department, and the department's answer."""

    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        on_delete=models.CASCADE,
        related_name="referrals",
    )
    department = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="hazard_referrals",
    )
    note = models.TextField(_("referral note"))
    reply_by = models.DateField(_("reply by"))
    referred_at = models.DateTimeField(_("referred"), default=timezone.now)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard", "department"],
                condition=Q(answered_at__isnull=True),
                name="referral_one_pending_per_department",
            )
        ]
        indexes = [models.Index(fields=["department", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.hazard_id} → {self.department_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_overdue(self) -> bool:
        return not self.is_answered and self.reply_by < timezone.localdate()
