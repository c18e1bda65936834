"""``python -m office``: the ``bodycam`` command of the station's installation."""

import sys

from office.cli import main

sys.exit(main())
