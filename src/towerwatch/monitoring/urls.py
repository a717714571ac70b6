from django.urls import path

from . import importing, views

app_name = "monitoring"

urlpatterns = [
    path("devices/", views.DeviceListView.as_view(), name="device_list"),
    path("devices/<int:pk>/", views.DeviceDetailView.as_view(), name="device_detail"),
    path("devices/<int:pk>/bind/", views.bind, name="device_bind"),
    path("devices/<int:pk>/duty-check/", views.duty_check, name="device_duty_check"),
    path("devices/<int:pk>/points/import/", importing.import_points, name="points_import"),
    path(
        "devices/<int:pk>/points/template.xlsx", importing.points_template, name="points_template"
    ),
    path("console/", views.console, name="console"),
    path("console/stream/", views.console_stream, name="console_stream"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/handle/", views.handle, name="case_handle"),
]
