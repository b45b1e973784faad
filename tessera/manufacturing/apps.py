from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ManufacturingConfig(AppConfig):
    name = "tessera.manufacturing"
    label = "manufacturing"
    verbose_name = _("Manufacturing")

    def ready(self) -> None:
        from tessera.core.transactions import configuration_models

        from .models import WorkCentre

        configuration_models(WorkCentre)
