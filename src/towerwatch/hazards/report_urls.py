"""Public reports: the resident's pages (no login) and the triage pages, mounted at /r/."""

from django.urls import path

from . import report_views as views

app_name = "reports"

urlpatterns = [
    path("", views.report_start, name="start"),
    path("new/", views.report_new, name="new"),
    path("b/<str:token>/", views.report_for_building, name="building"),
    path("t/", views.follow_lookup, name="follow_lookup"),
    path("t/<str:code>/", views.follow, name="follow"),
    path("triage/", views.PublicReportListView.as_view(), name="triage_list"),
    path("triage/<int:pk>/", views.triage_detail, name="triage_detail"),
    path(
        "triage/<int:pk>/<str:action>/",
        views.triage_action,
        name="triage_action",
    ),
    path("triage/<int:pk>/photo/<int:photo_pk>/", views.triage_photo, name="triage_photo"),
]
