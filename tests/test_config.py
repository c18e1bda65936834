"""Config validation names the file, line and key; the docs are generated from the schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware import config_docs
from firmware.config import Config, ConfigError, load, parse

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[buttons]\nhold_stop_s = 30\n", "cfg.toml:2: buttons.hold_stop_s must be between 1 and 10"),
        ("[buttons]\n\ncolour = 1\n", "cfg.toml:3: unknown key buttons.colour"),
        ("[butons]\nrecord_pin = 3\n", "cfg.toml:1: unknown section [butons]"),
        ("[display]\ndriver = 'ssd1306'\n", "cfg.toml:2: display.driver must be one of ssd1351, st7789, ili9341"),
        ("[buttons]\nrecord_pin = 'seven'\n", "cfg.toml:2: buttons.record_pin must be a whole number"),
        ("[buttons]\npull_up = 1\n", "cfg.toml:2: buttons.pull_up must be true or false"),
        ("[battery]\nwarn_percent = 20\n", "cfg.toml:2: battery.warn_percent must be a list"),
        ("[prerecord]\nstages = ['recording']\n", "cfg.toml:2: prerecord.stages must be one of worn, display"),
        ("[buttons]\nhold_start_s = 3.5\n", "cfg.toml:2: buttons.hold_stop_s must be longer than"),
        ("\n[indicators]\nred_led_pin = 27\n", "cfg.toml:3: indicators.red_led_pin and buttons.record_pin both"),
        ("[buttons\n", "cfg.toml: not valid TOML: Expected ']' at the end of a table declaration (at line 1"),
        ("buttons = 3\n", "cfg.toml:1: [buttons] must be a table"),
    ],
)
def test_config_error_names_line_and_key(text, expected):
    with pytest.raises(ConfigError) as caught:
        parse(text, "cfg.toml")
    assert str(caught.value).startswith(expected)


def test_config_empty_file_gives_documented_defaults():
    config = parse("")
    assert config == Config()
    assert config.buttons.hold_start_s == 1.5 and config.buttons.hold_stop_s == 3.0
    assert config.prerecord.stages == ["display"]


def test_config_integer_accepted_where_number_expected():
    assert parse("[buttons]\nhold_stop_s = 4\n").buttons.hold_stop_s == 4.0


def test_config_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load(tmp_path / "absent.toml")


def test_config_docs_are_generated_from_the_schema():
    assert (ROOT / "docs" / "config.md").read_text() == config_docs.render(), "run `make docs`"


def test_config_docs_example_is_valid():
    doc = config_docs.INTRO
    example = doc.split("```toml\n")[1].split("```")[0]
    assert parse(example).device.language == "en"


class _Bus:
    """The least of spidev.SpiDev and RPi.GPIO that luma's spi() touches while it is built."""

    LOW, HIGH, OUT = 0, 1, 0

    def open(self, port: int, device: int) -> None: ...

    def setup(self, pin: int, mode: int) -> None: ...

    def output(self, pin: int, value: int) -> None: ...


def test_every_spi_speed_the_config_accepts_is_one_lumas_real_spi_accepts():
    from luma.core.interface.serial import spi

    from firmware.config import SPI_SPEEDS_HZ

    for speed in SPI_SPEEDS_HZ:
        parse(f"[display]\nspi_speed_hz = {speed}\n")
        assert spi(spi=_Bus(), gpio=_Bus(), bus_speed_hz=speed)._spi.max_speed_hz == speed
    with pytest.raises(AssertionError):
        spi(spi=_Bus(), gpio=_Bus(), bus_speed_hz=10_000_000)


def test_an_spi_speed_luma_would_refuse_is_a_config_error_with_key_and_line():
    with pytest.raises(ConfigError, match=r"<config>:3: display.spi_speed_hz must be one of 500000, .*; got 10000000"):
        parse("[display]\ndriver = \"st7789\"\nspi_speed_hz = 10_000_000\n")


def test_set_gives_one_camera_its_own_values_on_top_of_the_fleet_config():
    from fleet.config_set import apply

    fleet = "# fleet\n[device]\nid = \"fleet\"\n[battery]\nwarn_percent = [20.0, 10.0]\n"
    assert apply(fleet, "fleet.toml", []) == fleet, "no --set: the file as written, comments kept"
    merged = apply(fleet, "fleet.toml", ["device.id=007", "camera.fps=25", "audio.microphone=false",
                                         "battery.warn_percent=[30, 15]"])
    config = parse(merged)
    assert config.device.id == "007", "a string setting takes the text as typed"
    assert (config.camera.fps, config.audio.microphone, config.battery.warn_percent) == (25, False, [30.0, 15.0])


@pytest.mark.parametrize("assignment, message", [
    ("device.idd=x", "--set device.idd=x: unknown key device.idd; known in [device]: id, language"),
    ("cam.fps=3", "--set cam.fps=3: expected section.key=value with a section of device, gpio"),
    ("camera.fps", "--set camera.fps: expected section.key=value"),
    ("camera.fps=fast", "--set camera.fps=fast: 'fast' is not a TOML value"),
    ("camera.fps=90", "camera.fps must be between 1 and 60, got 90"),
])
def test_a_wrong_set_is_named_with_what_to_write(assignment, message):
    from fleet.config_set import apply

    with pytest.raises(ConfigError) as error:
        apply("", "fleet.toml", [assignment])
    assert message in str(error.value)


def test_the_example_fleet_configuration_in_the_docs_is_valid_and_takes_a_camera_id():
    """docs/fleet.example.toml is what a technician copies first: it must pass deploy's own check."""
    from pathlib import Path

    from firmware.config import parse, read
    from fleet.config_set import apply

    example = Path(__file__).resolve().parent.parent / "docs" / "fleet.example.toml"
    config = parse(apply(read(example), str(example), ["device.id=cam-017"]))
    assert config.device.id == "cam-017" and list(config.prerecord.stages) == ["display"]
