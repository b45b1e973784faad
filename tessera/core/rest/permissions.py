from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """Django model permissions, reading included: listing partners needs core.view_partner."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view) -> bool:
        if not hasattr(view, request.method.lower()):
            return bool(request.user and request.user.is_authenticated)  # the view answers 405 Method Not Allowed
        return super().has_permission(request, view)
