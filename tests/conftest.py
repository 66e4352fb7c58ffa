"""Shared fixtures.

* ``dbt_manifest`` (session): dbt parse when the manifest is missing or stale (it is a build
  artifact, never committed).
* ``built_home`` (session): a small generated inbox, the whole nightly job run once into a
  temporary home with a fixed as_of; yields the Home. Other test modules may use it.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from yiye.config import Home

BUILT_AS_OF = date(2024, 6, 30)
BUILT_SCALE = 4
BUILT_VILLAGES = 4
BUILT_SEED = 2022


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    from orchestration.project import ensure_manifest

    return ensure_manifest()


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Home:
    from ingest.demo.generator import generate_inbox
    from yiye.runner import run_nightly

    saved = {k: os.environ.get(k) for k in ("YIYE_HOME", "YIYE_WAREHOUSE", "DAGSTER_HOME")}
    home = Home.resolve(tmp_path_factory.mktemp("built_home")).ensure()
    generate_inbox(
        home.inbox,
        scale=BUILT_SCALE,
        seed=BUILT_SEED,
        end=BUILT_AS_OF,
        villages=BUILT_VILLAGES,
    )
    result = run_nightly(home, as_of=BUILT_AS_OF, quiet=True)
    for k, v in saved.items():  # run_nightly exports the home's env; don't leak it
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    if not result.ok:
        pytest.fail(f"nightly run on the demo inbox failed: {result.error}")
    return home


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="rewrite tests/snapshots/*.json from the current definitions",
    )
