"""Test settings: development settings with a fast password hasher."""

from .dev import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests run tasks in-process even when REDIS_URL points the cache at Redis: no worker runs in CI.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "10000/minute"}}  # noqa: F405
