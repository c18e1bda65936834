"""Shared fixtures: configs for fast simulated runs."""

from __future__ import annotations

import dataclasses
import os

import pytest

from firmware.config import Config

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def small_config(data_dir: str = "/nonexistent", **sections: dict[str, object]) -> Config:
    """Defaults with a smaller synthetic camera, plus overrides per section."""
    config = Config()
    sim = dataclasses.replace(config.sim, camera_width=160, camera_height=96)
    config = dataclasses.replace(config, sim=sim,
                                 storage=dataclasses.replace(config.storage, data_dir=data_dir))
    for name, changes in sections.items():
        config = dataclasses.replace(config, **{name: dataclasses.replace(getattr(config, name), **changes)})
    return config


@pytest.fixture
def config(tmp_path) -> Config:
    return small_config(str(tmp_path))
