"""Checklists as data, checkpoints, and the records of patrols and inspections.

A checklist template is versioned: an edit writes a new version and retires the old one, and
every record also copies its items (text, clause, hazard category) when it starts, so no later
change to a template alters a past record.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from towerwatch.core.models import BaseModel, ChangeLoggedModel
from towerwatch.core.querysets import ScopedQuerySet, scoped_by
from towerwatch.hazards.choices import HazardCategory

from .choices import BuildingType, RecordState, Result, WorkKind


def new_checkpoint_token() -> str:
    return secrets.token_urlsafe(9)


class ChecklistTemplate(ChangeLoggedModel):
    """One version of a checklist for one kind of work and one type of building."""

    key = models.SlugField(_("key"), max_length=60, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    kind = models.CharField(_("kind of work"), max_length=16, choices=WorkKind.choices)
    building_type = models.CharField(
        _("building type"), max_length=16, choices=BuildingType.choices, default=BuildingType.ANY
    )
    title = models.CharField(_("title"), max_length=120)
    is_current = models.BooleanField(_("current version"), default=True)
    shipped = models.BooleanField(
        _("shipped with TowerWatch"),
        default=True,
        help_text=_("Cleared when an administrator edits it; shipped updates then keep the edit."),
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["kind", "building_type", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="checklist_unique_version"),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(is_current=True),
                name="checklist_one_current_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:template_detail", args=[self.pk])


class ChecklistItem(models.Model):
    """One line of a checklist: what to check, the clause it comes from, what a failure opens."""

    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist template"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=12)
    text = models.CharField(_("what to check"), max_length=200)
    clause = models.CharField(_("clause"), max_length=120, blank=True)
    hazard_category = models.CharField(
        _("hazard category if failed"),
        max_length=20,
        choices=HazardCategory.choices,
        default=HazardCategory.OTHER,
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "order", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Checkpoint(ChangeLoggedModel):
    """A QR code posted somewhere in a building; scanning it during a patrol records presence."""

    building = models.ForeignKey(
        "buildings.Building",
        verbose_name=_("building"),
        on_delete=models.CASCADE,
        related_name="checkpoints",
    )
    name = models.CharField(_("name"), max_length=80)
    location = models.CharField(_("where it is posted"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    token = models.CharField(
        _("token"), max_length=16, unique=True, default=new_checkpoint_token, editable=False
    )
    active = models.BooleanField(_("in use"), default=True)

    objects = scoped_by("building").as_manager()

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["building", "order", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inspections:checkpoint_scan", args=[self.token])


class RecordQuerySet(ScopedQuerySet):
    scope_path = "building"

    def signed(self) -> RecordQuerySet:
        return self.filter(state=RecordState.SIGNED)


class InspectionRecord(BaseModel):
    """One patrol, inspection, test, assessment, drill or walk done at a building."""

    building = models.ForeignKey(
        "buildings.Building",
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        related_name="inspection_records",
    )
    kind = models.CharField(_("kind of work"), max_length=16, choices=WorkKind.choices)
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist"),
        on_delete=models.PROTECT,
        related_name="records",
    )
    state = models.CharField(
        _("state"), max_length=8, choices=RecordState.choices, default=RecordState.OPEN
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("done for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspection_records",
    )
    signed_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol / inspection record")
        verbose_name_plural = _("patrol / inspection records")
        ordering = ["-started_at", "-id"]
        indexes = [
            # The compliance aggregate: last signed record per building and kind.
            models.Index(fields=["building", "kind", "signed_at"], name="insp_last_done"),
            models.Index(fields=["state", "kind"], name="insp_state_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:record", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == RecordState.OPEN

    @property
    def reference(self) -> str:
        """What a hazard opened from this record cites as its source."""
        return f"XJ-{self.pk}"


class RecordItem(models.Model):
    """One checklist line as it stood when the record started, and its answer."""

    record = models.ForeignKey(
        InspectionRecord, verbose_name=_("record"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=12)
    text = models.CharField(_("what to check"), max_length=200)
    clause = models.CharField(_("clause"), max_length=120, blank=True)
    hazard_category = models.CharField(
        _("hazard category if failed"), max_length=20, choices=HazardCategory.choices
    )
    result = models.CharField(_("result"), max_length=4, choices=Result.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard opened"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("record item")
        verbose_name_plural = _("record items")
        ordering = ["record", "order", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.result or '—'}"

    @property
    def reference(self) -> str:
        return f"XJ-{self.record_id}-{self.code}"


def photo_path(instance: RecordPhoto, filename: str) -> str:
    return f"inspections/{instance.item.record_id}/{timezone.now():%Y%m%d%H%M%S}-{filename[-60:]}"


class RecordPhoto(models.Model):
    """A photo taken for one answer."""

    item = models.ForeignKey(
        RecordItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=photo_path)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("record photo")
        verbose_name_plural = _("record photos")

    def __str__(self) -> str:
        return self.image.name


class CheckpointScan(models.Model):
    """Presence: a checkpoint scanned during a record, with the time."""

    record = models.ForeignKey(
        InspectionRecord, verbose_name=_("record"), on_delete=models.CASCADE, related_name="scans"
    )
    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name=_("checkpoint"), on_delete=models.PROTECT, related_name="scans"
    )
    at = models.DateTimeField(_("scanned"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("checkpoint scan")
        verbose_name_plural = _("checkpoint scans")
        ordering = ["record", "at"]

    def __str__(self) -> str:
        return f"{self.checkpoint} {self.at:%H:%M}"


class ScheduleNotice(models.Model):
    """A reminder or escalation sent for one due date (so each is sent once)."""

    class Level(models.TextChoices):
        REMINDER = "reminder", _("reminder")
        ESCALATION = "escalation", _("escalation")
        TOWN = "town", _("escalation to the town government")

    building = models.ForeignKey("buildings.Building", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind of work"), max_length=16, choices=WorkKind.choices)
    due_on = models.DateField(_("due"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("schedule notice")
        verbose_name_plural = _("schedule notices")
        constraints = [
            models.UniqueConstraint(
                fields=["building", "kind", "due_on", "level"], name="schedule_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.building_id} {self.kind} {self.due_on} {self.level}"
