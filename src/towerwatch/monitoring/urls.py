from django.urls import path

from . import importing, registry, views

app_name = "monitoring"

urlpatterns = [
    path("devices/", views.DeviceListView.as_view(), name="device_list"),
    path("devices/add/", registry.DeviceEditView.as_view(), name="device_add"),
    path("devices/<int:pk>/", views.DeviceDetailView.as_view(), name="device_detail"),
    path("devices/<int:pk>/edit/", registry.DeviceEditView.as_view(), name="device_edit"),
    path("devices/<int:pk>/delete/", registry.DeviceDeleteView.as_view(), name="device_delete"),
    path("devices/<int:device>/panels/add/", registry.PanelEditView.as_view(), name="panel_add"),
    path("panels/<int:pk>/edit/", registry.PanelEditView.as_view(), name="panel_edit"),
    path("panels/<int:pk>/delete/", registry.PanelDeleteView.as_view(), name="panel_delete"),
    path("devices/<int:device>/points/add/", registry.PointEditView.as_view(), name="point_add"),
    path("points/<int:pk>/edit/", registry.PointEditView.as_view(), name="point_edit"),
    path("points/<int:pk>/delete/", registry.PointDeleteView.as_view(), name="point_delete"),
    path(
        "devices/<int:device>/thresholds/add/",
        registry.ThresholdEditView.as_view(),
        name="threshold_add",
    ),
    path("thresholds/<int:pk>/edit/", registry.ThresholdEditView.as_view(), name="threshold_edit"),
    path(
        "thresholds/<int:pk>/delete/",
        registry.ThresholdDeleteView.as_view(),
        name="threshold_delete",
    ),
    path("devices/<int:pk>/bind/", views.bind, name="device_bind"),
    path("devices/<int:pk>/duty-check/", views.duty_check, name="device_duty_check"),
    path("devices/<int:pk>/points/import/", importing.import_points, name="points_import"),
    path(
        "devices/<int:pk>/points/template.xlsx", importing.points_template, name="points_template"
    ),
    path("console/", views.console, name="console"),
    path("duty-checks/", views.DutyCheckListView.as_view(), name="duty_check_list"),
    path("duty-checks/rates/", views.DutyRateListView.as_view(), name="duty_rates"),
    path("duty-checks/schedules/", views.duty_schedules, name="duty_schedules"),
    path(
        "duty-checks/schedules/add/",
        views.DutyScheduleEditView.as_view(),
        name="duty_schedule_add",
    ),
    path(
        "duty-checks/schedules/<int:pk>/",
        views.DutyScheduleEditView.as_view(),
        name="duty_schedule_edit",
    ),
    path("false-alarms/", views.FalseAlarmListView.as_view(), name="false_alarms"),
    path("console/stream/", views.console_stream, name="console_stream"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/handle/", views.handle, name="case_handle"),
]
