"""Core resources of the REST API: /api/v1/core/… and /api/v1/auth/…."""

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .errors import InvalidInput, NotAllowed, UomConversionError
from .models import (
    ApiToken,
    AuditEntry,
    Company,
    Currency,
    CurrencyRate,
    Partner,
    PartnerBankAccount,
    PaymentTerm,
    Product,
    ProductCategory,
    Sequence,
    Uom,
    UomCategory,
    User,
)
from .payment_terms import Instalment
from .rest.idempotency import IdempotencyMixin
from .rest.serializers import AuditEntrySerializer, RecordSerializer, ReplacedLinesMixin, ScopedPrimaryKeyRelatedField
from .rest.viewsets import ReadOnlyViewSet, RecordViewSet, UpdateOnlyViewSet
from .scoping import request_company
from .services import (
    api_token_create,
    api_token_revoke,
    company_create,
    payment_term_save,
    product_category_save,
    user_switch_company,
)
from .uom import convert_quantity

# --- companies and users -------------------------------------------------------------------------


class CompanySerializer(RecordSerializer):
    class Meta:
        model = Company
        fields = [
            "id", "name", "country", "currency", "vat", "street", "zip", "city", "email", "phone",
            "fiscal_year_start_month", "fiscal_year_start_day", "active",
        ]  # fmt: skip

    def save_record(self, record: Company, m2m: dict[str, Any]) -> Company:
        if record._state.adding:
            return company_create(record, by=self.actor)
        return super().save_record(record, m2m)


class CompanyViewSet(RecordViewSet):
    """The companies you may open; create one with core.add_company."""

    queryset = Company.objects.select_related("currency")
    serializer_class = CompanySerializer
    filterset_fields = ["country", "active"]
    search_fields = ["name", "vat"]
    ordering_fields = ["name", "country"]


class UserSerializer(RecordSerializer):
    groups = serializers.SlugRelatedField(
        slug_field="name",
        many=True,
        queryset=Group.objects.all(),
        required=False,
        help_text=gettext_lazy("Role names, such as Sales / User."),
    )
    password = serializers.CharField(
        write_only=True, required=False, max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )

    class Meta:
        model = User
        fields = [
            "id", "username", "first_name", "last_name", "email", "is_active", "is_staff", "language", "groups",
            "companies", "current_company", "password", "last_login", "date_joined",
        ]  # fmt: skip
        read_only_fields = ["last_login", "date_joined"]
        extra_kwargs = {"is_staff": {"default": True, "help_text": gettext_lazy("May sign in to the back office.")}}

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        user = self.instance or User(username=data.get("username", ""))
        if "password" in data:
            try:
                validate_password(data["password"], user)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"password": exc.messages}) from None
        companies = data.get("companies", self.instance.companies.all() if self.instance else [])
        company = data.get("current_company", user.current_company)
        if company is not None and company not in companies:
            raise serializers.ValidationError(
                {"current_company": [_("The current company must be one of the allowed companies.")]}
            )
        return data

    def save_record(self, record: User, m2m: dict[str, Any]) -> User:
        if record.is_superuser and not self.actor.is_superuser:
            raise NotAllowed(_("Only a superuser changes a superuser."))
        password = self.validated_data.get("password")
        if password:
            record.set_password(password)
        elif record._state.adding:
            record.set_unusable_password()
        return super().save_record(record, m2m)

    def create(self, validated_data: dict[str, Any]) -> User:
        validated_data.pop("password", None)
        return super().create(validated_data)

    def update(self, instance: User, validated_data: dict[str, Any]) -> User:
        validated_data.pop("password", None)
        return super().update(instance, validated_data)


