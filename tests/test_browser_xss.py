"""XSS in a real browser, and the Content-Security-Policy on every page (issue 11).

One `forum serve` is filled with the payloads of tests/xss_vectors.py (OWASP's filter evasion
cheat sheet among them) through the real interfaces: thread titles, post bodies, display names,
bios, organisations and places, event titles and places, flag and hide reasons, a post's
earlier revision, the site banner, search queries, the log-in page's `next`, and a rejected
form. Chromium then reads every page that shows them with a dialog handler armed, `alert` and
friends wrapped, and a `securitypolicyviolation` listener; each page is poked (pointer, focus
and key events on every element, real hovers and clicks on links in posts) and its DOM must hold
no script, element, handler or `javascript:` URL the forum did not write, while every planted
string reads back as plain text. The same holds for payloads arriving live over the WebSocket.

Then every page of the route table, as a member and as a moderator: the CSP of design.md on the
response, no inline script, handler or style in the HTML, and no violation reported by Chromium.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from starlette.routing import Route

from forum.app import create_app
from forum.settings import Settings
from forum.text import ALLOWED_TAGS
from tests.helpers import CSRF_META, PASSWORD
from tests.live_helpers import LiveClient, session_cookie
from tests.servers import ServerProcess
from tests.test_cli import run_forum
from tests.xss_vectors import XSS_VECTORS

MODERATOR, READER = "mod_xss", "reader_xss"
POSTS_PER_THREAD = 50  # one page of a thread (forum.routes.threads.POSTS_PER_PAGE)
NAMED_MEMBERS = 12
TITLES_PER_CHANNEL = 20
TITLE_CHANNELS = ["general-chat", "tools-methods"]
DOWNLOADS = (".ics", ".csv", "/export", ".ico")  # files, not pages: the crawl checks their headers only
EVENTS = 8
REGISTERED = 4  # named members on the first event's attendee list


def shown(text: str) -> str:
    """How a one-line field comes back: whitespace runs collapsed, as the forum stores it."""
    return " ".join(text.split())


def spread(items: list[str], count: int, offset: int = 0) -> list[str]:
    """`count` items from across the whole list, so every section of the corpus is used."""
    return [items[(offset + i * len(items) // count) % len(items)] for i in range(count)]


# The forum refuses text holding a NUL (a 400 naming the field: see below), so those payloads
# are planted nowhere; everything else is.
NUL_VECTORS = [v for v in XSS_VECTORS if "\x00" in v]
TEXT_VECTORS = [v for v in XSS_VECTORS if "\x00" not in v]


def fitting(limit: int) -> list[str]:
    return [v for v in TEXT_VECTORS if len(shown(v)) <= limit]


TITLE_VECTORS = spread(fitting(200), TITLES_PER_CHANNEL * len(TITLE_CHANNELS))
NAME_VECTORS = spread(fitting(60), NAMED_MEMBERS)
BIO_VECTORS = spread(TEXT_VECTORS, NAMED_MEMBERS, offset=7)
LINE_VECTORS = spread(fitting(120), NAMED_MEMBERS, offset=3)
EVENT_VECTORS = spread(fitting(200), EVENTS, offset=5)
EVENT_PLACES = [shown(v) for v in spread(fitting(200), EVENTS, offset=13)]
CONVERSATION_VECTORS = spread(fitting(200), 4, offset=9)  # titles of private conversations
QUERY_VECTORS = ['"><script>alert(1)</script>', "' onfocus='alert(1)' autofocus x='",
                 "</textarea><img src=x onerror=alert(1)>", '" autofocus onfocus=alert(1) x="']
NEXT_VECTORS = ['/"><script>alert(1)</script>', "/' onmouseover='alert(1)", "javascript:alert(1)",
                "/x\" autofocus onfocus=\"alert(1)"]


# -- the planted forum ------------------------------------------------------------------------
@dataclass
class Planted:
    server: ServerProcess
    body_threads: list[dict[str, Any]] = field(default_factory=list)  # {url, vectors}
    names_thread: str = ""
    members: list[str] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    edited_post: int = 0
    hidden_posts: list[int] = field(default_factory=list)
    reader_vectors: dict[str, str] = field(default_factory=dict)
    form_thread: str = ""
    form_vectors: list[str] = field(default_factory=list)
    banner: str = ""
    flag_reasons: list[str] = field(default_factory=list)
    conversations: list[int] = field(default_factory=list)
    a_thread: dict[str, Any] = field(default_factory=dict)
    a_post: int = 0
    sessions: dict[str, Session] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.server.base_url


class Session:
    """One member as a browser holds them: signed up or logged in through the forms, then the
    forms and the JSON API (cookie plus the X-CSRF-Token header) on the same cookies."""

    def __init__(self, base: str, username: str, display_name: str | None = None) -> None:
        self.username = username
        self.http = httpx.Client(base_url=base, timeout=30)
        if display_name is None:
            done = self.form("/login", "/login", {"username": username, "password": PASSWORD})
        else:
            done = self.form("/signup", "/signup", {"username": username, "password": PASSWORD,
                                                    "display_name": display_name})
        assert done.status_code == 303, done.text
        self.csrf = self.token("/members")

    def token(self, page: str) -> str:
        return CSRF_META.search(self.http.get(page).text).group(1)

    def form(self, page: str, action: str, data: dict[str, Any]) -> httpx.Response:
        return self.http.post(action, data={**data, "csrf_token": self.token(page)})

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, f"/api/v1{path}", json=body,
                                     headers={"X-CSRF-Token": self.csrf})
        assert response.status_code in (200, 201), (path, body, response.text)
        return response.json()

    def thread(self, title: str, body: str, channel: str = "general-chat") -> dict[str, Any]:
        return self.call("POST", "/threads", {"title": title, "body": body, "categories": [channel]})

    def reply(self, thread_id: int, body: str, parent_id: int | None = None) -> dict[str, Any]:
        return self.call("POST", f"/threads/{thread_id}/posts", {"body": body, "parent_id": parent_id})

    def cookies(self) -> list[dict[str, str]]:
        return [{"name": c.name, "value": c.value, "url": str(self.http.base_url).rstrip("/")}
                for c in self.http.cookies.jar]


def plant(planted: Planted) -> None:
    base = planted.base
    reader = planted.sessions[READER] = Session(base, READER, "Reader")
    moderator = planted.sessions[MODERATOR] = Session(base, MODERATOR)

    # Post bodies: the whole corpus, one payload per post, a page of posts per thread,
    # every third reply answering the one before so the tree has depth.
    for n, start in enumerate(range(0, len(TEXT_VECTORS), POSTS_PER_THREAD)):
        chunk = TEXT_VECTORS[start:start + POSTS_PER_THREAD]
        thread = reader.thread(f"Payloads in posts, part {n + 1}", chunk[0])
        previous = None
        for i, vector in enumerate(chunk[1:]):
            previous = reader.reply(thread["id"], vector, previous if i % 3 == 2 else None)["id"]
        planted.body_threads.append({"url": thread["url"], "id": thread["id"], "vectors": chunk})
    for vector in NUL_VECTORS:
        refused = reader.http.post(f"/api/v1/threads/{planted.body_threads[0]['id']}/posts",
                                   json={"body": vector}, headers={"X-CSRF-Token": reader.csrf})
        assert refused.status_code == 400 and "body" in refused.json()["error"]["fields"], refused.text
    planted.a_thread = planted.body_threads[0]
    planted.a_post = reader.call("GET", f"/threads/{planted.a_thread['id']}")["posts"][1]["id"]

    # Members whose display name, bio, organisation and place are payloads; they start the
    # threads titled with payloads, and mention the reader (notifications show their names).
    names = reader.thread("Names and mentions", "Say hello, everyone.")
    planted.names_thread = names["url"]
    members = []
    for i in range(NAMED_MEMBERS):
        member = Session(base, f"named_{i:02d}", NAME_VECTORS[i])
        member.call("PATCH", "/me", {"bio": BIO_VECTORS[i], "organisation": LINE_VECTORS[i],
                                     "location": LINE_VECTORS[-1 - i]})
        member.reply(names["id"], f"Hello @{READER}, from number {i}.")
        members.append(member)
        planted.members.append(member.username)
    for i, title in enumerate(TITLE_VECTORS):
        members[i % NAMED_MEMBERS].thread(title, f"Opening post {i} about alert boxes.",
                                          TITLE_CHANNELS[i % len(TITLE_CHANNELS)])

    # Events: titles, places and descriptions.
    for i, vector in enumerate(EVENT_VECTORS):
        event = moderator.call("POST", "/events", {
            "title": vector, "body": EVENT_VECTORS[-1 - i], "location": EVENT_PLACES[i],
            "starts_at": f"2031-05-{i + 1:02d}T10:00:00+00:00",
            "ends_at": f"2031-05-{i + 1:02d}T12:00:00+00:00", "capacity": 10,
            "categories": ["announcements"]})
        planted.events.append(event["id"])
    for member in members[:REGISTERED]:
        member.call("POST", f"/events/{planted.events[0]}/registration")
    for member in members:
        member.http.close()

    # Moderation: flag reasons, hide reasons, an earlier revision, the site banner.
    posts = reader.call("GET", f"/threads/{planted.body_threads[1]['id']}")["posts"]
    for i, post in enumerate(posts[1:5]):
        reason = TEXT_VECTORS[40 + i]
        reader.call("POST", f"/posts/{post['id']}/flag", {"reason": reason})
        planted.flag_reasons.append(reason)
    for i, post in enumerate(posts[5:8]):
        moderator.call("POST", f"/posts/{post['id']}/hide", {"reason": TEXT_VECTORS[60 + i]})
        planted.hidden_posts.append(post["id"])
    planted.edited_post = posts[8]["id"]
    reader.call("PATCH", f"/posts/{planted.edited_post}", {"body": TEXT_VECTORS[100]})
    planted.banner = shown(TEXT_VECTORS[25])
    moderator.call("POST", "/banner", {"text": planted.banner})

    # Private conversations: payloads as their titles and messages, found by message search.
    for i, title in enumerate(CONVERSATION_VECTORS):
        started = reader.call("POST", "/conversations", {
            "to": [MODERATOR], "title": title, "body": f"Private alert {i}: {TEXT_VECTORS[110 + i]}"})
        planted.conversations.append(started["id"])

    # A sample through the forms, as a browser without JavaScript sends them.
    planted.reader_vectors = {"display_name": shown(TEXT_VECTORS[30]), "bio": TEXT_VECTORS[31],
                              "organisation": shown(TEXT_VECTORS[32]), "location": shown(TEXT_VECTORS[33])}
    edited = reader.form(f"/u/{READER}/edit", f"/u/{READER}/edit", planted.reader_vectors)
    assert edited.status_code == 303, edited.text
    planted.form_vectors = [shown(TEXT_VECTORS[34]), TEXT_VECTORS[35]]
    created = reader.form("/c/values-principles/new", "/c/values-principles/new", {
        "title": planted.form_vectors[0], "body": planted.form_vectors[1], "categories": "values-principles"})
    assert created.status_code == 303, created.text
    planted.form_thread = created.headers["location"]


@pytest.fixture(scope="module")
def planted(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planted]:
    folder = tmp_path_factory.mktemp("xss")
    shutil.copy(sqlite_template, folder / "forum.db")
    url = f"sqlite:///{folder / 'forum.db'}"
    made = run_forum(url, "user", "create", MODERATOR, "--role", "moderator", "--password-stdin",
                     stdin=PASSWORD)
    assert made.returncode == 0, made.stderr
    server = ServerProcess(url, log_path=folder / "server.log").start()
    result = Planted(server)
    try:
        plant(result)
        yield result
    finally:
        for session in result.sessions.values():
            session.http.close()
        server.stop()



# -- watching a browser ----------------------------------------------------------------------
# Runs before any page script: wraps the dialog functions (so a payload that calls them leaves a
# trace even when a dialog is swallowed) and reports CSP violations, all through the console,
# which outlives navigations.
PROBE = """
(function () {
  ["alert", "confirm", "prompt", "print"].forEach(function (name) {
    var original = window[name];
    window[name] = function () {
      console.error("XSS-PROBE called " + name + "(" + Array.prototype.join.call(arguments, ",") + ")");
      return original.apply(window, arguments);
    };
  });
  document.addEventListener("securitypolicyviolation", function (e) {
    console.error("XSS-PROBE violation " + e.violatedDirective + " blocked=" + e.blockedURI +
                  " sample=" + e.sample + " at " + location.pathname);
  }, true);
})();
"""

# Everything on the page the forum did not write: scripts not from /static/, elements no page
# of ours contains, event-handler and style attributes, script URLs, and markup inside a post
# beyond what the sanitizer allows.
DOM_CHECK = """
(allowedInPosts) => {
  const problems = [];
  const allowed = new Set(allowedInPosts);
  const foreign = new Set(["iframe", "frame", "frameset", "object", "embed", "applet", "portal", "svg",
    "math", "base", "video", "audio", "source", "marquee", "bgsound", "xmp", "plaintext", "noembed",
    "noframes", "isindex", "keygen", "xss", "style", "handler", "animate", "set", "foreignobject"]);
  const urlAttributes = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster",
    "background", "dynsrc", "lowsrc", "code", "codebase", "srcset", "ping", "cite", "values", "to", "from"]);
  const scriptUrl = /^(javascript|vbscript|livescript|mocha|data):/;
  const describe = (el) => el.outerHTML.slice(0, 160);
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName;
    if (foreign.has(tag)) problems.push("element: " + describe(el));
    if (tag === "script") {
      const src = el.src ? new URL(el.src) : null;
      if (!src || src.origin !== location.origin || !src.pathname.startsWith("/static/")) {
        problems.push("script: " + describe(el));
      }
    }
    if ((tag === "link" || tag === "meta" || tag === "title") && el.parentElement !== document.head) {
      problems.push("head element in the body: " + describe(el));
    }
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (name.startsWith("on")) problems.push("handler: " + describe(el));
      if (["style", "srcdoc", "formaction", "http-equiv", "autofocus"].includes(name) && tag !== "textarea") {
        problems.push("attribute " + name + ": " + describe(el));
      }
      if (urlAttributes.has(name) && scriptUrl.test(value)) problems.push("script URL: " + describe(el));
    }
  }
  for (const el of document.querySelectorAll(".post-body *")) {
    if (!allowed.has(el.localName)) problems.push("in a post: " + describe(el));
  }
  return problems;
}
"""

# Pointer, focus, keyboard, drag and animation events on every element of the page, for the
# payloads that wait for a person (onmouseover, onfocus, ondragstart ...).
POKE = """
() => {
  const kinds = ["mouseover", "mouseenter", "mousemove", "mouseout", "pointerover", "pointerenter",
    "focus", "focusin", "blur", "mousedown", "mouseup", "dblclick", "contextmenu", "keydown", "keyup",
    "dragstart", "animationstart", "animationend", "transitionend", "toggle", "begin", "copy", "paste"];
  for (const el of document.querySelectorAll("body *")) {
    for (const kind of kinds) el.dispatchEvent(new Event(kind, {bubbles: true}));
  }
}
"""

PAGE_TEXT = "() => document.documentElement.textContent.replace(/\\s+/g, ' ')"
FORM_VALUES = """() => Array.from(document.querySelectorAll("input, textarea"))
  .map((el) => el.value.replace(/\\s+/g, " ")).join("\\n")"""


@dataclass
class Watch:
    """What a browser context saw: dialogs, probe reports, page errors."""

    base: str
    dialogs: list[str] = field(default_factory=list)
    probes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def findings(self) -> list[str]:
        return ([f"dialog: {d}" for d in self.dialogs] + self.probes
                + [f"page error: {e}" for e in self.errors])

    async def context(self, browser: Browser, session: Session | None = None,
                      javascript: bool = True) -> BrowserContext:
        context = await browser.new_context(java_script_enabled=javascript)
        await context.add_init_script(PROBE)
        # Nothing leaves the machine: links in posts point at example.com.
        await context.route(re.compile(r"^(?!http://127\.0\.0\.1:)[a-z]+://"), lambda route: route.abort())
        if session:
            await context.add_cookies(session.cookies())
        context.on("page", self.watch)
        return context

    def watch(self, page: Page) -> None:
        async def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type} {dialog.message!r} on {page.url}")
            await dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("console", lambda m: self.probes.append(m.text) if (
            "XSS-PROBE" in m.text or "Content Security Policy" in m.text) else None)
        page.on("pageerror", lambda e: self.errors.append(f"{e} on {page.url}"))


async def problems_on(page: Page, expected: list[str], javascript: bool = True,
                      expected_values: list[str] = ()) -> list[str]:
    """Poke the page, then list what is wrong with it; `expected` must read back as text."""
    if javascript:
        await page.evaluate(POKE)
    found = [f"{page.url}: {p}" for p in await page.evaluate(DOM_CHECK, sorted(ALLOWED_TAGS))]
    text = await page.evaluate(PAGE_TEXT)
    found += [f"{page.url}: not shown as text: {v!r}" for v in expected if shown(v) not in text]
    values = await page.evaluate(FORM_VALUES)
    found += [f"{page.url}: not kept in the form: {v!r}" for v in expected_values if shown(v) not in values]
    return found


async def click_post_links(page: Page, limit: int = 2) -> None:
    """Real hovers and focus on the links in posts, then real clicks on a few (and back)."""
    links = page.locator(".post-body a")
    for i in range(min(await links.count(), 12)):
        await links.nth(i).hover()
        await links.nth(i).focus()
    for i in range(min(await links.count(), limit)):
        here = page.url
        await links.nth(i).click()
        await page.wait_for_load_state()
        if page.url != here:
            await page.goto(here)


# -- payloads in pages -------------------------------------------------------------------------
@pytest.mark.browser
async def test_no_planted_payload_runs_or_leaves_markup(planted: Planted, browser: Browser):
    base, watch = planted.base, Watch(planted.base)
    reader = await (await watch.context(browser, planted.sessions[READER])).new_page()
    moderator = await (await watch.context(browser, planted.sessions[MODERATOR])).new_page()
    anonymous = await (await watch.context(browser)).new_page()
    no_script = await (await watch.context(browser, planted.sessions[READER], javascript=False)).new_page()
    problems: list[str] = []
    names = NAME_VECTORS

    async def visit(page: Page, path: str, expected: list[str] = (), javascript: bool = True,
                    links: bool = False, values: list[str] = ()) -> None:
        response = await page.goto(base + path)
        assert response is not None and response.status < 500, (path, response and response.status)
        if links:
            await click_post_links(page)
        problems.extend(await problems_on(page, [*expected, planted.banner], javascript, values))

    for n, thread in enumerate(planted.body_threads):
        await visit(reader, thread["url"], links=True)
        if n < 2:  # the markup as the server sent it, before forum.js touches anything
            await visit(no_script, thread["url"], javascript=False)
    await visit(reader, planted.names_thread, names)
    for path, channel_titles in [(f"/c/{c}", TITLE_VECTORS[i::len(TITLE_CHANNELS)])
                                 for i, c in enumerate(TITLE_CHANNELS)]:
        await visit(reader, path, channel_titles)
        await visit(anonymous, path, channel_titles)
    await visit(reader, "/c/announcements", EVENT_VECTORS)
    await visit(reader, "/")
    await visit(reader, "/members", names)
    await visit(no_script, "/members?sort=name", names, javascript=False)
    await visit(reader, "/notifications", names)
    await visit(reader, "/search?q=alert")
    await visit(reader, "/search?q=alert&in=messages", CONVERSATION_VECTORS)
    await visit(no_script, "/search?q=alert&in=messages", CONVERSATION_VECTORS, javascript=False)
    await visit(moderator, "/messages", CONVERSATION_VECTORS)
    for conversation_id, title in zip(planted.conversations, CONVERSATION_VECTORS, strict=True):
        await visit(moderator, f"/messages/{conversation_id}", [title])
    await visit(reader, "/events", EVENT_VECTORS + EVENT_PLACES)
    for event_id, title in zip(planted.events[:3], EVENT_VECTORS, strict=False):
        await visit(reader, f"/events/{event_id}", [title], links=True)
    await visit(moderator, f"/events/{planted.events[0]}/edit", values=[EVENT_VECTORS[0], EVENT_PLACES[0]])
    await visit(moderator, f"/events/{planted.events[0]}/attendees", names[:REGISTERED])
    for i, username in enumerate(planted.members):
        await visit(anonymous, f"/u/{username}",
                    [names[i], BIO_VECTORS[i], LINE_VECTORS[i], LINE_VECTORS[-1 - i]])
    mine = planted.reader_vectors
    await visit(reader, f"/u/{READER}", [mine["display_name"], mine["bio"], mine["organisation"]])
    await visit(reader, f"/u/{READER}/edit", values=list(mine.values()))
    await visit(reader, planted.form_thread, [planted.form_vectors[0]], links=True)
    await visit(moderator, "/mod", planted.flag_reasons)
    await visit(moderator, planted.body_threads[1]["url"], links=True)
    await visit(moderator, f"/p/{planted.edited_post}/history")
    await visit(moderator, f"/p/{planted.hidden_posts[0]}/flag")
    for query in QUERY_VECTORS:
        await visit(reader, f"/search?q={quote(query)}", values=[query])
        await visit(anonymous, f"/members?q={quote(query)}", values=[query])
    for target in NEXT_VECTORS:
        await visit(anonymous, f"/login?next={quote(target)}")

    # A rejected form (no channel chosen) comes back with the payloads still in it, inert.
    await reader.goto(f"{base}/c/general-chat/new")
    await reader.get_by_label("Title").fill(TEXT_VECTORS[26])
    await reader.get_by_label("Message").fill(TEXT_VECTORS[27])
    await reader.get_by_label("General Chat").uncheck()
    await reader.get_by_role("button", name="Post").click()
    await expect(reader.locator(".form-error")).to_be_visible()
    problems.extend(await problems_on(reader, [], expected_values=[TEXT_VECTORS[26], TEXT_VECTORS[27]]))

    problems += watch.findings()
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
async def test_payloads_arriving_live_are_inserted_inert(planted: Planted, browser: Browser):
    base, watch = planted.base, Watch(planted.base)
    context = await watch.context(browser, planted.sessions[READER])
    thread_page, channel_page = await context.new_page(), await context.new_page()
    reader, moderator = planted.sessions[READER], planted.sessions[MODERATOR]
    live = reader.thread("Payloads arriving live", "Watch this space.")
    await thread_page.goto(base + live["url"])
    await channel_page.goto(f"{base}/c/general-chat")
    await expect(thread_page.locator("#presence")).to_be_attached()

    # A member whose name is a payload opens the thread and types: presence and typing show it.
    name = NAME_VECTORS[3]
    cookie = await session_cookie(base, "live_named", name)
    typist = await LiveClient.open(planted.server.ws_url, cookie=cookie, origin=base)
    try:
        await typist.subscribe([f"thread:{live['id']}"])
        await typist.send({"type": "typing", "channel": f"thread:{live['id']}"})
        await expect(thread_page.locator("#typing")).to_contain_text(shown(name))
        await expect(thread_page.locator("#presence")).to_contain_text(shown(name))
    finally:
        await typist.close()

    vectors = spread(TEXT_VECTORS, 25, offset=11)
    for vector in vectors:
        reader.reply(live["id"], vector)
    edited = reader.reply(live["id"], "to be edited")
    reader.call("PATCH", f"/posts/{edited['id']}", {"body": TEXT_VECTORS[50]})
    title = TITLE_VECTORS[9]
    reader.thread(title, "A thread titled with a payload, arriving live.")
    banner = shown(TEXT_VECTORS[90])
    moderator.call("POST", "/banner", {"text": banner})

    await expect(thread_page.locator("article.post")).to_have_count(len(vectors) + 2)
    await expect(thread_page.locator(f"#post-{edited['id']}")).not_to_contain_text("to be edited")
    await expect(channel_page.locator("#thread-list .thread-row").first).to_contain_text(shown(title))
    await expect(thread_page.locator("#site-banner")).to_contain_text(banner)
    await thread_page.evaluate("window.stillTheSamePage = true")
    problems = await problems_on(thread_page, [banner])
    problems += await problems_on(channel_page, [title, banner])
    await click_post_links(thread_page)
    problems += watch.findings()
    assert problems == [], "\n".join(problems)


# -- the CSP on every page -------------------------------------------------------------------
def page_routes() -> set[str]:
    """Every GET route outside /api and /static, from the app's own table."""
    app = create_app(Settings(database_url="sqlite:///never-opened.db", secret_key="routes"))
    return {r.path for r in app.routes if isinstance(r, Route) and "GET" in (r.methods or ())}


