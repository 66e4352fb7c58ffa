"""Dagster wrappers around ingest/, dbt_project/ and reports/ (see definitions.py)."""
