"""The outbox: messages written in the same transaction as the change that causes them,
delivered afterwards by the worker with retries; every attempt is logged.

Organizations register where their people hear about alarms (`NotificationEndpoint`); each
message goes to one channel address (a robot URL, an e-mail address, a mobile number), whose
`Recipient` row carries its rate limit and digest window. Acknowledgements stop reminders.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from towerwatch.core.models import ChangeLoggedModel

from .choices import Channel, EndpointKind, MessageKind, MessageState
from .querysets import DeliveryAttemptQuerySet, EndpointQuerySet, OutboxMessageQuerySet

__all__ = ["Channel", "EndpointKind", "MessageKind", "MessageState"]


def recipient_key(channel: str, target: str) -> str:
    """The rate-limit and digest key of one channel address."""
    return hashlib.sha256(f"{channel}:{target}".encode()).hexdigest()[:40]


def validate_http_url(value: str) -> None:
    """An http(s) address with a host; intranet host names without a dot are fine."""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or " " in value:
        raise ValidationError(_("Enter an http:// or https:// address."), code="url")


class NotificationEndpoint(ChangeLoggedModel):
    """Where an organization's people hear about alarms: a WeCom or DingTalk group robot, an SMS
    gateway for its people's mobile numbers, or e-mail to its members."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="notification_endpoints",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EndpointKind.choices)
    name = models.CharField(_("name"), max_length=100)
    url = models.CharField(
        _("URL"),
        max_length=500,
        blank=True,
        validators=[validate_http_url],
        help_text=_("The robot's webhook address, or the SMS gateway's address."),
    )
    secret = models.CharField(
        _("secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk: the robot's signing secret (SEC…). SMS gateway: its bearer token."),
    )
    addresses = models.TextField(
        _("addresses"),
        blank=True,
        help_text=_(
            "E-mail addresses or mobile numbers, one a line. Empty: the e-mail addresses of the "
            "organization's active members, or the mobile numbers of its people."
        ),
    )
    only_urgent = models.BooleanField(
        _("confirmed fires only"),
        default=False,
        help_text=_("Send only confirmed fires here (e.g. to keep SMS costs down)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = EndpointQuerySet.as_manager()

    # The signing secret or token never goes into the change log.
    changelog_exclude = ("created_at", "updated_at", "secret")

    class Meta:
        verbose_name = _("notification endpoint")
        verbose_name_plural = _("notification endpoints")
        ordering = ["organization", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("notifications:endpoint_edit", args=[self.pk])

    @property
    def channel(self) -> str:
        return str(self.kind)

    def listed_addresses(self) -> list[str]:
        return [a.strip() for a in self.addresses.replace(",", "\n").splitlines() if a.strip()]


class OutboxMessage(models.Model):
    """One message to one channel address. Pending until delivered, folded into a digest,
    cancelled by an acknowledgement, or given up."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    target = models.CharField(
        _("target"), max_length=500, help_text=_("URL, e-mail address or mobile number.")
    )
    recipient_key = models.CharField(_("recipient"), max_length=40, db_index=True, default="")
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=10, choices=MessageState.choices, default=MessageState.PENDING
    )
    urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Never held for a digest or by the rate limit.")
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    endpoint = models.ForeignKey(
        NotificationEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    case = models.ForeignKey(
        "monitoring.AlarmCase",
        verbose_name=_("alarm case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    digest = models.ForeignKey(
        "self",
        verbose_name=_("digest"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="folded",
    )
    reminder_of = models.ForeignKey(
        "self",
        verbose_name=_("reminder of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    remind = models.BooleanField(_("remind until acknowledged"), default=False)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=models.Q(state="pending"),
            ),
            models.Index(
                fields=["sent_at"],
                name="outbox_remind",
                condition=models.Q(remind=True, reminder_of=None),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.recipient_key:
            self.recipient_key = recipient_key(self.channel, self.target)
        super().save(*args, **kwargs)


class Recipient(models.Model):
    """One channel address's rate-limit window and the time it was last sent something.

    Workers lock the row (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL) or win its version
    (compare-and-swap, SQLite) before deciding what the address is sent: one decider at a time.
    """

    key = models.CharField(_("key"), max_length=40, unique=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    target = models.CharField(_("target"), max_length=500)
    window_start = models.DateTimeField(_("rate window start"), null=True)
    window_count = models.PositiveIntegerField(_("sent in the window"), default=0)
    last_sent_at = models.DateTimeField(_("last sent"), null=True)
    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self) -> str:
        return f"{self.channel}:{self.target}"


class DeliveryAttempt(models.Model):
    """One try to deliver an outbox message: the delivery log."""

    message = models.ForeignKey(
        OutboxMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    at = models.DateTimeField(_("time"), db_index=True)
    ok = models.BooleanField(_("delivered"))
    status = models.PositiveSmallIntegerField(_("HTTP status"), null=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))

    objects = DeliveryAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.message_id} {'ok' if self.ok else self.error}"


class Acknowledgement(models.Model):
    """A recipient said they got a message (through its signed link): who, when, which channel.

    One row per message and case; it stops reminders of that case to that channel address.
    """

    message = models.ForeignKey(
        OutboxMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="acknowledgements",
    )
    case = models.ForeignKey(
        "monitoring.AlarmCase",
        verbose_name=_("alarm case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient_key = models.CharField(_("recipient"), max_length=40, db_index=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["message", "case"], name="ack_once_per_message_case")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """An in-app notification for one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text
