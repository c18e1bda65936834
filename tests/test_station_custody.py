"""The custody log (station/custody.py) check by check: each way of changing, removing or reordering a
line is named by ``verify``, and nothing else is. Fast, so ``make mutation`` runs it for every mutant."""

from __future__ import annotations

import itertools

import pytest

from station import custody
from station.models import ChainHead, CustodyEntry
from station.store import Store


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store.init(tmp_path / "store")
    for n in range(4):
        store.log("test-action", f"subject-{n}", who="Frau Test", n=n, text="Prüfung ✓")
    return store


def problems(store: Store) -> list[str]:
    return custody.verify(store.db, store.station_public()).problems


def line(store: Store, seq: int) -> CustodyEntry:
    return store.db.query(CustodyEntry).get(seq=seq)


def test_an_untouched_log_verifies_and_counts_its_lines(store):
    # Store.init itself logs nothing; the four lines are the fixture's
    check = custody.verify(store.db, store.station_public())
    entries = list(store.db.query(CustodyEntry).order_by("seq"))
    assert (check.lines, check.problems, check.last_hash) == (4, [], entries[-1].hash)
    assert [e.seq for e in entries] == [1, 2, 3, 4] and entries[0].prev == "0" * 64
    assert (entries[0].actor, entries[0].action, entries[0].subject, entries[0].details) == \
        ("Frau Test", "test-action", "subject-0", {"n": 0, "text": "Prüfung ✓"})
    assert all(later.prev == earlier.hash for earlier, later in itertools.pairwise(entries))
    head = store.db.query(ChainHead).get(pk=1)
    assert (head.seq, head.hash) == (4, entries[-1].hash)
    assert entries[0].utc.microsecond or entries[1].utc.microsecond, "times kept to the microsecond"


@pytest.mark.parametrize(("change", "said"), [
    (lambda e: setattr(e, "details", {**e.details, "n": 9}), ["line 2: signature mismatch (line changed)",
                                                              "line 2: hash mismatch"]),
    (lambda e: setattr(e, "actor", "Herr Anders"), ["line 2: signature mismatch (line changed)",
                                                    "line 2: hash mismatch"]),
    (lambda e: setattr(e, "sig", "not base64!"), ["line 2: signature mismatch (line changed)",
                                                  "line 2: hash mismatch"]),
    (lambda e: setattr(e, "hash", "0" * 64), ["line 2: hash mismatch", "line 3: chain broken (does not follow the "
                                                                        "line before)"]),
    (lambda e: setattr(e, "prev", "0" * 64), ["line 2: chain broken (does not follow the line before)",
                                              "line 2: signature mismatch (line changed)", "line 2: hash mismatch"]),
])
def test_a_changed_line_is_named_for_what_changed(store, change, said):
    entry = line(store, 2)
    change(entry)
    entry.save(using=store.db.alias)
    assert problems(store) == said


def test_a_removed_line_in_the_middle_and_at_the_end_are_named(store):
    line(store, 2).delete()
    assert problems(store) == ["line 3: missing line(s) before it (expected 2)",
                               "line 3: chain broken (does not follow the line before)"]
    line(store, 4).delete()
    assert problems(store)[-1] == ("end of log: the chain head names line 4, the log ends at 3 (lines at the end "
                                   "were removed)")


def test_a_log_cut_back_to_a_shorter_chain_with_its_head_is_caught_by_nothing_else_than_the_head(store):
    head = store.db.query(ChainHead).get(pk=1)
    line(store, 4).delete()
    assert problems(store) == ["end of log: the chain head names line 4, the log ends at 3 (lines at the end "
                               "were removed)"]
    head.hash = line(store, 3).hash
    head.seq = 3
    head.save(using=store.db.alias)
    assert problems(store) == [], "head and log cut together: only a copy of the head outside the store tells " \
        "(docs/trust.md)"


def test_the_actor_is_the_named_person_then_the_sudo_user_then_the_login_then_system(monkeypatch):
    for name in ("BODYCAM_ACTOR", "SUDO_USER", "USER"):
        monkeypatch.delenv(name, raising=False)
    assert custody.actor() == "system"
    monkeypatch.setenv("USER", "bodycam")
    assert custody.actor() == "bodycam"
    monkeypatch.setenv("SUDO_USER", "admin")
    assert custody.actor() == "admin"
    monkeypatch.setenv("BODYCAM_ACTOR", "Frau Test")
    assert custody.actor() == "Frau Test"


def test_a_line_without_a_named_person_is_the_commands_user_and_may_have_no_details(store, monkeypatch):
    monkeypatch.setenv("BODYCAM_ACTOR", "timer")
    custody.append(store.db, store.station_key(), "purge-run")
    entry = line(store, 5)
    assert (entry.actor, entry.details) == ("timer", {}) and problems(store) == []
