"""``python -m bodycam``: the camera's command, as the camera's release installs it."""

import sys

from bodycam.camera import main

sys.exit(main())
