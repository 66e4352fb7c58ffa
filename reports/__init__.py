"""Workbooks built from `marts.*` (read-only): the annual assessment and the data-quality list."""
