"""The root of every error the project raises, as gpiozero's ``exc.py``: one class to catch at the top.

Each error also derives from the built-in it specialises (``ValueError``, ``OSError``, ...), so code that
catches the built-in keeps working, and carries the exit code the command line returns for it: the
command line catches ``BodycamError`` once, prints its one-line message and exits with ``exit_code``.
"""

from __future__ import annotations

EXIT_FAILURE = 1
"""Something failed or a check found a problem (a camera unreachable, a recording that does not verify)."""
EXIT_USAGE = 2
"""What was asked cannot be done as given (a setting, a key file, a name): fix the input and run again."""


class BodycamError(Exception):
    """An error with a message meant for the person at the command line or in the journal."""

    exit_code: int = EXIT_FAILURE
    prefix: str = ""
    """Put before the message on the command line, where the message alone would not say what failed."""
