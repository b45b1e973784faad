from django.urls import include, path

from . import api, crm_api, pricelist_api, report_api

urlpatterns = [
    path("", include(api.router.urls)),
    path("reports/", include(report_api.urlpatterns)),
    path("", include(crm_api.urlpatterns)),
    path("", include(pricelist_api.urlpatterns)),
]
