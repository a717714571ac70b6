from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    UITD = "uitd", _("user information transmission device (UITD)")
    IOT_SENSOR = "iot_sensor", _("IoT sensor")


class SensorKind(models.TextChoices):
    """What an IoT sensor measures or watches (issue 3 §1)."""

    WATER_PRESSURE = "water_pressure", _("water pressure")
    TANK_LEVEL = "tank_level", _("tank or pool level")
    RESIDUAL_CURRENT = "residual_current", _("electrical fire: residual current")
    CABLE_TEMPERATURE = "cable_temperature", _("electrical fire: cable temperature")
    COMBUSTIBLE_GAS = "combustible_gas", _("combustible gas")
    SMOKE_DETECTOR = "smoke_detector", _("independent smoke detector")
    FIRE_LANE_CAMERA = "fire_lane_camera", _("fire-lane / e-bike camera")
    LOOKOUT_CAMERA = "lookout_camera", _("lookout camera")


#: The unit a sensor kind's readings come in (prefilled on its thresholds).
SENSOR_UNITS = {
    "water_pressure": "MPa",
    "tank_level": "m",
    "residual_current": "mA",
    "cable_temperature": "°C",
    "combustible_gas": "%LEL",
}
#: Sensor kinds whose readings are judged against thresholds (cameras and detectors send events).
MEASURING_KINDS = tuple(SENSOR_UNITS)
#: Rule-set keys that give a sensor kind's threshold (value: {low, high, unit}).
THRESHOLD_RULES = {
    "water_pressure": "monitoring.threshold.water_pressure_mpa",
    "residual_current": "monitoring.threshold.residual_current_ma",
    "combustible_gas": "monitoring.threshold.combustible_gas_lel",
}


class DeviceProfile(models.TextChoices):
    """Vendor tolerances a UITD needs (docs/gb26875.md §5.1); IoT sensors use `standard`."""

    STANDARD = "standard", _("as the standard is written")
    BCD_TIME = "bcd_time", _("BCD time labels")
    ASCII_HEX = "ascii_hex", _("ASCII-hex framing")
    BIG_ENDIAN_STATUS = "big_endian_status", _("status words high byte first")


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
