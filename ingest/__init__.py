"""Ingest: read the files of the inbox to the contract of sources.md into the `raw` schema.

Dagster-free: the orchestration layer and the tests call these functions directly.
"""
