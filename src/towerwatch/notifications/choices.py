"""Channels, endpoint kinds and the states of an outbox message."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEBHOOK = "webhook", _("webhook")
    IN_APP = "in_app", _("in-app")
    EMAIL = "email", _("e-mail")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    SMS = "sms", _("SMS gateway")


#: Channels read by people, whose messages may be folded into a digest during an alarm storm.
#: A generic webhook (the 119 centre's receiver) is read by a machine: every message goes alone.
HUMAN_CHANNELS = {Channel.EMAIL, Channel.WECOM, Channel.DINGTALK, Channel.SMS}


class EndpointKind(models.TextChoices):
    EMAIL = "email", _("e-mail")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    SMS = "sms", _("SMS gateway")


class MessageState(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FOLDED = "folded", _("folded into a digest")
    CANCELLED = "cancelled", _("cancelled (acknowledged)")
    FAILED = "failed", _("given up")


class MessageKind(models.TextChoices):
    CONFIRMED_FIRE = "confirmed_fire", _("confirmed fire")
    UNHANDLED_FIRE = "unhandled_fire", _("unhandled fire alarm")
    NOTICE = "notice", _("notice")
    DIGEST = "digest", _("digest")
    REMINDER = "reminder", _("reminder")
    TEST = "test", _("test message")
