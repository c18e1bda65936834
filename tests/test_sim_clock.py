"""Virtual time: callbacks run in time order, periodic ones never drift, waiting advances time."""

from __future__ import annotations

import pytest

from sim.clock import VirtualClock
from sim.inbox import SimulationStalled, VirtualInbox
from states.events import CameraRecovered


def test_virtual_clock_runs_callbacks_in_time_order():
    clock = VirtualClock()
    seen = []
    clock.call_at(2.0, lambda: seen.append(("b", clock.now())))
    clock.call_at(1.0, lambda: seen.append(("a", clock.now())))
    clock.call_at(2.0, lambda: seen.append(("c", clock.now())))  # same time: in scheduling order
    clock.advance_to(5.0)
    assert seen == [("a", 1.0), ("b", 2.0), ("c", 2.0)]
    assert clock.now() == 5.0


def test_virtual_clock_periodic_callbacks_do_not_drift_and_can_be_cancelled():
    clock = VirtualClock()
    times = []
    handle = clock.call_every(1 / 30, lambda: times.append(clock.now()))
    clock.advance_to(100.0)
    assert len(times) == 3000
    assert times[-1] == pytest.approx(100.0, abs=1e-9)
    handle.cancel()
    clock.advance_to(200.0)
    assert len(times) == 3000


def test_virtual_inbox_waits_by_advancing_time_to_the_deadline_or_next_event():
    clock = VirtualClock()
    inbox = VirtualInbox(clock)
    clock.call_at(3.0, lambda: inbox.put(CameraRecovered(clock.now())))
    assert inbox.get(deadline=1.0) is None and clock.now() == 1.0
    assert inbox.get(deadline=10.0) == CameraRecovered(3.0)
    assert clock.now() == 3.0


def test_virtual_inbox_without_deadline_or_schedule_reports_a_stall():
    with pytest.raises(SimulationStalled, match="`end` step"):
        VirtualInbox(VirtualClock()).get(deadline=None)


def test_virtual_clock_wall_time_follows_virtual_time():
    clock = VirtualClock()
    start = clock.utc()
    clock.advance_to(90.5)
    assert (clock.utc() - start).total_seconds() == 90.5
