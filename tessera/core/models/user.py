from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import AuditedModel
from .company import Company


class User(AuditedModel, AbstractUser):
    """A person who signs in. They work in one current company among the companies allowed to them."""

    companies = models.ManyToManyField(Company, blank=True, related_name="users", verbose_name=_("allowed companies"))
    current_company = models.ForeignKey(
        Company, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("current company")
    )
    language = models.CharField(_("language"), max_length=8, default="en", choices=settings.LANGUAGES)

    audit_ignored = frozenset({"last_login"})
    audit_masked = frozenset({"password"})

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def allowed_companies(self) -> models.QuerySet[Company]:
        """Superusers may open every active company; other users the ones they are allowed."""
        if self.is_superuser:
            return Company.objects.filter(active=True)
        if self.pk is None:
            return Company.objects.none()
        return self.companies.filter(active=True)
