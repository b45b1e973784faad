"""The general ledger through the REST API: /api/v1/accounting/…."""

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tessera.core.rest.idempotency import IdempotencyMixin
from tessera.core.rest.serializers import RecordSerializer, ScopedPrimaryKeyRelatedField
from tessera.core.rest.viewsets import ReadOnlyViewSet, RecordViewSet
from tessera.core.scoping import request_company

from .models import Account, AccountRole, FiscalYear, Journal, JournalEntry, JournalLine
from .queries import general_ledger, trial_balance
from .services import journal_entry_delete, journal_entry_post, journal_entry_reverse, journal_entry_save, journal_save


class AccountSerializer(RecordSerializer):
    class Meta:
        model = Account
        fields = ["id", "code", "name", "type", "reconcile", "currency", "active"]


class AccountViewSet(RecordViewSet):
    """The chart of accounts of the current company."""

    queryset = Account.objects.all()
    serializer_class = AccountSerializer
    filterset_fields = {"type": ["exact"], "reconcile": ["exact"], "active": ["exact"], "code": ["exact", "startswith"]}
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


class AccountRoleSerializer(RecordSerializer):
    class Meta:
        model = AccountRole
        fields = ["id", "role", "account"]


class AccountRoleViewSet(RecordViewSet):
    """Which account the application uses for what (receivable, VAT due…)."""

    queryset = AccountRole.objects.all()
    serializer_class = AccountRoleSerializer
    filterset_fields = ["role", "account"]


class JournalSerializer(RecordSerializer):
    class Meta:
        model = Journal
        fields = ["id", "code", "name", "type", "default_account", "active"]

    def save_record(self, record: Journal, m2m: dict[str, Any]) -> Journal:
        return journal_save(record, by=self.actor)


class JournalViewSet(RecordViewSet):
    queryset = Journal.objects.all()
    serializer_class = JournalSerializer
    filterset_fields = ["type", "active", "code"]
    ordering_fields = ["code"]


class FiscalYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = FiscalYear
        fields = ["id", "name", "date_start", "date_end", "closed"]
        read_only_fields = fields


class FiscalYearViewSet(ReadOnlyViewSet):
    """Fiscal years, created with their periods when the first entry of a year is posted."""

    queryset = FiscalYear.objects.all()
    serializer_class = FiscalYearSerializer


class JournalLineSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField

    class Meta:
        model = JournalLine
        fields = ["id", "account", "partner", "label", "debit", "credit", "currency", "amount_currency"]
        extra_kwargs = {"debit": {"min_value": 0}, "credit": {"min_value": 0}}


class JournalEntrySerializer(RecordSerializer):
    lines = JournalLineSerializer(many=True, help_text=gettext_lazy("Replaced as a whole when a draft is updated."))

    class Meta:
        model = JournalEntry
        fields = [
            "id", "journal", "date", "ref", "narration", "state", "number", "reverses", "period", "posted_at",
            "posted_by", "hash", "lines",
        ]  # fmt: skip
        read_only_fields = ["state", "number", "reverses", "period", "posted_at", "posted_by", "hash"]

    def validate_lines(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.partial:  # on PATCH DRF skips defaults inside nested items; the lines replace the old ones
            full = JournalLineSerializer(data=self.initial_data["lines"], many=True, context=self.context)
            full.is_valid(raise_exception=True)
            return full.validated_data
        return lines

    def create(self, validated_data: dict[str, Any]) -> JournalEntry:
        lines = validated_data.pop("lines")
        entry = JournalEntry(company=request_company(self.context["request"]), **validated_data)
        return journal_entry_save(entry, [JournalLine(**line) for line in lines], by=self.actor)

    def update(self, instance: JournalEntry, validated_data: dict[str, Any]) -> JournalEntry:
        lines = validated_data.pop("lines", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        new_lines = [JournalLine(**line) for line in lines] if lines is not None else list(instance.lines.all())
        return journal_entry_save(instance, new_lines, by=self.actor)


class ReverseSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text=gettext_lazy("The reversal's date; today by default."))


class JournalEntryViewSet(RecordViewSet):
    """Journal entries. Drafts are created and edited; posting numbers and freezes them; a posted entry
    is corrected only by reversing it."""

    queryset = JournalEntry.objects.select_related("journal").prefetch_related("lines")
    serializer_class = JournalEntrySerializer
    filterset_fields = {"state": ["exact"], "journal": ["exact"], "date": ["exact", "gte", "lte"], "number": ["exact"]}
    search_fields = ["number", "ref", "narration"]
    ordering_fields = ["date", "number", "id"]

    def perform_destroy(self, instance: JournalEntry) -> None:
        journal_entry_delete(instance, by=self.request.user)

    @extend_schema(request=None, responses=JournalEntrySerializer)
    @action(detail=True, methods=["post"])
    def post(self, request: Request, pk: Any = None) -> Response:
        """Post a balanced draft: it gets its number and its place in the hash chain."""
        entry = journal_entry_post(self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data)

    @extend_schema(request=ReverseSerializer, responses={201: JournalEntrySerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: Any = None) -> Response:
        """Post the entry that cancels this one (debit and credit swapped)."""
        data = ReverseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        on = data.validated_data.get("date") or timezone.localdate()
        reversal = journal_entry_reverse(self.get_object(), on=on, by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=reversal.pk)).data, status=201)


