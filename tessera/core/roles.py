"""Roles are Django groups, one per module and level, with model permissions.

Each module's migrations call `grant` with their part of the matrix, so the groups and their
permissions exist on every database without manual set-up. docs/permissions.md is generated
from the database by `manage.py permission_matrix`.
"""

from collections.abc import Mapping, Sequence

ACTIONS = ("view", "add", "change", "delete")
ALL = ACTIONS
READ = ("view",)
WRITE = ("view", "add", "change")


def grant(apps, matrix: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
    """For migrations: give each group ("Sales / User") the actions on models ("core.partner").

    Groups are created when missing; permissions are only added, never removed.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, models in matrix.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        codenames = []
        for label, actions in models.items():
            app_label, model_name = label.split(".")
            codenames += [(app_label, f"{action}_{model_name}") for action in actions]
        for app_label, codename in codenames:
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            group.permissions.add(permission)
