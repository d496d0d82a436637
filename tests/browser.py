"""Debian's Chromium driven by Playwright (its own browser download is never used), for the browser tests:
import `chromium_browser` into a test module to get the fixture `browser`, one headless Chromium per module."""

import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module", name="browser")
def chromium_browser():
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()
