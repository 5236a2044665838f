"""Headless Chromium for the report tests: Debian's /usr/bin/chromium, driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"


def browser_or_skip() -> None:
    """Skip without Chromium, unless the run requires it (CI sets MINERALFLOW_REQUIRE_BROWSER)."""
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("MINERALFLOW_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is required here (MINERALFLOW_REQUIRE_BROWSER is set)")
        pytest.skip(f"no Chromium at {CHROMIUM}")


@contextmanager
def chromium_page() -> Iterator[Page]:
    """A 1200 x 900 page of a headless Chromium that reaches nothing outside the machine."""
    browser_or_skip()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        try:
            yield browser.new_page(viewport={"width": 1200, "height": 900})
        finally:
            browser.close()
