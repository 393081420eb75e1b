"""Attaching pictures and files in a real browser: with JavaScript (several files at once, a
description asked for each picture, the Markdown put in the message) and without it (the
form's own file and alt text fields)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Dialog, expect

from tests import sample_files as sample
from tests.browser import sign_up

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]



@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    picture, document = tmp_path / "square.png", tmp_path / "minutes.pdf"
    picture.write_bytes(sample.png((120, 80), mode="RGB"))
    document.write_bytes(sample.PDF)
    return picture, document


async def test_with_javascript_several_files_go_in_with_a_description_for_each_picture(
        live_server, browser, files):
    base = live_server.base_url
    page = await (await browser.new_context()).new_page()
    await sign_up(page, base, "nia", "Nia Roberts")
    asked: list[str] = []

    async def describe(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await dialog.accept("A grey square")

    page.on("dialog", describe)
    await page.goto(f"{base}/c/general-chat/new")
    await page.get_by_label("Title").fill("Pictures from the day")
    await page.get_by_label("Message").fill("Two things:")
    # The no-JavaScript alt field gives way to asking as each picture is added.
    await expect(page.get_by_label("Describe the picture (alt text)")).to_be_hidden()
    await page.get_by_label("File", exact=True).set_input_files([str(f) for f in files])
    await expect(page.locator(".upload-status li")).to_have_count(2)
    await expect(page.locator(".upload-status")).to_contain_text("minutes.pdf: added to your message.")
    await expect(page.locator(".upload-status")).to_contain_text("square.png: added to your message.")
    assert asked == ["Describe the picture “square.png” for people who cannot see it:"]
    message = await page.get_by_label("Message").input_value()
    assert re.fullmatch(r"Two things:\n\n!\[A grey square\]\(/uploads/[0-9a-f]{64}\.png\)\n\n"
                        r"\[minutes\.pdf\]\(/uploads/[0-9a-f]{64}\.pdf\)\n", message), message
    await page.get_by_role("button", name="Post").click()
    await page.wait_for_url(re.compile(r"/t/\d+/"))
    picture = page.locator("article.post.depth-0 img")
    await expect(picture).to_have_attribute("alt", "A grey square")
    # The CSP lets it load (waited for: a lazily loaded picture may still be on its way).
    await page.wait_for_function("() => { const img = document.querySelector('article.post.depth-0 img');"
                                 " return img.complete && img.naturalWidth === 120 }")
    await expect(page.locator("article.post.depth-0 .upload-file")).to_contain_text("minutes.pdf")


async def test_a_picture_without_a_description_is_not_added(live_server, browser, files):
    base = live_server.base_url
    page = await (await browser.new_context()).new_page()
    await sign_up(page, base, "nia", "Nia Roberts")
    page.on("dialog", lambda dialog: dialog.dismiss())
    await page.goto(f"{base}/c/general-chat/new")
    await page.get_by_label("File", exact=True).set_input_files(str(files[0]))
    await expect(page.locator(".upload-status")).to_contain_text(
        "square.png: not added, a picture needs a description.")
    assert await page.get_by_label("Message").input_value() == ""


async def test_without_javascript_the_form_sends_the_file_and_its_description(live_server, browser, files):
    base = live_server.base_url
    page = await (await browser.new_context(java_script_enabled=False)).new_page()
    await sign_up(page, base, "nia", "Nia Roberts")
    await page.goto(f"{base}/c/general-chat/new")
    await page.get_by_label("Title").fill("A picture")
    await page.get_by_label("Message").fill("From the day")
    await page.get_by_label("File", exact=True).set_input_files(str(files[0]))
    await page.get_by_role("button", name="Post").click()
    # Asked for a description: the text and the choice of channel are kept.
    await expect(page.locator("#alt-error")).to_contain_text("Describe the picture")
    await expect(page.get_by_label("Message")).to_have_value("From the day")
    await page.get_by_label("File", exact=True).set_input_files(str(files[0]))
    await page.get_by_label("Describe the picture (alt text)").fill("A grey square")
    await page.get_by_role("button", name="Post").click()
    await page.wait_for_url(re.compile(r"/t/\d+/"))
    await expect(page.locator("article.post.depth-0 img")).to_have_attribute("alt", "A grey square")


async def test_a_picture_replied_in_the_thread_appears_live_for_another_member(live_server, browser, files):
    base = live_server.base_url
    alice_context, bob_context = await browser.new_context(), await browser.new_context()
    alice, bob = await alice_context.new_page(), await bob_context.new_page()
    await sign_up(alice, base, "alice", "Alice Evans")
    await sign_up(bob, base, "bob", "Bob Mackay")
    await alice.goto(f"{base}/c/general-chat/new")
    await alice.get_by_label("Title").fill("Our stand at the fair")
    await alice.get_by_label("Message").fill("Pictures to follow.")
    await alice.get_by_role("button", name="Post").click()
    await alice.wait_for_url(re.compile(r"/t/\d+/"))
    await bob.goto(alice.url)
    await expect(bob.locator("#presence")).to_contain_text("Alice Evans")  # Bob's page is live
    await bob.evaluate("window.stillTheSamePage = true")

    alice.on("dialog", lambda dialog: dialog.accept("A grey square on a white table"))
    await alice.get_by_label("Message").fill("Here is the stand:")
    await alice.get_by_label("File", exact=True).set_input_files(str(files[0]))
    await expect(alice.locator(".upload-status")).to_contain_text("square.png: added to your message.")
    await alice.get_by_role("button", name="Reply").click()

    picture = bob.locator("article.post.depth-1", has_text="Here is the stand:").locator("img")
    await expect(picture).to_have_attribute("alt", "A grey square on a white table")
    await expect(picture).to_have_attribute("src", re.compile(r"^/uploads/[0-9a-f]{64}\.png$"))
    await bob.wait_for_function("() => [...document.querySelectorAll('article.post.depth-1 img')]"
                                ".every(img => img.complete && img.naturalWidth === 120)")
    assert await bob.evaluate("window.stillTheSamePage") is True, "no reload happened"
    await alice_context.close()
    await bob_context.close()
