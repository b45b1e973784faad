"""Setting up a company's inventory: virtual locations, numbering, a first warehouse, valuation accounts."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.accounting.models import AccountRole, Journal, JournalType
from tessera.accounting.services import journal_save
from tessera.core.errors import BusinessError
from tessera.core.models import Company, ProductCategory, User
from tessera.core.services import record_save, require_company, require_permission, sequences_ensure
from tessera.core.transactions import operation

from ..models import CategoryValuation, Location, LocationUsage, Warehouse

VIRTUAL_LOCATIONS = (
    (LocationUsage.SUPPLIER, gettext_lazy("Partners"), gettext_lazy("Suppliers")),
    (LocationUsage.CUSTOMER, gettext_lazy("Partners"), gettext_lazy("Customers")),
    (LocationUsage.PRODUCTION, gettext_lazy("Virtual"), gettext_lazy("Production")),
    (LocationUsage.INVENTORY, gettext_lazy("Virtual"), gettext_lazy("Inventory adjustment")),
    (LocationUsage.SCRAP, gettext_lazy("Virtual"), gettext_lazy("Scrap")),
    (LocationUsage.TRANSIT, gettext_lazy("Virtual"), gettext_lazy("Transit")),
)
SEQUENCES = (
    ("inventory.receipt", gettext_lazy("Receipts"), "IN/{year}/{number}"),
    ("inventory.delivery", gettext_lazy("Deliveries"), "OUT/{year}/{number}"),
    ("inventory.internal", gettext_lazy("Internal transfers"), "INT/{year}/{number}"),
    ("inventory.count", gettext_lazy("Inventory counts"), "CNT/{year}/{number}"),
    ("inventory.scrap", gettext_lazy("Scrap"), "SCRAP/{year}/{number}"),
)
STOCK_JOURNAL = "STJ"


def company_inventory_setup(company: Company, by: User) -> None:
    """Registered with core: a new company gets its virtual locations, numbering, stock journal and
    a first warehouse."""
    with operation():
        for usage, parent_name, name in VIRTUAL_LOCATIONS:
            if not Location.objects.filter(company=company, usage=usage, warehouse=None).exists():
                parent = _view_location(company, str(parent_name), by)
                record_save(Location(company=company, name=str(name), parent=parent, usage=usage), by=by)
        sequences_ensure(company, SEQUENCES, by=by)
        if not Journal.objects.filter(company=company, code=STOCK_JOURNAL).exists():
            journal_save(Journal(company=company, code=STOCK_JOURNAL, name=_("Stock valuation"), type=JournalType.GENERAL), by=by)
        if not Warehouse.objects.filter(company=company).exists():
            warehouse_create(Warehouse(company=company, name=_("Main warehouse"), code="WH"), by=by)


def _view_location(company: Company, name: str, by: User) -> Location:
    existing = Location.objects.filter(company=company, name=name, parent=None, usage=LocationUsage.VIEW).first()
    return existing or record_save(Location(company=company, name=name, usage=LocationUsage.VIEW), by=by)


def virtual_location(company: Company | int, usage: str) -> Location:
    """The company's own location of a virtual kind (suppliers, customers, production, …)."""
    location = Location.objects.filter(company=company, usage=usage, warehouse=None, active=True).order_by("id").first()
    if location is None:
        raise BusinessError(
            _("This company has no %(usage)s location. Create one under Inventory > Locations.")
            % {"usage": LocationUsage(usage).label},
            code="missing_location",
        )
    return location


def warehouse_create(warehouse: Warehouse, *, by: User) -> Warehouse:
    """Create a warehouse with its view location (its code) and its stock location (code/Stock)."""
    require_permission(by, Warehouse, "add")
    require_company(by, warehouse)
    with operation():
        record_save(warehouse, by=by)
        view = Location(company=warehouse.company, name=warehouse.code, usage=LocationUsage.VIEW, warehouse=warehouse)
        record_save(view, by=by)
        stock = record_save(Location(company=warehouse.company, name=_("Stock"), parent=view), by=by)
        Warehouse.objects.filter(pk=warehouse.pk).update(view_location=view, stock_location=stock)
        warehouse.view_location, warehouse.stock_location = view, stock
    return warehouse


def location_save(location: Location, *, by: User) -> Location:
    """Save a location; renaming or moving it renames the locations inside it."""
    with operation():
        record_save(location, by=by)
        for child in location.children.all():
            location_save(child, by=by)
    return location


VALUATION_ROLES = (("stock_goods", "stock_variation_goods"), ("stock_raw", "stock_variation_raw"))


def category_valuation(category: ProductCategory) -> CategoryValuation:
    """The category's valuation settings; a category without its own gets FIFO on the goods-for-resale
    stock account and its stock variation account, or the raw-materials pair (decision 11)."""
    valuation = (
        CategoryValuation.objects.filter(category=category)
        .select_related("valuation_account", "input_account", "output_account")
        .first()
    )
    if valuation is not None:
        return valuation
    roles = {
        role.role: role.account
        for role in AccountRole.objects.filter(
            company_id=category.company_id, role__in=[role for pair in VALUATION_ROLES for role in pair]
        ).select_related("account")
    }
    for stock_role, variation_role in VALUATION_ROLES:
        if stock_role in roles and variation_role in roles:
            return CategoryValuation(
                company_id=category.company_id, category=category, valuation_account=roles[stock_role],
                input_account=roles[variation_role], output_account=roles[variation_role],
            )  # fmt: skip
    raise BusinessError(
        _("Category %(category)s has no stock valuation accounts. Set them under Inventory > Category valuation.")
        % {"category": category},
        code="missing_valuation_accounts",
    )
