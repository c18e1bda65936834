"""The camera's runtime and its composition root: configuration, wiring, the event loop, the preview, the
health report and the camera's side of an offload (its command line is ``bodycam.camera``)."""
