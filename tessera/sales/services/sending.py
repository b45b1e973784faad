"""Sending a quotation or order confirmation to the customer by e-mail, with its PDF attached, or
marking a quotation sent when it went to the customer another way."""

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tessera.core.errors import BusinessError
from tessera.core.mailing import email_recipient
from tessera.core.models import User
from tessera.core.services import require_company, require_permission
from tessera.core.transactions import operation
from tessera.core.workflow import apply_transition

from ..documents import order_pdf, order_pdf_filename, order_title
from ..models import SaleOrder
from ..states import ORDER_TRANSITIONS, OrderState


def sale_order_send(order: SaleOrder, *, by: User, to: str | None = None) -> EmailMessage:
    """E-mail the quotation (or, once confirmed, the order confirmation) as a PDF to the customer, or
    to `to`; a draft quotation becomes "sent". The e-mail leaves once the transaction commits."""
    require_permission(by, SaleOrder, "change")
    require_company(by, order)
    with operation():
        order = (
            SaleOrder.objects.select_for_update(of=("self",)).select_related("partner", "company", "currency").get(pk=order.pk)
        )
        if order.state == OrderState.CANCELLED:
            raise BusinessError(_("Order %(order)s is cancelled: it cannot be sent.") % {"order": order}, code="order_cancelled")
        missing = _("%(customer)s has no e-mail address: add one to the customer or give the address to send to.")
        recipient = email_recipient(order.partner, to, missing=missing % {"customer": order.partner})
        message = _message(order, recipient)
        if order.state == OrderState.DRAFT:
            apply_transition(order, OrderState.SENT, transitions=ORDER_TRANSITIONS, by=by)
        transaction.on_commit(message.send, robust=True)  # a mail server down is logged; the order stays sent
    return message


def sale_order_mark_sent(order: SaleOrder, *, by: User) -> SaleOrder:
    """Mark a draft quotation "sent" without e-mailing it (it was handed over, posted or sent from
    another mailbox), as sending it would."""
    require_permission(by, SaleOrder, "change")
    require_company(by, order)
    with operation():
        order = SaleOrder.objects.select_for_update().get(pk=order.pk)
        if order.state != OrderState.DRAFT:
            if order.state == OrderState.SENT:
                message = _("Quotation %(order)s is already marked as sent.")
            elif order.state == OrderState.CANCELLED:
                message = _("Order %(order)s is cancelled: only a draft quotation can be marked as sent.")
            else:
                message = _("Order %(order)s is confirmed: only a draft quotation can be marked as sent.")
            raise BusinessError(message % {"order": order}, code="order_not_draft")
        apply_transition(order, OrderState.SENT, transitions=ORDER_TRANSITIONS, by=by)
    return order


def _message(order: SaleOrder, recipient: str) -> EmailMessage:
    """The e-mail in the customer's language, the PDF attached."""
    company = order.company
    with translation.override(order.partner.language or "en"):
        title = order_title(order)
        total = number_format(order.amount_total, 2, force_grouping=True)
        values = {"customer": order.partner.name, "document": title, "number": order.number, "company": company.name,
                  "total": total, "currency": order.currency.code}  # fmt: skip
        subject = _("%(company)s: %(document)s %(number)s") % values
        body = (
            _(
                "Dear %(customer)s,\n\nPlease find attached: %(document)s %(number)s, for a total of %(total)s %(currency)s.\n\n"
                "Kind regards,\n%(company)s"
            )
            % values
        )
    message = EmailMessage(subject, body, to=[recipient], reply_to=[company.email] if company.email else None)
    message.attach(order_pdf_filename(order), order_pdf(order), "application/pdf")
    return message
