"""Background work of the core, run by Celery workers (or in-process without a broker)."""

from celery import shared_task

from .rest.idempotency import purge_expired_keys


@shared_task(name="tessera.core.tasks.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS (scheduled hourly by beat)."""
    return purge_expired_keys()
