"""``make hil``: the firmware on an emulated arm64 board with simulated hardware in its kernel."""
