"""Browser smoke test: Chromium, driven by Playwright, signs in through the login form, opens every
back-office list the user may see, a record's change form and audit history, switches company in
the header, and loads the API docs."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from django.contrib import admin
from django.db import connections
from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, Request, expect, sync_playwright
from pytest_django import DjangoDbBlocker
from pytest_django.live_server_helper import LiveServer

from tessera.core.models import Company, Partner, User
from tessera.core.services import record_save

from .factories import (
    CompanyFactory,
    PartnerBankAccountFactory,
    PartnerFactory,
    PaymentTermFactory,
    ProductFactory,
    SequenceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "secret-pass-1"  # the one UserFactory sets
SITE_TITLE = "Tessera"
ERROR_MARKERS = ("Traceback", "Server Error (500)", "Exception Value", "TemplateSyntaxError", "Page not found")


@pytest.fixture(scope="module", autouse=True)
def migrated_data_restored(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Transactional tests leave empty tables behind. When this module is done, its tests put back
    what the migrations created (currencies, units, roles…), which later tests expect."""
    yield
    with django_db_blocker.unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)


@pytest.fixture(scope="module")
def browser(django_db_setup: None) -> Iterator[Browser]:
    """Chromium, with Django's database connections usable beside Playwright.

    Playwright's sync API keeps an event loop running in this thread. Django then refuses ORM
    calls unless allowed to, and looks its connections up per async context: it would open new
    ones, which lack the test database's serialized contents (serialized_rollback) and are not
    the connection an in-memory SQLite live server shares. So the thread's connections are kept.
    """
    thread_connections = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            for alias, connection in thread_connections.items():
                connections[alias] = connection
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@dataclass
class Session:
    """A browser tab on the live server that records what would make a page unreliable:
    requests to other hosts (everything must be served locally) and JavaScript errors."""

    page: Page
    origin: str
    outside_requests: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        """Open a page and check that it is a normal page of the back office, not an error."""
        response = self.page.goto(path)
        assert response is not None and response.status == 200, f"{path}: HTTP {response and response.status}"
        assert urlparse(self.page.url).path == urlparse(path).path, f"{path} redirected to {self.page.url}"
        body = self.page.content()
        for marker in ERROR_MARKERS:
            assert marker not in body, f"{path} shows {marker!r}"

    def log_in(self, user: User) -> None:
        self.open("/admin/login/")
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("#login-form [type=submit]")
        assert urlparse(self.page.url).path == reverse("admin:index"), "login failed"

    def assert_clean(self) -> None:
        assert self.outside_requests == [], f"requests to other hosts: {self.outside_requests}"
        assert self.script_errors == [], f"JavaScript errors: {self.script_errors}"


@pytest.fixture
def session(browser: Browser, live_server: LiveServer) -> Iterator[Session]:
    context: BrowserContext = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Europe/Brussels")
    context.set_default_timeout(10_000)
    session = Session(page=context.new_page(), origin=live_server.url)

    def watch(request: Request) -> None:
        if not request.url.startswith(session.origin):
            session.outside_requests.append(request.url)

    # Watched rather than intercepted: intercepting requests (context.route) turns the HTTP cache off.
    context.on("request", watch)
    session.page.on("pageerror", lambda error: session.script_errors.append(str(error)))
    yield session
    context.close()


@dataclass
class Data:
    user: User
    first: Company
    second: Company
    partner: Partner


@pytest.fixture
def data() -> Data:
    """Two companies with records of each kind; a manager of both; a partner saved through the
    services (created, then renamed) so that it has an audit history."""
    first = CompanyFactory(name="Alpha Works NV")
    second = CompanyFactory(name="Beta Trading BV", country="NL")
    user = UserFactory(username="browser-manager", companies=[first, second], roles=["Settings / Manager"])
    for company in (first, second):
        ProductFactory(company=company)
        PaymentTermFactory(company=company)
        SequenceFactory(company=company)
    PartnerBankAccountFactory(partner=PartnerFactory(company=first, name="Alpha Customer"))
    PartnerBankAccountFactory(partner=PartnerFactory(company=second, name="Beta Customer"))
    partner = record_save(Partner(company=first, name="Atelier Oud", country="BE", is_customer=True), by=user)
    partner.name = "Atelier Nieuw"
    record_save(partner, by=user)
    return Data(user=user, first=first, second=second, partner=partner)


def visible_changelists(user: User) -> list[tuple[str, str]]:
    """(url, verbose name) of every registered model's list the user may view."""
    request = RequestFactory().get(reverse("admin:index"))
    request.user = user
    pages = []
    for model, model_admin in admin.site._registry.items():
        if model_admin.has_view_permission(request):
            opts = model._meta
            pages.append((reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), str(opts.verbose_name)))
    return sorted(pages)


def test_every_visible_list_page_and_a_record_history(session: Session, data: Data) -> None:
    pages = visible_changelists(data.user)
    assert (reverse("admin:core_partner_changelist"), "partner") in pages
    session.log_in(data.user)
    session.open(reverse("admin:index"))

    for url, verbose_name in pages:
        session.open(url)
        title = session.page.title()
        assert title.endswith(f"| {SITE_TITLE}") and verbose_name.lower() in title.lower(), f"{url}: title {title!r}"

    session.open(reverse("admin:core_partner_change", args=[data.partner.pk]))
    expect(session.page.locator("#id_name")).to_have_value("Atelier Nieuw")

    session.open(reverse("admin:core_partner_history", args=[data.partner.pk]))
    rows = session.page.locator("#record-history tbody tr")
    # The last three cells of a row are the field, its value before and its value after.
    changes = [tuple(cells[-3:]) for cells in (row.locator("td").all_inner_texts() for row in rows.all())]
    assert ("Name", "Atelier Oud", "Atelier Nieuw") in changes
    assert ("Name", "—", "Atelier Oud") in changes
    session.assert_clean()


def test_company_switcher_changes_the_partners_listed(session: Session, data: Data) -> None:
    session.log_in(data.user)
    partners = reverse("admin:core_partner_changelist")
    session.open(partners)
    results = session.page.locator("#result_list")
    expect(results).to_contain_text("Alpha Customer")
    expect(results).not_to_contain_text("Beta Customer")

    switcher = session.page.locator("#company-switcher select#company-select")
    expect(switcher).to_have_value(str(data.first.pk))
    with session.page.expect_navigation():
        switcher.select_option(str(data.second.pk))

    assert urlparse(session.page.url).path == partners
    expect(switcher).to_have_value(str(data.second.pk))
    expect(results).to_contain_text("Beta Customer")
    expect(results).not_to_contain_text("Alpha Customer")
    data.user.refresh_from_db()
    assert data.user.current_company == data.second
    session.assert_clean()


def test_api_docs_are_served_locally(session: Session) -> None:
    session.open(reverse("api-docs"))
    expect(session.page.locator(".swagger-ui .info .title")).to_contain_text("Tessera API")
    session.assert_clean()
