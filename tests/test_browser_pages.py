"""Every page in a real browser: axe-core finds no accessibility violations (light and dark),
nothing scrolls sideways on a 360 px phone, focus is always visible, and the screenshots in
docs/screenshots/ are taken afresh. Then the flows people follow, with JavaScript on and off."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser import sign_up
from tests.conftest import skip_unless_required
from tests.helpers import PASSWORD
from tests.servers import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
DEMO_PASSWORD = "demo-password"
MODERATOR = "gwenllian_ap"
PHONE, WIDE = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
SMALLEST_PHONE = {"width": 360, "height": 740}
NPM_MISSING = "the accessibility tests install axe-core with npm: apt-get install npm"
# Pages as (name, path, who); the thread's path is filled in once the demo is loaded.
PAGES = [("home", "/", MODERATOR), ("channel", "/c/tools-methods", MODERATOR),
         ("thread", "{thread}", MODERATOR), ("new-thread", "/c/general-chat/new", MODERATOR),
         ("signup", "/signup", None), ("login", "/login", None),
         ("profile", "/u/morag_maclean", MODERATOR), ("search", "/search?q=wellbeing", MODERATOR),
         ("moderation", "/mod", MODERATOR)]


# -- fixtures ---------------------------------------------------------------------------------
def run_forum(database_url: str, *args: str) -> None:
    env = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": "browser-test"}
    done = subprocess.run([sys.executable, "-m", "tests.forum_command", *args], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session")
def axe_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """axe-core from the npm registry, kept in the virtualenv between runs (never committed)."""
    in_venv = sys.prefix != sys.base_prefix
    cache = Path(sys.prefix) / "test-cache" / "axe" if in_venv else tmp_path_factory.mktemp("axe")
    script = cache / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if not npm:
            skip_unless_required(NPM_MISSING)
        subprocess.run([npm, "install", "--prefix", str(cache), "--no-save", "--no-audit",
                        "--no-fund", "--loglevel=error", "axe-core@4"], check=True, timeout=300)
    return script


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo community, loaded once for the module; each test serves its own copy."""
    path = tmp_path_factory.mktemp("demo") / "forum.db"
    run_forum(f"sqlite:///{path}", "migrate")
    run_forum(f"sqlite:///{path}", "demo")
    return path


@pytest.fixture
def demo_server(database_url: str, demo_database: Path, tmp_path: Path) -> Any:
    target = database_url.removeprefix("sqlite:///")
    shutil.copy(demo_database, target)
    server = ServerProcess(database_url, log_path=tmp_path / "server.log").start()
    yield server
    server.stop()



# -- helpers ------------------------------------------------------------------------------------
async def log_in(page: Page, base: str, username: str, password: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(lambda url: "/login" not in url)


async def busiest_thread(base: str) -> str:
    async with httpx.AsyncClient(base_url=base) as http:
        threads = (await http.get("/api/v1/categories/tools-methods/threads")).json()["threads"]
    return max(threads, key=lambda t: t["reply_count"])["url"]


async def page_contexts(browser: Browser, base: str, **options: Any) -> dict[str | None, Page]:
    """One anonymous page and one signed in as the demo moderator."""
    anonymous = await (await browser.new_context(**options)).new_page()
    moderator = await (await browser.new_context(**options)).new_page()
    await log_in(moderator, base, MODERATOR, DEMO_PASSWORD)
    return {None: anonymous, MODERATOR: moderator}


async def close_all(pages: dict[str | None, Page]) -> None:
    for page in pages.values():
        await page.context.close()


async def visit(page: Page, url: str) -> None:
    await page.goto(url)
    # forum.js has run once relative times show ("just now", "... ago"); an event's start
    # (data-absolute) stays a date.
    await expect(page.locator("time:not([data-absolute])").first).to_have_text(
        re.compile(r"ago|now|yesterday|last"))


async def visit_any(page: Page, url: str) -> None:
    await page.goto(url)
    await page.wait_for_load_state("load")
    relative = page.locator("time:not([data-absolute])")
    if await relative.count():
        await expect(relative.first).to_have_text(re.compile(r"ago|now|yesterday|last"))
    if await page.locator("form.composer textarea").count():
        await expect(page.locator(".preview-toggle")).to_be_visible()


async def axe_violations(page: Page, axe_script: Path) -> list[dict[str, Any]]:
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(axe_script))
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


