"""Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from playwright.async_api import Browser, Page, async_playwright

from tests.helpers import PASSWORD

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
CHROMIUM_MISSING = ("browser tests need Debian's chromium: apt-get install chromium "
                    "(./scripts/test installs it when it can)")


def chromium_path() -> str | None:
    return shutil.which("chromium")


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(),
                                                   headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


async def sign_up(page: Page, base_url: str, username: str, display_name: str) -> None:
    """Through the sign-up form, as a newcomer would; they land on /welcome."""
    await page.goto(f"{base_url}/signup")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Email").fill(f"{username.lower()}@example.org")
    await page.get_by_label("Display name").fill(display_name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign up").click()
    await page.wait_for_url(re.compile(r"/welcome$"))