def pages_for(planted: Planted) -> dict[str, list[tuple[str, str, int]]]:
    """Route -> [(path, who, expected status)], path parameters filled from planted content;
    `who` is "member" or "moderator" ("any" means both)."""
    thread_id, slug = planted.a_thread["id"], planted.a_thread["url"].rsplit("/", 1)[-1]
    post, event, name = planted.a_post, planted.events[0], planted.members[0]
    return {
        "/": [("/", "any", 200), ("/no-such-page", "any", 404)],
        "/c/{slug}": [("/c/general-chat", "any", 200), ("/c/no-such-channel", "any", 404)],
        "/c/{slug}/new": [("/c/general-chat/new", "any", 200)],
        "/t/{thread_id:id}": [(f"/t/{thread_id}", "any", 200), ("/t/999999", "any", 404)],
        "/t/{thread_id:id}/{slug:str}": [(f"/t/{thread_id}/{slug}", "any", 200)],
        "/t/{thread_id:id}/reply": [(f"/t/{thread_id}/reply?to={post}", "any", 200)],
        "/t/{thread_id:id}/move": [(f"/t/{thread_id}/move", "moderator", 200),
                                    (f"/t/{thread_id}/move", "member", 403)],
        "/p/{post_id:id}/edit": [(f"/p/{post}/edit", "any", 200)],
        "/p/{post_id:id}/delete": [(f"/p/{post}/delete", "any", 200)],
        "/p/{post_id:id}/hide": [(f"/p/{post}/hide", "moderator", 200)],
        "/p/{post_id:id}/flag": [(f"/p/{post}/flag", "any", 200)],
        "/p/{post_id:id}/history": [(f"/p/{planted.edited_post}/history", "moderator", 200)],
        "/signup": [("/signup", "anonymous", 200)],
        "/login": [("/login?next=/members", "anonymous", 200)],
        "/u/{username}": [(f"/u/{name}", "any", 200), ("/u/nobody-here", "any", 404)],
        "/u/{username}/edit": [(f"/u/{READER}/edit", "member", 200), (f"/u/{name}/edit", "member", 403)],
        "/members": [("/members", "any", 200), ("/members?sort=bad", "any", 400)],
        "/welcome": [("/welcome", "any", 200)],
        "/notifications": [("/notifications", "any", 200)],
        "/mod": [("/mod", "moderator", 200), ("/mod", "member", 403)],
        "/search": [("/search?q=alert", "any", 200), ("/search", "any", 200)],
        "/events": [("/events", "any", 200), ("/events?when=past", "any", 200)],
        "/events/new": [("/events/new", "moderator", 200)],
        "/events/{event_id:id}": [(f"/events/{event}", "any", 200), ("/events/999999", "any", 404)],
        "/events/{event_id:id}/edit": [(f"/events/{event}/edit", "moderator", 200)],
        "/events/{event_id:id}/attendees": [(f"/events/{event}/attendees", "moderator", 200)],
        "/events/{event_id:id}/cancel-event": [(f"/events/{event}/cancel-event", "moderator", 200),
                                                 (f"/events/{event}/cancel-event", "member", 403)],
        "/events.ics": [("/events.ics", "any", 200)],
        "/events/{event_id:id}.ics": [(f"/events/{event}.ics", "any", 200)],
        "/events/{event_id:id}/attendees.csv": [(f"/events/{event}/attendees.csv", "moderator", 200)],
        "/u/{username}/export": [(f"/u/{READER}/export", "member", 200),
                                 (f"/u/{READER}/export", "moderator", 403)],
        "/healthz": [("/healthz", "any", 200)],
        "/account/password": [("/account/password", "any", 200)],
        "/account/sessions": [("/account/sessions", "any", 200)],
        "/settings": [("/settings", "any", 200)],
        "/settings/email/confirm/{token}": [("/settings/email/confirm/not-a-token", "any", 400)],
        "/password-reset": [("/password-reset", "anonymous", 200)],
        "/password-reset/{token}": [("/password-reset/not-a-token", "anonymous", 400)],
        "/unsubscribe/{token}": [("/unsubscribe/not-a-token", "anonymous", 400)],
        "/p/{post_id:id}/react": [(f"/p/{post}/react", "any", 200)],
        "/admin": [("/admin", "moderator", 403), ("/admin", "member", 403)],  # admins only
        "/metrics": [("/metrics", "any", 403)],
        "/favicon.ico": [("/favicon.ico", "any", 200)],
        "/uploads/{key}": [(f"/uploads/{'0' * 64}.png", "any", 404)],
        "/library": [("/library", "any", 200), ("/library?kind=case_study", "any", 200)],
        "/library/new": [("/library/new", "any", 200)],
        "/library/{item_id:id}/edit": [("/library/999999/edit", "any", 404)],
        "/t/{thread_id:id}/tags": [(f"/t/{thread_id}/tags", "moderator", 200)],
        "/tags/{tag:str}": [("/tags/no-such-tag", "any", 404)],
        "/messages": [("/messages", "any", 200)],
        "/messages/{conversation_id:id}": [("/messages/999999", "any", 404)],
        "/messages/{conversation_id:id}/report/{message_id:id}": [("/messages/999999/report/1", "any", 404)],
    }


