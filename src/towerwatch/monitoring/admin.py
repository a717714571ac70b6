from django.contrib import admin

from .models import Device, DutyCheckSchedule, Panel, Point, Threshold


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("address", "kind", "name", "building", "last_seen")
    list_filter = ("kind",)
    search_fields = ("address", "name", "building__code", "building__name")
    raw_id_fields = ("building",)


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ("device", "system_type", "system_address", "name")
    raw_id_fields = ("device",)


@admin.register(Point)
class PointAdmin(admin.ModelAdmin):
    list_display = ("panel", "address", "component_type", "floor", "location")
    raw_id_fields = ("panel",)


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    list_display = ("device", "point", "low", "high", "unit")
    raw_id_fields = ("device",)


@admin.register(DutyCheckSchedule)
class DutyCheckScheduleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "mode", "checks_per_day", "fixed_times", "enabled")
    raw_id_fields = ("building", "region")
