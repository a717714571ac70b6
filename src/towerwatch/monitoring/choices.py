from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    UITD = "uitd", _("user information transmission device (UITD)")
    IOT_SENSOR = "iot_sensor", _("IoT sensor")


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
    ANALOG = "analog", _("reading")
    OFFLINE = "offline", _("device offline")
    DUTY_UNANSWERED = "duty_unanswered", _("duty check unanswered")
    OUT_OF_RANGE = "out_of_range", _("reading out of range")


class CaseState(models.TextChoices):
    OPEN = "open", _("open")
    CONFIRMED_FIRE = "confirmed_fire", _("confirmed fire")
    FALSE_ALARM = "false_alarm", _("false alarm")
    TEST = "test", _("test")
    FAULT = "fault", _("fault (not a fire)")
    RESOLVED = "resolved", _("restored")


#: Event kinds that open an alarm case (one open case per device, point and kind).
CASE_KINDS = ("fire_alarm", "fault", "supervisory", "power_fault", "disabled", "out_of_range")
#: Kinds a restore of the same point closes by itself; a fire alarm always needs a person.
AUTO_RESOLVED_KINDS = ("fault", "supervisory", "power_fault", "disabled", "out_of_range")


class DutyCheckState(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENT = "sent", _("sent, awaiting the answer")
    ANSWERED = "answered", _("answered")
    UNANSWERED = "unanswered", _("not answered in time")
    UNREACHABLE = "unreachable", _("device not connected")
