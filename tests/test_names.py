"""Nobody can pass for someone else: no invisible or direction-changing characters in names,
no names people would trust as the forum's own, no role claimed in a display name."""

from __future__ import annotations

import pytest

from forum.characters import NAME_INVISIBLE
from forum.validation import ValidationError, check_display_name, check_title, check_username
from tests.helpers import PASSWORD, api_token, submit

HIDING = ["Helen\u202eMarsh", "Hel\u200ben", "Helen\u200d", "\u2060Helen", "Helen\ufeff",
          "Helen\u2066Marsh\u2069", "Hel\u00adlen", "\u3164Helen"]
ROLE_CLAIMS = ["Helen Marsh (admin)", "Helen Marsh [Moderator]", "Helen - Admin", "Admin",
               "ＡＤＭＩＮ", "Practice Forum", "support", "Helen Marsh | mod"]
RESERVED_USERNAMES = ["admin", "Admin", "ADMINISTRATOR", "moderator", "mod", "support", "staff",
                      "system", "root", "practice_forum", "forum", "help", "official", "security"]


def test_names_that_hide_or_reorder_or_claim_are_refused_and_plain_ones_kept() -> None:
    for name in HIDING:
        with pytest.raises(ValidationError, match="invisible or direction-changing"):
            check_display_name(name, "helen")
    for name in ROLE_CLAIMS:
        with pytest.raises(ValidationError, match="claim a role"):
            check_display_name(name, "helen")
    for name in RESERVED_USERNAMES + ["---", "___", "-_-"]:
        with pytest.raises(ValidationError):
            check_username(name)
    for name in ("Siôn Evans", "Mòrag MacLean", "Aisha Bello", "Modest Mouse", "Helen (she/her)",
                 "Ffion Admiral", "Rootsy Ruth"):
        assert check_display_name(name, "x") == name
    assert check_username("helen_marsh") == "helen_marsh" and check_username("a-1") == "a-1"
    assert check_username("admin", allow_reserved=True) == "admin"
    with pytest.raises(ValidationError, match="direction-changing"):
        check_title("Invoice \u202efdp.exe")
    assert check_title("Family 👨\u200d👩\u200d👧 day") == "Family 👨\u200d👩\u200d👧 day"  # joiners in emoji


async def test_sign_up_form_and_api_refuse_the_same_names(client):
    for name in HIDING[:3] + ROLE_CLAIMS[:2]:
        page = await submit(client, "/signup", {"username": "helen_x", "password": PASSWORD,
                                                "display_name": name}, "/signup")
        assert page.status_code == 400, name
        api = await client.post("/api/v1/users", json={"username": "helen_x", "password": PASSWORD,
                                                       "display_name": name})
        assert api.status_code == 400 and "display_name" in api.json()["error"]["fields"], name
    assert NAME_INVISIBLE in page.text.replace("&#39;", "'") or "claim a role" in page.text
    for username in ("admin", "Moderator", "---", "___"):
        page = await submit(client, "/signup", {"username": username, "password": PASSWORD}, "/signup")
        assert page.status_code == 400 and f'value="{username}"' in page.text, username
        api = await client.post("/api/v1/users", json={"username": username, "password": PASSWORD})
        assert api.status_code == 400 and "username" in api.json()["error"]["fields"], username


async def test_profile_form_and_api_refuse_a_disguised_display_name(client):
    headers = await api_token(client, "plain_helen")
    for name in ("Helen\u202eMarsh", "Helen Marsh (admin)"):
        api = await client.patch("/api/v1/me", headers=headers, json={"display_name": name})
        assert api.status_code == 400 and "display_name" in api.json()["error"]["fields"], name
    await submit(client, "/login", {"username": "plain_helen", "password": PASSWORD}, "/login")
    page = await submit(client, "/u/plain_helen/edit", {"display_name": "Hel\u200ben", "bio": ""},
                        "/u/plain_helen/edit")
    assert page.status_code == 400 and NAME_INVISIBLE in page.text
    fine = await submit(client, "/u/plain_helen/edit", {"display_name": "Helen Marsh", "bio": ""},
                        "/u/plain_helen/edit")
    assert fine.status_code == 303
