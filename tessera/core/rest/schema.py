"""OpenAPI: every operation documents its problem+json errors and POSTs their Idempotency-Key."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from .idempotency import HEADER
from .problems import CONTENT_TYPE


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField()
    instance = serializers.CharField(required=False)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


# 400 on GET: a filter of the wrong type (?sale_price__gte=abc); 415: a body that is not JSON;
# 422: an Idempotency-Key reused with another body.
ERROR_STATUSES = {
    "GET": ("400", "401", "403", "404"),
    "POST": ("400", "401", "403", "404", "409", "413", "415", "422"),
    "PUT": ("400", "401", "403", "404", "409", "413", "415"),
    "PATCH": ("400", "401", "403", "404", "409", "413", "415"),
    "DELETE": ("401", "403", "404", "409"),
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        for code in ERROR_STATUSES.get(self.method, ()):
            responses.setdefault(code, self._get_response_for_code(ProblemSerializer, code, [CONTENT_TYPE], direction))
        return responses

    def get_override_parameters(self) -> list:
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(
                OpenApiParameter(
                    HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description="Any unique string (a UUID). A retry with the same key returns the first response.",
                )
            )
        return parameters

    def get_tags(self) -> list[str]:
        # /api/v1/<module>/<resource>/ is tagged with its module
        parts = self._tokenize_path()
        return parts[:1]
