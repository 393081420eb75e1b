"""A moderator posts an event with the browser's own date and time pickers."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser import sign_up
from tests.test_cli import run_forum

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]



async def test_an_event_is_posted_with_the_date_and_time_pickers(live_server, browser):
    base = live_server.base_url
    context = await browser.new_context(timezone_id="America/New_York")
    page = await context.new_page()
    await sign_up(page, base, "mod_pick", "Morwenna Pick")
    assert run_forum(live_server.database_url, "user", "role", "mod_pick", "moderator").returncode == 0
    await page.goto(f"{base}/events/new")
    await page.get_by_label("Title").fill("Evaluation clinic")
    await page.get_by_label("Description").fill("Bring a question.")
    await page.get_by_label("Starts").fill("2031-06-10T14:30")
    await page.get_by_label("Ends").fill("2031-06-10T16:00")
    await page.get_by_label("Time zone").select_option("Europe/Berlin")
    await page.get_by_label("Place").fill("Online")
    await page.get_by_role("button", name="Post event").click()
    await page.wait_for_url(re.compile(r"/events/\d+$"))
    # 14:30 in Berlin in June (UTC+2), whatever zone the browser itself is in.
    await expect(page.locator('time[datetime="2031-06-10T12:30:00Z"]').first).to_be_attached()
    await page.goto(page.url + "/edit")
    await expect(page.get_by_label("Starts")).to_have_value("2031-06-10T14:30")
    await expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    await context.close()
