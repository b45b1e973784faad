from .access import ApiToken, IdempotencyKey, hash_token
from .audit import AuditAction, AuditEntry, AuditSource, AuditTrailIsAppendOnly
from .base import AuditedModel, CompanyOwned, CompanyQuerySet, ScopedUnique
from .company import Company
from .configuration import ConfigurationVersion
from .currency import Currency, CurrencyRate
from .partner import Partner, PartnerBankAccount, PartnerKind
from .payment_term import InstalmentKind, PaymentTerm, PaymentTermLine
from .product import Product, ProductCategory, ProductType
from .sequence import Sequence, SequenceCounter, SequenceReset
from .uom import Uom, UomCategory
from .user import User

__all__ = [
    "ApiToken",
    "AuditAction",
    "AuditEntry",
    "AuditSource",
    "AuditTrailIsAppendOnly",
    "AuditedModel",
    "Company",
    "CompanyOwned",
    "CompanyQuerySet",
    "ConfigurationVersion",
    "Currency",
    "CurrencyRate",
    "IdempotencyKey",
    "InstalmentKind",
    "Partner",
    "PartnerBankAccount",
    "PartnerKind",
    "PaymentTerm",
    "PaymentTermLine",
    "Product",
    "ProductCategory",
    "ProductType",
    "ScopedUnique",
    "Sequence",
    "SequenceCounter",
    "SequenceReset",
    "Uom",
    "UomCategory",
    "User",
    "hash_token",
]