async def scrolls_sideways(page: Page) -> bool:
    return await page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


# -- every page ---------------------------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_axe_finds_no_violations_on_any_page(demo_server, browser, axe_script, scheme):
    base = demo_server.base_url
    thread = await busiest_thread(base)
    pages = await page_contexts(browser, base, bypass_csp=True, color_scheme=scheme)
    found: dict[str, Any] = {}
    for viewport in (WIDE, PHONE):
        for name, path, who in PAGES:
            page = pages[who]
            await page.set_viewport_size(viewport)
            await visit_any(page, base + path.format(thread=thread))
            if name == "new-thread":  # check the live parts too: an open preview
                await page.get_by_label("Message").fill("**Bold**, a [link](https://example.org)\n\n- a list")
                await page.get_by_role("button", name="Preview").click()
                await expect(page.locator(".preview strong")).to_have_text("Bold")
            if violations := await axe_violations(page, axe_script):
                found[f"{name} at {viewport['width']}px"] = violations
    await close_all(pages)
    assert not found, json.dumps(found, indent=1)


async def test_pages_fit_a_phone_and_are_photographed(demo_server, browser):
    """No sideways scrolling at 360 px; screenshots at 390 and 1280 px for the README."""
    base = demo_server.base_url
    thread = await busiest_thread(base)
    pages = await page_contexts(browser, base, color_scheme="light")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    too_wide = []
    for name, path, who in PAGES:
        page = pages[who]
        url = base + path.format(thread=thread)
        await page.set_viewport_size(SMALLEST_PHONE)
        await visit_any(page, url)
        if await scrolls_sideways(page):
            too_wide.append(name)
        for viewport in (PHONE, WIDE):
            await page.set_viewport_size(viewport)
            await page.evaluate("window.scrollTo(0, 0)")
            await page.screenshot(path=SCREENSHOTS / f"{name}-{viewport['width']}.png")
    await close_all(pages)
    assert not too_wide, f"these pages scroll sideways at 360 px: {too_wide}"


