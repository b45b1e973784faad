"""The pipeline as a kanban board: a column per stage, a card per opportunity. A card is dragged into
another column (a small script POSTs the move) or, without JavaScript, moved with its "move to" select.
Below the board, the latest lost opportunities, each with a button that reopens it."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.core.errors import BusinessError
from tessera.core.scoping import request_company

from .models import Lead, LeadKind, LeadState, LostReason, Stage
from .services import opportunity_mark_lost, opportunity_move_stage
from .services.crm import opportunity_reopen

ZERO = Decimal(0)
LOST_SHOWN = 10  # the latest lost opportunities under the board


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def pipeline_view(request: HttpRequest, *, site: AdminSite) -> HttpResponse:
    """The open (and won) opportunities of the current company in their stages."""
    if not request.user.has_perm("sales.view_lead"):
        raise PermissionDenied
    company = request_company(request)
    stages = list(Stage.objects.filter(company=company).order_by("sequence", "id"))
    leads = (
        Lead.objects.filter(company=company, kind=LeadKind.OPPORTUNITY, state__in=(LeadState.OPEN, LeadState.WON))
        .select_related("partner", "salesperson", "stage")
        .order_by("expected_closing", "id")
    )
    salesperson = request.GET.get("salesperson", "")
    if salesperson.isdigit():
        leads = leads.filter(salesperson_id=int(salesperson))
    by_stage: dict[int, list[Lead]] = {stage.pk: [] for stage in stages}
    for lead in leads:
        if lead.stage_id in by_stage:
            by_stage[lead.stage_id].append(lead)
    lost = (
        Lead.objects.filter(company=company, kind=LeadKind.OPPORTUNITY, state=LeadState.LOST)
        .select_related("partner", "lost_reason")
        .order_by("-closed_on", "-id")
    )
    if salesperson.isdigit():
        lost = lost.filter(salesperson_id=int(salesperson))
    columns = []
    for stage in stages:
        cards = by_stage[stage.pk]
        expected = sum((lead.expected_revenue for lead in cards), ZERO)
        columns.append({"stage": stage, "cards": cards, "expected": expected,
                        "weighted": sum((lead.weighted_revenue for lead in cards), ZERO)})  # fmt: skip
    context = {
        **site.each_context(request),
        "title": _("Pipeline"),
        "columns": columns,
        "stages": stages,
        "lost": lost[:LOST_SHOWN],
        "can_move": request.user.has_perm("sales.change_lead"),
        "salesperson": salesperson,
        "move_url": reverse("admin:sales_lead_move", args=[0]).replace("/0/", "/{id}/"),
    }
    return TemplateResponse(request, "sales/pipeline.html", context)


def move_view(request: HttpRequest, object_id: str) -> HttpResponse:
    """POST stage=<id>: the opportunity moves into that stage; JSON for the script, a redirect otherwise."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    company = request_company(request)
    lead = Lead.objects.filter(company=company, pk=int(object_id) if object_id.isdigit() else 0).first()
    stage_id = request.POST.get("stage", "")
    stage = Stage.objects.filter(company=company, pk=int(stage_id)).first() if stage_id.isdigit() else None
    if lead is None or not request.user.has_perm("sales.view_lead"):
        error: str | None = _("This opportunity does not exist or is not of this company.")
    elif stage is None:
        error = _("Choose a stage of this company.")
    else:
        try:
            lead = opportunity_move_stage(lead, stage, by=request.user)
            error = None
        except BusinessError as exc:
            error = exc.message
    if _wants_json(request):
        if error:
            return JsonResponse({"detail": error}, status=400)
        return JsonResponse({"id": lead.pk, "stage": lead.stage_id, "probability": str(lead.probability), "state": lead.state})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(lead)s is now in %(stage)s.") % {"lead": lead, "stage": stage})
    return HttpResponseRedirect(reverse("admin:sales_lead_pipeline"))


def reopen_view(request: HttpRequest, object_id: str) -> HttpResponse:
    """POST: a lost opportunity (a button under the board) is open again; back to the board."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    company = request_company(request)
    lead = Lead.objects.filter(company=company, pk=int(object_id) if object_id.isdigit() else 0).first()
    if lead is None or not request.user.has_perm("sales.view_lead"):
        messages.error(request, _("This opportunity does not exist or is not of this company."))
    else:
        try:
            lead = opportunity_reopen(lead, by=request.user)
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(lead)s is open again, in %(stage)s.") % {"lead": lead, "stage": lead.stage})
    return HttpResponseRedirect(reverse("admin:sales_lead_pipeline"))


class LostForm(forms.Form):
    reason = forms.ModelChoiceField(queryset=LostReason.objects.none(), label=gettext_lazy("Lost reason"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


def lost_view(request: HttpRequest, lead: Lead, *, site: AdminSite, opts: Any) -> HttpResponse:
    """Mark an opportunity lost: the reason is asked for."""
    form = LostForm(request.POST or None)
    form.fields["reason"].queryset = LostReason.objects.filter(company=lead.company_id, active=True)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity_mark_lost(lead, form.cleaned_data["reason"], by=request.user, note=form.cleaned_data["note"])
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The opportunity is marked lost."))
            return HttpResponseRedirect(reverse("admin:sales_lead_change", args=[lead.pk]))
    context = {**site.each_context(request), "title": _("Mark %(lead)s lost") % {"lead": lead}, "form": form, "opts": opts}
    return TemplateResponse(request, "sales/lead_lost.html", context)
