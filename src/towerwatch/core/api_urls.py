"""The REST API: /api/ (token or session auth), /api/token/, /api/schema/, /api/docs/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from towerwatch.buildings.api import BuildingViewSet
from towerwatch.hazards.api import EnforcementCaseViewSet, HazardViewSet, ReferralViewSet
from towerwatch.monitoring.http import ingest
from towerwatch.organizations.api import OrganizationViewSet, PersonViewSet, RegionViewSet

router = DefaultRouter()
router.register("buildings", BuildingViewSet, basename="building")
router.register("regions", RegionViewSet, basename="region")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("hazards", HazardViewSet, basename="hazard")
router.register("hazard-referrals", ReferralViewSet, basename="hazard-referral")
router.register("enforcement-cases", EnforcementCaseViewSet, basename="enforcement-case")

app_name = "api"

urlpatterns = [
    path("token/", obtain_auth_token, name="token"),
    path("ingest/", ingest, name="ingest"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger-ui"),
    path("", include(router.urls)),
]