def drawn_picture(background: str, shape: str, colour: str) -> bytes:
    """A simple picture for the screenshot: one coloured shape on a coloured ground."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), background)
    draw = ImageDraw.Draw(image)
    box = (200, 100, 600, 500)
    {"circle": draw.ellipse, "square": draw.rectangle}.get(shape, draw.polygon)(
        box if shape != "triangle" else [(400, 90), (650, 510), (150, 510)], fill=colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def test_a_post_with_pictures_is_photographed(demo_server, browser):
    """A thread whose opening post has a small gallery and a file, at 1280 px, for the README;
    it fits a phone too."""
    base = demo_server.base_url
    async with httpx.AsyncClient(base_url=base) as http:
        token = (await http.post("/api/v1/tokens", json={"username": MODERATOR,
                                                         "password": DEMO_PASSWORD})).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        shown = []
        for alt, drawing in (("A yellow sun on a blue sky", ("#2b6cb0", "circle", "#f6e05e")),
                             ("A green field, square as a map", ("#f0fff4", "square", "#38a169")),
                             ("A red tent in grey snow", ("#e2e8f0", "triangle", "#c53030"))):
            sent = await http.post("/api/v1/uploads", headers=headers, data={"alt": alt},
                                   files={"file": ("drawing.png", drawn_picture(*drawing))})
            assert sent.status_code == 201, sent.text
            shown.append(f"![{alt}]({sent.json()['url']})")
        body = ("Three drawings from Saturday's workshop on picturing outcomes:\n\n"
                + "\n".join(shown) + "\n\nWhat would you draw for *belonging*?")
        thread = (await http.post("/api/v1/threads", headers=headers, json={
            "title": "Drawing what changed", "body": body, "categories": ["tools-methods"]})).json()
    page = await (await browser.new_context(color_scheme="light", viewport=WIDE)).new_page()
    await log_in(page, base, MODERATOR, DEMO_PASSWORD)
    await visit(page, base + thread["url"])
    gallery = page.locator("article.post.depth-0 .gallery img")
    await expect(gallery).to_have_count(3)
    await page.wait_for_function("() => [...document.querySelectorAll('.gallery img')]"
                                 ".every(img => img.complete && img.naturalWidth > 0)")
    await page.screenshot(path=SCREENSHOTS / "post-with-pictures-1280.png")
    await page.set_viewport_size(SMALLEST_PHONE)
    assert not await scrolls_sideways(page)
    await page.context.close()


HEADER_MAX_ON_A_PHONE = 100  # px: was 175-225, which hid the first post behind the header


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_the_header_folds_into_a_menu_on_a_phone(demo_server, browser, javascript):
    """Channels, search and account links wait behind Menu, so a thread's first post shows on
    the first screen; on a wide screen they are simply there."""
    base = demo_server.base_url
    thread = await busiest_thread(base)
    pages = await page_contexts(browser, base, java_script_enabled=javascript)
    # With script the box is a combobox (its suggestions); without, a plain search box.
    search_role = "combobox" if javascript else "searchbox"
    for who, page in pages.items():
        for viewport in (PHONE, SMALLEST_PHONE):
            await page.set_viewport_size(viewport)
            await page.goto(base + thread)
            header = await page.locator(".site-header").bounding_box()
            assert header and header["height"] <= HEADER_MAX_ON_A_PHONE, (who, viewport, header)
            first_post = await page.locator("article.post").first.bounding_box()
            assert first_post and first_post["y"] < viewport["height"] - 100, (who, viewport, first_post)
            channel_link = page.locator(".channel-nav a", has_text="General Chat")
            await expect(channel_link).to_be_hidden()
            await expect(page.get_by_role(search_role, name="Search the forum")).to_be_hidden()
            await page.get_by_text("Menu", exact=True).click()
            await expect(channel_link).to_be_visible()
            await expect(page.get_by_role(search_role, name="Search the forum")).to_be_visible()
            await expect(page.get_by_role("link", name="Members")).to_be_visible()
        await page.set_viewport_size(WIDE)
        await page.goto(base + thread)
        await expect(page.locator(".channel-nav a", has_text="General Chat")).to_be_visible()
        await expect(page.get_by_role(search_role, name="Search the forum")).to_be_visible()
        await expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    await close_all(pages)


async def test_every_stop_on_the_thread_page_is_reachable_with_visible_focus(demo_server, browser):
    base = demo_server.base_url
    context = await browser.new_context(viewport=WIDE)
    page = await context.new_page()
    await log_in(page, base, MODERATOR, DEMO_PASSWORD)
    await visit(page, base + await busiest_thread(base))
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    await expect(skip).to_be_focused()
    await expect(skip).to_be_in_viewport()
    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_be_focused()
    seen, invisible = set(), []
    for _ in range(300):
        await page.keyboard.press("Tab")
        stop = await page.evaluate("""() => {
            const el = document.activeElement, style = getComputedStyle(el);
            const shown = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
            return {key: el.outerHTML.slice(0, 120), tag: el.tagName, shown};
        }""")
        if stop["tag"] == "BODY" or stop["key"] in seen:
            break
        seen.add(stop["key"])
        if not stop["shown"]:
            invisible.append(stop["key"])
    assert len(seen) > 20, "the tab order ended early"
    assert any("Preview" in key for key in seen) and any("<textarea" in key for key in seen)
    assert not invisible, invisible
    await context.close()


# -- flows, with JavaScript on and off ---------------------------------------------------------
async def start_thread(page: Page, base: str, channel: str, title: str, body: str,
                       also: list[str] | None = None, *, keyboard_send: bool = False) -> str:
    await page.goto(f"{base}/c/{channel}/new")
    await page.get_by_label("Title").fill(title)
    await page.get_by_label("Message").fill(body)
    for name in also or []:
        await page.get_by_label(name).check()
    if keyboard_send:
        await page.get_by_label("Message").press("Control+Enter")
    else:
        await page.get_by_role("button", name="Post").click()
    await page.wait_for_url(re.compile(r"/t/\d+/"))
    return page.url


async def reply_to(page: Page, post: Any, text: str) -> None:
    """Reply on a post: in place with JavaScript, on the reply page without it."""
    await post.get_by_role("link", name=re.compile("^Reply")).click()
    await page.get_by_label("Message").fill(text)
    await page.get_by_role("button", name="Reply").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_a_newcomer_introduces_themselves_and_joins_in(live_server, browser, javascript):
    base = live_server.base_url
    context = await browser.new_context(java_script_enabled=javascript)
    page = await context.new_page()
    await sign_up(page, base, "nia", "Nia Roberts")
    # Signing up lands on the welcome page, where newcomers introduce themselves.
    await expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Nia Roberts")
    await expect(page.get_by_role("heading", name="Introduce yourself")).to_be_visible()
    await page.get_by_label("Message").fill("I run a **lunch club** for older people in Wrexham.")
    if javascript:  # the preview shows the Markdown as it will look, before sending
        await page.get_by_role("button", name="Preview").click()
        await expect(page.locator(".preview strong")).to_have_text("lunch club")
        await page.get_by_label("Message").press("Control+Enter")
    else:
        await expect(page.get_by_role("button", name="Preview")).to_have_count(0)
        await page.get_by_role("button", name="Post").click()
    await page.wait_for_url(re.compile(r"/t/\d+/introducing-nia-roberts"))
    await expect(page.locator("article.post.depth-0 strong")).to_have_text("lunch club")
    await page.goto(f"{base}/c/welcome")  # the introduction is in Welcome, waiting for a greeting
    await expect(page.locator(".waiting")).to_contain_text("Introducing Nia Roberts")

    # A thread in two channels is listed in both.
    title = "Volunteer rotas that people actually keep to"
    url = await start_thread(page, base, "tools-methods", title, "What works for you?",
                             ["Values & Principles"], keyboard_send=javascript)
    for channel in ("tools-methods", "values-principles"):
        await page.goto(f"{base}/c/{channel}")
        await expect(page.locator("#thread-list .thread-row").first).to_contain_text(title)

    # A reply to a reply sits one level deeper.
    await page.goto(url)
    await reply_to(page, page.locator("article.post.depth-0"), "First thought: a shared calendar")
    first = page.locator("article.post.depth-1", has_text="shared calendar")
    await expect(first).to_be_visible()
    await reply_to(page, first, "Second thought: text reminders the day before")
    await expect(page.locator("article.post.depth-2")).to_contain_text("text reminders")
    await context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_a_pinned_thread_rises_to_the_top_of_the_channel(live_server, browser, javascript):
    base = live_server.base_url
    contexts = [await browser.new_context(java_script_enabled=javascript) for _ in range(2)]
    moderator, member = [await c.new_page() for c in contexts]
    await sign_up(moderator, base, "rhian", "Rhian Moderator")
    run_forum(live_server.database_url, "user", "role", "rhian", "moderator")
    await sign_up(member, base, "owen", "Owen Jones")
    older = await start_thread(member, base, "general-chat", "Older: the quarterly meet-up", "Who is coming?")
    await start_thread(member, base, "general-chat", "Newer: a question about grants", "Any tips?")
    await member.goto(f"{base}/c/general-chat")
    rows = member.locator("#thread-list .thread-row")
    await expect(rows.first).to_contain_text("Newer")

    await moderator.goto(older)  # a fresh page: the new role shows
    await moderator.get_by_role("button", name="Pin as announcement").click()
    await expect(moderator.get_by_role("button", name="Unpin")).to_be_visible()
    if not javascript:
        await member.reload()
    await expect(rows.first).to_contain_text("Older: the quarterly meet-up")
    await expect(rows.first.locator(".badge")).to_have_text("Announcement")
    for context in contexts:
        await context.close()


async def test_times_read_relative_stay_current_and_keep_the_exact_time(live_server, browser):
    base = live_server.base_url
    context = await browser.new_context()
    page = await context.new_page()
    await page.clock.install()
    await sign_up(page, base, "ffion", "Ffion Hughes")
    await start_thread(page, base, "general-chat", "Times", "When was this?")
    stamp = page.locator("article.post.depth-0 time")
    await expect(stamp).to_have_text("just now")
    exact = re.compile(r"^\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC$")
    await expect(stamp).to_have_attribute("title", exact)

    # A reply arriving live gets a relative time too.
    async with httpx.AsyncClient(base_url=base) as http:
        await http.post("/api/v1/users", json={"username": "gethin", "password": PASSWORD})
        token = (await http.post("/api/v1/tokens", json={"username": "gethin", "password": PASSWORD})).json()
        thread_id = int(re.search(r"/t/(\d+)/", page.url).group(1))
        await http.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Just now!"},
                        headers={"Authorization": f"Bearer {token['token']}"})
    live_stamp = page.locator("article.post.depth-1 time")
    await expect(live_stamp).to_have_text("just now")
    await expect(live_stamp).to_have_attribute("title", exact)

    await page.clock.fast_forward("05:00")
    await expect(stamp).to_have_text("5 minutes ago")
    await expect(live_stamp).to_have_text("5 minutes ago")
    await context.close()


async def tab_to(page: Page, target: Any, limit: int = 80) -> None:
    """Press Tab until the target has focus, as a keyboard user would."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


