"""Requests to view a recording and their decision by a second person (four eyes): the rules, and the
custody line of each step, whoever asks (the web application today, an API tomorrow)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from bodycam.errors import BodycamError
from station.models import Account, Recording, ViewRequest
from station.store import Store


class ViewingError(BodycamError, ValueError):
    """A decision the four-eyes rule refuses."""


class OwnRequest(ViewingError):
    """The approver asked for this viewing themselves."""


class Unidentified(ViewingError):
    """The requester or the approver has no personnel number: two accounts are not yet two people."""


class AlreadyDecided(ViewingError):
    """Someone decided on this request before, or it expired undecided."""


def expire_requests(store: Store, expiry: timedelta) -> int:
    """Requests left undecided for ``expiry`` expire, each with a custody line: a purpose asked for last
    month is not a reason to view today. Returns how many expired."""
    requests = store.db.query(ViewRequest)
    stale = requests.filter(status=ViewRequest.PENDING, created_at__lte=timezone.now() - expiry)
    expired = 0
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic(using=store.db.alias):
            grant = requests.select_for_update().select_related("recording", "requester").get(pk=pk)
            if grant.status == ViewRequest.PENDING:  # not decided meanwhile
                _expire(store, grant, expiry)
                expired += 1
    return expired


def _expire(store: Store, grant: ViewRequest, expiry: timedelta) -> None:
    grant.status = ViewRequest.EXPIRED
    grant.save(using=store.db.alias)
    store.log("view-expired", grant.recording.ref, None, request=grant.pk, requester=grant.requester.get_username(),
              undecided_days=expiry.days)


def request_viewing(store: Store, recording: Recording, requester: User, purpose: str,
                    case_number: str) -> ViewRequest:
    with transaction.atomic(using=store.db.alias):
        grant = ViewRequest.objects.create(recording=recording, requester=requester, purpose=purpose,
                                           case_number=case_number, created_at=timezone.now())
        store.log("view-requested", recording.ref, requester.get_username(), request=grant.pk,
                  purpose=grant.purpose, case=grant.case_number)
    return grant


def decide(store: Store, pk: int, approver: User, approve: bool, note: str, window: timedelta,
           expiry: timedelta) -> ViewRequest:
    """Approve (a viewing window of ``window`` opens) or reject request ``pk``, unless it waited longer
    than ``expiry``; ViewRequest.DoesNotExist when there is none."""
    with transaction.atomic(using=store.db.alias):
        grant = ViewRequest.objects.select_for_update().select_related("recording__device").get(pk=pk)
        if grant.requester_id == approver.pk:
            raise OwnRequest(f"request {pk}: {approver.get_username()} asked for it and cannot decide on it")
        for user in (grant.requester, approver):
            if Account.number_of(user) is None:
                raise Unidentified(f"request {pk}: {user.get_username()} has no personnel number; the four-eyes "
                                   f"rule needs two people (bodycam station user {user.get_username()} "
                                   "--personnel-number …)")
        now = timezone.now()
        if grant.status == ViewRequest.PENDING and grant.created_at <= now - expiry:
            _expire(store, grant, expiry)  # kept: the refusal below leaves this transaction first
        elif grant.status == ViewRequest.PENDING:
            grant.status = ViewRequest.APPROVED if approve else ViewRequest.REJECTED
            grant.decided_by, grant.decided_at, grant.decision_note = approver, now, note
            grant.window_until = now + window if approve else None
            grant.save()
            store.log("view-approved" if approve else "view-rejected", grant.recording.ref,
                      approver.get_username(), request=grant.pk, requester=grant.requester.get_username(),
                      note=grant.decision_note,
                      window_until=grant.window_until.isoformat() if grant.window_until else None)
            return grant
    raise AlreadyDecided(f"request {pk} was decided already ({grant.status})")
