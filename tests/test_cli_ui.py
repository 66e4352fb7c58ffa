"""`yiye ui` as a user sees it: the webserver answers, the asset graph and a run page render
in headless Chromium (Playwright). Skipped only when Debian's /usr/bin/chromium is absent."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from yiye.config import PROJECT_ROOT, Home
from yiye.runlog import read_runs

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(os.environ.get("YIYE_SCREENSHOT_DIR", "/tmp"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium (/usr/bin/chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"yiye ui exited early with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(1)
    pytest.fail(f"webserver did not answer at {url}")


@pytest.fixture
def ui(built_home: Home):
    port = _free_port()
    env = {**os.environ, "YIYE_HOME": str(built_home.root)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "yiye.cli",
            "ui",
            "--home",
            str(built_home.root),
            "--port",
            str(port),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/server_info", proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)  # yiye ui stops its webserver and daemon
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _dismiss_popups(page) -> None:
    skip = page.get_by_role("button", name="Skip")
    if skip.count():
        skip.first.click()


def test_ui_shows_asset_graph_and_run(ui: str, built_home: Home) -> None:
    from playwright.sync_api import sync_playwright

    run_id = read_runs(built_home)[-1]["run_id"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            # the lineage graph of the raw group (nodes off-screen are not rendered)
            page.goto(f"{ui}/locations/yiye/asset-groups/raw", timeout=90_000)
            page.get_by_text("roster_rows").first.wait_for(timeout=60_000)
            _dismiss_popups(page)
            # materialization status arrives after the graph itself: wait for it (slow CI)
            page.get_by_text("Materialized").first.wait_for(timeout=60_000)
            body = page.inner_text("body")
            for name in ("source_files", "roster_rows", "stg_raw__roster_rows"):
                assert name in body, name
            assert "Materialized" in body
            page.screenshot(path=str(SCREENSHOT_DIR / "yiye_ui_raw_group.png"))

            # the list view shows every raw table, materialized, with its Chinese description
            page.goto(f"{ui}/locations/yiye/asset-groups/raw/list", timeout=90_000)
            page.get_by_text("raw / training_rows").first.wait_for(timeout=60_000)
            page.get_by_text("Materialized").first.wait_for(timeout=60_000)
            body = page.inner_text("body")
            for table in ("source_files", "roster_rows", "referral_rows", "training_rows"):
                assert f"raw / {table}" in body, table
            assert "村居人员台账" in body and "Materialized" in body

            page.goto(f"{ui}/locations/yiye/asset-groups/reports/list", timeout=90_000)
            page.get_by_text("reports / assessment").first.wait_for(timeout=60_000)
            assert "reports / data_quality" in page.inner_text("body")

            page.goto(f"{ui}/runs/{run_id}", timeout=90_000)
            page.get_by_text("nightly_job").first.wait_for(timeout=60_000)
            _dismiss_popups(page)
            body = page.inner_text("body")
            assert run_id[:8] in body
            assert "Success" in body
            for step in ("ingest_inbox", "dbt_build", "publish_reports"):
                assert step in body, step
        finally:
            browser.close()