async def test_signing_up_posting_and_replying_by_keyboard_alone(live_server, browser):
    base = live_server.base_url
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{base}/signup")
    for label, text in (("Username", "keyboard_kate"), ("Email", "kate@example.org"),
                        ("Display name", "Kate Keys"), ("Password", PASSWORD)):
        await tab_to(page, page.get_by_label(label))
        await page.keyboard.type(text)
    await tab_to(page, page.get_by_role("button", name="Sign up"))
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/welcome$"))

    await tab_to(page, page.get_by_label("Message"))  # the introduction form on /welcome
    await page.keyboard.type("Hello, all. Typed without a mouse.")
    await page.keyboard.press("Control+Enter")
    await page.wait_for_url(re.compile(r"/t/\d+/"))

    reply_link = page.locator("article.post.depth-0").get_by_role("link", name=re.compile("^Reply"))
    await tab_to(page, reply_link)
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Message")).to_be_focused()
    await page.keyboard.type("Answering myself")
    await page.keyboard.press("Control+Enter")
    await expect(page.locator("article.post.depth-1")).to_contain_text("Answering myself")
    # The box stays, empty and focused, ready for the next message (issue 24); Escape puts the
    # reader back where they were.
    await expect(page.get_by_label("Message")).to_be_focused()
    await expect(page.get_by_label("Message")).to_have_value("")
    await page.keyboard.press("Escape")
    await expect(reply_link).to_be_focused()
    await context.close()


