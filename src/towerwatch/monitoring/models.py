"""Devices and what they send: raw frames kept as received, and normalized events."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from towerwatch.core.models import ChangeLoggedModel
from towerwatch.core.querysets import ScopedQuerySet, scoped_by

from .choices import (
    CaseState,
    DeviceKind,
    DeviceProfile,
    DutyCheckState,
    EventKind,
    SensorKind,
)

HEX12 = re.compile(r"^[0-9a-f]{12}$")
HEX8 = re.compile(r"^[0-9a-f]{8}$")
#: An IoT device id is one MQTT topic level: no separators or wildcards.
SENSOR_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,32}$")


class Device(ChangeLoggedModel):
    """A device that reports to the monitoring centre, e.g. a UITD with its 6-byte address.

    A device that connects before anyone registered it is created unbound (`building` empty):
    it appears in the unregistered queue with everything it sent, for an operator to bind.
    Scope follows the building, so unbound devices are seen only by organizations that see
    everything (the monitoring centre).
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
    sensor_kind = models.CharField(
        _("sensor kind"),
        max_length=20,
        choices=SensorKind.choices,
        blank=True,
        help_text=_("IoT sensors: what the sensor measures or watches."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    profile = models.CharField(
        _("protocol profile"),
        max_length=30,
        choices=DeviceProfile.choices,
        default=DeviceProfile.STANDARD,
        help_text=_("Vendor tolerances for decoding (time labels, framing, byte order)."),
    )
    token_hash = models.CharField(
        _("HTTP ingestion token (SHA-256)"),
        max_length=64,
        blank=True,
        editable=False,
        db_index=True,
    )
    first_seen = models.DateTimeField(_("first seen"), null=True, blank=True, editable=False)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)

    objects = scoped_by("building").as_manager()

    # Contact times change with every frame; they are not registry edits.
    changelog_exclude = ("created_at", "updated_at", "first_seen", "last_seen", "token_hash")

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

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        self.address = (self.address or "").strip()
        if self.kind == DeviceKind.UITD:
            self.address = self.address.lower().replace(" ", "")
            if not HEX12.match(self.address):
                errors["address"] = _(
                    "A UITD address is 6 bytes as 12 hex digits, in wire order, e.g. 0a1b2c3d4e5f."
                )
            if self.sensor_kind:
                errors["sensor_kind"] = _("Only IoT sensors have a sensor kind.")
        else:
            if not SENSOR_ID.match(self.address):
                errors["address"] = _(
                    "The sensor's id as it reports it: up to 32 letters, digits, '_', '.', ':' or '-'."
                )
            if self.profile != DeviceProfile.STANDARD:
                errors["profile"] = _("Protocol profiles apply to UITDs only.")
        if errors:
            raise ValidationError(errors)


class ReceivedFrame(models.Model):
    """One frame as the device sent it (raw bytes and decoded JSON), stored before it is confirmed.

    A device resends a frame it got no confirm for with the same serial and time label; the
    unique constraint keeps the second copy out, so a confirmed frame is stored exactly once.
    """

    # Indexed by the constraint and the index below (device first): no index of its own.
    # No database constraint (decisions D17): the ingest path proves and locks a batch's
    # devices once per batch (`ingest._hold_devices`); a deferred check per row costs more.
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        on_delete=models.PROTECT,
        related_name="frames",
        db_index=False,
        db_constraint=False,
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
    decoded = models.JSONField(
        _("decoded"),
        default=dict,
        help_text=_("The payload of an MQTT or HTTP message (GB/T 26875.3 frames: empty)."),
    )
    profile = models.CharField(
        _("protocol profile"),
        max_length=24,
        blank=True,
        help_text=_("GB/T 26875.3: the device profile the frame was read with."),
    )

    class Meta:
        verbose_name = _("received frame")
        verbose_name_plural = _("received frames")
        constraints = [
            models.UniqueConstraint(fields=["device", "fingerprint"], name="frame_once"),
        ]
        indexes = [models.Index(fields=["device", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.device} #{self.serial} @ {self.received_at:%Y-%m-%d %H:%M:%S}"

    @property
    def described(self) -> dict[str, Any]:
        """What the frame says, as JSON: a GB/T 26875.3 frame decoded from its raw bytes with
        the profile it was read with (decoded when shown, not stored: the raw bytes are the
        record, and a year of frames stays small); an MQTT or HTTP message's payload."""
        if not self.profile:
            return self.decoded
        from .ingest import describe_frame

        return describe_frame(bytes(self.raw), self.profile)


class Event(models.Model):
    """A normalized signal from a point (部件) or system: fire alarm, fault, restore, …"""

    # Device and building lead composite indexes below: no single-column index of their own
    # (every index is paid for by each of the many rows the ingest path writes). No database
    # constraints either (decisions D17): the ingest path proves and locks a batch's devices
    # and their buildings once per batch (`ingest._hold_devices`) and writes an event with its
    # frame in one transaction; deletions go through the ORM, which protects and cascades.
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    building = models.ForeignKey(
        "buildings.Building",
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        null=True,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    frame = models.ForeignKey(
        ReceivedFrame,
        verbose_name=_("frame"),
        on_delete=models.CASCADE,
        related_name="events",
        db_constraint=False,
    )
    at = models.DateTimeField(_("time"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    system_type = models.PositiveSmallIntegerField(_("system type"), null=True)
    system_address = models.PositiveSmallIntegerField(_("system address"), null=True)
    component_type = models.PositiveSmallIntegerField(_("component type"), null=True)
    component_address = models.CharField(
        _("component address"),
        max_length=64,
        blank=True,
        help_text=_("GB/T 26875.3: the 4 address bytes as hex; IoT: the sensor's point id."),
    )
    status = models.PositiveIntegerField(_("status word"), null=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    description = models.CharField(_("description"), max_length=64, blank=True)

    objects = scoped_by("building").as_manager()

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


class AlarmCaseQuerySet(ScopedQuerySet):
    scope_path = "building"

    def open(self) -> AlarmCaseQuerySet:
        return self.filter(state=CaseState.OPEN)


class AlarmCase(models.Model):
    """What an operator handles: a fire alarm, fault or supervisory signal on one point.

    Signals of the same kind from the same point while a case is open are folded into it
    (`event_count`, `last_event_at`), so an alarm storm is one case, not a thousand.
    State changes only by compare-and-swap (`workflow.transition`); every change is an
    `AlarmFlip`, the case's timeline.
    """

    # No database constraints on what the ingest path writes in bulk (decisions D17): it
    # proves and locks devices and buildings once per batch and writes a case with its first
    # event in one transaction; deletions go through the ORM, which protects and cascades.
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_constraint=False,
    )
    building = models.ForeignKey(
        "buildings.Building",
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        null=True,
        related_name="alarm_cases",
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    component_address = models.CharField(_("component address"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=64, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), db_index=True)
    first_event = models.ForeignKey(
        Event,
        verbose_name=_("first event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        help_text=_("Empty for cases the centre opens itself (a silent device)."),
    )
    last_event_at = models.DateTimeField(_("last signal"))
    event_count = models.PositiveIntegerField(_("signals"), default=1)
    escalation_level = models.PositiveSmallIntegerField(_("escalation steps taken"), default=0)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = AlarmCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("alarm case")
        verbose_name_plural = _("alarm cases")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "component_address", "kind"],
                condition=models.Q(state="open"),
                name="alarmcase_one_open_per_point",
            )
        ]
        indexes = [
            models.Index(fields=["state", "-opened_at"]),
            models.Index(fields=["building", "state"]),
            # False-alarm rates: a town's ranking scans one kind over the window (index-only).
            models.Index(
                fields=["kind", "opened_at", "building", "state"], name="alarmcase_kind_opened"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.description or self.component_address}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:case_detail", args=[self.pk])


class AlarmFlip(models.Model):
    """One state change of an alarm case, by whom and why: the case's timeline."""

    case = models.ForeignKey(
        AlarmCase,
        verbose_name=_("alarm case"),
        on_delete=models.CASCADE,
        related_name="flips",
        db_constraint=False,  # written with its case by the ingest path (decisions D17)
    )
    at = models.DateTimeField(_("time"))
    old_state = models.CharField(_("from"), max_length=16, choices=CaseState.choices, blank=True)
    new_state = models.CharField(_("to"), max_length=16, choices=CaseState.choices)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("case timeline entry")
        verbose_name_plural = _("case timeline")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.old_state or '—'} → {self.new_state}"


class DeadLetter(models.Model):
    """A message that could not be ingested, kept with the reason (never silently dropped)."""

    received_at = models.DateTimeField(_("received"), db_index=True)
    source = models.CharField(_("source"), max_length=16)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    payload = models.BinaryField(_("payload"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} {self.topic}: {self.reason}"


class DutyCheck(models.Model):
    """查岗: the centre asks a control room's UITD to have the person on duty answer.

    Requested from a page (or on a schedule), sent by the worker over the device's live
    connection as a type 91 command, answered by a type 24 upload with the 查岗应答 bit;
    the time to answer is recorded, and a check unanswered in time opens a case.
    """

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="duty_checks"
    )
    requested_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    timeout_minutes = models.PositiveSmallIntegerField(_("answer within (minutes)"), default=10)
    state = models.CharField(
        _("state"), max_length=12, choices=DutyCheckState.choices, default=DutyCheckState.PENDING
    )
    serial = models.PositiveIntegerField(_("serial"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    schedule = models.ForeignKey(
        "DutyCheckSchedule",
        verbose_name=_("schedule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checks",
    )
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)

    objects = scoped_by("device__building").as_manager()

    class Meta:
        verbose_name = _("duty check")
        verbose_name_plural = _("duty checks")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["state", "device"]),
            models.Index(fields=["-requested_at"], name="dutycheck_requested"),
        ]
        constraints = [
            # A scheduled slot is checked once, however many workers plan it.
            models.UniqueConstraint(
                fields=["device", "scheduled_for"],
                condition=models.Q(scheduled_for__isnull=False),
                name="dutycheck_slot_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.device} {self.get_state_display()}"

    @property
    def answer_seconds(self) -> float | None:
        if self.answered_at and self.sent_at:
            return (self.answered_at - self.sent_at).total_seconds()
        return None


class Panel(ChangeLoggedModel):
    """A fire alarm control panel (or another system) behind a UITD: system type and address."""

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="panels"
    )
    system_type = models.PositiveSmallIntegerField(_("system type"))
    system_address = models.PositiveSmallIntegerField(_("system address"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    objects = scoped_by("device__building").as_manager()

    class Meta:
        verbose_name = _("control panel")
        verbose_name_plural = _("control panels")
        ordering = ["device", "system_type", "system_address"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "system_type", "system_address"], name="panel_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name or f"{self.system_type}-{self.system_address}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:device_detail", args=[self.device_id]) + f"#panel-{self.pk}"

    def clean(self) -> None:
        errors = {
            name: _("Must be between 0 and 255.")
            for name in ("system_type", "system_address")
            if getattr(self, name) is not None and not 0 <= getattr(self, name) <= 255
        }
        if errors:
            raise ValidationError(errors)


class Point(ChangeLoggedModel):
    """A component (部件) on a panel: type code, 4-byte address (hex, wire order), where it is."""

    panel = models.ForeignKey(
        Panel, verbose_name=_("control panel"), on_delete=models.CASCADE, related_name="points"
    )
    component_type = models.PositiveSmallIntegerField(_("component type"))
    address = models.CharField(_("component address"), max_length=8)
    description = models.CharField(_("description"), max_length=64, blank=True)
    floor = models.SmallIntegerField(
        _("floor"), null=True, blank=True, help_text=_("Negative below ground.")
    )
    location = models.CharField(_("location"), max_length=100, blank=True)

    objects = scoped_by("panel__device__building").as_manager()

    class Meta:
        verbose_name = _("point")
        verbose_name_plural = _("points")
        ordering = ["panel", "address"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "address"], name="point_unique_address")
        ]

    def __str__(self) -> str:
        where = f"{self.floor}F " if self.floor is not None else ""
        return f"{where}{self.location or self.description or self.address}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:device_detail", args=[self.panel.device_id]) + "#tw-points"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        self.address = (self.address or "").strip().lower()
        if not HEX8.match(self.address):
            errors["address"] = _("Four bytes as 8 hex digits, in wire order, e.g. 03001100.")
        if self.component_type is not None and not 0 <= self.component_type <= 255:
            errors["component_type"] = _("Must be between 0 and 255.")
        if errors:
            raise ValidationError(errors)


class Threshold(ChangeLoggedModel):
    """The allowed range of one sensor point's readings, e.g. 0.10–1.00 MPa at a hydrant outlet.

    A reading outside it is an `out_of_range` signal (a case opens); a reading back inside
    restores the point (the case closes itself).
    """

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="thresholds"
    )
    point = models.CharField(
        _("point"), max_length=64, help_text=_("The point id the sensor sends its readings under.")
    )
    low = models.FloatField(_("lowest allowed"), null=True, blank=True)
    high = models.FloatField(_("highest allowed"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    rule_key = models.CharField(
        _("from the rule"),
        max_length=100,
        blank=True,
        help_text=_("Empty when the building's own value; else the rule-set entry it comes from."),
    )

    objects = scoped_by("device__building").as_manager()

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        constraints = [
            models.UniqueConstraint(fields=["device", "point"], name="threshold_unique_point")
        ]

    def __str__(self) -> str:
        low = "" if self.low is None else f"{self.low:g}"
        high = "" if self.high is None else f"{self.high:g}"
        return f"{self.point}: {low}–{high} {self.unit}".strip()

    def get_absolute_url(self) -> str:
        return reverse("monitoring:device_detail", args=[self.device_id]) + "#tw-thresholds"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.low is None and self.high is None:
            errors["low"] = _("Give the lowest or the highest allowed value (or both).")
        elif self.low is not None and self.high is not None and self.low > self.high:
            errors["high"] = _("The highest allowed value is below the lowest.")
        if self.rule_key:
            from towerwatch.rules.ruleset import MissingRule, RuleSet

            try:
                RuleSet.current().rule(self.rule_key)
            except MissingRule:
                errors["rule_key"] = _("No such rule in the rule set: %(key)s") % {
                    "key": self.rule_key
                }
        if errors:
            raise ValidationError(errors)

    @property
    def rule(self) -> Any:
        """The rule-set entry the threshold comes from (with its citation), or None."""
        if not self.rule_key:
            return None
        from towerwatch.rules.ruleset import MissingRule, RuleSet

        try:
            return RuleSet.current().rule(self.rule_key)
        except MissingRule:
            return None

    def judge(self, value: float) -> str:
        """The signal a reading makes: out of range, or back to normal."""
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            return EventKind.OUT_OF_RANGE
        return EventKind.RESTORE


class DutyScheduleQuerySet(ScopedQuerySet):
    def restrict(self, scope: Any) -> DutyScheduleQuerySet:
        from towerwatch.organizations.models import Region

        regions = Region.objects.all().restrict(scope).values("pk")
        return self.filter(models.Q(building__in=scope.buildings()) | models.Q(region__in=regions))


class DutyCheckSchedule(ChangeLoggedModel):
    """When the centre runs duty checks (查岗) by itself: a region's default or a building's own.

    A building follows its own schedule if it has one, else that of the nearest region above
    it (the district's default). `random`: `checks_per_day` checks at random minutes between
    `start_hour` and `end_hour` (drawn per building and day, the same in every worker);
    `fixed`: at the listed times of day.
    """

    class Mode(models.TextChoices):
        RANDOM = "random", _("random times in a daily window")
        FIXED = "fixed", _("fixed times of day")

    region = models.OneToOneField(
        "organizations.Region",
        verbose_name=_("region (default for its buildings)"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="duty_schedule",
    )
    building = models.OneToOneField(
        "buildings.Building",
        verbose_name=_("building (its own schedule)"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="duty_schedule",
    )
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.RANDOM)
    checks_per_day = models.PositiveSmallIntegerField(_("checks a day"), default=2)
    start_hour = models.PositiveSmallIntegerField(_("from (hour)"), default=8)
    end_hour = models.PositiveSmallIntegerField(_("until (hour)"), default=20)
    fixed_times = models.CharField(
        _("times of day"), max_length=200, blank=True, help_text=_("e.g. 09:00, 15:30, 22:00")
    )
    timeout_minutes = models.PositiveSmallIntegerField(_("answer within (minutes)"), default=10)
    enabled = models.BooleanField(_("enabled"), default=True)

    objects = DutyScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty check schedule")
        verbose_name_plural = _("duty check schedules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__isnull=True, building__isnull=False)
                | models.Q(region__isnull=False, building__isnull=True),
                name="dutyschedule_region_xor_building",
            )
        ]

    def __str__(self) -> str:
        return str(self.building or self.region)

    def get_absolute_url(self) -> str:
        return reverse("monitoring:duty_schedule_edit", args=[self.pk])

    def times(self) -> list[tuple[int, int]]:
        """Fixed times as (hour, minute), sorted; raises ValueError on a malformed entry."""
        out = []
        for part in re.split(r"[,，;\s]+", self.fixed_times.strip()):
            if not part:
                continue
            hour, _sep, minute = part.partition(":")
            h, m = int(hour), int(minute or 0)
            if not (0 <= h <= 23 and 0 <= m <= 59):
                raise ValueError(part)
            out.append((h, m))
        return sorted(set(out))

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if (self.region_id is None) == (self.building_id is None):
            errors["building"] = _("A schedule belongs to a region or to one building.")
        if self.mode == self.Mode.RANDOM:
            if not 0 <= self.start_hour < self.end_hour <= 24:
                errors["end_hour"] = _("The window is from 0 to 24 h and must not be empty.")
            elif not 1 <= self.checks_per_day <= (self.end_hour - self.start_hour) * 60:
                errors["checks_per_day"] = _("At least one check, at most one a minute.")
        else:
            try:
                if not self.times():
                    errors["fixed_times"] = _("List at least one time of day, e.g. 09:00.")
            except ValueError as exc:
                errors["fixed_times"] = _("Not a time of day: %(v)s") % {"v": exc}
        if not 1 <= self.timeout_minutes <= 255:
            errors["timeout_minutes"] = _("Between 1 and 255 minutes (GB/T 26875.3 type 91).")
        if errors:
            raise ValidationError(errors)
