from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tessera.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("company/switch/", views.switch_company, name="switch-company"),
    path("api/v1/", include("tessera.core.urls")),
    path("api/v1/accounting/", include("tessera.accounting.urls")),
    path("api/v1/inventory/", include("tessera.inventory.urls")),
    path("api/v1/sales/", include("tessera.sales.urls")),
    path("api/v1/purchasing/", include("tessera.purchasing.urls")),
    path("api/v1/manufacturing/", include("tessera.manufacturing.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "tessera.core.views.bad_request"
handler403 = "tessera.core.views.permission_denied"
handler404 = "tessera.core.views.not_found"
handler500 = "tessera.core.views.server_error"
