from django.urls import path

from . import importing, views

app_name = "buildings"

urlpatterns = [
    path("", views.BuildingListView.as_view(), name="building_list"),
    path("add/", views.BuildingEditView.as_view(), name="building_add"),
    path("map/", views.building_map, name="building_map"),
    path("map.json", views.building_map_data, name="building_map_data"),
    path("suggest/", views.building_suggest, name="building_suggest"),
    path("import/", importing.import_view, name="building_import"),
    path("import/template.xlsx", importing.template_view, name="building_import_template"),
    path("<int:pk>/", views.BuildingDetailView.as_view(), name="building_detail"),
    path("<int:pk>/edit/", views.BuildingEditView.as_view(), name="building_edit"),
    path("<int:pk>/delete/", views.BuildingDeleteView.as_view(), name="building_delete"),
    path("<int:pk>/systems/", views.fire_systems_edit, name="fire_systems_edit"),
    path("<int:pk>/responsibility/add/", views.responsibility_add, name="responsibility_add"),
    path(
        "<int:pk>/responsibility/<int:link_pk>/remove/",
        views.responsibility_remove,
        name="responsibility_remove",
    ),
    path("<int:pk>/sign.pdf", views.building_sign, name="building_sign"),
    path("<int:pk>/card/", views.building_card, name="building_card"),
]
