from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tessera.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .navigation import register_core_sections

        register_core_sections()
