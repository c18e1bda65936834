"""Pilot statistics from the audit logs of simulated shifts."""

from __future__ import annotations

import io
import json

from office.cli import main
from sim.headless import run_scenario
from sim.scenario import parse
from tests.conftest import small_config

SHIFT = """
0    press display      # episode 1: calmed down, no recording
20   press display
60   press display      # episode 2: recorded after the announcement
65   press record
75   press record       # marker
90   hold record 3
100  press display
120  press display      # episode 3: calmed down
130  press display
150  hold record 2      # imminent danger, no display episode
170  hold record 3
180  press display
190  end
"""


def test_stats_count_episodes_deescalation_reasons_and_durations(tmp_path, capsys):
    run_scenario(parse(SHIFT), small_config(str(tmp_path / "device-a")), io.StringIO())
    run_scenario(parse("0 press display\n10 press display\n20 battery 15\n30 end\n"),
                 small_config(str(tmp_path / "device-b")), io.StringIO())
    assert main(["stats", str(tmp_path), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["devices"] == 2
    assert stats["display_episodes"] == 4 and stats["display_episodes_without_recording"] == 3
    assert stats["deescalation_rate"] == 0.75
    assert stats["recordings_by_reason"] == {"announced": 1, "imminent-danger": 1}
    assert stats["recording_seconds_total"] == 28.0 + 21.5  # 65 → 93 (stop hold from 90), 151.5 → 173
    assert stats["markers"] == 1 and stats["battery_warnings"] == 1


def test_stats_csv_has_one_row_per_figure(tmp_path, capsys):
    run_scenario(parse("0 press display\n5 end\n"), small_config(str(tmp_path / "d")), io.StringIO())
    assert main(["stats", str(tmp_path), "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "figure,value" and any(line.startswith("display_episodes,1") for line in lines)


def test_stats_count_each_audit_line_once_whatever_folders_are_given(tmp_path, capsys):
    run_scenario(parse("0 press display\n5 press display\n10 end\n"), small_config(str(tmp_path / "d")),
                 io.StringIO())
    assert main(["stats", str(tmp_path), str(tmp_path / "d"), str(tmp_path / "d" / "audit"), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["devices"] == 1 and stats["display_episodes"] == 1
