"""The general ledger through the REST API: /api/v1/accounting/…."""

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tessera.core.errors import BusinessError
from tessera.core.exports import document_response, table_response
from tessera.core.models import Partner
from tessera.core.rest.idempotency import IdempotencyMixin
from tessera.core.rest.serializers import LinesSerializer, RecordSerializer, ReplacedLinesMixin, ScopedPrimaryKeyRelatedField
from tessera.core.rest.viewsets import ReadOnlyViewSet, RecordViewSet, ScopedMixin
from tessera.core.scoping import request_company

from .documents import invoice_pdf, invoice_pdf_filename
from .export import COLUMNS, posted_entries
from .models import (
    Account,
    AccountRole,
    BankStatement,
    BankStatementLine,
    FiscalPosition,
    FiscalYear,
    Invoice,
    InvoiceLine,
    Journal,
    JournalEntry,
    JournalLine,
    Payment,
    Tax,
)
from .queries import aged_balance, balance_sheet, general_ledger, partner_ledger, profit_and_loss, trial_balance, vat_return
from .services import (
    CSV_COLUMNS,
    CSV_OPTIONS,
    KEEP_OPEN,
    WRITE_OFF,
    DraftLine,
    account_for_role,
    bank_line_post,
    bank_line_proposals,
    bank_line_reconcile,
    bank_statement_auto_reconcile,
    bank_statement_import,
    csv_mapping,
    fiscal_position_for,
    fiscal_year_close,
    invoice_cancel,
    invoice_credit_note,
    invoice_line_defaults,
    invoice_post,
    invoice_save,
    journal_entry_delete,
    journal_entry_post,
    journal_entry_reverse,
    journal_entry_save,
    journal_save,
    payment_post,
    payment_register,
    reconcile,
    unreconcile,
)


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
        fields = ["id", "name", "date_start", "date_end", "state", "closing_entry"]
        read_only_fields = fields


class FiscalYearViewSet(ReadOnlyViewSet):
    """Fiscal years, created with their periods when the first entry of a year is posted."""

    queryset = FiscalYear.objects.all()
    serializer_class = FiscalYearSerializer

    @extend_schema(request=None, responses=FiscalYearSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])  # the service checks its permission
    def close(self, request: Request, pk: Any = None) -> Response:
        """Post the year's result to equity and close the year to posting."""
        fiscal_year = fiscal_year_close(self.get_record(), by=request.user)
        return Response(FiscalYearSerializer(FiscalYear.objects.get(pk=fiscal_year.pk)).data)


class JournalLineSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField

    class Meta:
        model = JournalLine
        list_serializer_class = LinesSerializer
        fields = ["id", "account", "partner", "label", "debit", "credit", "currency", "amount_currency"]
        extra_kwargs = {"debit": {"min_value": 0}, "credit": {"min_value": 0}}


class JournalEntrySerializer(ReplacedLinesMixin, RecordSerializer):
    lines = JournalLineSerializer(many=True, help_text=gettext_lazy("Replaced as a whole when a draft is updated."))

    class Meta:
        model = JournalEntry
        fields = [
            "id", "journal", "date", "ref", "narration", "state", "number", "reverses", "period", "posted_at",
            "posted_by", "hash", "lines",
        ]  # fmt: skip
        read_only_fields = ["state", "number", "reverses", "period", "posted_at", "posted_by", "hash"]

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
        entry = journal_entry_post(self.get_record(), by=request.user)
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
        fields = ["id", "entry", "entry_number", "date", "date_maturity", "account", "partner", "label", "debit", "credit",
                  "currency", "amount_currency", "vat_grids"]  # fmt: skip
        read_only_fields = fields


class JournalItemViewSet(ReadOnlyViewSet):
    """Posted journal items, to filter by account, partner, journal and dates."""

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])  # the service checks its permission
    def unreconcile(self, request: Request, pk: Any = None) -> Response:
        """Undo this line's matchings (exchange differences they booked are reversed)."""
        unreconcile(self.get_record(), by=request.user)
        return Response(status=204)

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


# --- payments and reconciliation -----------------------------------------------------------------


