"""Recordings made by the simulator, for the storage and evidence tests."""

from __future__ import annotations

import io
import shutil
from datetime import datetime
from pathlib import Path

from firmware.config import Config, override
from sim.headless import run_scenario
from sim.scenario import parse
from tests.conftest import small_config


def record(data_dir: Path, scenario: str, config: Config | None = None, epoch: datetime | None = None,
           camera_source: Path | None = None) -> Path:
    """Run ``scenario`` with ``data_dir`` (from ``epoch``, by default the simulator's; the camera seeing
    ``camera_source``, by default its test pattern); returns the folder of its (only or last) recording."""
    config = override(config or small_config(), storage={"data_dir": str(data_dir)})
    run_scenario(parse(scenario), config, io.StringIO(), camera_source=camera_source, epoch=epoch)
    return sorted((data_dir / "recordings").iterdir())[-1]


SHORT = "0 press display\n3 press record\n12 hold record 3\n20 end\n"
"""Display at 0, recording at 3 with 2 s pre-record (from the keyframe at 0.033 s) to the stop at 15:
eight segments of 2 s."""
SEGMENTS = 8


def short_config(**sections: dict[str, object]) -> Config:
    return override(small_config(prerecord={"seconds": 2.0}, recording={"segment_s": 2.0}), **sections)


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target
