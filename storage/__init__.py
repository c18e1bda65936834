"""Bytes on disk: pre-record, segments, keys, audit, offload, retention."""
