"""Retention in the evidence store: old recordings go, held ones stay, and every step is logged."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from firmware.cli import main
from storage.keys import key_id, load_device_public
from storage.offload import EvidenceStore
from storage.retention import RetentionError, parse_period, purge
from tests.recordings import SHORT, record, short_config


@pytest.fixture(scope="module")
def device(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("device") / "data"
    record(data, SHORT, short_config())
    return data


@pytest.fixture
def store(device, tmp_path) -> tuple[EvidenceStore, str]:
    """A store that has received the device's recording (recorded on the simulator's 2026-01-05)."""
    store = EvidenceStore(tmp_path / "store")
    kid = key_id(load_device_public(device / "keys" / "device.pub"))
    shutil.copy(device / "keys" / "device.pub", store.device_key_path(kid))
    shutil.copytree(device / "recordings", store.incoming(kid) / "recordings")
    (recording,) = [p.name for p in (device / "recordings").iterdir()]
    receipt, problems = store.accept(kid, {recording})
    assert problems == [] and recording in receipt
    return store, recording


def log(store: EvidenceStore) -> list[dict]:
    return [json.loads(line) for line in (store.root / "offload.log").read_text().splitlines()]


def test_purge_deletes_recordings_past_the_period_and_logs_it(store):
    store, recording = store
    result = purge(store, parse_period("14d"), now=datetime(2026, 1, 30, tzinfo=UTC))
    assert result.deleted == [recording]
    assert not list(store.root.glob(f"*/{recording}")) and store.index() == {}
    assert log(store)[-1]["event"] == "deleted" and log(store)[-1]["recording"] == recording


def test_purge_keeps_recordings_inside_the_period(store):
    store, recording = store
    assert purge(store, parse_period("14d"), now=datetime(2026, 1, 10, tzinfo=UTC)).deleted == []
    assert list(store.root.glob(f"*/{recording}"))


def test_held_recordings_survive_the_purge_until_released(store, capsys):
    store, recording = store
    assert main(["evidence", "hold", recording, "--reason", "Az. 2026/0815", "--store", str(store.root)]) == 0
    later = datetime(2026, 6, 1, tzinfo=UTC)
    assert purge(store, parse_period("14d"), now=later).held == [recording]
    assert list(store.root.glob(f"*/{recording}"))
    assert main(["evidence", "release", recording, "--store", str(store.root)]) == 0
    assert purge(store, parse_period("14d"), now=later).deleted == [recording]
    assert [e["event"] for e in log(store)][-3:] == ["hold", "hold-released", "deleted"]


def test_purge_dry_run_deletes_nothing(store, capsys):
    store, recording = store
    assert main(["evidence", "purge", "--older-than", "14d", "--dry-run", "--store", str(store.root)]) == 0
    assert f"would delete {recording}" in capsys.readouterr().out
    assert list(store.root.glob(f"*/{recording}"))


def test_retention_errors_are_clear(store, capsys):
    store, recording = store
    assert main(["evidence", "purge", "--older-than", "two weeks", "--store", str(store.root)]) == 2
    assert "write days or hours, e.g. 14d" in capsys.readouterr().err
    with pytest.raises(RetentionError, match="needs a reason"):
        from storage.retention import hold

        hold(store, recording, " ")
    assert main(["evidence", "release", recording, "--store", str(store.root)]) == 2
