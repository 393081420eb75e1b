"""Forgot password, end to end in Chromium against a real `forum serve`, the link read from
the mail a real SMTP server received."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import PASSWORD
from tests.mail_server import SmtpServer
from tests.servers import ServerProcess

pytestmark = pytest.mark.browser
CHROMIUM_MISSING = "browser tests need Debian's chromium: apt-get install chromium"



@pytest.fixture
def mail_server(database_url: str, tmp_path: Path, smtp: SmtpServer) -> Iterator[ServerProcess]:
    server = ServerProcess(database_url, log_path=tmp_path / "server.log",
                           extra_env={"FORUM_SMTP_URL": smtp.url}).start()
    yield server
    server.stop()



async def test_forgot_password_end_to_end(mail_server, smtp, browser):
    base = mail_server.base_url
    async with httpx.AsyncClient(base_url=base) as http:
        created = await http.post("/api/v1/users", json={"username": "ada", "password": PASSWORD,
                                                         "email": "ada@example.org"})
        assert created.status_code == 201
    await smtp.await_for(1)  # the confirmation link

    page = await (await browser.new_context()).new_page()
    await page.goto(f"{base}/login")
    await page.get_by_role("link", name="Forgot your password?").click()
    await page.get_by_label("Email").fill("Ada@Example.org")
    await page.get_by_role("button", name="Send reset link").click()
    await page.get_by_role("status").filter(has_text="is the address of an account here").wait_for()

    mail = (await smtp.await_for(2))[1]
    [link] = [link for link in mail.links() if "/password-reset/" in link]
    assert link.startswith(f"{base}/password-reset/")  # FORUM_BASE_URL: where it is served
    await page.goto(link)
    await page.get_by_label("New password").fill("a brand new passphrase")
    await page.get_by_role("button", name="Set password").click()
    await page.get_by_role("status").filter(has_text="Your new password is set").wait_for()

    await page.get_by_role("link", name="Log in with your new password").click()
    await page.get_by_label("Username").fill("ada")
    await page.get_by_label("Password").fill("a brand new passphrase")
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(lambda url: "/login" not in url)
    await page.goto(f"{base}/settings")
    assert re.search(r"ada@example\.org", await page.content())
    # The link is spent.
    await page.goto(link)
    await page.get_by_text("This link has been used or has expired").wait_for()
