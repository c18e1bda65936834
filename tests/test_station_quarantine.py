"""Quarantine (station/quarantine.py) on items made from the format's vectors: list, show, clear, and
expiry after the quarantine period, each rule on its own. Fast, so ``make mutation`` runs it."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest

from station import quarantine
from station.accept import accept
from station.models import CustodyEntry
from station.store import Store, now
from tests.test_station_accept import VECTOR_ID, arrived


@pytest.fixture
def store(tmp_path) -> Store:
    return Store.init(tmp_path / "store")


def refused(store: Store, name: str = VECTOR_ID) -> int:
    """One quarantine item: the vector ``changed-chunk`` under the folder name ``name``."""
    device, incoming = arrived(store, "changed-chunk")
    if name != VECTOR_ID:
        (incoming / "recordings" / VECTOR_ID).rename(incoming / "recordings" / name)
    accept(store, device)
    return quarantine.items(store)[-1].pk


def subjects(store: Store, action: str) -> list[str]:
    return [e.subject for e in store.db.query(CustodyEntry).order_by("seq") if e.action == action]


def test_show_names_the_item_in_readable_json_with_its_files(store):
    number = refused(store)
    shown = quarantine.show(store, number)
    assert shown.startswith('{\n  "item": ') and "\n    " in shown, "indented by two"
    data = json.loads(shown)
    assert (data["item"], data["kind"], data["name"]) == (number, "rejected", VECTOR_ID)
    assert data["files"] == [f"upload/seg-00000{n}.bcs" for n in range(3)]
    item = quarantine.items(store)[0]
    item.problems = ["Prüfung: geändert"]
    item.save(using=store.db.alias)
    assert "Prüfung: geändert" in quarantine.show(store, number), "text, not escapes"


def test_a_cleared_item_leaves_the_list_but_not_the_full_list_and_its_copy_is_gone(store):
    number = refused(store)
    copy = store.root / quarantine.items(store)[0].path
    quarantine.clear(store, number, "checked: a test vector")
    assert quarantine.items(store) == [] and [i.pk for i in quarantine.items(store, include_cleared=True)] == [number]
    dkid = quarantine.items(store, include_cleared=True)[0].device_key_id
    assert not copy.exists() and subjects(store, "quarantine-cleared") == [f"{dkid}/{VECTOR_ID}"]
    with pytest.raises(quarantine.QuarantineError, match=f"#{number} was cleared already"):
        quarantine.clear(store, number, "again")


def test_clearing_an_item_whose_copy_someone_removed_still_records_the_decision(store):
    number = refused(store)
    shutil.rmtree(store.root / quarantine.items(store)[0].path)
    quarantine.clear(store, number, "copy was gone")
    assert quarantine.items(store) == []


def test_an_item_no_one_cleared_expires_with_its_copy_and_a_bounded_log_line(store):
    long_name = "x" * 200
    number = refused(store, long_name)
    item = quarantine.items(store)[0]
    copy = store.root / item.path
    at = item.last_seen + timedelta(days=31)
    assert quarantine.expire(store, timedelta(days=30), at, dry_run=True) == [f"#{number} {long_name}"]
    assert copy.exists() and quarantine.items(store) != []
    assert quarantine.expire(store, timedelta(days=30), at) == [f"#{number} {long_name}"]
    assert not copy.exists() and quarantine.items(store) == []
    (subject,) = subjects(store, "quarantine-expired")
    assert subject == f"{item.device_key_id}/{long_name}"[:100]
    assert quarantine.expire(store, timedelta(days=30), now() + timedelta(days=400)) == [], "once"


def test_an_item_inside_its_period_is_kept(store):
    refused(store)
    item = quarantine.items(store)[0]
    assert quarantine.expire(store, timedelta(days=30), item.last_seen + timedelta(days=29)) == []
    assert quarantine.items(store) != []


def test_a_long_name_is_bounded_in_the_clearing_log_line(store):
    number = refused(store, "y" * 200)
    quarantine.clear(store, number, "checked")
    (subject,) = subjects(store, "quarantine-cleared")
    assert len(subject) == 100


def test_an_item_whose_copy_someone_removed_still_expires_with_its_log_line(store):
    number = refused(store)
    item = quarantine.items(store)[0]
    shutil.rmtree(store.root / item.path)
    at = item.last_seen + timedelta(days=31)
    assert quarantine.expire(store, timedelta(days=30), at) == [f"#{number} {VECTOR_ID}"]
    assert quarantine.items(store) == [] and len(subjects(store, "quarantine-expired")) == 1