class JournalItemSerializer(serializers.ModelSerializer):
    entry_number = serializers.CharField(source="entry.number", read_only=True)

    class Meta:
        model = JournalLine
        fields = ["id", "entry", "entry_number", "date", "account", "partner", "label", "debit", "credit", "currency",
                  "amount_currency"]  # fmt: skip
        read_only_fields = fields


class JournalItemViewSet(ReadOnlyViewSet):
    """Posted journal items, to filter by account, partner, journal and dates."""

    queryset = JournalLine.objects.filter(posted=True).select_related("entry").order_by("date", "id")
    serializer_class = JournalItemSerializer
    filterset_fields = {
        "account": ["exact"], "partner": ["exact"], "entry__journal": ["exact"], "date": ["exact", "gte", "lte"],
    }  # fmt: skip
    ordering_fields = ["date", "id"]


# --- reports -------------------------------------------------------------------------------------


class DateRangeSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The last day comes before the first.")]})
        return data


class TrialBalanceRowSerializer(serializers.Serializer):
    account = serializers.IntegerField(source="account_id", allow_null=True)
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    opening = serializers.DecimalField(max_digits=20, decimal_places=4)
    debit = serializers.DecimalField(max_digits=20, decimal_places=4)
    credit = serializers.DecimalField(max_digits=20, decimal_places=4)
    closing = serializers.DecimalField(max_digits=20, decimal_places=4)


class ReportView(IdempotencyMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if not request.user.has_perm("accounting.view_journalline"):
            self.permission_denied(request, message=_("You are not allowed to read the ledger."))

    def dates(self, request: Request) -> tuple[datetime.date, datetime.date]:
        params = DateRangeSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data["date_from"], params.validated_data["date_to"]


class TrialBalanceView(ReportView):
    @extend_schema(
        parameters=[DateRangeSerializer],
        responses=inline_serializer(
            "TrialBalance",
            {
                "date_from": serializers.DateField(),
                "date_to": serializers.DateField(),
                "rows": TrialBalanceRowSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        """Per account: the balance before date_from, debit and credit in the dates, and the closing balance."""
        date_from, date_to = self.dates(request)
        rows = trial_balance(request_company(request), date_from, date_to)
        return Response({"date_from": date_from, "date_to": date_to, "rows": TrialBalanceRowSerializer(rows, many=True).data})


class GeneralLedgerParams(DateRangeSerializer):
    account = ScopedPrimaryKeyRelatedField(queryset=Account.objects.all())
    offset = serializers.IntegerField(min_value=0, default=0)
    limit = serializers.IntegerField(min_value=1, max_value=500, default=100)


class LedgerLineSerializer(serializers.ModelSerializer):
    entry_number = serializers.CharField(source="entry.number")
    running = serializers.DecimalField(max_digits=20, decimal_places=4, help_text=gettext_lazy("The balance after this line."))

    class Meta:
        model = JournalLine
        fields = ["id", "date", "entry", "entry_number", "partner", "label", "debit", "credit", "running"]


class GeneralLedgerView(ReportView):
    @extend_schema(
        parameters=[GeneralLedgerParams],
        responses=inline_serializer(
            "GeneralLedger",
            {
                "account": serializers.IntegerField(), "opening": serializers.DecimalField(max_digits=20, decimal_places=4),
                "count": serializers.IntegerField(), "lines": LedgerLineSerializer(many=True),
            },
        ),
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        """An account's posted lines between two dates, oldest first, with the running balance."""
        params = GeneralLedgerParams(data=request.query_params, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        page = general_ledger(data["account"], data["date_from"], data["date_to"], offset=data["offset"], limit=data["limit"])
        return Response(
            {
                "account": data["account"].pk,
                "opening": serializers.DecimalField(max_digits=20, decimal_places=4).to_representation(page.opening),
                "count": page.count,
                "lines": LedgerLineSerializer(page.lines, many=True).data,
            }
        )
