"""Deterministic synthetic inbox for demos, tests and benchmarks (see docs/DEMO_DATA.md)."""

from ingest.demo.generator import DemoSummary, generate_inbox

__all__ = ["DemoSummary", "generate_inbox"]
