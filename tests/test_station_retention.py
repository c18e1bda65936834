"""Retention in the evidence store: old recordings go, held ones stay, every step is a custody line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from office.cli import main
from station.accept import accept
from station.models import CustodyEntry, Recording
from station.paths import PathEscapeError, inside
from station.registry import enrol
from station.retention import RetentionError, hold, parse_period, purge
from station.store import Store
from storage.keys import key_id, load_device_public
from tests.recordings import copy_tree
from tests.stations import db_args


@pytest.fixture
def store(device, tmp_path, database_url) -> tuple[Store, str]:
    """A store that has received the device's recording (recorded on the simulator's 2026-01-05)."""
    store = Store.init(tmp_path / "store", database_url)
    kid = key_id(load_device_public(device / "keys" / "device.pub"))
    registered = enrol(store, "cam-001", "127.0.0.1", 22, "root", (device / "keys" / "device.pub").read_text(),
                       "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB6F0dfxP5rW0CqQ8dOq8mZ9H8Y1bcZ2wXy4bJmQwVvA")
    for folder in ("recordings", "audit"):
        copy_tree(device / folder, store.incoming(kid) / folder)
    acceptance = accept(store, registered)
    assert acceptance.problems == [] and len(acceptance.received) == 1
    store.db.query(Recording).update(received_at=ARRIVED)  # docked on the day it was recorded
    return store, acceptance.received[0]


ARRIVED = datetime(2026, 1, 5, 18, tzinfo=UTC)


def actions(store: Store) -> list[CustodyEntry]:
    return list(store.db.query(CustodyEntry).order_by("seq"))



def test_purge_deletes_recordings_past_the_period_with_who_why_and_legal_basis(store):
    store, recording = store
    result = purge(store, parse_period("14d"), at=datetime(2026, 1, 30, tzinfo=UTC), who="dsb")
    (ref,) = result.deleted
    assert ref.endswith(recording)
    assert not list(store.root.glob(f"devices/*/recordings/{recording}"))
    assert store.db.query(Recording).get().deleted_at is not None, "the row stays: what was deleted, when"
    last = actions(store)[-1]
    assert (last.action, last.actor, last.details["reason"]) == ("deleted", "dsb", "retention 14 d")
    assert "§15c PolG NRW" in last.details["legal_basis"]


def test_purge_keeps_recordings_inside_the_period(store):
    store, recording = store
    assert purge(store, parse_period("14d"), at=datetime(2026, 1, 10, tzinfo=UTC)).deleted == []
    assert list(store.root.glob(f"devices/*/recordings/{recording}"))


def test_held_recordings_survive_the_purge_until_released(store, capsys):
    store, recording = store
    assert main(["evidence", "hold", recording, "--reason", "Anfrage StA", "--case", "Az. 2026/0815",
                 *db_args(store)]) == 0
    later = datetime(2026, 6, 1, tzinfo=UTC)
    assert [r.endswith(recording) for r in purge(store, parse_period("14d"), at=later).held] == [True]
    assert list(store.root.glob(f"devices/*/recordings/{recording}"))
    assert main(["evidence", "release", recording, "--reason", "Verfahren eingestellt", *db_args(store)]) == 0
    assert len(purge(store, parse_period("14d"), at=later).deleted) == 1
    assert [e.action for e in actions(store)][-3:] == ["hold", "hold-released", "deleted"]
    assert actions(store)[-3].details == {"reason": "Anfrage StA", "case": "Az. 2026/0815"}


def test_a_recording_arriving_after_its_deletion_date_is_kept_for_the_review_period(store, capsys):
    store, recording = store
    arrived = datetime(2026, 3, 1, 12, tzinfo=UTC)  # eight weeks after it was made, six past its deletion date
    store.db.query(Recording).update(received_at=arrived)
    result = purge(store, parse_period("14d"), at=arrived + timedelta(hours=71))
    assert result.deleted == [] and [r.endswith(recording) for r in result.in_review] == [True]
    assert list(store.root.glob(f"devices/*/recordings/{recording}"))
    assert purge(store, parse_period("14d"), at=arrived + timedelta(hours=72, minutes=1), dry_run=True).in_review == []
    assert main(["evidence", "purge", "--review-period", "4d", *db_args(store)]) == 0
    assert "arrived late" not in capsys.readouterr().out, "long past: deleted"
    assert not list(store.root.glob(f"devices/*/recordings/{recording}"))


def test_purge_says_which_recordings_it_keeps_for_review(store, capsys):
    store, recording = store
    store.db.query(Recording).update(received_at=datetime.now(UTC))
    assert main(["evidence", "purge", "--dry-run", *db_args(store)]) == 0
    out = capsys.readouterr().out
    assert f"{recording} (arrived late: in review until 72h after arrival)" in out
    assert "0 would delete, 0 held, 0 in a case, 1 in review" in out


def test_a_refused_upload_no_one_cleared_is_deleted_after_the_quarantine_period_with_a_custody_line(store, device,
                                                                                                      capsys):
    from station.models import QuarantineItem

    store, _ = store
    registered = store.db.query(Recording).get().device
    incoming = store.incoming(registered.key_id)  # the audit log is still there from the fixture's offload
    (incoming / "recordings" / "not-a-recording").mkdir(parents=True)
    (incoming / "recordings" / "not-a-recording" / "junk").write_bytes(b"x" * 100)
    assert accept(store, registered).problems
    item = store.db.query(QuarantineItem).get()
    assert (store.root / item.path).is_dir()
    QuarantineItem.objects.using(store.db.alias).update(last_seen=datetime.now(UTC) - timedelta(days=29))
    assert main(["evidence", "purge", *db_args(store)]) == 0
    assert (store.root / item.path).is_dir(), "inside the period"
    QuarantineItem.objects.using(store.db.alias).update(last_seen=datetime.now(UTC) - timedelta(days=31))
    assert main(["evidence", "purge", "--dry-run", *db_args(store)]) == 0
    said = capsys.readouterr().out
    assert f"would delete quarantine copy #{item.pk} not-a-recording (not cleared within 30d)" in said
    assert main(["evidence", "purge", *db_args(store)]) == 0
    assert f"deleted quarantine copy #{item.pk} not-a-recording" in capsys.readouterr().out
    assert not (store.root / item.path).exists()
    item.refresh_from_db(using=store.db.alias)
    assert item.cleared_by == "retention" and item.cleared_reason == "quarantine period of 30 d passed"
    last = actions(store)[-1]
    assert last.action == "quarantine-expired" and "Art. 17 DSGVO" in last.details["legal_basis"]
    assert main(["evidence", "purge", "--quarantine-period", "a month", *db_args(store)]) == 2


def test_purge_dry_run_deletes_nothing(store, capsys):
    store, recording = store
    assert main(["evidence", "purge", "--older-than", "14d", "--dry-run", *db_args(store)]) == 0
    assert "would delete" in capsys.readouterr().out
    assert list(store.root.glob(f"devices/*/recordings/{recording}"))


def test_retention_errors_are_clear(store, capsys):
    store, recording = store
    assert main(["evidence", "purge", "--older-than", "two weeks", *db_args(store)]) == 2
    assert "write days or hours, e.g. 14d" in capsys.readouterr().err
    for bad in ("14d\n", "d", "14w", " 14d"):
        with pytest.raises(RetentionError, match="write days or hours"):
            parse_period(bad)
    assert (parse_period("36h"), parse_period("0d")) == (timedelta(hours=36), timedelta(0))
    with pytest.raises(RetentionError, match="needs a reason"):
        hold(store, recording, " ")
    assert main(["evidence", "release", recording, *db_args(store)]) == 2
    assert "is not held" in capsys.readouterr().err
    assert main(["evidence", "hold", "../../etc", "--reason", "x", *db_args(store)]) == 2
    assert "no recording ../../etc" in capsys.readouterr().err


def test_custody_log_verifies_and_names_a_changed_or_removed_line(store, capsys):
    store, _ = store
    assert main(["station", "custody", "verify", *db_args(store)]) == 0
    entry = actions(store)[0]
    entry.details = {**entry.details, "host": "10.9.9.9"}
    entry.save(using=store.db.alias)
    assert main(["station", "custody", "verify", *db_args(store)]) == 1
    assert "line 1: signature mismatch" in capsys.readouterr().out
    store.db.query(CustodyEntry).filter(seq=actions(store)[-1].seq).delete()
    assert main(["station", "custody", "verify", *db_args(store)]) == 1
    assert "lines at the end were removed" in capsys.readouterr().out


def test_store_paths_never_leave_the_store(tmp_path):
    for parts in (("..", "x"), ("/etc",), ("devices", "..", "..", "x"), ("",)):
        with pytest.raises(PathEscapeError):
            inside(tmp_path, *parts)
    (tmp_path / "link").symlink_to("/etc")
    with pytest.raises(PathEscapeError):
        inside(tmp_path, "link", "passwd")
    assert inside(tmp_path, "devices", "a") == tmp_path.resolve() / "devices" / "a"


def test_a_hold_placed_while_a_purge_runs_wins_over_the_deletion(store, monkeypatch):
    """The purge reads the due recordings once; a hold placed after that, before it reaches the recording,
    must still keep it (the row is read again under a lock)."""
    store, recording = store
    original = store.db.query(Recording).get()
    twin = Recording.objects.using(store.db.alias).create(
        device=original.device, recording_id=f"{recording}-1", started_utc=original.started_utc,
        reason="announced", duration_s=1.0, segments=1, markers=0, status="ok", files={}, received_at=ARRIVED)
    log = store.log

    def hold_the_twin_at_the_first_deletion(action, *args, **kwargs):
        log(action, *args, **kwargs)
        if action == "deleted":
            hold(store, twin.ref, "Az. 2026/4711")

    monkeypatch.setattr(store, "log", hold_the_twin_at_the_first_deletion)
    result = purge(store, parse_period("14d"), at=datetime(2026, 1, 30, tzinfo=UTC))
    assert result.deleted == [original.ref] and result.held == [twin.ref]
    assert store.db.query(Recording).get(pk=twin.pk).deleted_at is None


def test_purge_of_a_recording_whose_folder_is_already_gone_still_records_the_deletion(store):
    import shutil

    store, recording = store
    (folder,) = store.root.glob(f"devices/*/recordings/{recording}")
    shutil.rmtree(folder)
    assert len(purge(store, parse_period("14d"), at=datetime(2026, 1, 30, tzinfo=UTC)).deleted) == 1
    assert store.db.query(Recording).get().deleted_at is not None


def test_a_recording_id_two_cameras_share_must_be_named_with_its_camera(store, capsys):
    store, recording = store
    original = store.db.query(Recording).get()
    other = enrol(store, "cam-002", "127.0.0.2", 22, "root",
                  "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
                  "-----END PUBLIC KEY-----\n",
                  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB6F0dfxP5rW0CqQ8dOq8mZ9H8Y1bcZ2wXy4bJmQwVvB")
    Recording.objects.using(store.db.alias).create(
        device=other, recording_id=recording, started_utc=original.started_utc, reason="announced",
        duration_s=1.0, segments=1, markers=0, status="ok", files={}, received_at=ARRIVED)
    with pytest.raises(RetentionError, match=f"{recording} names recordings of several cameras: write <device key "
                                             f"id>/{recording}"):
        hold(store, recording, "Az. 1")
    hold(store, f"{other.key_id}/{recording}", "Az. 1")
    assert store.db.query(Recording).get(device=other).held