class PaymentSerializer(RecordSerializer):
    class Meta:
        model = Payment
        fields = ["id", "direction", "partner", "journal", "date", "amount", "currency", "memo", "state", "entry"]
        read_only_fields = ["state", "entry"]
        extra_kwargs = {"currency": {"required": False}}

    def create(self, validated_data: dict[str, Any]) -> Payment:
        company = request_company(self.context["request"])
        payment = Payment(company=company, **validated_data)
        if payment.currency_id is None:
            payment.currency = company.currency
        return payment_post(payment, by=self.actor)


class RegisterPaymentSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=20, decimal_places=4, help_text=gettext_lazy("In the invoice's currency."))
    date = serializers.DateField()
    journal = ScopedPrimaryKeyRelatedField(queryset=Journal.objects.filter(type__in=("bank", "cash")))
    difference = serializers.ChoiceField(
        choices=[KEEP_OPEN, WRITE_OFF], required=False, allow_null=True,
        help_text=gettext_lazy("For a payment that is not the amount due: keep the difference open or write it off."),
    )  # fmt: skip
    memo = serializers.CharField(max_length=200, required=False, allow_blank=True)


# --- taxes and invoices --------------------------------------------------------------------------


class TaxSerializer(RecordSerializer):
    class Meta:
        model = Tax
        fields = ["id", "code", "name", "use", "rate", "price_include", "invoice_base_grids", "refund_base_grids", "active"]


class TaxViewSet(RecordViewSet):
    queryset = Tax.objects.all()
    serializer_class = TaxSerializer
    filterset_fields = ["use", "code", "active", "price_include"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "rate"]


class FiscalPositionSerializer(serializers.ModelSerializer):
    mappings = serializers.SerializerMethodField()

    class Meta:
        model = FiscalPosition
        fields = ["id", "code", "name", "kind", "active", "mappings"]
        read_only_fields = fields

    def get_mappings(self, position: FiscalPosition) -> list[dict[str, int | None]]:
        return [{"source": m.source_id, "target": m.target_id} for m in position.mappings.all()]


class FiscalPositionViewSet(ReadOnlyViewSet):
    queryset = FiscalPosition.objects.prefetch_related("mappings")
    serializer_class = FiscalPositionSerializer


class InvoiceLineSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField
    account = ScopedPrimaryKeyRelatedField(
        queryset=Account.objects.all(),
        required=False,
        help_text=gettext_lazy("The product's income or expense account if omitted."),
    )
    taxes = ScopedPrimaryKeyRelatedField(
        queryset=Tax.objects.all(), many=True, required=False,
        help_text=gettext_lazy("The product's (or the company's default) taxes if omitted, mapped by the fiscal position."),
    )  # fmt: skip
    description = serializers.CharField(max_length=500, required=False, help_text=gettext_lazy("The product's name if omitted."))

    class Meta:
        model = InvoiceLine
        list_serializer_class = LinesSerializer
        fields = ["id", "product", "description", "account", "quantity", "uom", "price_unit", "discount", "taxes", "subtotal"]
        read_only_fields = ["subtotal"]
        extra_kwargs = {"quantity": {"min_value": 0}, "price_unit": {"min_value": 0}}

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not data.get("description") and not data.get("product"):
            raise serializers.ValidationError({"description": [_("Give a description or a product.")]})
        return data


