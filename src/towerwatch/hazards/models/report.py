"""Public hazard reports (群众举报, issue 4 §7): what residents send, its triage and reward."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from towerwatch.core.models import BaseModel, ChangeLoggedModel
from towerwatch.core.querysets import ScopedQuerySet

from ..choices import HazardCategory

if TYPE_CHECKING:
    from towerwatch.accounts.scope import Scope


class ReportState(models.TextChoices):
    """Where a report stands: waiting for triage, or the triage decision."""

    NEW = "new", _("waiting for triage")
    VALID = "valid", _("valid: became a hazard")
    DUPLICATE = "duplicate", _("duplicate of a known hazard")
    INVALID = "invalid", _("not accepted")


class PublicReportQuerySet(ScopedQuerySet):
    """Reports are seen by public bodies only, never by the companies they may be about.

    A territorial body (town, platform, brigade with a region) sees the reports of its
    buildings and those addressed to its town without a building; a grid officer those of the
    grid's buildings; a department those of its sectors' buildings (read only). Property
    companies, owners, service companies and utilities see none: a resident may be reporting
    them, and the hazard a valid report becomes reaches them through the hazard's own scope.
    """

    def restrict(self, scope: Scope) -> PublicReportQuerySet:
        from towerwatch.accounts.choices import Role
        from towerwatch.accounts.scope import PUBLIC_BODIES, TERRITORIAL
        from towerwatch.organizations.choices import OrganizationKind as K

        if scope.kind not in PUBLIC_BODIES and scope.role != Role.GRID_OFFICER:
            return self.none()
        seen = Q(building__in=scope.buildings())
        if scope.region_path and scope.kind in TERRITORIAL - {K.UTILITY}:
            if scope.role != Role.GRID_OFFICER:
                seen |= Q(building__isnull=True, town__path__startswith=scope.region_path)
        return self.filter(seen)

    def untriaged(self) -> PublicReportQuerySet:
        return self.filter(state=ReportState.NEW)

    def triage_overdue(self, now: Any = None) -> PublicReportQuerySet:
        return self.untriaged().filter(triage_due__lt=now or timezone.now())

    def reply_overdue(self, on: Any = None) -> PublicReportQuerySet:
        return self.filter(replied_at__isnull=True, reply_due__lt=on or timezone.localdate())


class PublicReport(ChangeLoggedModel):
    """A hazard reported by a member of the public, followed by its ticket code.

    Written only by `hazards.reports.submit_report` (validated, throttled); triaged by the town
    of the building (or the detachment when there is none) within the rule set's times.
    """

    ticket = models.CharField(_("ticket code"), max_length=12, unique=True, editable=False)
    building = models.ForeignKey(
        "buildings.Building",
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="public_reports",
    )
    town = models.ForeignKey(
        "organizations.Region",
        verbose_name=_("town/street/platform"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who triages it; none: the fire rescue detachment."),
    )
    address = models.CharField(
        _("address given"),
        max_length=200,
        blank=True,
        help_text=_("Where it is, when the reporter did not pick a building."),
    )
    category = models.CharField(_("hazard category"), max_length=20, choices=HazardCategory.choices)
    description = models.TextField(_("description"), max_length=2000)
    phone = models.CharField(_("reporter's phone"), max_length=24, blank=True)
    client_key = models.CharField(
        _("sender key"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("A keyed hash of the sender's IP address (the address itself is not kept)."),
    )
    state = models.CharField(
        _("workflow state"), max_length=10, choices=ReportState.choices, default=ReportState.NEW
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    triage_due = models.DateTimeField(_("triage due"))
    triage_rule = models.CharField(_("triage rule"), max_length=200, blank=True)
    reply_due = models.DateField(_("reply due"))
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triaged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="public_reports",
        help_text=_("The hazard it became, or the known hazard it duplicates."),
    )
    reason = models.TextField(_("reason"), blank=True)
    reply = models.TextField(_("reply to the reporter"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PublicReportQuerySet.as_manager()

    # The phone never enters the change log: its History tab is shown to viewers too.
    changelog_exclude = ("created_at", "updated_at", "phone", "client_key")

    class Meta:
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "triage_due"]),
            models.Index(fields=["town", "state"]),
        ]

    def __str__(self) -> str:
        return self.ticket

    def get_absolute_url(self) -> str:
        return reverse("reports:triage_detail", args=[self.pk])

    @property
    def follow_url(self) -> str:
        return reverse("reports:follow", args=[self.ticket])

    @property
    def is_triage_overdue(self) -> bool:
        return self.state == ReportState.NEW and self.triage_due < timezone.now()

    @property
    def is_reply_overdue(self) -> bool:
        return self.replied_at is None and self.reply_due < timezone.localdate()


def report_photo_path(instance: PublicReportPhoto, filename: str) -> str:
    return f"reports/{instance.report.ticket}/{timezone.now():%Y%m%d%H%M%S}-{filename[-60:]}"


class PublicReportPhoto(models.Model):
    """A photo attached by the reporter (validated as a real image within the size limit)."""

    report = models.ForeignKey(
        PublicReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=report_photo_path)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.image.name


class ReportReward(ChangeLoggedModel):
    """A reward decision for a valid report (举报奖励, plan task 18): amount, approval, payment."""

    report = models.OneToOneField(
        PublicReport, verbose_name=_("report"), on_delete=models.PROTECT, related_name="reward"
    )
    amount_yuan = models.DecimalField(_("amount (yuan)"), max_digits=9, decimal_places=2)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField(_("approved on"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("report reward")
        verbose_name_plural = _("report rewards")

    def __str__(self) -> str:
        return f"{self.report.ticket} ¥{self.amount_yuan}"


class ReportThrottle(BaseModel):
    """A counter of accepted reports per sender key and time window (shared by all processes).

    Incremented by a compare-and-swap update inside the report's own transaction, so a refused
    or failed report leaves no trace and two processes cannot both take the last slot.
    """

    key = models.CharField(_("key"), max_length=80)
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("report rate counter")
        verbose_name_plural = _("report rate counters")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="report_throttle_window")
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start:%Y-%m-%d %H:%M} = {self.count}"
