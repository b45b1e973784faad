from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ManufacturingConfig(AppConfig):
    name = "tessera.manufacturing"
    label = "manufacturing"
    verbose_name = _("Manufacturing")

    def ready(self) -> None:
        from tessera.core import hooks

        from .demo import load_manufacturing_demo
        from .navigation import register_manufacturing_section

        hooks.register_demo_loader(load_manufacturing_demo)
        register_manufacturing_section()