class InvoiceSerializer(ReplacedLinesMixin, RecordSerializer):
    lines = InvoiceLineSerializer(many=True)

    class Meta:
        model = Invoice
        fields = [
            "id", "kind", "partner", "journal", "date", "due_date", "payment_term", "fiscal_position", "currency", "ref",
            "narration", "payment_reference", "origin", "state", "payment_state", "number", "entry", "exchange_rate",
            "amount_untaxed", "amount_tax", "amount_total", "amount_residual", "lines",
        ]  # fmt: skip
        read_only_fields = [
            "origin", "state", "payment_state", "number", "entry", "exchange_rate", "amount_untaxed", "amount_tax",
            "amount_total", "amount_residual",
        ]  # fmt: skip
        extra_kwargs = {"currency": {"required": False}, "journal": {"required": False}, "fiscal_position": {"required": False}}

    def create(self, validated_data: dict[str, Any]) -> Invoice:
        lines = validated_data.pop("lines")
        company = request_company(self.context["request"])
        invoice = Invoice(company=company, **validated_data)
        if invoice.currency_id is None:
            invoice.currency = company.currency
        if invoice.journal_id is None:
            invoice.journal = Journal.objects.filter(company=company, code="INV" if invoice.is_sale else "BILL").first()
        if "fiscal_position" not in validated_data and invoice.partner_id:
            invoice.fiscal_position = fiscal_position_for(company, invoice.partner)
        return invoice_save(invoice, self._drafts(invoice, lines), by=self.actor)

    def update(self, instance: Invoice, validated_data: dict[str, Any]) -> Invoice:
        lines = validated_data.pop("lines", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if lines is None:
            drafts = [DraftLine(line, list(line.taxes.all())) for line in instance.lines.prefetch_related("taxes")]
        else:
            drafts = self._drafts(instance, lines)
        return invoice_save(instance, drafts, by=self.actor)

    def _drafts(self, invoice: Invoice, lines: list[dict[str, Any]]) -> list[DraftLine]:
        drafts = []
        for values in lines:
            values = dict(values)
            taxes = values.pop("taxes", None)
            line = InvoiceLine(**values)
            default_account, default_taxes = invoice_line_defaults(invoice, line.product)
            if line.account_id is None:
                line.account = default_account
            if not line.description:
                line.description = str(line.product)
            drafts.append(DraftLine(line, default_taxes if taxes is None else list(taxes)))
        return drafts


class CreditNoteSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text=gettext_lazy("The credit note's date; today by default."))


