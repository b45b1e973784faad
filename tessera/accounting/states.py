from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")


ENTRY_TRANSITIONS = {EntryState.DRAFT: frozenset({EntryState.POSTED})}
