"""The library in a real browser: a member adds a case study with a file, choosing a tag the
field suggests as they type, and finds it again by that tag."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect

from tests import sample_files as sample
from tests.browser import sign_up
from tests.helpers import api_token, start_thread

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]



@pytest.mark.parametrize("javascript", [True, False])
async def test_a_case_study_with_a_file_is_found_by_its_tag(live_server, browser, tmp_path: Path, javascript):
    base = live_server.base_url
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        other = await api_token(http, "seeder")
        await start_thread(http, other, body="Notes on #co-production-wales")
    report = tmp_path / "evaluation-report.pdf"
    report.write_bytes(sample.PDF)
    page = await (await browser.new_context(java_script_enabled=javascript)).new_page()
    await sign_up(page, base, "lowri", "Lowri Evans")
    await page.goto(f"{base}/library")
    await page.get_by_role("link", name="Add to the library").click()
    await page.get_by_label("Case study").check()
    await page.get_by_label("Title").fill("Co-producing a youth service in Gwynedd")
    await page.get_by_label("Message").fill("What we learned redesigning a youth service with young people.")
    await page.get_by_label("Organisation").fill("Gwynedd Youth Forum")
    await page.get_by_label("Place").fill("Caernarfon")
    await page.get_by_label("What was done (case studies)").fill("Young people ran the design workshops.")
    await page.get_by_label("What changed (case studies)").fill("Opening hours moved to evenings.")
    tags = page.get_by_label("Tags")
    if javascript:  # the field offers existing tags as you type
        await tags.press_sequentially("co-pro")
        await expect(page.locator("#tags-suggestions option")).to_have_count(1)
        assert await page.locator("#tags-suggestions option").get_attribute("value") == "co-production-wales"
    await tags.fill("youth-work, co-production-wales")
    await page.get_by_label("File", exact=True).set_input_files(str(report))
    if javascript:
        await expect(page.locator(".upload-status")).to_contain_text("added to your message")
    await page.get_by_role("button", name="Add to the library").click()
    await page.wait_for_url(re.compile(r"/t/\d+/"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Co-producing a youth service")
    panel = page.get_by_role("region", name="About this case study")
    await expect(panel).to_contain_text("Gwynedd Youth Forum")
    await expect(panel.get_by_role("link", name="evaluation-report.pdf")).to_be_visible()

    # Found again by its tag: the tag's page, and the library filtered by it.
    await page.get_by_role("link", name="#youth-work").click()
    await page.wait_for_url(f"{base}/tags/youth-work")
    await expect(page.locator("#thread-list")).to_contain_text("Co-producing a youth service in Gwynedd")
    await page.goto(f"{base}/library")
    await page.get_by_label("Tag", exact=True).fill("Youth-Work")
    await page.get_by_label("Kind").select_option("case_study")
    await page.get_by_role("button", name="Show").click()
    items = page.locator("#library-items")
    await expect(items).to_contain_text("Co-producing a youth service in Gwynedd")
    await expect(items).to_contain_text("Case study")
    await expect(items.get_by_role("link", name="Download evaluation-report.pdf")).to_be_visible()


async def test_an_open_tag_page_shows_a_new_tagged_thread_live(live_server, browser):
    base = live_server.base_url
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        author = await api_token(http, "gethin")
        await start_thread(http, author, title="First of its kind", body="#peer-research")
        page = await (await browser.new_context()).new_page()
        await page.goto(f"{base}/tags/peer-research")
        await expect(page.locator("#thread-list .thread-row")).to_have_count(1)
        await start_thread(http, author, title="Peer research pay rates", body="Pay for #Peer-Research")
        await start_thread(http, author, title="Not tagged at all")
        rows = page.locator("#thread-list .thread-row")
        await expect(rows).to_have_count(2)
        await expect(rows.first).to_contain_text("Peer research pay rates")


async def test_a_new_item_appears_live_on_open_library_pages(live_server, browser):
    """One member adds a case study through the form; library pages open elsewhere show it
    without a reload where it matches, announce it politely, and reach it by keyboard."""
    base = live_server.base_url
    reader = await (await browser.new_context()).new_page()
    await reader.goto(f"{base}/library")
    await expect(reader.locator("#library-items")).to_contain_text("Nothing in the library matches yet.")
    resources_only = await (await browser.new_context()).new_page()
    await resources_only.goto(f"{base}/library?kind=resource")
    most_discussed = await (await browser.new_context()).new_page()
    await most_discussed.goto(f"{base}/library?sort=discussed")
    no_script = await (await browser.new_context(java_script_enabled=False)).new_page()
    await no_script.goto(f"{base}/library")

    author = await (await browser.new_context()).new_page()
    await sign_up(author, base, "carys", "Carys Bevan")
    await author.goto(f"{base}/library/new")
    await author.get_by_label("Case study").check()
    await author.get_by_label("Title").fill("Men's sheds in Ceredigion")
    await author.get_by_label("Message").fill("How three sheds measured loneliness before and after.")
    await author.get_by_role("button", name="Add to the library").click()
    await author.wait_for_url(re.compile(r"/t/\d+/"))

    items = reader.locator("#library-items .library-item")
    await expect(items).to_have_count(1)
    await expect(items.first).to_contain_text("How three sheds measured loneliness")
    announcer = reader.locator("#live-announcer")
    await expect(announcer).to_have_text("New in the library: Men's sheds in Ceredigion")
    # Next in the keyboard's order after the filter form's button.
    await reader.get_by_role("button", name="Show").focus()
    await reader.keyboard.press("Tab")
    await expect(reader.get_by_role("link", name="Men's sheds in Ceredigion")).to_be_focused()

    # Where a new item may not sort first, a notice offers to show it.
    notice = most_discussed.locator("#library-news")
    await expect(notice).to_be_visible()
    await expect(notice).to_contain_text("1 new item in the library.")
    await expect(most_discussed.locator("#live-announcer")).to_have_text("1 new item in the library.")
    await notice.get_by_role("link", name="Show them").click()
    await expect(most_discussed.locator("#library-items")).to_contain_text("Men's sheds in Ceredigion")

    # A page of resources only: the case study never shows; a resource added after it does.
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        other = await api_token(http, "dafydd")
        response = await http.post("/api/v1/library", headers=other, json={
            "kind": "resource", "title": "Loneliness scale, short form", "body": "Six questions.",
            "categories": ["evaluation-impact"], "link": "https://example.org/scale.pdf"})
        assert response.status_code == 201, response.text
    await expect(resources_only.locator("#library-items")).to_contain_text("Loneliness scale, short form")
    await expect(resources_only.locator("#library-items .library-item")).to_have_count(1)

    # Without JavaScript nothing moves; a reload shows both.
    await expect(no_script.locator("#library-items .library-item")).to_have_count(0)
    await no_script.reload()
    await expect(no_script.locator("#library-items .library-item")).to_have_count(2)
