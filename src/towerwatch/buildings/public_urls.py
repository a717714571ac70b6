"""Public pages reached from a building's QR code: no login."""

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("<str:token>/", views.public_building, name="public_building"),
]
