from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.home, name="home"),
    path("building/<int:pk>/", views.building_page, name="building"),
    path("building/<int:pk>/tab/", views.building_tab, name="building_tab"),
    path("building/<int:pk>/start/", views.start, name="start"),
    path("building/<int:pk>/checkpoints/", views.checkpoints, name="checkpoints"),
    path("building/<int:pk>/checkpoints.pdf", views.checkpoint_sheet, name="checkpoint_sheet"),
    path("b/<str:token>/", views.start_from_public, name="start_from_public"),
    path("cp/<str:token>/", views.checkpoint_scan, name="checkpoint_scan"),
    path("record/<int:pk>/", views.record_page, name="record"),
    path("record/<int:pk>/item/<int:item_pk>/", views.answer, name="answer"),
    path("record/<int:pk>/sign/", views.sign, name="sign"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/<str:by>/<int:pk>/", views.compliance_list, name="compliance_list"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
]
