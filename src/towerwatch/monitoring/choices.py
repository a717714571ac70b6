from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    UITD = "uitd", _("user information transmission device (UITD)")


class EventKind(models.TextChoices):
    """Normalized signals (issue 3 §5), whatever protocol carried them."""

    FIRE_ALARM = "fire_alarm", _("fire alarm")
    FAULT = "fault", _("fault")
    RESTORE = "restore", _("restored")
    DISABLED = "disabled", _("disabled")
    SUPERVISORY = "supervisory", _("supervisory")
    STARTED = "started", _("started")
    FEEDBACK = "feedback", _("feedback")
    POWER_FAULT = "power_fault", _("power fault")
    OPERATION = "operation", _("operation")
    DEVICE_STATUS = "device_status", _("device status")
