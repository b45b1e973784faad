"""The people who sign in to the demo, one per role, each with a password printed at the end of the load."""

from dataclasses import dataclass
from functools import partial
from operator import attrgetter

from django.contrib.auth.models import Group

from ..models import Company, User
from .company import DOMAIN
from .loader import Loader, index


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str | None  # the role group; None for the superuser

    @property
    def password(self) -> str:
        return f"{self.username}-demo"


USERS = (
    DemoUser("admin", "An", "Declercq", None),
    DemoUser("accountant", "Sofie", "Maes", "Accounting / Manager"),
    DemoUser("sales", "Thomas", "Claes", "Sales / Manager"),
    DemoUser("buyer", "Karen", "Wouters", "Purchasing / Manager"),
    DemoUser("warehouse", "Dirk", "Goossens", "Inventory / Manager"),
    DemoUser("planner", "Bart", "De Smet", "Manufacturing / Manager"),
    DemoUser("hr", "Els", "Willems", "HR / Manager"),
    DemoUser("employee", "Jonas", "Peeters", "Employee"),
    DemoUser("auditor", "Marc", "Lemaire", "Auditor"),
)


def load_users(loader: Loader, company: Company) -> tuple[DemoUser, ...]:
    existing = index(User.objects.filter(username__in=[user.username for user in USERS]), attrgetter("username"))
    groups = index(Group.objects.filter(name__in=[user.role for user in USERS if user.role]), attrgetter("name"))
    for user in USERS:
        loader.ensure(existing, user.username, partial(_create, loader, user, company, groups))
    return USERS


def _create(loader: Loader, demo_user: DemoUser, company: Company, groups: dict[str, Group]) -> User:
    user = User(
        username=demo_user.username,
        first_name=demo_user.first_name,
        last_name=demo_user.last_name,
        email=f"{demo_user.username}@{DOMAIN}",
        is_staff=True,
        is_superuser=demo_user.role is None,
        current_company=company,
    )
    user.set_password(demo_user.password)
    return loader.save(user, m2m={"companies": [company], "groups": [groups[demo_user.role]] if demo_user.role else []})