def visits(planted: Planted) -> list[tuple[str, str, int]]:
    out = []
    for entries in pages_for(planted).values():
        for path, who, status in entries:
            out += [(path, w, status) for w in (("member", "moderator") if who == "any" else (who,))]
    return out


class InlineCode(HTMLParser):
    """What a CSP without 'unsafe-inline' refuses: inline scripts and styles, handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name: value or "" for name, value in attrs}
        if tag == "script" and not names.get("src", "").startswith("/static/"):
            self.found.append(f"<script> without our src: {attrs}")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in names.items():
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}={value!r}>")
            if re.match(r"\s*(javascript|vbscript|data):", value, re.I) and name in ("href", "src", "action"):
                self.found.append(f"<{tag} {name}={value!r}>")


def csp_problems(response: httpx.Response) -> list[str]:
    policy = response.headers.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    found = [f"{name} is {directives.get(name)}, not {want}" for name, want in [
        ("default-src", ["'self'"]), ("script-src", ["'self'"]), ("style-src", ["'self'"]),
        ("img-src", ["'self'"]), ("object-src", ["'none'"]), ("frame-ancestors", ["'none'"])]
        if directives.get(name) != want]
    if "unsafe" in policy:
        found.append(f"an 'unsafe-' source in {policy!r}")
    if response.headers.get("x-content-type-options") != "nosniff":
        found.append("no X-Content-Type-Options: nosniff")
    if response.headers.get("referrer-policy") != "same-origin":
        found.append("no Referrer-Policy: same-origin")
    if response.headers.get("content-type", "").startswith("text/html"):
        parser = InlineCode()
        parser.feed(response.text)
        found += parser.found
    return found


def test_every_page_of_the_route_table_is_covered(planted: Planted):
    missing = page_routes() - set(pages_for(planted))
    assert not missing, f"pages without a visit in this file's pages_for(): {sorted(missing)}"


def test_every_page_carries_the_csp_and_no_inline_code(planted: Planted):
    problems = []
    anonymous = httpx.Client(base_url=planted.base)
    clients = {"member": planted.sessions[READER].http, "moderator": planted.sessions[MODERATOR].http,
               "anonymous": anonymous}
    extra = [("/static/forum.css", "anonymous", 200), ("/api/v1/categories", "anonymous", 200),
             ("/api/v1/openapi.json", "anonymous", 200), ("/api/v1/threads/999999", "anonymous", 404)]
    try:
        for path, who, status in visits(planted) + extra:
            response = clients[who].get(path)
            if response.status_code != status:
                problems.append(f"{who} {path}: {response.status_code}, expected {status}")
            problems += [f"{who} {path}: {p}" for p in csp_problems(response)]
    finally:
        anonymous.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
async def test_chromium_reports_no_csp_violation_on_any_page(planted: Planted, browser: Browser):
    watch = Watch(planted.base)
    pages = {who: await (await watch.context(browser, planted.sessions[username])).new_page()
             for who, username in [("member", READER), ("moderator", MODERATOR)]}
    pages["anonymous"] = await (await watch.context(browser)).new_page()
    for path, who, _ in visits(planted):
        if path.endswith(DOWNLOADS):
            continue
        await pages[who].goto(planted.base + path)
    assert watch.findings() == [], "\n".join(watch.findings())
