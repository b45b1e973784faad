from django.db import models
from django.utils.translation import gettext_lazy as _


class TransferState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    WAITING = "waiting", _("Waiting")
    READY = "ready", _("Ready")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# A confirmed transfer is waiting until all its goods are reserved, then ready. Reserving and
# unreserving move it between waiting and ready; validating makes it done.
TRANSFER_TRANSITIONS = {
    TransferState.DRAFT: frozenset({TransferState.WAITING, TransferState.READY, TransferState.CANCELLED}),
    TransferState.WAITING: frozenset({TransferState.READY, TransferState.DONE, TransferState.CANCELLED}),
    TransferState.READY: frozenset({TransferState.WAITING, TransferState.DONE, TransferState.CANCELLED}),
}


class MoveState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    WAITING = "waiting", _("Waiting")
    PARTIAL = "partial", _("Partially reserved")
    READY = "ready", _("Reserved")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_MOVE_STATES = frozenset({MoveState.WAITING, MoveState.PARTIAL, MoveState.READY})


class CountState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_PROGRESS = "in_progress", _("Counting")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


COUNT_TRANSITIONS = {
    CountState.DRAFT: frozenset({CountState.IN_PROGRESS, CountState.CANCELLED}),
    CountState.IN_PROGRESS: frozenset({CountState.DONE, CountState.CANCELLED}),
}


class NeedState(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("Being fulfilled")
    DONE = "done", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


NEED_TRANSITIONS = {
    NeedState.OPEN: frozenset({NeedState.IN_PROGRESS, NeedState.DONE, NeedState.CANCELLED}),
    NeedState.IN_PROGRESS: frozenset({NeedState.DONE, NeedState.CANCELLED}),
}
