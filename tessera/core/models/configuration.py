from django.db import models
from django.utils.translation import gettext_lazy as _


class ConfigurationVersion(models.Model):
    """One row whose token changes with every write to configuration records (settings, account
    roles, journals, locations…): a process keeps what it read of them while the token stays the same."""

    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("configuration version")

    def __str__(self) -> str:
        return str(self.token)