class UserViewSet(RecordViewSet):
    """People with access to the current company. Deactivate rather than delete: the audit trail
    keeps who did what. Passwords are write-only and checked against the password rules."""

    queryset = User.objects.prefetch_related("groups", "companies").order_by("username")
    serializer_class = UserSerializer
    filterset_fields = ["is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering_fields = ["username", "last_name"]


# --- currencies and units ------------------------------------------------------------------------


class CurrencySerializer(RecordSerializer):
    class Meta:
        model = Currency
        fields = ["id", "code", "name", "symbol", "minor_unit", "active"]
        read_only_fields = ["code", "name", "minor_unit"]


class CurrencyViewSet(UpdateOnlyViewSet):
    """ISO 4217 currencies; activate the ones you trade in."""

    queryset = Currency.objects.all()
    serializer_class = CurrencySerializer
    filterset_fields = ["active", "code"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


class CurrencyRateSerializer(RecordSerializer):
    currency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Currency.objects.all(),
        error_messages={"does_not_exist": gettext_lazy("There is no currency with the code {value}: use an ISO 4217 code.")},
    )

    class Meta:
        model = CurrencyRate
        fields = ["id", "currency", "date", "rate"]


class CurrencyRateViewSet(RecordViewSet):
    """Dated exchange rates: company-currency amount for one unit of the currency."""

    queryset = CurrencyRate.objects.select_related("currency")
    serializer_class = CurrencyRateSerializer
    filterset_fields = {"currency__code": ["exact"], "date": ["exact", "gte", "lte"]}
    ordering_fields = ["date", "currency__code"]


class UomCategorySerializer(RecordSerializer):
    class Meta:
        model = UomCategory
        fields = ["id", "name"]


class UomCategoryViewSet(RecordViewSet):
    queryset = UomCategory.objects.all()
    serializer_class = UomCategorySerializer
    search_fields = ["name"]
    ordering_fields = ["name"]


class UomSerializer(RecordSerializer):
    class Meta:
        model = Uom
        fields = ["id", "category", "name", "is_reference", "ratio", "rounding", "active"]


class UomConversionSerializer(serializers.Serializer):
    quantity = serializers.DecimalField(max_digits=20, decimal_places=6)
    to = serializers.PrimaryKeyRelatedField(
        queryset=Uom.objects.all(), help_text=gettext_lazy("The unit to express the quantity in.")
    )


class UomViewSet(RecordViewSet):
    queryset = Uom.objects.select_related("category")
    serializer_class = UomSerializer
    filterset_fields = ["category", "active", "is_reference"]
    search_fields = ["name"]
    ordering_fields = ["name", "ratio"]

    @extend_schema(
        parameters=[UomConversionSerializer],
        responses=inline_serializer("UomConversion", {"quantity": serializers.DecimalField(max_digits=20, decimal_places=6),
                                                      "uom": serializers.IntegerField()}),
        filters=False,
    )  # fmt: skip
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def convert(self, request, pk: Any = None) -> Response:
        """Express `quantity` of this unit in the unit `to`, rounded to that unit's step."""
        params = UomConversionSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        target = params.validated_data["to"]
        try:
            quantity = convert_quantity(params.validated_data["quantity"], self.get_object(), target)
        except UomConversionError as exc:
            raise InvalidInput(exc.message, field="to") from None
        return Response({"quantity": str(quantity), "uom": target.pk})


# --- partners ------------------------------------------------------------------------------------


class PartnerSerializer(RecordSerializer):
    class Meta:
        model = Partner
        fields = [
            "id", "name", "is_company", "parent", "kind", "ref", "is_customer", "is_supplier", "email", "phone",
            "website", "street", "street2", "zip", "city", "country", "vat", "language", "customer_payment_term",
            "supplier_payment_term", "note", "active",
        ]  # fmt: skip


class PartnerViewSet(RecordViewSet):
    """Customers, suppliers, and the contacts and addresses under them."""

    queryset = Partner.objects.all()
    serializer_class = PartnerSerializer
    filterset_fields = ["is_customer", "is_supplier", "is_company", "country", "parent", "active", "vat", "ref"]
    search_fields = ["name", "ref", "vat", "email", "city"]
    ordering_fields = ["name", "ref", "city", "country"]


class PartnerBankAccountSerializer(RecordSerializer):
    class Meta:
        model = PartnerBankAccount
        fields = ["id", "partner", "iban", "bic", "holder_name"]


class PartnerBankAccountViewSet(RecordViewSet):
    queryset = PartnerBankAccount.objects.all()
    serializer_class = PartnerBankAccountSerializer
    filterset_fields = ["partner", "iban"]
    ordering_fields = ["partner", "iban"]


class InstalmentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["percent", "balance"])
    percent = serializers.DecimalField(max_digits=7, decimal_places=4, min_value=0, max_value=100, default=0)
    days = serializers.IntegerField(min_value=0, max_value=32767, default=0)
    end_of_month = serializers.BooleanField(default=False)


