from django.urls import include, path

from . import api, landed_cost_api, payment_run_api, report_api

urlpatterns = [
    path("", include(api.router.urls)),
    path("", include(payment_run_api.urlpatterns)),
    path("", include(landed_cost_api.urlpatterns)),
    path("reports/", include(report_api.urlpatterns)),
]
