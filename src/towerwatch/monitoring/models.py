"""Devices and what they send: raw frames kept as received, and normalized events."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from towerwatch.core.models import ChangeLoggedModel
from towerwatch.core.querysets import ScopedQuerySet

from .choices import DeviceKind, EventKind


class DeviceQuerySet(ScopedQuerySet):
    """Devices are seen with their building; unbound ones only by those who see everything."""

    scope_path = "building"


class Device(ChangeLoggedModel):
    """A device that reports to the monitoring centre, e.g. a UITD with its 6-byte address.

    A device that connects before anyone registered it is created unbound (`building` empty):
    it appears in the unregistered queue with everything it sent, for an operator to bind.
    """

    kind = models.CharField(
        _("kind"), max_length=12, choices=DeviceKind.choices, default=DeviceKind.UITD
    )
    address = models.CharField(
        _("address"), max_length=32, help_text=_("UITD: the 6 address bytes as hex, in wire order.")
    )
    building = models.ForeignKey(
        "buildings.Building",
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    profile = models.CharField(
        _("protocol profile"),
        max_length=30,
        default="standard",
        help_text=_("Vendor tolerances for decoding (time labels, framing, byte order)."),
    )
    first_seen = models.DateTimeField(_("first seen"), null=True, blank=True, editable=False)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)

    objects = DeviceQuerySet.as_manager()

    # Contact times change with every frame; they are not registry edits.
    changelog_exclude = ("created_at", "updated_at", "first_seen", "last_seen")

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(fields=["kind", "address"], name="device_unique_address")
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.address}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:device_detail", args=[self.pk])


class ReceivedFrame(models.Model):
    """One frame as the device sent it (raw bytes and decoded JSON), stored before it is confirmed.

    A device resends a frame it got no confirm for with the same serial and time label; the
    unique constraint keeps the second copy out, so a confirmed frame is stored exactly once.
    """

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="frames"
    )
    received_at = models.DateTimeField(_("received"), db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True)
    serial = models.PositiveIntegerField(_("serial"))
    command = models.PositiveSmallIntegerField(_("command"))
    adu_type = models.PositiveSmallIntegerField(_("data type"), null=True)
    raw = models.BinaryField(_("raw bytes"))
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=32,
        help_text=_("BLAKE2b of the raw bytes: a resent frame has the same."),
    )
    decoded = models.JSONField(_("decoded"), default=dict)

    class Meta:
        verbose_name = _("received frame")
        verbose_name_plural = _("received frames")
        constraints = [
            models.UniqueConstraint(fields=["device", "fingerprint"], name="frame_once"),
        ]
        indexes = [models.Index(fields=["device", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.device} #{self.serial} @ {self.received_at:%Y-%m-%d %H:%M:%S}"


class EventQuerySet(ScopedQuerySet):
    scope_path = "building"


class Event(models.Model):
    """A normalized signal from a point (部件) or system: fire alarm, fault, restore, …"""

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="events"
    )
    building = models.ForeignKey(
        "buildings.Building",
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        null=True,
        related_name="events",
    )
    frame = models.ForeignKey(
        ReceivedFrame, verbose_name=_("frame"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("time"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    system_type = models.PositiveSmallIntegerField(_("system type"), null=True)
    system_address = models.PositiveSmallIntegerField(_("system address"), null=True)
    component_type = models.PositiveSmallIntegerField(_("component type"), null=True)
    component_address = models.CharField(_("component address"), max_length=8, blank=True)
    status = models.PositiveIntegerField(_("status word"), null=True)
    description = models.CharField(_("description"), max_length=64, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["building", "-at"]),
            models.Index(fields=["device", "component_address", "-at"]),
            models.Index(fields=["kind", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.description or self.component_address}"
