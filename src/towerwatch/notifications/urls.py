from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("endpoints/", views.endpoints, name="endpoints"),
    path("endpoints/<int:pk>/", views.endpoint_edit, name="endpoint_edit"),
    path("endpoints/<int:pk>/delete/", views.endpoint_delete, name="endpoint_delete"),
    path("endpoints/<int:pk>/test/", views.endpoint_test, name="endpoint_test"),
    path("deliveries/", views.DeliveryLogView.as_view(), name="deliveries"),
    path("ack/<str:token>/", views.ack, name="ack"),
]
