"""Sending a request for quotation or a purchase order to the supplier by e-mail, with its PDF attached."""

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

from ..documents import order_pdf, order_pdf_filename, order_title
from ..models import PurchaseOrder
from ..states import OrderState
from .orders import purchase_order_mark_sent


def purchase_order_send(order: PurchaseOrder, *, by: User, to: str | None = None) -> PurchaseOrder:
    """E-mail the RFQ (or, once placed, the purchase order) as a PDF to the supplier, or to `to`; a
    draft RFQ becomes "sent". The e-mail leaves once the transaction commits."""
    require_permission(by, PurchaseOrder, "change")
    require_company(by, order)
    with operation():
        order = (
            PurchaseOrder.objects.select_for_update(of=("self",))
            .select_related("partner", "company", "currency", "warehouse__partner", "buyer", "payment_term")
            .get(pk=order.pk)
        )
        if order.state == OrderState.CANCELLED:
            raise BusinessError(_("Order %(order)s is cancelled: it cannot be sent.") % {"order": order}, code="order_cancelled")
        missing = _("%(supplier)s has no e-mail address: add one to the supplier or give the address to send to.")
        message = _message(order, email_recipient(order.partner, to, missing=missing % {"supplier": order.partner}))
        if order.state == OrderState.DRAFT:
            order = purchase_order_mark_sent(order, by=by)
        transaction.on_commit(message.send, robust=True)  # a mail server down is logged; the RFQ stays sent
    return order


def _message(order: PurchaseOrder, recipient: str) -> EmailMessage:
    """The e-mail in the supplier's language, the PDF attached."""
    company = order.company
    with translation.override(order.partner.language or "en"):
        values = {"supplier": order.partner.name, "document": order_title(order), "number": order.number,
                  "company": company.name, "total": number_format(order.amount_total, 2, force_grouping=True),
                  "currency": order.currency.code}  # fmt: skip
        subject = _("%(company)s: %(document)s %(number)s") % values
        if order.state == OrderState.PURCHASE:
            body = _(
                "Dear %(supplier)s,\n\nPlease find attached our %(document)s %(number)s, for a total of %(total)s %(currency)s. "
                "Please confirm the delivery dates and quote our order number on your delivery note and bill.\n\n"
                "Kind regards,\n%(company)s"
            )
        else:
            body = _(
                "Dear %(supplier)s,\n\nPlease find attached our %(document)s %(number)s. Please send us your prices and "
                "delivery dates.\n\nKind regards,\n%(company)s"
            )
    message = EmailMessage(subject, body % values, to=[recipient], reply_to=[company.email] if company.email else None)
    message.attach(order_pdf_filename(order), order_pdf(order), "application/pdf")
    return message
