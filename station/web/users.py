"""Users of the web application and their roles (Django groups named after the roles)."""

from __future__ import annotations

from bodycam.errors import EXIT_USAGE, BodycamError
from station.roles import ALL_ROLES
from station.store import Store
from station.web.router import use_store


class UserError(BodycamError, ValueError):
    """An unknown role, or a password the validators refuse (too short, too common)."""
    exit_code = EXIT_USAGE


def add_user(store: Store, name: str, roles: list[str], password: str, staff: bool = False) -> None:
    """Create or update ``name`` with exactly ``roles``; the password must pass the validators."""
    from django.contrib.auth.models import Group, User
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise UserError(f"unknown role(s) {', '.join(sorted(unknown))}: {', '.join(ALL_ROLES)}")
    use_store(store.db.alias)
    with store.db.atomic():
        user = User.objects.filter(username=name).first() or User(username=name)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise UserError(f"password for {name}: {' '.join(exc.messages)}") from None
        user.set_password(password)
        user.is_staff = staff
        user.is_superuser = staff and "admin" in roles
        user.save()
        user.groups.set([Group.objects.get_or_create(name=role)[0] for role in roles])
        store.log("user-set", name, None, roles=sorted(roles), staff=staff)
