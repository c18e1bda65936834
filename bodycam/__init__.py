"""The ``bodycam`` command of the camera (``bodycam.camera``) and the project's root error (``bodycam.errors``).

The station's installation adds its own commands to the camera's in ``office``; the camera's release
carries this package but not ``office``, ``station`` or ``fleet``.
"""
