"""Users of the web application and their roles (Django groups named after the roles)."""

from __future__ import annotations

import re

from bodycam.errors import EXIT_USAGE, BodycamError
from station.roles import ASSIGNABLE_ROLES
from station.router import use_store
from station.store import Store


class UserError(BodycamError, ValueError):
    """An unknown role, or a password the validators refuse (too short, too common)."""
    exit_code = EXIT_USAGE


PERSONNEL_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]{0,19}$")
"""A town's personnel number (Personalnummer): up to 20 letters and digits, with . / - inside."""


def add_user(store: Store, name: str, roles: list[str], password: str, staff: bool = False,
             personnel_number: str | None = None) -> None:
    """Create or update ``name`` with exactly ``roles``; the password must pass the validators. The
    personnel number (kept if not given) belongs to one account only: the four-eyes rule compares it."""
    from django.contrib.auth.models import Group, User
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from station.models import Account

    unknown = set(roles) - set(ASSIGNABLE_ROLES)
    if unknown:
        raise UserError(f"unknown role(s) {', '.join(sorted(unknown))}: {', '.join(ASSIGNABLE_ROLES)}")
    if personnel_number is not None and not PERSONNEL_NUMBER.match(personnel_number):
        raise UserError(f"--personnel-number {personnel_number[:40]!r}: give up to 20 letters and digits "
                        "(. / - allowed inside)")
    use_store(store.db.alias)
    with store.db.atomic():
        holder = Account.objects.filter(personnel_number=personnel_number).exclude(user__username=name).first() \
            if personnel_number else None
        if holder is not None:
            raise UserError(f"personnel number {personnel_number} belongs to the account {holder.user.get_username()}:"
                            " one person has one account (change that account instead)")
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
        if personnel_number:
            Account.objects.update_or_create(user=user, defaults={"personnel_number": personnel_number})
        number = Account.number_of(user)
        store.log("user-set", name, None, roles=sorted(roles), staff=staff, personnel_number=number)