class PaymentTermSerializer(ReplacedLinesMixin, RecordSerializer):
    lines = InstalmentSerializer(many=True, help_text=gettext_lazy("Instalments in order; the last one is the balance."))

    class Meta:
        model = PaymentTerm
        fields = ["id", "name", "note", "active", "lines"]

    def create(self, validated_data: dict[str, Any]) -> PaymentTerm:
        lines = validated_data.pop("lines")
        term = PaymentTerm(company=request_company(self.context["request"]), **validated_data)
        return payment_term_save(term, [Instalment(**line) for line in lines], by=self.actor)

    def update(self, instance: PaymentTerm, validated_data: dict[str, Any]) -> PaymentTerm:
        lines = validated_data.pop("lines", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instalments = (
            [Instalment(**line) for line in lines]
            if lines is not None
            else [line.as_instalment() for line in instance.lines.all()]
        )
        return payment_term_save(instance, instalments, by=self.actor)


class PaymentTermViewSet(RecordViewSet):
    queryset = PaymentTerm.objects.prefetch_related("lines")
    serializer_class = PaymentTermSerializer
    filterset_fields = ["active"]
    search_fields = ["name"]
    ordering_fields = ["name"]


# --- products ------------------------------------------------------------------------------------


class ProductCategorySerializer(RecordSerializer):
    class Meta:
        model = ProductCategory
        fields = ["id", "name", "parent", "full_name"]
        read_only_fields = ["full_name"]

    def save_record(self, record: ProductCategory, m2m: dict[str, Any]) -> ProductCategory:
        return product_category_save(record, by=self.actor)


class ProductCategoryViewSet(RecordViewSet):
    queryset = ProductCategory.objects.all()
    serializer_class = ProductCategorySerializer
    filterset_fields = ["parent"]
    search_fields = ["full_name"]
    ordering_fields = ["full_name"]


class ProductSerializer(RecordSerializer):
    class Meta:
        model = Product
        fields = [
            "id", "sku", "name", "barcode", "type", "category", "uom", "purchase_uom", "sale_price", "cost",
            "can_be_sold", "can_be_purchased", "description", "active",
        ]  # fmt: skip


class ProductViewSet(RecordViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_fields = {
        "type": ["exact"], "category": ["exact"], "active": ["exact"], "can_be_sold": ["exact"],
        "can_be_purchased": ["exact"], "sku": ["exact"], "barcode": ["exact"], "sale_price": ["gte", "lte"],
    }  # fmt: skip
    search_fields = ["sku", "name", "barcode"]
    ordering_fields = ["sku", "name", "sale_price", "cost"]


# --- sequences and the audit trail ---------------------------------------------------------------


class SequenceSerializer(RecordSerializer):
    class Meta:
        model = Sequence
        fields = ["id", "code", "name", "pattern", "padding", "reset"]


class SequenceViewSet(RecordViewSet):
    queryset = Sequence.objects.all()
    serializer_class = SequenceSerializer
    filterset_fields = ["code"]
    ordering_fields = ["code"]


class AuditEntryViewSet(ReadOnlyViewSet):
    """The audit trail of the current company (and of shared reference data). Read-only."""

    queryset = AuditEntry.objects.select_related("actor", "content_type")
    serializer_class = AuditEntrySerializer
    filterset_fields = {
        "action": ["exact"], "source": ["exact"], "actor": ["exact"], "object_id": ["exact"],
        "content_type__model": ["exact"], "content_type__app_label": ["exact"], "at": ["gte", "lte"],
    }  # fmt: skip
    search_fields = ["object_repr"]
    ordering_fields = ["at"]


# --- authentication ------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)


class TokenView(IdempotencyMixin, APIView):
    """Exchange a username and password for a personal API token (shown once)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: inline_serializer("TokenIssued", {"token": serializers.CharField(), "id": serializers.IntegerField()})},
    )
    def post(self, request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, username=data.validated_data["username"], password=data.validated_data["password"])
        if user is None:
            raise serializers.ValidationError({"non_field_errors": [_("Unable to log in with these credentials.")]})
        token, key = api_token_create(user, name=data.validated_data.get("name", ""), by=user)
        return Response({"token": key, "id": token.pk}, status=status.HTTP_201_CREATED)


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]
        read_only_fields = fields


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your API tokens: see them and revoke them."""

    queryset = ApiToken.objects.all()
    serializer_class = ApiTokenSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user)

    def perform_destroy(self, instance: ApiToken) -> None:
        api_token_revoke(instance, by=self.request.user)


class MeSerializer(serializers.ModelSerializer):
    # only the companies the user may open: another one is "does not exist", without its name
    current_company = ScopedPrimaryKeyRelatedField(queryset=Company.objects.all())
    allowed_companies = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "language", "current_company", "allowed_companies"]
        read_only_fields = ["id", "username", "first_name", "last_name", "email", "language"]

    def get_allowed_companies(self, user: User) -> list[dict[str, Any]]:
        return [{"id": company.pk, "name": company.name} for company in user.allowed_companies().order_by("name")]


class MeView(IdempotencyMixin, APIView):
    """The signed-in user; PATCH current_company to switch company."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request) -> Response:
        user = request.user
        user.current_company = request_company(request)
        return Response(MeSerializer(user).data)

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request) -> Response:
        data = MeSerializer(request.user, data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            if "current_company" in data.validated_data:
                user_switch_company(request.user, data.validated_data["current_company"], by=request.user)
        return Response(MeSerializer(request.user).data)
