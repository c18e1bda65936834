"""Scenario files: the documented format, and errors that name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import SHORT_PRESS_S, ScenarioError, Step, load, parse

ROOT = Path(__file__).resolve().parent.parent


def test_scenario_parses_every_step_kind_and_ignores_comments():
    steps = parse(
        """
        # a comment line
        0    press display
        5    hold record 3      # trailing comment
        10   battery 4
        11   storage-full
        12   camera-fault
        13   camera-ok
        90   end
        """
    )
    assert steps[0] == Step(0.0, "press", "display", SHORT_PRESS_S, line=3)
    assert steps[1] == Step(5.0, "hold", "record", 3.0, line=4)
    assert steps[2].percent == 4.0
    assert [s.kind for s in steps[3:]] == ["storage-full", "camera-fault", "camera-ok", "end"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 press display\nx press record\n9 end", "s.txt:2: time must be a number, got 'x'"),
        ("0 push display\n9 end", "s.txt:1: unknown step 'push'"),
        ("0 press\n9 end", "s.txt:1: `press` takes 1 argument(s): TIME press BUTTON"),
        ("0 hold record\n9 end", "s.txt:1: `hold` takes 2 argument(s): TIME hold BUTTON SECONDS"),
        ("0 press power\n9 end", "s.txt:1: unknown button 'power'"),
        ("0 hold record long\n9 end", "s.txt:1: hold duration must be a number, got 'long'"),
        ("0 battery 140\n9 end", "s.txt:1: battery percent must be at most 100"),
        ("5 press record\n3 press record\n9 end", "s.txt:2: time 3 is before the previous step at 5"),
        ("0 end\n5 press record", "s.txt:2: step after `end` (line 1)"),
        ("0 press record\n", "s.txt: no `end` step"),
        ("-1 end", "s.txt:1: time must be a non-negative number"),
        ("7\n9 end", "s.txt:1: missing step after the time"),
    ],
)
def test_scenario_malformed_line_is_an_error_naming_the_line(text, message):
    with pytest.raises(ScenarioError) as caught:
        parse(text, "s.txt")
    assert str(caught.value).startswith(message)


def test_scenario_examples_in_the_repository_are_valid():
    examples = sorted((ROOT / "sim" / "scenarios").glob("*.txt"))
    assert len(examples) >= 3
    for path in examples:
        assert load(path)[-1].kind == "end"


def test_scenario_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read scenario"):
        load(tmp_path / "missing.txt")
