"""The real hardware of the body cam, built from the config."""

from __future__ import annotations

from pathlib import Path

from firmware.config import Config
from firmware.hardware import Hardware, build_gpio
from hal.gpio import pin_factory
from hal.luma_display import LumaDisplay, PanelSpec, open_luma_device
from hal.max17048 import Max17048Gauge
from hal.picamera2_camera import Picamera2Camera
from hal.pyaudio_out import PyAudioOut
from hal.system import DiskSpace, SystemClock, power_off


def panel_spec(config: Config) -> PanelSpec:
    d = config.display
    return PanelSpec(d.driver, d.width, d.height, d.rotate, d.spi_port, d.spi_device, d.spi_speed_hz, d.gpio_dc,
                     d.gpio_rst, d.h_offset, d.v_offset, d.gpio_backlight)


def build_device_hardware(config: Config) -> Hardware:
    clock = SystemClock()
    buttons, indicators = build_gpio(config, pin_factory(config.gpio.pin_factory), clock.now)
    c = config.camera
    audio = PyAudioOut(config.audio.output_device, config.audio.volume)
    battery = config.battery
    gauge = Max17048Gauge(battery.i2c_bus, battery.i2c_address) if battery.gauge != "none" else None
    return Hardware(
        clock=clock,
        camera=Picamera2Camera(size=(c.width, c.height), fps=c.fps, preview_size=(c.preview_width, c.preview_height)),
        buttons=buttons,
        display=LumaDisplay(open_luma_device(panel_spec(config))),
        audio=audio,
        indicators=indicators,
        gauge=gauge,
        storage=DiskSpace(Path(config.storage.data_dir)),
        power_off=power_off,
        closers=[audio.close, indicators.close, buttons.close],
    )
