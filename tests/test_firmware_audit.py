"""The signed audit log keeps exactly the records that are evidence: chosen by their type, not by a string."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import pytest

from firmware.app import AUDITED, BUTTON_EVENTS
from firmware.config import override
from firmware.log import Record
from sim.headless import run_scenario
from sim.scenario import parse
from storage.audit_schema import MEMBERS, RECOVERY, UNASSIGNED, missing_members
from tests.assignments import told
from tests.conftest import small_config

ROOT = Path(__file__).resolve().parent.parent
WITNESS = {"t", "type", "utc", "seq", "prev", "sha256", "sig", "key", "agency_key_id", "device_key_id"}
"""What the audit log adds to a record: the chain, the signature and the keys."""


@pytest.fixture(scope="module")
def shift() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(the firmware's log, the audit log's lines) of the example shift."""
    out = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="bodycam-test-") as data_dir:
        config = override(small_config(), storage={"data_dir": data_dir})
        told(Path(data_dir), "0123456789abcdef")  # checked out at the dock
        run_scenario(parse((ROOT / "sim/scenarios/shift-basics.txt").read_text()), config, out)
        audit = [json.loads(line) for path in sorted((Path(data_dir) / "audit").glob("*.jsonl"))
                 for line in path.read_text().splitlines()]
    return [json.loads(line) for line in out.getvalue().splitlines()], audit


def _evidence(record: dict[str, object]) -> bool:
    kind = Record(str(record["type"]))
    return kind in AUDITED or (kind is Record.DECISION and record.get("event") in BUTTON_EVENTS)


def test_every_audited_record_of_a_shift_is_in_the_audit_log_in_order_and_nothing_else_is(shift):
    log, audit = shift
    expected = [(r["type"], r["t"]) for r in log if _evidence(r)]
    assert [(a["type"], a["t"]) for a in audit] == expected
    by_place = {(r["type"], r["t"]): r for r in log if _evidence(r)}
    for line in audit:
        record = by_place[(line["type"], line["t"])]
        assert {k: v for k, v in line.items() if k not in WITNESS} == \
            {k: v for k, v in record.items() if k not in WITNESS}, line["type"]


def test_the_shift_writes_the_records_the_evidence_chain_is_made_of(shift):
    """A record type the firmware stopped writing (or renamed) fails here, not silently in a court."""
    _, audit = shift
    written = {line["type"] for line in audit}
    assert {"config", "start", "assigned", "transition", "announce", "recording-started", "marker", "recording",
            "audit", "stopped"} <= written
    assert any(line["type"] == "decision" and line["event"] in BUTTON_EVENTS for line in audit)


def test_records_that_are_not_evidence_stay_out_of_the_audit_log(shift):
    log, audit = shift
    assert {"battery", "sound"} <= {r["type"] for r in log}
    assert not {"battery", "sound"} & {line["type"] for line in audit}


def test_every_record_the_verifier_reads_carries_the_members_the_format_spec_names(shift):
    """One schema (storage/audit_schema.py) for the firmware, the test vectors and the verifier."""
    _, audit = shift
    assert {line["type"] for line in audit} >= set(MEMBERS) - {RECOVERY, UNASSIGNED}, \
        "a shift without a crash (no recovery), worn from start to end (unassigned: tests/test_firmware_wearer.py)"
    assert [(line["type"], missing_members(line)) for line in audit if missing_members(line)] == []
