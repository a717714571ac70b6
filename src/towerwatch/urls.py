from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="buildings:building_list"), name="home"),
    path("accounts/", include("towerwatch.accounts.urls")),
    path("buildings/", include("towerwatch.buildings.urls")),
    path("b/", include("towerwatch.buildings.public_urls")),
    path("org/", include("towerwatch.organizations.urls")),
    path("monitoring/", include("towerwatch.monitoring.urls")),
    path("hazards/", include("towerwatch.hazards.urls")),
    path("notifications/", include("towerwatch.notifications.urls")),
    path("r/", include("towerwatch.hazards.report_urls")),
    path("campaigns/", include("towerwatch.hazards.campaign_urls")),
    path("inspections/", include("towerwatch.inspections.urls")),
    path("api/", include("towerwatch.core.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
