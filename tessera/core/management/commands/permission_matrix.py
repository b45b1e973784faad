from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from tessera.core.permission_matrix import render_matrix


class Command(BaseCommand):
    help = "Print the roles and their permissions as a Markdown table (the source of docs/permissions.md)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(render_matrix(Group.objects.prefetch_related("permissions__content_type")), ending="")
