from django.urls import path

from . import dashboards, enforcement_views, views

app_name = "hazards"

urlpatterns = [
    path("", views.HazardListView.as_view(), name="hazard_list"),
    path("add/", views.HazardCreateView.as_view(), name="hazard_add"),
    path("add/deadline/", views.deadline_hint, name="deadline_hint"),
    path("add/buildings/", views.building_suggest, name="building_suggest"),
    path("mine/", dashboards.my_work, name="my_work"),
    path("dashboard/", dashboards.dashboard, {"by": "town"}, name="dashboard_town"),
    path("dashboard/units/", dashboards.dashboard, {"by": "unit"}, name="dashboard_unit"),
    path("map/", dashboards.hazard_map, name="hazard_map"),
    path("map.json", dashboards.hazard_map_data, name="hazard_map_data"),
    path("photos/<int:pk>/", views.hazard_photo, name="hazard_photo"),
    path("building/<int:pk>/", views.building_hazards, name="building_hazards"),
    path("<int:pk>/", views.HazardDetailView.as_view(), name="hazard"),
    path("<int:pk>/transition/", views.hazard_transition, name="hazard_transition"),
    path("<int:pk>/deadline/", views.hazard_deadline, name="hazard_deadline"),
    path("<int:pk>/comment/", views.hazard_comment, name="hazard_comment"),
    path("<int:pk>/refer/", views.hazard_refer, name="hazard_refer"),
    path("referrals/<int:pk>/answer/", views.referral_answer, name="referral_answer"),
    path("<int:pk>/assess/", enforcement_views.hazard_assess, name="hazard_assess"),
    path("enforcement/", enforcement_views.EnforcementListView.as_view(), name="enforcement_list"),
    path("enforcement/add/", enforcement_views.enforcement_add, name="enforcement_add"),
    path(
        "enforcement/<int:pk>/",
        enforcement_views.EnforcementDetailView.as_view(),
        name="enforcement",
    ),
    path("enforcement/<int:pk>/step/", enforcement_views.enforcement_step, name="enforcement_step"),
    path("enforcement/<int:pk>/join/", enforcement_views.enforcement_join, name="enforcement_join"),
    path("<int:pk>/<str:kind>.pdf", views.hazard_document, name="hazard_document"),
]
