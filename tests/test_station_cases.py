"""Cases (Vorgänge): a recording in a case outlives the 14 days while the case is open and for its kind's
period after it closed; every step is a custody line; bad references and steps are refused in one line.
On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from station.case_kinds import CasePeriodError, periods
from station.cases import CaseError, attach, close_case, detach, open_case
from station.models import Case, Recording
from station.retention import purge
from tests.test_station_retention import actions, store  # noqa: F401 - the fixture

PERIODS = periods("")


@pytest.fixture
def clerk(store):  # noqa: F811
    from django.contrib.auth.models import User

    return store[0].db.query(User).create(username="sachbearbeitung")


def recording(store) -> Recording:  # noqa: F811 - a store, not the fixture
    return store.db.query(Recording).select_related("device").get()


def test_an_open_case_keeps_its_recording_past_the_14_days_and_its_period_after_closing(store, clerk):  # noqa: F811
    store, _ = store
    case = open_case(store, "OA 12/2026", "ordnungswidrigkeit", clerk, "anna")
    attach(store, case, recording(store), "anna")
    late = recording(store).started_utc + timedelta(days=60)
    kept = purge(store, timedelta(days=14), at=late)
    assert kept.deleted == [] and kept.in_case == [(recording(store).ref, "OA 12/2026")]
    close_case(store, case, "anna", PERIODS)
    case.refresh_from_db()
    until = case.closed_at + PERIODS["ordnungswidrigkeit"]
    assert purge(store, timedelta(days=14), at=until - timedelta(minutes=1), dry_run=True).deleted == []
    assert purge(store, timedelta(days=14), at=until + timedelta(minutes=1)).deleted == [recording(store).ref]
    logged = [(entry.action, entry.actor) for entry in actions(store)]
    assert [a for a in logged if a[0].startswith("case-")] == [("case-opened", "anna"), ("case-attached", "anna"),
                                                                ("case-closed", "anna")]
    assert logged[-1][0] == "deleted"


def test_a_recording_in_two_cases_stays_while_either_keeps_it(store, clerk):  # noqa: F811
    store, _ = store
    first = open_case(store, "OA 1/2026", "ordnungswidrigkeit", clerk, "anna")
    second = open_case(store, "StA 12 Js 345/26", "strafanzeige", clerk, "anna")
    for case in (first, second):
        attach(store, case, recording(store), "anna")
    close_case(store, first, "anna", PERIODS)
    first.refresh_from_db()
    after_first = first.closed_at + PERIODS["ordnungswidrigkeit"] + timedelta(days=1)
    assert purge(store, timedelta(days=14), at=after_first).in_case == [(recording(store).ref, "StA 12 Js 345/26")]
    detach(store, second, recording(store), "anna")
    assert purge(store, timedelta(days=14), at=after_first).deleted == [recording(store).ref]


def test_of_two_closed_cases_the_one_that_keeps_longer_keeps_the_recording(store, clerk):  # noqa: F811
    store, _ = store
    short = open_case(store, "OA 3/2026", "ordnungswidrigkeit", clerk, "anna")
    long = open_case(store, "StA 1 Js 2/26", "strafanzeige", clerk, "anna")
    for case in (long, short):
        attach(store, case, recording(store), "anna")
        close_case(store, case, "anna", PERIODS)
    long.refresh_from_db()
    line = next(entry for entry in actions(store) if entry.action == "case-closed")
    assert line.details["recordings_kept_until"] == (long.closed_at + PERIODS["strafanzeige"]).isoformat()
    for days in (100, 400):
        at = long.closed_at + timedelta(days=days)
        assert purge(store, timedelta(days=14), at=at, dry_run=True).in_case == [(recording(store).ref,
                                                                                  "StA 1 Js 2/26")]


def test_case_steps_that_make_no_sense_are_refused_in_one_line(store, clerk):  # noqa: F811
    store, _ = store
    for reference in ("", "x" * 101, "OA 1; DROP TABLE", "<script>"):
        with pytest.raises(CaseError, match="file reference"):
            open_case(store, reference, "ordnungswidrigkeit", clerk, "anna")
    with pytest.raises(CaseError, match="choose one of ordnungswidrigkeit") as refused:
        open_case(store, "OA 2/2026", "f" * 500, clerk, "anna")
    assert "f" * 40 + "'" in str(refused.value) and "f" * 41 not in str(refused.value), "the echo is bounded"
    with pytest.raises(CaseError, match="file reference") as refused:
        open_case(store, "<" * 500, "ordnungswidrigkeit", clerk, "anna")
    assert "<" * 40 + "'" in str(refused.value) and "<" * 41 not in str(refused.value)
    case = open_case(store, "OA  2/2026 ", "dienstaufsicht", clerk, "anna")
    assert case.reference == "OA 2/2026"
    with pytest.raises(CaseError, match="exists already"):
        open_case(store, "OA 2/2026", "dienstaufsicht", clerk, "anna")
    attach(store, case, recording(store), "anna")
    with pytest.raises(CaseError, match="holds this recording already"):
        attach(store, case, recording(store), "anna")
    close_case(store, case, "anna", PERIODS)
    for step in (attach, detach):
        with pytest.raises(CaseError, match="is closed"):
            step(store, case, recording(store), "anna")
    with pytest.raises(CaseError, match="closed already"):
        close_case(store, case, "anna", PERIODS)
    assert store.db.query(Case).count() == 1


def test_case_periods_are_set_per_kind_and_a_typo_is_named():
    assert periods("strafanzeige=30")["strafanzeige"] == timedelta(days=30)
    assert periods("")["ordnungswidrigkeit"] == timedelta(days=365)
    for bad in ("strafanzeige=", "falsch=3", "strafanzeige=30d", "strafanzeige=123456"):
        with pytest.raises(CasePeriodError, match="BODYCAM_CASE_RETENTION_DAYS"):
            periods(bad)
