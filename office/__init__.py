"""The station's installation: its ``bodycam`` command (the camera's commands, the evidence tools, the
station and the fleet tools) and the demo store. Never part of the camera's release."""