# -- suggestions under the header search box -------------------------------------------------
async def test_the_header_box_suggests_threads_and_a_pick_by_keyboard_opens_one(
        demo_server, browser, axe_script):
    base = demo_server.base_url
    # On the smallest phone: the open list must not push the page sideways.
    context = await browser.new_context(bypass_csp=True, viewport=SMALLEST_PHONE)  # CSP: axe's script
    page = await context.new_page()
    await visit_any(page, base + "/")
    await page.locator("summary", has_text="Menu").click()  # on a phone the search box is in the Menu
    box = page.get_by_role("combobox", name="Search the forum")
    await box.focus()
    await page.keyboard.type("wemw")
    suggestion = page.get_by_role("option", name=re.compile("Measuring wellbeing with WEMWBS"))
    await expect(suggestion).to_be_visible()
    assert not await scrolls_sideways(page)
    await expect(box).to_have_attribute("aria-expanded", "true")
    assert not await axe_violations(page, axe_script)
    await page.keyboard.press("Escape")  # closes the list, keeps what was typed
    await expect(suggestion).to_be_hidden()
    await expect(box).to_have_attribute("aria-expanded", "false")
    await expect(box).to_have_value("wemw")
    await page.keyboard.type("bs")
    await expect(suggestion).to_be_visible()
    await page.keyboard.press("ArrowDown")
    await expect(suggestion).to_have_attribute("aria-selected", "true")
    await expect(box).to_have_attribute("aria-activedescendant", await suggestion.get_attribute("id"))
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/t/\d+/measuring-wellbeing"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Measuring wellbeing with WEMWBS")
    await context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_enter_in_the_header_box_still_searches(demo_server, browser, javascript):
    context = await browser.new_context(java_script_enabled=javascript)
    page = await context.new_page()
    await page.goto(demo_server.base_url + "/")
    await page.get_by_label("Search the forum").fill("wemwbs")
    await page.keyboard.press("Enter")  # nothing picked: the whole search, as without JavaScript
    await page.wait_for_url(re.compile(r"/search\?q=wemwbs"))
    await expect(page.locator(".search-result").first).to_contain_text("WEMWBS")
    await context.close()