class InvoiceViewSet(RecordViewSet):
    """Customer invoices and credit notes, vendor bills and refunds. Drafts are edited; posting writes
    the journal entry; a posted invoice is corrected with a credit note."""

    queryset = Invoice.objects.select_related("partner").prefetch_related("lines__taxes")
    serializer_class = InvoiceSerializer
    filterset_fields = {
        "kind": ["exact"], "state": ["exact"], "payment_state": ["exact"], "partner": ["exact"], "date": ["gte", "lte"],
        "due_date": ["gte", "lte"], "number": ["exact"], "ref": ["exact"], "payment_reference": ["exact"],
    }  # fmt: skip
    search_fields = ["number", "ref", "payment_reference", "partner__name"]
    ordering_fields = ["date", "due_date", "number", "amount_total"]

    def perform_destroy(self, instance: Invoice) -> None:
        if instance.state != "draft":
            raise BusinessError(_("Only a draft can be deleted; credit a posted invoice instead."), code="invoice_posted")
        super().perform_destroy(instance)

    def _fresh(self, invoice: Invoice) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=invoice.pk)).data

    @extend_schema(request=None, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def post(self, request: Request, pk: Any = None) -> Response:
        """Post the draft: its journal entry is written and posted, and it gets its number and due date."""
        return Response(self._fresh(invoice_post(self.get_record(), by=request.user)))

    @extend_schema(request=None, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        """Cancel a draft."""
        return Response(self._fresh(invoice_cancel(self.get_record(), by=request.user)))

    @extend_schema(request=RegisterPaymentSerializer, responses={201: PaymentSerializer})
    @action(detail=True, methods=["post"], url_path="register-payment")
    def register_payment(self, request: Request, pk: Any = None) -> Response:
        """Pay the invoice (or part of it) through a bank or cash journal and reconcile the payment with it."""
        data = RegisterPaymentSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        payment = payment_register(
            [self.get_record()], amount=values["amount"], on=values["date"], journal=values["journal"], by=request.user,
            difference=values.get("difference"), memo=values.get("memo", ""),
        )  # fmt: skip
        return Response(PaymentSerializer(payment, context={"request": request}).data, status=201)

    @extend_schema(request=None, responses={(200, "application/pdf"): OpenApiTypes.BINARY}, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def pdf(self, request: Request, pk: Any = None) -> HttpResponse:
        """The invoice as a PDF, in the partner's language."""
        invoice = self.get_object()
        return document_response(invoice_pdf(invoice), invoice_pdf_filename(invoice), "application/pdf")

    @extend_schema(request=CreditNoteSerializer, responses={201: InvoiceSerializer})
    @action(detail=True, methods=["post"], url_path="credit-note")
    def credit_note(self, request: Request, pk: Any = None) -> Response:
        """A draft credit note with the lines of this posted invoice, to adjust and post."""
        data = CreditNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        credit_note = invoice_credit_note(self.get_record(), by=request.user, on=data.validated_data.get("date"))
        return Response(self._fresh(credit_note), status=201)


class VatGridSerializer(serializers.Serializer):
    grid = serializers.CharField()
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=4)


class VatReturnView(ReportView):
    @extend_schema(
        parameters=[DateRangeSerializer],
        responses=inline_serializer(
            "VatReturn",
            {"date_from": serializers.DateField(), "date_to": serializers.DateField(), "grids": VatGridSerializer(many=True)},
        ),
    )
    def get(self, request: Request) -> Response:
        """Every grid of the periodic VAT return for the dates (Belgian grids for Belgian companies)."""
        date_from, date_to = self.dates(request)
        rows = vat_return(request_company(request), date_from, date_to)
        return Response({"date_from": date_from, "date_to": date_to, "grids": VatGridSerializer(rows, many=True).data})


class PaymentViewSet(IdempotencyMixin, ScopedMixin, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):  # fmt: skip
    """Payments received and sent. Creating one posts it (an advance, not matched to invoices yet);
    to pay invoices use POST /invoices/{id}/register-payment/."""

    queryset = Payment.objects.select_related("entry")
    serializer_class = PaymentSerializer
    filterset_fields = {"direction": ["exact"], "partner": ["exact"], "journal": ["exact"], "date": ["gte", "lte"]}
    ordering_fields = ["date", "amount"]


class ReconcileSerializer(serializers.Serializer):
    lines = ScopedPrimaryKeyRelatedField(queryset=JournalLine.objects.filter(posted=True), many=True)
    write_off = serializers.BooleanField(
        default=False, help_text=gettext_lazy("Write off what is left to the write-off account.")
    )


class ReconcileView(IdempotencyMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=ReconcileSerializer, responses={201: inline_serializer("Reconciled", {"matchings": serializers.IntegerField()})}
    )
    def post(self, request: Request) -> Response:
        """Match posted lines of one reconcilable account (debits against credits, oldest due first)."""
        data = ReconcileSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        company = request_company(request)
        write_off = account_for_role(company, "write_off") if data.validated_data["write_off"] else None
        matchings = reconcile(data.validated_data["lines"], by=request.user, write_off_account=write_off)
        return Response({"matchings": len(matchings)}, status=201)


# --- more reports --------------------------------------------------------------------------------


class AsOfSerializer(serializers.Serializer):
    as_of = serializers.DateField()


class AgedRowSerializer(serializers.Serializer):
    partner = serializers.IntegerField(source="partner_id", allow_null=True)
    name = serializers.CharField(source="partner")
    current = serializers.SerializerMethodField()
    days_1_30 = serializers.SerializerMethodField()
    days_31_60 = serializers.SerializerMethodField()
    days_61_90 = serializers.SerializerMethodField()
    days_over_90 = serializers.SerializerMethodField()
    total = serializers.DecimalField(max_digits=20, decimal_places=4)

    def _bucket(self, row: Any, index: int) -> str:
        return f"{row.buckets[index]:.4f}"

    def get_current(self, row: Any) -> str:
        return self._bucket(row, 0)

    def get_days_1_30(self, row: Any) -> str:
        return self._bucket(row, 1)

    def get_days_31_60(self, row: Any) -> str:
        return self._bucket(row, 2)

    def get_days_61_90(self, row: Any) -> str:
        return self._bucket(row, 3)

    def get_days_over_90(self, row: Any) -> str:
        return self._bucket(row, 4)


class AgedView(ReportView):
    payable = False

    @extend_schema(
        parameters=[AsOfSerializer],
        responses=inline_serializer("AgedBalance", {"as_of": serializers.DateField(), "rows": AgedRowSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        """Open items per partner on a day: not yet due, then 1–30, 31–60, 61–90 and over 90 days overdue."""
        params = AsOfSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        as_of = params.validated_data["as_of"]
        rows = aged_balance(request_company(request), as_of, payable=self.payable)
        return Response({"as_of": as_of, "rows": AgedRowSerializer(rows, many=True).data})


class AgedPayablesView(AgedView):
    payable = True


class PartnerLedgerParams(DateRangeSerializer):
    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all())
    payable = serializers.BooleanField(default=False)


class PartnerLedgerView(ReportView):
    @extend_schema(
        parameters=[PartnerLedgerParams],
        responses=inline_serializer(
            "PartnerLedger",
            {"partner": serializers.IntegerField(), "opening": serializers.DecimalField(max_digits=20, decimal_places=4),
             "lines": LedgerLineSerializer(many=True)},
        ),
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        """A partner's receivable (or payable) lines between two dates with the running balance."""
        params = PartnerLedgerParams(data=request.query_params, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        page = partner_ledger(
            request_company(request), data["partner"], data["date_from"], data["date_to"], payable=data["payable"]
        )
        return Response(
            {
                "partner": data["partner"].pk,
                "opening": f"{page.opening:.4f}",
                "lines": LedgerLineSerializer(page.lines, many=True).data,
            }
        )


class StatementLineSerializer(serializers.Serializer):
    account = serializers.IntegerField(source="account_id", allow_null=True)
    code = serializers.CharField()
    name = serializers.CharField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=4)


def _statement(statement: Any) -> dict[str, Any]:
    return {
        name: {"lines": StatementLineSerializer(lines, many=True).data, "total": f"{statement.total(name):.4f}"}
        for name, lines in statement.sections.items()
    }


class ProfitAndLossView(ReportView):
    @extend_schema(
        parameters=[DateRangeSerializer], responses=inline_serializer("ProfitAndLoss", {"result": serializers.CharField()})
    )
    def get(self, request: Request) -> Response:
        """Income and expenses between two dates, and the result."""
        date_from, date_to = self.dates(request)
        statement = profit_and_loss(request_company(request), date_from, date_to)
        result = statement.total("income") - statement.total("expense")
        return Response({"date_from": date_from, "date_to": date_to, **_statement(statement), "result": f"{result:.4f}"})


class BalanceSheetView(ReportView):
    @extend_schema(parameters=[AsOfSerializer], responses=inline_serializer("BalanceSheet", {"as_of": serializers.DateField()}))
    def get(self, request: Request) -> Response:
        """Assets, liabilities and equity on a day."""
        params = AsOfSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        statement = balance_sheet(request_company(request), params.validated_data["as_of"])
        return Response({"as_of": params.validated_data["as_of"], **_statement(statement)})


# --- bank statements ------------------------------------------------------------------------------

MAX_STATEMENT_FILE = 10 * 1024 * 1024


class BankStatementLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankStatementLine
        fields = [
            "id", "statement", "position", "date", "value_date", "amount", "counterpart_name", "counterpart_iban",
            "communication", "structured_reference", "bank_reference", "partner", "state", "payment", "entry",
        ]  # fmt: skip
        read_only_fields = fields


class BankStatementSerializer(serializers.ModelSerializer):
    lines = BankStatementLineSerializer(many=True, read_only=True)

    class Meta:
        model = BankStatement
        fields = [
            "id",
            "journal",
            "identifier",
            "date",
            "opening_balance",
            "closing_balance",
            "source_format",
            "filename",
            "lines",
        ]
        read_only_fields = fields


class StatementImportSerializer(serializers.Serializer):
    journal = ScopedPrimaryKeyRelatedField(queryset=Journal.objects.filter(type="bank"))
    file = serializers.FileField(help_text=gettext_lazy("A CAMT.053 (XML) or CODA file, or a CSV file with the csv_ fields."))
    csv_date = serializers.CharField(required=False, help_text=gettext_lazy("CSV: the column of the date."))
    csv_amount = serializers.CharField(required=False, help_text=gettext_lazy("CSV: the column of the signed amount."))
    csv_communication = serializers.CharField(required=False)
    csv_counterpart_name = serializers.CharField(required=False)
    csv_counterpart_iban = serializers.CharField(required=False)
    csv_date_format = serializers.CharField(required=False, help_text=gettext_lazy("Such as %d/%m/%Y; %Y-%m-%d by default."))
    csv_decimal_separator = serializers.ChoiceField(choices=[".", ","], required=False)
    csv_delimiter = serializers.ChoiceField(choices=[",", ";", "\t"], required=False)
    csv_opening_balance = serializers.DecimalField(max_digits=20, decimal_places=4, required=False)


class StatementImportResultSerializer(serializers.Serializer):
    statements = serializers.ListField(child=serializers.IntegerField())
    lines = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    reconciled = serializers.IntegerField()


class BankStatementViewSet(ReadOnlyViewSet):
    """Imported bank statements and their transactions."""

    queryset = BankStatement.objects.prefetch_related("lines")
    serializer_class = BankStatementSerializer
    filterset_fields = {"journal": ["exact"], "date": ["gte", "lte"], "identifier": ["exact"]}

    @extend_schema(request={"multipart/form-data": StatementImportSerializer}, responses={201: StatementImportResultSerializer})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser],
            permission_classes=[permissions.IsAuthenticated])  # fmt: skip  # the service checks the permission
    def import_file(self, request: Request) -> Response:
        """Import a statement file; transactions already imported are skipped, certain matches reconciled."""
        data = StatementImportSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > MAX_STATEMENT_FILE:
            raise serializers.ValidationError({"file": [_("The file is larger than 10 MB.")]})
        values = data.validated_data
        mapping = csv_mapping(
            values["journal"], {name: values.get(f"csv_{name}", "") for name in (*CSV_COLUMNS, *CSV_OPTIONS)},
            opening_balance=values.get("csv_opening_balance") or Decimal(0),
        )  # fmt: skip
        result = bank_statement_import(
            values["journal"], upload.read(), filename=upload.name, by=request.user, csv_mapping=mapping
        )
        reconciled = sum(bank_statement_auto_reconcile(statement, by=request.user) for statement in result.statements)
        body = {"statements": [s.pk for s in result.statements], "lines": result.lines, "duplicates": result.duplicates,
                "reconciled": reconciled}  # fmt: skip
        return Response(body, status=201)


class LineReconcileSerializer(serializers.Serializer):
    invoices = ScopedPrimaryKeyRelatedField(queryset=Invoice.objects.all(), many=True, required=False)
    account = ScopedPrimaryKeyRelatedField(
        queryset=Account.objects.all(),
        required=False,
        help_text=gettext_lazy("Book the transaction on this account instead (bank fees…)."),
    )
    difference = serializers.ChoiceField(choices=[KEEP_OPEN, WRITE_OFF], required=False, allow_null=True)
    label = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if bool(data.get("invoices")) == bool(data.get("account")):
            raise serializers.ValidationError({"non_field_errors": [_("Give either the invoices it pays or an account.")]})
        return data


class BankStatementLineViewSet(ReadOnlyViewSet):
    """Transactions of imported statements; reconcile the open ones."""

    queryset = BankStatementLine.objects.all()
    serializer_class = BankStatementLineSerializer
    filterset_fields = {"statement": ["exact"], "state": ["exact"], "partner": ["exact"], "date": ["gte", "lte"]}

    @extend_schema(responses=InvoiceSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def proposals(self, request: Request, pk: Any = None) -> Response:
        """Open invoices this transaction probably pays, best first."""
        invoices = bank_line_proposals(self.get_object())
        return Response(InvoiceSerializer(invoices, many=True, context={"request": request}).data)

    @extend_schema(request=LineReconcileSerializer, responses=BankStatementLineSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])  # the services check permissions
    def reconcile(self, request: Request, pk: Any = None) -> Response:
        """Reconcile the transaction with the invoices it pays, or book it on an account."""
        data = LineReconcileSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        line = self.get_object()
        if values.get("account"):
            line = bank_line_post(line, values["account"], by=request.user, label=values.get("label", ""))
        else:
            line = bank_line_reconcile(line, values["invoices"], by=request.user, difference=values.get("difference"))
        return Response(BankStatementLineSerializer(BankStatementLine.objects.get(pk=line.pk)).data)


# --- documents and exports -----------------------------------------------------------------------


class EntryExportParams(DateRangeSerializer):
    output = serializers.ChoiceField(choices=["json", "csv"], default="json")  # not "format": DRF reserves it


class EntryExportView(ReportView):
    @extend_schema(
        parameters=[EntryExportParams], responses={200: inline_serializer("EntryExport", {"rows": serializers.ListField()})}
    )
    def get(self, request: Request) -> Response | HttpResponse:
        """Posted journal lines of a period, one row each with stable ids (entry_id, line_id), as JSON or CSV:
        a re-export gives the same rows, so an importing package can skip what it has."""
        params = EntryExportParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        rows = posted_entries(request_company(request), data["date_from"], data["date_to"])
        if data["output"] == "csv":
            filename = f"entries-{data['date_from']}-{data['date_to']}"
            return table_response("csv", filename, COLUMNS, [[row[column] for column in COLUMNS] for row in rows])
        return Response({"date_from": data["date_from"], "date_to": data["date_to"], "columns": COLUMNS, "rows": rows})
