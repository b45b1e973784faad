from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tessera.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .models import Currency, ProductCategory
        from .navigation import register_core_sections
        from .transactions import configuration_models

        register_core_sections()
        configuration_models(Currency, ProductCategory)
