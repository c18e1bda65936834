"""The station's operator jobs as Django management commands."""
