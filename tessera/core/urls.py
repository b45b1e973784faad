from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("companies", api.CompanyViewSet)
router.register("users", api.UserViewSet)
router.register("currencies", api.CurrencyViewSet)
router.register("currency-rates", api.CurrencyRateViewSet)
router.register("uom-categories", api.UomCategoryViewSet)
router.register("uoms", api.UomViewSet)
router.register("partners", api.PartnerViewSet)
router.register("partner-bank-accounts", api.PartnerBankAccountViewSet)
router.register("payment-terms", api.PaymentTermViewSet)
router.register("product-categories", api.ProductCategoryViewSet)
router.register("products", api.ProductViewSet)
router.register("sequences", api.SequenceViewSet)
router.register("audit-entries", api.AuditEntryViewSet)

auth_router = DefaultRouter(trailing_slash=True)
auth_router.include_root_view = False
auth_router.register("tokens", api.ApiTokenViewSet)

urlpatterns = [
    path("core/", include(router.urls)),
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("auth/me/", api.MeView.as_view(), name="api-me"),
    path("auth/", include(auth_router.urls)),
]
