from django.urls import path

from . import importing, views

app_name = "organizations"

urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="organization_list"),
    path("add/", views.OrganizationEditView.as_view(), name="organization_add"),
    path("import/", importing.import_view, name="organization_import"),
    path("import/template.xlsx", importing.template_view, name="organization_import_template"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("<int:pk>/edit/", views.OrganizationEditView.as_view(), name="organization_edit"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/add/", views.PersonEditView.as_view(), name="person_add"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:pk>/edit/", views.PersonEditView.as_view(), name="person_edit"),
    path("people/<int:pk>/certificates/", views.person_certificates, name="person_certificates"),
    path("regions/", views.RegionListView.as_view(), name="region_list"),
    path("regions/add/", views.RegionEditView.as_view(), name="region_add"),
    path("regions/boundaries.geojson", views.region_geojson, name="region_geojson"),
    path("regions/<int:pk>/", views.RegionDetailView.as_view(), name="region_detail"),
    path("regions/<int:pk>/edit/", views.RegionEditView.as_view(), name="region_edit"),
    path("registration/", views.registration, name="registration"),
    path("suggest/organizations/", views.suggest_organizations, name="suggest_organizations"),
    path("suggest/people/", views.suggest_people, name="suggest_people"),
    path("suggest/regions/", views.suggest_regions, name="suggest_regions"),
]
